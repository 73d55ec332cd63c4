"""The thermodynamics of a net while it learns (P1 §10): analysis at log-spaced epochs.

At each logged epoch the net is mapped onto the neural septuple (N = 854 for the P1 §10 nets)
and the quantities of P1 §10 are measured with :mod:`emergent.septuple.losses` and
:mod:`emergent.septuple.thermodynamics`:

- U_d, the boundary loss (2.11) averaged over the analysis samples;
- U, the bulk loss (3.4, m = 0) at the clamped minimum (3.2), averaged over the same samples,
  in both readings: the literal (3.1) sum over the non-input neurons and its hidden-neuron part
  (P1 §2 calls V_hid "the bulk"), with the output part and the medians over the samples;
- <x>, the mean of the clamped minimisers x_bar over the samples (the ensemble mean of 5.3);
- the non-trivial eigenvalues of G = (I - f'w)^T (I - f'w) at <x> (5.6, 5.10), with
  sum log lambda = log det G = 0 (7.7-7.8) as a running check;
- mu2 = Tr (log G)^2 and mu3 = Tr (log G)^3 (9.5-9.6), both as traces and as means over the
  K non-trivial eigenvalues (the normalisation P1 §10's numbers imply, see the README);
- C_20 and C_(N-20) (10.5);
- the gap in the log-spectrum below the bulk of eigenvalues and the beta it implies by (9.4);
- training and test accuracy.

:class:`SeptupleRecorder` does this for (weights, biases) from any backend;
:func:`keras_callback` wraps it as a ``keras.callbacks.Callback`` for ``model.fit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from emergent.learning import numpy_backend as nb
from emergent.learning.mapping import layers_from_keras, to_septuple
from emergent.septuple import losses
from emergent.septuple import thermodynamics as thermo
from emergent.septuple.phases import paper_94

__all__ = [
    "DYNAMICAL_TOL",
    "SeptupleRecorder",
    "analyse",
    "beta_from_gap",
    "gap_from_beta",
    "keras_callback",
    "log_spaced_epochs",
    "spectral_gap",
]


DYNAMICAL_TOL = 1e-8
"""|log lambda| above which an eigenvalue of G (P1 5.6) counts as dynamical (differs from 1);
:func:`analyse` reports mu2 and mu3 (9.5-9.6) also as means over these eigenvalues."""


def log_spaced_epochs(total: int, *, per_decade: int = 8) -> np.ndarray:
    """Epochs 0, 1, ..., total at about `per_decade` log-spaced points per decade (unique ints).

    Epoch 0 is the untrained net; `total` is always included; exact powers of ten are included.

    Parameters
    ----------
    total : int
        The last epoch, >= 0.
    per_decade : int
        Points per decade, >= 1.

    Returns
    -------
    ndarray of int64
        The increasing epochs.

    Raises
    ------
    ValueError
        total < 0 or per_decade < 1.
    """
    if total < 0:
        raise ValueError(f"total must be >= 0, got {total}")
    if per_decade < 1:
        raise ValueError(f"per_decade must be >= 1, got {per_decade}")
    if total == 0:
        return np.array([0])
    k = np.arange(int(np.floor(np.log10(total) * per_decade + 1e-9)) + 1)
    grid = np.round(10.0 ** (k / per_decade)).astype(np.int64)  # exact powers of ten included
    return np.unique(np.concatenate([[0], grid[grid <= total], [total]]))


def gap_from_beta(beta: float) -> float:
    """log lambda = 3 log(-1/2 + sqrt(1/4 + 1/beta)), the unstable maximum of P1 (9.4).

    Parameters
    ----------
    beta : float
        Inverse temperature, > 0.

    Returns
    -------
    float
        The log-eigenvalue P1 (9.4) assigns to beta.

    Raises
    ------
    ValueError
        beta <= 0.
    """
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    return paper_94(beta)


def beta_from_gap(log_lambda: float) -> float:
    """Invert P1 (9.4): with s = lambda^(1/3), 1/beta = s (s + 1), so beta = 1 / (s^2 + s).

    Parameters
    ----------
    log_lambda : float
        The log-eigenvalue of the gap.

    Returns
    -------
    float
        beta.
    """
    s = float(np.exp(log_lambda / 3.0))
    return 1.0 / (s * s + s)


def spectral_gap(log_lambda: np.ndarray, *, min_count: int = 3,
                 ceiling: float = -0.5) -> tuple[float, float, int]:
    """The widest gap among the negative log-eigenvalues of G (P1 §10, the arrows of Fig. 5).

    Parameters
    ----------
    log_lambda : ndarray
        log lambda of the eigenvalues.
    min_count : int
        Eigenvalues required on each side of the gap.
    ceiling : float
        Only log lambda < ceiling are looked at.

    Returns
    -------
    position : float
        The midpoint of the widest spacing (nan when there are too few eigenvalues).
    width : float
        Its width (nan likewise).
    below : int
        The number of eigenvalues below it (0 likewise).
    """
    v = np.sort(np.asarray(log_lambda, dtype=float))
    v = v[v < ceiling]
    if v.size < 2 * min_count:
        return float("nan"), float("nan"), 0
    d = np.diff(v)
    lo = min_count - 1
    hi = v.size - min_count
    k = lo + int(np.argmax(d[lo:hi]))
    return float(0.5 * (v[k] + v[k + 1])), float(d[k]), k + 1


def analyse(net: Any, x_in: np.ndarray, y_out: np.ndarray, *, m: float = 0.0,
            tol: float = 1e-8, complexity_ns: Sequence[int] = (20,)) -> dict[str, Any]:
    """The P1 §10 quantities of a trained net on boundary data.

    U_d (2.11) from the forward fixed point (2.9), U (3.4) at the clamped minimum (3.2), <x>,
    the non-trivial eigenvalues of G (5.6, 5.10) at <x>, sum log lambda (7.8), mu2 and mu3
    (9.5-9.6), C_n (10.5), and the gap of the log-spectrum with its beta (9.4).

    Parameters
    ----------
    net : NeuralSeptuple, keras.Sequential, torch nn.Sequential or (weights, biases)
        The trained net (anything :func:`emergent.learning.mapping.to_septuple` accepts).
    x_in : ndarray(shape=[S, n_in])
        Input data.
    y_out : ndarray(shape=[S, n_out])
        Output targets.
    m : float
        Mass of the local objective (3.3).
    tol : float
        Gradient tolerance of the clamped minimisation.
    complexity_ns : sequence of int
        The n of the C_n to report (C_n and C_(N-n) each).

    Returns
    -------
    dict
        boundary_loss, bulk_loss (the literal (3.1) sum over the non-input neurons, mean over
        the samples), bulk_loss_hidden and bulk_loss_output (its hidden-neuron and output parts,
        :func:`emergent.septuple.losses.bulk_loss_parts`), the same four as medians over the
        samples (``*_median``), x_mean [N], eigenvalues [K] (non-trivial, ascending), log_det,
        mu2, mu3 (traces), mu2_mean, mu3_mean (means over the K non-trivial eigenvalues),
        n_dynamical (eigenvalues with |log lambda| > DYNAMICAL_TOL), mu2_dynamical,
        mu3_dynamical (traces / n_dynamical), c_<n> and c_<N-n> for each n (c_20, c_834 for
        N = 854), gap_log_lambda, gap_width, gap_below, gap_beta (9.4).

    Raises
    ------
    ValueError
        A net that does not map onto the septuple, data of the wrong shape, or a clamped
        minimisation that does not converge.
    """
    sept = to_septuple(net)
    x_in = np.asarray(x_in, dtype=float)
    y_out = np.asarray(y_out, dtype=float)
    # one forward pass (2.9) serves both U_d (2.11) and the start of the minimisation (3.2)
    x_fwd = sept.fixed_point(x_in)
    d = x_fwd[:, sept.output_index] - y_out
    u_d = float(np.mean(0.5 * np.sum(d * d, axis=1)))
    x_bar, h = losses.clamped_minimisation(sept, x_in, y_out, m=m, tol=tol, x0=x_fwd)
    x_mean = x_bar.mean(axis=0)
    h_hid, h_out = losses.bulk_loss_parts(sept, x_bar)
    spec = thermo.spectrum(sept, x_mean, mean_coords=False)
    lam = spec.eigenvalues
    log_lam = np.log(lam)
    gap, width, below = spectral_gap(log_lam)
    # eigenvalues that differ from 1: n_r + rank of the first weight block (110 deep, 130
    # shallow in P1 §10); the trace moments over this count reproduce P1's deep mu3 ~ -1.7
    n_dyn = int(np.count_nonzero(np.abs(log_lam) > DYNAMICAL_TOL))
    out: dict[str, Any] = {
        "boundary_loss": u_d,
        "bulk_loss": float(np.mean(h)),
        "bulk_loss_median": float(np.median(h)),
        "bulk_loss_hidden": float(np.mean(h_hid)),
        "bulk_loss_hidden_median": float(np.median(h_hid)),
        "bulk_loss_output": float(np.mean(h_out)),
        "bulk_loss_output_median": float(np.median(h_out)),
        "boundary_loss_median": float(np.median(0.5 * np.sum(d * d, axis=1))),
        "x_mean": x_mean,
        "eigenvalues": lam,
        "log_det": float(np.sum(log_lam)),
        "mu2": thermo.mu2(spec),
        "mu3": thermo.mu3(spec),
        "mu2_mean": thermo.mu2(spec, normalisation="mean"),
        "mu3_mean": thermo.mu3(spec, normalisation="mean"),
        "n_dynamical": n_dyn,
        "mu2_dynamical": thermo.mu2(spec) / max(n_dyn, 1),
        "mu3_dynamical": thermo.mu3(spec) / max(n_dyn, 1),
        "gap_log_lambda": gap,
        "gap_width": width,
        "gap_below": below,
        "gap_beta": beta_from_gap(gap) if np.isfinite(gap) else float("nan"),
    }
    for n in complexity_ns:
        out[f"c_{n}"] = thermo.complexity_n(spec, n)
        out[f"c_{sept.n - n}"] = thermo.complexity_n(spec, sept.n - n)
    return out


class SeptupleRecorder:
    """Analyse (weights, biases) at scheduled epochs with :func:`analyse` (P1 §10).

    Parameters
    ----------
    epochs : sequence of int
        The scheduled epochs.
    x_analysis : ndarray(shape=[S, n_in])
        Boundary inputs for U_d, U, <x> and G.
    y_analysis : ndarray(shape=[S, n_out])
        Their targets.
    x_train, y_train, labels_train : ndarray
        Training inputs, targets and labels (for the training loss and accuracy).
    x_test, labels_test : ndarray
        Test inputs and labels (may be empty).
    sink : callable(**row), optional
        Receives every row with `prefix` on its keys (e.g. ``run.append``).
    prefix : str
        Prepended to the keys given to `sink` (e.g. "deep_").
    tol : float
        Gradient tolerance of the clamped minimisation (3.2).
    """

    def __init__(self, *, epochs: Sequence[int], x_analysis: np.ndarray,
                 y_analysis: np.ndarray, x_train: np.ndarray, y_train: np.ndarray,
                 labels_train: np.ndarray, x_test: np.ndarray, labels_test: np.ndarray,
                 sink: Callable[..., Any] | None = None, prefix: str = "",
                 tol: float = 1e-8) -> None:
        self.epochs = np.unique(np.asarray(epochs, dtype=np.int64))
        self._due = set(int(e) for e in self.epochs)
        self.x_analysis, self.y_analysis = x_analysis, y_analysis
        self.x_train, self.y_train, self.labels_train = x_train, y_train, labels_train
        self.x_test, self.labels_test = x_test, labels_test
        # float64 copies once (the float64 forward pass would cast them at every record)
        self._x_train64 = np.asarray(x_train, dtype=np.float64)
        self._x_test64 = np.asarray(x_test, dtype=np.float64)
        self.sink = sink
        self.prefix = prefix
        self.tol = tol
        self.rows: list[dict[str, Any]] = []

    def due(self, epoch: int) -> bool:
        """Whether `epoch` is scheduled.

        Parameters
        ----------
        epoch : int
            The epoch.

        Returns
        -------
        bool
            True if it is one of the scheduled epochs.
        """
        return int(epoch) in self._due

    def record(self, epoch: int, weights: Sequence[np.ndarray],
               biases: Sequence[np.ndarray], activation: str = "tanh") -> dict[str, Any]:
        """Analyse the net at `epoch`, hand the row to the sink and return it.

        Parameters
        ----------
        epoch : int
            The epoch the layers belong to.
        weights : sequence of ndarray(shape=[n_l, n_{l+1}])
            Kernels (Keras layout).
        biases : sequence of ndarray(shape=[n_{l+1}])
            Biases.
        activation : str
            f of every layer.

        Returns
        -------
        dict
            epoch, train_accuracy, test_accuracy, train_loss (U_d over all training samples, 2.11)
            and the keys of :func:`analyse`.
        """
        w64 = [np.asarray(w, dtype=float) for w in weights]
        b64 = [np.asarray(b, dtype=float) for b in biases]
        sept = to_septuple(w64, b64, activation=activation)
        row: dict[str, Any] = {"epoch": int(epoch)}
        # one forward pass over the training samples for both U_d and the accuracy (the same
        # numbers as nb.boundary_loss_batch and nb.accuracy)
        out = nb.forward(w64, b64, self._x_train64)
        row["train_loss"] = float(0.5 * np.mean(np.sum((out - self.y_train) ** 2, axis=1)))
        row["train_accuracy"] = (float(np.mean(np.argmax(out, axis=1) == self.labels_train))
                                 if out.shape[0] else float("nan"))
        row["test_accuracy"] = nb.accuracy(w64, b64, self._x_test64, self.labels_test)
        row.update(analyse(sept, self.x_analysis, self.y_analysis, tol=self.tol))
        self.rows.append(row)
        if self.sink is not None:
            self.sink(**{self.prefix + k: v for k, v in row.items()})
        return row


def keras_callback(recorder: SeptupleRecorder) -> Any:
    """A keras.callbacks.Callback that calls `recorder` after each scheduled epoch of ``model.fit``.

    Epochs are counted from 1 after the first epoch of fit (epoch 0, the untrained net, is
    recorded at train begin if scheduled).

    Parameters
    ----------
    recorder : SeptupleRecorder
        The recorder.

    Returns
    -------
    keras.callbacks.Callback
        The callback.
    """
    import keras

    class _SeptupleCallback(keras.callbacks.Callback):
        def _record(self, epoch: int) -> None:
            ws, bs, act = layers_from_keras(self.model)
            recorder.record(epoch, ws, bs, activation=act)

        def on_train_begin(self, logs: Any = None) -> None:
            if recorder.due(0) and not recorder.rows:
                self._record(0)

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if recorder.due(epoch + 1):
                self._record(epoch + 1)

    return _SeptupleCallback()
