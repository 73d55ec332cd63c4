"""The laws of learning on real training trajectories (P1 §6-7, (7.6), (7.11), (10.1); P2 §3,
(10)-(17)).

Along a training trajectory the net is analysed at logged epochs (the septuple of P1 §10,
:mod:`emergent.learning.callback`): the measured bulk loss U (3.4) at the clamped minimum
(3.2), per sample, and the spectrum of G (5.6) at the ensemble mean <x>. The laws are then
tested with an inverse temperature beta measured INDEPENDENTLY of U, because with beta taken
from U = N_>/(2 beta) (7.5) and S_0 from (7.4), T dS_0 = dU holds identically and (7.11) would
test nothing but the C term. Three readings of beta:

- ``gap``: the gap in the log-spectrum of G read through P1 (9.4) (P1 §10's own reading,
  :func:`emergent.learning.callback.beta_from_gap`);
- ``fluct``: the canonical fluctuation relation of the bulk loss over the boundary samples.
  For a quadratic H with N_> stiff modes, H = chi^2_(N_>) / (2 beta), so
  <H> = N_>/(2 beta) and Var H = N_>/(2 beta^2): beta = <H> / Var H (:func:`fluctuation_beta`;
  it does not use the spectrum);
- ``sgd``: the SGD noise temperature T = lr tr(Sigma_B) / (2 K) over the K parameters, the
  temperature at which a Gibbs law exp(-L/T) has the fluctuation-dissipation balance
  <L - L_min> = lr tr(Sigma_B)/4 = K T/2 that SGD with minibatch noise Sigma_B reaches near a
  minimum (:func:`sgd_temperature`, tested on a quadratic loss).

At each point and for each reading, :func:`state_functions` gives N_> (6.6), U = -d log Z /
d beta (6.1, P2 10), F (6.5), the total entropy S = S_x (7.1, P2 13), S_0 (7.4, P2 14), C (6.7)
and the U of (10.1). :func:`second_law` tests P1 (7.6) = P2 (15), dS/dt <= 0;
:func:`first_law` tests P1 (7.11) = P2 (17), dU = T dS_0 + T dC, and the P2 (17) form
dU = T dS_x, interval by interval; :func:`equation_10_1` compares U with N_>/(2 beta).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from emergent.learning.callback import beta_from_gap, spectral_gap
from emergent.learning.mapping import to_septuple
from emergent.septuple import losses
from emergent.septuple import thermodynamics as thermo

__all__ = [
    "BETA_READINGS",
    "FirstLaw",
    "SecondLaw",
    "equation_10_1",
    "first_law",
    "fluctuation_beta",
    "gradient_noise",
    "law_point",
    "mean_gradient",
    "second_law",
    "sgd_temperature",
    "state_functions",
]

BETA_READINGS = ("gap", "fluct", "sgd")
"""The independent readings of beta: the spectral gap via P1 (9.4), the fluctuations of the
bulk loss over samples, the SGD noise temperature."""


# -- the independent temperatures ---------------------------------------------------------
def fluctuation_beta(h: np.ndarray) -> float:
    """beta = <H> / Var H over samples of the bulk loss (canonical fluctuations, P1 4.10, 6.1).

    For p(x) ~ exp(-beta H) with H quadratic in N_> stiff directions, H = chi^2_(N_>)/(2 beta):
    <H> = N_>/(2 beta) = U (6.1, 7.5) and Var H = -dU/d beta = N_>/(2 beta^2), so their ratio is
    beta whatever N_> is.

    Parameters
    ----------
    h : ndarray(shape=[S])
        H at S samples, S >= 2.

    Returns
    -------
    float
        beta (nan when Var H = 0).

    Raises
    ------
    ValueError
        Fewer than 2 samples.
    """
    h = np.asarray(h, dtype=float).ravel()
    if h.size < 2:
        raise ValueError(f"h must hold >= 2 samples, got {h.size}")
    var = float(np.var(h, ddof=1))
    return float(np.mean(h) / var) if var > 0 else float("nan")


def sgd_temperature(trace_cov: float, parameters: int, *, learning_rate: float,
                    batch_size: int, samples: int | None = None) -> float:
    """The SGD noise temperature T = lr tr(Sigma_B) / (2 K) (equipartition, P2 (19) reading).

    Near a minimum of the training loss L with Hessian H_L, SGD (theta <- theta - lr g_B, the
    minibatch gradient g_B with noise covariance Sigma_B) has a stationary covariance P with
    H_L P + P H_L = lr Sigma_B to leading order in lr, whence <L - L_min> = tr(H_L P)/2
    = lr tr(Sigma_B) / 4 for any noise covariance. A Gibbs law exp(-L/T) over the K parameters
    has <L - L_min> = K T / 2, so this T is the temperature that reproduces the measured
    fluctuation-dissipation balance (the Langevin reading of P2 (19), exact when Sigma_B is
    isotropic).

    Parameters
    ----------
    trace_cov : float
        tr Sigma, the trace of the covariance of the PER-SAMPLE gradient, >= 0.
    parameters : int
        K, the number of trained parameters, >= 1.
    learning_rate : float
        The SGD step, > 0.
    batch_size : int
        Minibatch size B, >= 1.
    samples : int, optional
        Training samples S: minibatches drawn without replacement (one epoch is a permutation),
        Sigma_B = Sigma (S - B) / (B (S - 1)); None: with replacement, Sigma_B = Sigma / B.

    Returns
    -------
    float
        T.

    Raises
    ------
    ValueError
        learning_rate <= 0, batch_size < 1, parameters < 1, trace_cov < 0 or
        samples < batch_size.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if parameters < 1:
        raise ValueError(f"parameters must be >= 1, got {parameters}")
    if trace_cov < 0:
        raise ValueError(f"trace_cov must be >= 0, got {trace_cov}")
    if samples is None:
        factor = 1.0 / batch_size
    else:
        if samples < batch_size:
            raise ValueError(f"samples must be >= batch_size, got {samples} < {batch_size}")
        factor = (samples - batch_size) / (batch_size * max(samples - 1, 1))
    return float(learning_rate * trace_cov * factor / (2.0 * parameters))


# -- gradients of the boundary loss of a layered tanh net ---------------------------------
def _backprop(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
              y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    acts = [np.asarray(x, dtype=float)]
    for w, b in zip(weights, biases, strict=True):
        acts.append(np.tanh(acts[-1] @ w + b))
    out = acts[-1]
    delta = (out - np.asarray(y, dtype=float)) * (1.0 - out * out)
    deltas = [delta]
    for k in range(len(weights) - 1, 0, -1):
        delta = (delta @ np.asarray(weights[k], dtype=float).T) * (1.0 - acts[k] ** 2)
        deltas.append(delta)
    return acts, deltas[::-1]  # deltas[k]: error at the outputs of layer k (inputs of W_k+1)


def mean_gradient(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
                  y: np.ndarray) -> np.ndarray:
    """The gradient of L = mean over samples of H_d = 1/2 sum_out (x - y)^2 (P1 2.11), flat.

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Kernels (Keras layout).
    biases : sequence of ndarray(shape=[n_{l+1}])
        Biases.
    x : ndarray(shape=[S, n_0])
        Inputs.
    y : ndarray(shape=[S, n_out])
        Targets.

    Returns
    -------
    ndarray(shape=[K])
        dL/dW_0, ..., dL/dW_(L-2), dL/db_0, ... raveled and concatenated (K parameters).
    """
    acts, deltas = _backprop(weights, biases, x, y)
    s = acts[0].shape[0]
    gw = [(acts[k].T @ deltas[k]).ravel() / s for k in range(len(weights))]
    gb = [deltas[k].sum(axis=0) / s for k in range(len(weights))]
    return np.concatenate(gw + gb)


def gradient_noise(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
                   y: np.ndarray) -> tuple[float, float]:
    """tr Sigma of the per-sample gradients of H_d (P1 2.11) and |grad L|^2, without forming them.

    The per-sample gradient of W_k is the outer product a_k delta_(k+1), so its squared norm
    is |a_k|^2 |delta_(k+1)|^2 (plus |delta_(k+1)|^2 for b_k).

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Kernels (Keras layout).
    biases : sequence of ndarray(shape=[n_{l+1}])
        Biases.
    x : ndarray(shape=[S, n_0])
        Inputs.
    y : ndarray(shape=[S, n_out])
        Targets.

    Returns
    -------
    trace_cov : float
        tr Sigma = mean_s |g_s|^2 - |mean_s g_s|^2 (population covariance).
    grad_norm2 : float
        |mean_s g_s|^2.
    """
    acts, deltas = _backprop(weights, biases, x, y)
    s = acts[0].shape[0]
    sq = np.zeros(s)
    mean2 = 0.0
    for k in range(len(weights)):
        d2 = np.sum(deltas[k] ** 2, axis=1)
        sq += (np.sum(acts[k] ** 2, axis=1) + 1.0) * d2
        mean2 += float(np.sum((acts[k].T @ deltas[k] / s) ** 2))
        mean2 += float(np.sum((deltas[k].sum(axis=0) / s) ** 2))
    return float(np.mean(sq) - mean2), mean2


def _flat_grad(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
               y: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    shapes = [np.shape(w) for w in weights] + [np.shape(b) for b in biases]
    sizes = [int(np.prod(s)) for s in shapes]
    cuts = np.cumsum(sizes)[:-1]
    layers = len(weights)
    theta = np.concatenate([np.ravel(np.asarray(p, dtype=float))
                            for p in (*weights, *biases)])

    def grad(t: np.ndarray) -> np.ndarray:
        parts = [p.reshape(s) for p, s in zip(np.split(t, cuts), shapes, strict=True)]
        return mean_gradient(parts[:layers], parts[layers:], x, y)

    return theta, grad


# -- the bulk loss per sample --------------------------------------------------------------
# -- the state functions at one beta --------------------------------------------------------
def state_functions(spec: thermo.Spectrum | np.ndarray, beta: float,
                    *, threshold: float = 1.0) -> dict[str, float]:
    """U, F, S, S_0, C, A and N_> of the Gaussian canonical ensemble at `beta` (P1 §5-7, P2 §3).

    Parameters
    ----------
    spec : Spectrum or array_like
        The spectrum of G (P1 5.6).
    beta : float
        Inverse temperature (nan or <= 0 gives nan everywhere).
    threshold : float
        lambda >> 1/beta read as beta lambda > threshold.

    Returns
    -------
    dict
        n_greater (N_> over all N eigenvalues, 6.6), n_greater_dyn (over the non-trivial ones),
        u_model (-d log Z/d beta, 6.1 / P2 10), u_101 (N_>/(2 beta), 7.5 = 10.1),
        u_101_dyn (the same with the non-trivial N_>), f (6.5), s (7.1 / P2 13),
        s0 (7.4 / P2 14), c (6.7), a (6.8).
    """
    keys = ("n_greater", "n_greater_dyn", "u_model", "u_101", "u_101_dyn", "f", "s", "s0",
            "c", "a")
    if not (np.isfinite(beta) and beta > 0):
        return dict.fromkeys(keys, float("nan"))
    s = spec if isinstance(spec, thermo.Spectrum) else thermo.Spectrum(
        np.sort(np.asarray(spec, dtype=float)), 0)
    n_gt = thermo.n_greater(s, beta=beta, threshold=threshold)
    n_dyn = int(np.count_nonzero(beta * s.eigenvalues > threshold))
    return {
        "n_greater": float(n_gt),
        "n_greater_dyn": float(n_dyn),
        "u_model": thermo.energy(s, beta=beta),
        "u_101": n_gt / (2.0 * beta),
        "u_101_dyn": n_dyn / (2.0 * beta),
        "f": thermo.free_energy(s, beta=beta),
        "s": thermo.entropy(s, beta=beta),
        "s0": thermo.thermodynamic_entropy(s, beta=beta, threshold=threshold),
        "c": thermo.complexity(s, beta=beta, threshold=threshold),
        "a": thermo.a_free_energy(s, beta=beta, threshold=threshold),
    }


def law_point(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], *,
              x_analysis: np.ndarray, y_analysis: np.ndarray, x_train: np.ndarray,
              y_train: np.ndarray, learning_rate: float, batch_size: int,
              tol: float = 1e-8, gradient_samples: int | None = None) -> dict[str, float]:
    """Everything the laws need at one point of a trajectory (P1 §5-7, §9-10; P2 §3).

    Parameters
    ----------
    weights, biases : sequences of ndarray
        The net (Keras layout).
    x_analysis, y_analysis : ndarray
        Boundary data for the clamped minimum (3.2), U (3.4) and <x> (5.3).
    x_train, y_train : ndarray
        The training data (for the gradient noise).
    learning_rate : float
        The SGD step of the trajectory.
    batch_size : int
        Its minibatch size.
    tol : float
        Gradient tolerance of the clamped minimisation.
    gradient_samples : int, optional
        Use only the first samples of the training data for the gradient statistics.

    Returns
    -------
    dict
        u (the literal (3.1) bulk loss, mean over samples), u_hidden, u_output (its hidden and
        output parts), u_boundary (2.11), h_var (Var H over samples), beta_gap (9.4),
        gap_log_lambda, beta_fluct, beta_fluct_hidden (from the literal and the hidden-part
        fluctuations), trace_cov, grad_norm2, n_params, t_sgd, beta_sgd, n_eig (non-trivial
        eigenvalues), and for each reading r of :data:`BETA_READINGS` the keys of
        :func:`state_functions` as ``<key>_<r>``.
    """
    w64 = [np.asarray(w, dtype=float) for w in weights]
    b64 = [np.asarray(b, dtype=float) for b in biases]
    sept = to_septuple(w64, b64)
    xa = np.asarray(x_analysis, dtype=float)
    ya = np.asarray(y_analysis, dtype=float)
    x_fwd = sept.fixed_point(xa)
    d = x_fwd[:, sept.output_index] - ya
    x_bar, h = losses.clamped_minimisation(sept, xa, ya, tol=tol, x0=x_fwd)
    hid, out = losses.bulk_loss_parts(sept, x_bar)
    spec = thermo.spectrum(sept, x_bar.mean(axis=0), mean_coords=False)
    gap, _, _ = spectral_gap(np.log(spec.eigenvalues))
    xt, yt = np.asarray(x_train, dtype=float), np.asarray(y_train, dtype=float)
    if gradient_samples is not None:
        xt, yt = xt[:gradient_samples], yt[:gradient_samples]
    trace_cov, g2 = gradient_noise(w64, b64, xt, yt)
    n_params = sum(w.size + b.size for w, b in zip(w64, b64, strict=True))
    t_sgd = sgd_temperature(trace_cov, n_params, learning_rate=learning_rate,
                            batch_size=batch_size, samples=int(np.shape(x_train)[0]))
    row: dict[str, float] = {
        "u": float(np.mean(h)),
        "u_hidden": float(np.mean(hid)),
        "u_output": float(np.mean(out)),
        "u_boundary": float(np.mean(0.5 * np.sum(d * d, axis=1))),
        "h_var": float(np.var(h, ddof=1)) if h.size > 1 else float("nan"),
        "gap_log_lambda": gap,
        "beta_gap": beta_from_gap(gap) if np.isfinite(gap) else float("nan"),
        "beta_fluct": fluctuation_beta(h),
        "beta_fluct_hidden": fluctuation_beta(hid),
        "trace_cov": trace_cov,
        "grad_norm2": g2,
        "n_params": float(n_params),
        "t_sgd": t_sgd,
        "beta_sgd": 1.0 / t_sgd if np.isfinite(t_sgd) and t_sgd > 0 else float("nan"),
        "n_eig": float(spec.eigenvalues.size),
    }
    for r in BETA_READINGS:
        for k, v in state_functions(spec, row[f"beta_{r}"]).items():
            row[f"{k}_{r}"] = v
    return row


# -- the laws -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SecondLaw:
    """P1 (7.6) = P2 (15), dS/dt <= 0, tested interval by interval.

    Attributes
    ----------
    increments : ndarray
        S(t_(k+1)) - S(t_k) over the finite intervals.
    violations : int
        Intervals with an increase above the tolerance.
    holds : bool
        No violation (and at least one interval).
    """

    increments: np.ndarray
    violations: int
    holds: bool

    @property
    def fraction_decreasing(self) -> float:
        """The fraction of intervals on which S does not increase.

        Returns
        -------
        float
            In [0, 1] (nan without intervals).
        """
        n = self.increments.size
        return float((n - self.violations) / n) if n else float("nan")


def second_law(s: np.ndarray, *, atol: float = 1e-9) -> SecondLaw:
    """Test dS/dt <= 0 (P1 7.6, P2 15) on an entropy series along a trajectory.

    Parameters
    ----------
    s : ndarray(shape=[n])
        S at increasing times (non-finite points are dropped).
    atol : float
        An increase counts as a violation when it exceeds atol (1 + |S|).

    Returns
    -------
    SecondLaw
        The increments, the number of violations and the verdict.
    """
    s = np.asarray(s, dtype=float)
    s = s[np.isfinite(s)]
    inc = np.diff(s)
    bad = int(np.count_nonzero(inc > atol * (1.0 + np.abs(s[:-1]))))
    return SecondLaw(inc, bad, bool(inc.size > 0 and bad == 0))


@dataclass(frozen=True)
class FirstLaw:
    """P1 (7.11) = P2 (17), dU = T dS, tested interval by interval.

    Attributes
    ----------
    lhs : ndarray
        dU over each interval.
    rhs : ndarray
        T dS over each interval (T at the interval's midpoint, the mean of its two ends).
    residual : ndarray
        |dU - T dS| / (|dU| + |T dS|) in [0, 1] (0 where both vanish).
    within : float
        The fraction of intervals with residual <= tol.
    holds : bool
        within >= need.
    """

    lhs: np.ndarray
    rhs: np.ndarray
    residual: np.ndarray
    within: float
    holds: bool

    @property
    def median_residual(self) -> float:
        """The median residual over the intervals.

        Returns
        -------
        float
            In [0, 1] (nan without intervals).
        """
        return float(np.median(self.residual)) if self.residual.size else float("nan")

    @property
    def slope(self) -> float:
        """The least-squares slope of dU against T dS through the origin (1 when the law holds).

        Returns
        -------
        float
            sum(lhs rhs) / sum(rhs^2) (nan when T dS vanishes).
        """
        den = float(np.sum(self.rhs**2))
        return float(np.sum(self.lhs * self.rhs) / den) if den > 0 else float("nan")


def first_law(u: np.ndarray, temperature: np.ndarray, s: np.ndarray, *, tol: float = 0.25,
              need: float = 0.8) -> FirstLaw:
    """Test dU = T dS (P1 7.11 with S = S_0 + C; P2 17 with S = S_x) along a trajectory.

    Parameters
    ----------
    u : ndarray(shape=[n])
        U at increasing times.
    temperature : ndarray(shape=[n])
        T = 1/beta, measured independently of U.
    s : ndarray(shape=[n])
        The entropy: S_0 + C for P1 (7.11), S_x for the first form of P2 (17).
    tol : float
        Residual (see :class:`FirstLaw`) below which an interval obeys the law, in (0, 1).
    need : float
        Fraction of intervals that must obey it, in (0, 1].

    Returns
    -------
    FirstLaw
        The increments, residuals and verdict (intervals with a non-finite end are dropped).

    Raises
    ------
    ValueError
        Arrays of different length, tol outside (0, 1) or need outside (0, 1].
    """
    u, t, s = (np.asarray(a, dtype=float) for a in (u, temperature, s))
    if not (u.shape == t.shape == s.shape):
        raise ValueError("u, temperature and s must have the same length")
    if not 0 < tol < 1:
        raise ValueError(f"tol must be in (0, 1), got {tol}")
    if not 0 < need <= 1:
        raise ValueError(f"need must be in (0, 1], got {need}")
    lhs = np.diff(u)
    rhs = 0.5 * (t[1:] + t[:-1]) * np.diff(s)
    ok = np.isfinite(lhs) & np.isfinite(rhs)
    lhs, rhs = lhs[ok], rhs[ok]
    den = np.abs(lhs) + np.abs(rhs)
    res = np.divide(np.abs(lhs - rhs), den, out=np.zeros_like(den), where=den > 0)
    within = float(np.mean(res <= tol)) if res.size else float("nan")
    return FirstLaw(lhs, rhs, res, within, bool(res.size > 0 and within >= need))


def equation_10_1(u: np.ndarray, n_greater: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """log10 of U / (N_>/(2 beta)), the misfit of P1 (10.1) = (7.5) at each point.

    Parameters
    ----------
    u : ndarray
        The measured bulk loss.
    n_greater : ndarray
        N_> at each point.
    beta : ndarray
        The independently measured beta.

    Returns
    -------
    ndarray
        log10(2 beta U / N_>) (0 where (10.1) holds; nan where undefined).
    """
    u, n, b = (np.asarray(a, dtype=float) for a in (u, n_greater, beta))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log10(2.0 * b * u / n)
    return np.where(np.isfinite(r), r, np.nan)
