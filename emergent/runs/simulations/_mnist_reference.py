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

__all__ = ["COMMAND", "REFERENCE_PATH", "Reference", "gather", "load", "main"]

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
    from emergent.runs.simulations.mnist import _SERIES, NETS

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
        for key in _SERIES:
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
