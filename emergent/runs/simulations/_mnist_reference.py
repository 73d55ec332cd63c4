"""The published reference run of `mnist-thermodynamics` (P1 §10): 10^4 epochs, 4 seeds.

The paper's late-epoch claims (Figs. 3-5 after 10^3-10^4 epochs, mu2 and mu3 after 10^4 epochs,
the Fig. 7 fits) cannot be trained within the few minutes of the default ``reproduce``. They are
decided on the recorded series (not the weights) of one long run, kept in
``data/mnist-reference-10k.npz`` together with the command that made it (:data:`COMMAND`), and
read by :func:`emergent.runs.simulations.mnist.checks` and ``plot``.

Make it (one process per seed, in parallel; each writes an ordinary run file), then gather the
series into the npz::

    for s in 0 1 2 3; do
      nice -n 10 emergent run mnist-thermodynamics -o ref-$s.h5 --seed $s --set seeds=1 \\
          --set epochs=10000 --set samples=4000 --set test_samples=1000 \\
          --set analysis_samples=200 --set log_per_decade=6 &
    done; wait
    python -m emergent.runs.simulations._mnist_reference data/mnist-reference-10k.npz ref-*.h5

The npz holds, for every net and every scalar series of the run, an array [epochs, seeds]
(``{net}_{key}``), the non-trivial eigenvalues of G [epochs, seeds, K] (``{net}_eigenvalues``),
``epochs``, ``seeds``, and ``command``/``parameters`` (text).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["COMMAND", "NETS", "REFERENCE_PATH", "SERIES", "Reference", "gather", "load", "main"]

REFERENCE_PATH = Path(__file__).resolve().parents[3] / "data" / "mnist-reference-10k.npz"
"""Where the reference series live (``$EMERGENT_MNIST_REFERENCE`` overrides)."""

COMMAND = (
    "for s in 0 1 2 3; do nice -n 10 emergent run mnist-thermodynamics -o ref-$s.h5 --seed $s "
    "--set seeds=1 --set epochs=10000 --set samples=4000 --set test_samples=1000 "
    "--set analysis_samples=200 --set log_per_decade=6 & done; wait; "
    "python -m emergent.runs.simulations._mnist_reference data/mnist-reference-10k.npz ref-*.h5")
"""The command that makes the reference series."""

_ARRAYS = ("x_mean", "eigenvalues")


class Reference:
    """The recorded series of a multi-seed run, as gathered by :func:`gather`.

    Parameters
    ----------
    arrays : dict of str to ndarray
        The contents of the npz.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.epochs = np.asarray(arrays["epochs"], dtype=np.int64)
        self.seeds = np.asarray(arrays["seeds"], dtype=np.int64)
        self.command = str(arrays.get("command", ""))

    def has(self, net: str, key: str) -> bool:
        """Whether series `key` of net `net` is present.

        Parameters
        ----------
        net : str
            "deep" or "shallow".
        key : str
            Series name (e.g. "bulk_loss_hidden").

        Returns
        -------
        bool
            True when present.
        """
        return f"{net}_{key}" in self.arrays

    def series(self, net: str, key: str) -> np.ndarray:
        """Series `key` of net `net`: [epochs, seeds] (eigenvalues: [epochs, seeds, K]).

        Parameters
        ----------
        net : str
            "deep" or "shallow".
        key : str
            Series name.

        Returns
        -------
        ndarray
            The values.

        Raises
        ------
        KeyError
            A series the reference does not hold.
        """
        return np.asarray(self.arrays[f"{net}_{key}"], dtype=float)

    @property
    def last_epoch(self) -> int:
        """The last recorded epoch.

        Returns
        -------
        int
            max(epochs).
        """
        return int(self.epochs[-1])


NETS = ("deep", "shallow")
"""The nets of P1 §10 a run can train (parameter ``networks``: one of these or "both")."""

SERIES: dict[str, tuple[str, str]] = {
    "epoch": ("training epoch of the record", "1"),
    "train_loss": ("boundary loss U_d (P1 (2.11)) over all training samples", "1"),
    "train_accuracy": ("fraction of training samples classified correctly", "1"),
    "test_accuracy": ("fraction of held-out samples classified correctly", "1"),
    "boundary_loss": ("boundary loss U_d (P1 (2.11)) on the analysis samples", "1"),
    "bulk_loss": ("bulk loss U, literal P1 (3.1) sum over all non-input neurons at the "
                  "clamped minimum (3.2), mean over the analysis samples", "1"),
    "bulk_loss_median": ("bulk loss, literal P1 (3.1) sum, median over the analysis "
                         "samples", "1"),
    "bulk_loss_hidden": ("hidden-neuron part of the P1 (3.1) sum at the clamped minimum "
                         "(V_hid, 'the bulk' of P1 section 2), mean over the samples",
                         "1"),
    "bulk_loss_hidden_median": ("hidden-neuron part of the P1 (3.1) sum, median over "
                                "the samples", "1"),
    "bulk_loss_output": ("output-neuron part of the P1 (3.1) sum at the clamped minimum, "
                         "mean over the samples", "1"),
    "bulk_loss_output_median": ("output-neuron part of the P1 (3.1) sum, median over "
                                "the samples", "1"),
    "boundary_loss_median": ("boundary loss U_d (P1 (2.11)), median over the analysis "
                             "samples", "1"),
    "x_mean": ("mean state <x> of the N neurons at the clamped minimum (P1 (3.2))",
               "1"),
    "eigenvalues": ("non-trivial eigenvalues lambda of G (P1 (5.6)), ascending", "1"),
    "log_det": ("sum of log lambda over the eigenvalues of G (P1 (7.8))", "1"),
    "mu2": ("variance mu2 = Tr (log G)^2 (P1 (9.5))", "1"),
    "mu3": ("skewness mu3 = Tr (log G)^3 (P1 (9.6))", "1"),
    "mu2_mean": ("mu2 (P1 (9.5)) divided by the number of non-trivial eigenvalues",
                 "1"),
    "mu3_mean": ("mu3 (P1 (9.6)) divided by the number of non-trivial eigenvalues",
                 "1"),
    "n_dynamical": ("number of eigenvalues of G with |log lambda| above the tolerance",
                    "1"),
    "mu2_dynamical": ("mu2 (P1 (9.5)) divided by the number of dynamical eigenvalues",
                      "1"),
    "mu3_dynamical": ("mu3 (P1 (9.6)) divided by the number of dynamical eigenvalues",
                      "1"),
    "c_20": ("complexity C_20 (P1 (10.5)) of the 20 largest eigenvalues of G", "1"),
    "c_834": ("complexity C_834 (P1 (10.5)) of the 834 largest eigenvalues of G", "1"),
    "gap_log_lambda": ("log lambda at the middle of the widest gap of the "
                       "log-spectrum of G (P1 section 10, Fig. 5)", "1"),
    "gap_width": ("width in log lambda of the widest gap of the log-spectrum of G", "1"),
    "gap_below": ("number of eigenvalues of G below the widest gap", "1"),
    "gap_beta": ("beta that P1 (9.4) assigns to the gap's log lambda", "1"),
}
"""Meaning and units of the series recorded per net (first seed)."""


def gather(paths: Sequence[str | os.PathLike[str]]) -> dict[str, np.ndarray]:
    """Stack the series of single-seed runs of ``mnist-thermodynamics`` by seed.

    Parameters
    ----------
    paths : sequence of path
        Finished run files, one per seed, with the same logged epochs.

    Returns
    -------
    dict of str to ndarray
        ``{net}_{key}`` [epochs, seeds] for every scalar series, ``{net}_eigenvalues``
        [epochs, seeds, K], ``epochs``, ``seeds``, ``parameters`` (JSON of the first run's
        parameters without the seed).

    Raises
    ------
    ValueError
        No paths, runs of another simulation, or runs whose logged epochs differ.
    """
    from emergent.runs.io import read_run

    if not paths:
        raise ValueError("gather: no run files given")
    runs = [read_run(p) for p in paths]
    out: dict[str, np.ndarray] = {}
    epochs = None
    seeds = []
    for path, data in zip(paths, runs, strict=True):
        if data.simulation != "mnist-thermodynamics":
            raise ValueError(f"{path}: not a mnist-thermodynamics run")
        nets = [n for n in NETS if f"{n}_epoch" in data.series_names]
        e = np.asarray(data.series(f"{nets[0]}_epoch"), dtype=np.int64)
        if epochs is None:
            epochs = e
        elif not np.array_equal(e, epochs):
            raise ValueError(f"{path}: logged epochs differ from those of {paths[0]}")
        seeds.append(int(data.seed))
    assert epochs is not None
    first = runs[0]
    for net in NETS:
        if f"{net}_epoch" not in first.series_names:
            continue
        for key in SERIES:
            if key == "x_mean" or f"{net}_{key}" not in first.series_names:
                continue
            cols = [np.asarray(d.series(f"{net}_{key}"), dtype=float) for d in runs]
            out[f"{net}_{key}"] = np.stack(cols, axis=1)
    params = {k: v for k, v in first.params.items() if k != "seed"}
    out["epochs"] = epochs
    out["seeds"] = np.asarray(seeds, dtype=np.int64)
    out["parameters"] = np.asarray(json.dumps(params, sort_keys=True, default=str))
    return out


def load(path: str | os.PathLike[str] | None = None) -> Reference | None:
    """The reference series, or None when the file is absent.

    Parameters
    ----------
    path : path, optional
        The npz (default ``$EMERGENT_MNIST_REFERENCE``, else :data:`REFERENCE_PATH`).

    Returns
    -------
    Reference or None
        The series.

    Raises
    ------
    ValueError
        A file that is not a reference npz.
    """
    p = Path(path or os.environ.get("EMERGENT_MNIST_REFERENCE") or REFERENCE_PATH)
    if not p.is_file():
        return None
    with np.load(p, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    if "epochs" not in arrays or "seeds" not in arrays:
        raise ValueError(f"{p}: not a mnist-thermodynamics reference (no epochs/seeds)")
    return Reference(arrays)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m emergent.runs.simulations._mnist_reference OUT.npz RUN.h5 ...``.

    Parameters
    ----------
    argv : sequence of str, optional
        OUT.npz followed by the run files (default: sys.argv[1:]).

    Returns
    -------
    int
        0 on success, 2 on bad arguments.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: python -m emergent.runs.simulations._mnist_reference OUT.npz RUN.h5 ...",
              file=sys.stderr)
        return 2
    try:
        arrays = gather(args[1:])
    except (ValueError, OSError, KeyError) as exc:
        print(f"mnist_reference: {exc}", file=sys.stderr)
        return 2
    arrays["command"] = np.asarray(COMMAND)
    np.savez_compressed(args[0], **arrays)
    print(f"wrote {args[0]}: {len(arrays['seeds'])} seeds, epochs 0..{int(arrays['epochs'][-1])}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
