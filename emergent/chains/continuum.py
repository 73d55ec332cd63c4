"""The discrete-to-continuum map of permutation chains and its wave equations (P2 eq 53-73).

A closed chain of N neurons (one cycle of pi, eq 60) is mapped to a closed string of
coordinate length ``length`` (2 pi by default): neuron i sits at sigma_i = i / alpha and step t
at tau = t / alpha, with alpha = N / length, so that the discrete derivatives

    (53)  d/dtau   x_i(tau)    = alpha (x_i(t + 1) - x_i(t))
    (62)  d/dsigma x(tau, s_i) = alpha (x_i(t) - x_{i-1}(t))

are first-order finite differences with spacing 1 / alpha. Centred versions (second order) are
given too. Three evolutions are compared with the continuum:

* the map x(t + 1) = pi x(t) (57): the exact shift x_i(t) = x_{i-t}(0), i.e. the continuum
  right-moving wave (63) sampled on the grid, exact at every integer step (Courant number 1);
* the ensemble over pi and pi^T (68): the average of a right- and a left-moving branch, which
  reproduces the d'Alembert solution of the wave equation (73) exactly on the grid;
* the paper's continuous-tau equation (58)/(61), dx_i/dtau = alpha (x_{i-1} - x_i): a first-order
  upwind semi-discretisation. Its exact solution (Poisson-distributed shift, computed here in
  Fourier space) differs from the continuum wave by the numerical diffusion tau / (2 alpha)
  d^2 x / dsigma^2 + O(alpha^-2): the order of convergence in N is exactly 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "TWO_PI",
    "alpha_for",
    "centered_sigma_derivative",
    "centered_tau_derivative",
    "convergence_order",
    "dalembert_branches",
    "dalembert_spectral",
    "require_resolution",
    "semidiscrete_convergence",
    "semidiscrete_solution",
    "sigma_derivative",
    "sigma_grid",
    "tau_derivative",
    "travelling_wave",
]

TWO_PI = 2.0 * np.pi
"""2 pi, the default coordinate length of the closed string: n neurons of a cycle sit at
sigma_i = i / alpha, alpha = n / (2 pi) ((53), (62))."""


def _check_n(n: int, minimum: int = 2) -> int:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"n (neurons per chain) must be an integer >= {minimum}, got {n!r}")
    return int(n)


def _check_length(length: float) -> float:
    if not (np.isfinite(length) and length > 0):
        raise ValueError(f"length (string length in sigma) must be finite and > 0, got {length!r}")
    return float(length)


def alpha_for(n: int, length: float = TWO_PI) -> float:
    """alpha of (53), (62): the inverse grid spacing, alpha = n / length.

    Parameters
    ----------
    n : int
        Neurons per chain (>= 2).
    length : float
        Coordinate length of the closed string (default 2 pi).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        n not an integer >= 2, or a non-positive length.
    """
    return _check_n(n) / _check_length(length)


def sigma_grid(n: int, length: float = TWO_PI) -> np.ndarray:
    """sigma_i = i / alpha, i = 0..n-1: the positions of the neurons in (53), (62).

    Parameters
    ----------
    n : int
        Neurons per chain (>= 2).
    length : float
        Coordinate length (default 2 pi).

    Returns
    -------
    ndarray(shape=[n])

    Raises
    ------
    ValueError
        As :func:`alpha_for`.
    """
    return np.arange(_check_n(n)) / alpha_for(n, length)


def require_resolution(n: int, modes: int, points_per_wavelength: int = 8) -> None:
    """Raise ValueError unless n resolves Fourier mode `modes` with the given points per wavelength.

    The continuum description (62) needs the discrete profile to be smooth on the chain scale;
    below ``points_per_wavelength * modes`` neurons the finite differences are not derivatives.

    Parameters
    ----------
    n : int
        Neurons per chain.
    modes : int
        The highest Fourier mode (>= 1).
    points_per_wavelength : int
        Neurons needed per wavelength.

    Raises
    ------
    ValueError
        n too small, or a bad `modes`.
    """
    _check_n(n)
    if not isinstance(modes, int | np.integer) or modes < 1:
        raise ValueError(f"modes must be an integer >= 1, got {modes!r}")
    if n < points_per_wavelength * modes:
        raise ValueError(
            f"n (neurons per chain) = {n} is too small for the requested continuum resolution: "
            f"mode {modes} needs n >= {points_per_wavelength * modes} "
            f"({points_per_wavelength} neurons per wavelength)"
        )


def tau_derivative(x_now: np.ndarray, x_next: np.ndarray, alpha: float) -> np.ndarray:
    """(53): d x / d tau = alpha (x(t + 1) - x(t)).

    Parameters
    ----------
    x_now, x_next : ndarray(shape=[..., N])
        The state at steps t and t + 1.
    alpha : float
        The inverse grid spacing.

    Returns
    -------
    ndarray(shape=[..., N])
    """
    return alpha * (np.asarray(x_next) - np.asarray(x_now))


def sigma_derivative(x: np.ndarray, alpha: float, perm: np.ndarray | None = None) -> np.ndarray:
    """(62): d x / d sigma = alpha (x_i - x_{pred(i)}), pred(i) = perm[i] (default i - 1 mod N).

    For a general cycle the predecessor of neuron i along the chain is perm[i] (the neuron it
    reads from), which is (60)'s i - 1 for the canonical cycle.

    Parameters
    ----------
    x : ndarray(shape=[..., N])
    alpha : float
        The inverse grid spacing.
    perm : ndarray(shape=[N], dtype=int), optional
        The permutation (default the canonical cycle (60)).

    Returns
    -------
    ndarray(shape=[..., N])
    """
    x = np.asarray(x)
    if perm is None:
        return alpha * (x - np.roll(x, 1, axis=-1))
    return alpha * (x - x[..., perm])


def centered_tau_derivative(x_prev: np.ndarray, x_next: np.ndarray, alpha: float) -> np.ndarray:
    """Second-order version of (53): alpha (x(t + 1) - x(t - 1)) / 2.

    Parameters
    ----------
    x_prev, x_next : ndarray(shape=[..., N])
        The state at steps t - 1 and t + 1.
    alpha : float
        The inverse grid spacing.

    Returns
    -------
    ndarray(shape=[..., N])
    """
    return 0.5 * alpha * (np.asarray(x_next) - np.asarray(x_prev))


def centered_sigma_derivative(x: np.ndarray, alpha: float) -> np.ndarray:
    """Second-order version of (62): alpha (x_{i+1} - x_{i-1}) / 2 on the canonical cycle (60).

    Parameters
    ----------
    x : ndarray(shape=[..., N])
    alpha : float
        The inverse grid spacing.

    Returns
    -------
    ndarray(shape=[..., N])
    """
    x = np.asarray(x)
    return 0.5 * alpha * (np.roll(x, -1, axis=-1) - np.roll(x, 1, axis=-1))


def travelling_wave(profile: Callable[[np.ndarray], np.ndarray], tau: float,
                    sigma: np.ndarray, direction: int = 1) -> np.ndarray:
    """Continuum solution of (63) (direction = +1, right-moving, pi) or (72) (-1, pi^T).

    x(tau, sigma) = profile(sigma - direction * tau), profile periodic in sigma.

    Parameters
    ----------
    profile : callable(ndarray) -> ndarray
        The periodic profile x(0, sigma).
    tau : float
        The time.
    sigma : ndarray
        The positions.
    direction : {1, -1}
        pi (right-moving) or pi^T (left-moving).

    Returns
    -------
    ndarray
        x(tau, sigma), of the shape of sigma.

    Raises
    ------
    ValueError
        A direction other than +1 or -1.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 (pi) or -1 (pi^T), got {direction!r}")
    return profile(np.asarray(sigma) - direction * tau)


def _wavenumbers(n: int, length: float) -> np.ndarray:
    return TWO_PI * np.fft.fftfreq(n, d=length / n)


def dalembert_spectral(u0: np.ndarray, v0: np.ndarray, tau: float,
                       length: float = TWO_PI) -> np.ndarray:
    """Exact solution of the wave equation (73) for band-limited periodic data, by Fourier modes.

    u(tau) = sum_k [u0_k cos(k tau) + v0_k sin(k tau) / k] e^{i k sigma} (k = 0: u0_0 + v0_0 tau).
    An independent route to the d'Alembert solution (no chain, no shift).

    Parameters
    ----------
    u0, v0 : ndarray(shape=[..., N])
        x and d x / d tau at tau = 0 on sigma_grid(N, length).
    tau : float
        The time.
    length : float
        Coordinate length (default 2 pi).

    Returns
    -------
    ndarray(shape=[..., N])
    """
    u0 = np.asarray(u0, dtype=float)
    v0 = np.asarray(v0, dtype=float)
    n = u0.shape[-1]
    k = _wavenumbers(n, _check_length(length))
    uk, vk = np.fft.fft(u0, axis=-1), np.fft.fft(v0, axis=-1)
    safe = np.where(k == 0, 1.0, k)
    sinc = np.where(k == 0, tau, np.sin(k * tau) / safe)
    return np.real(np.fft.ifft(uk * np.cos(k * tau) + vk * sinc, axis=-1))


def dalembert_branches(u0: np.ndarray, v0: np.ndarray,
                       length: float = TWO_PI) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial data of the pi and pi^T branches of the ensemble (68) for wave data (u0, v0).

    With x = (x^- + x^+) / 2, x^-(0) = u0 - V, x^+(0) = u0 + V, V' = v0 - <v0> (periodic,
    computed spectrally) and a drift <v0> per unit tau in both branches (a bias <v0> / alpha per
    step), the ensemble solves (73) with x(0) = u0, dx/dtau(0) = v0.

    Parameters
    ----------
    u0, v0 : ndarray(shape=[..., N])
        x and d x / d tau at tau = 0.
    length : float
        Coordinate length (default 2 pi).

    Returns
    -------
    (ndarray, ndarray, ndarray)
        (x_minus0, x_plus0, drift) with shapes [..., N], [..., N], [...].
    """
    u0 = np.asarray(u0, dtype=float)
    v0 = np.asarray(v0, dtype=float)
    n = u0.shape[-1]
    k = _wavenumbers(n, _check_length(length))
    vk = np.fft.fft(v0, axis=-1)
    drift = np.real(vk[..., 0]) / n
    safe = np.where(k == 0, 1.0, k)
    big_v = np.real(np.fft.ifft(np.where(k == 0, 0.0, vk / (1j * safe)), axis=-1))
    return u0 - big_v, u0 + big_v, drift


def semidiscrete_solution(x0: np.ndarray, tau: float, alpha: float,
                          direction: int = 1) -> np.ndarray:
    """Exact solution of the continuous-tau chain equations (61) (direction +1, pi) / (70) (-1).

    dx/dtau = alpha (pi - I) x: each Fourier mode e^{i q i} of the chain is multiplied by
    exp(alpha tau (e^{-i q direction} - 1)).

    Parameters
    ----------
    x0 : ndarray(shape=[..., N])
        The state at tau = 0.
    tau : float
        The time.
    alpha : float
        The inverse grid spacing.
    direction : {1, -1}
        pi or pi^T.

    Returns
    -------
    ndarray(shape=[..., N])

    Raises
    ------
    ValueError
        A direction other than +1 or -1.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 (pi) or -1 (pi^T), got {direction!r}")
    x0 = np.asarray(x0, dtype=float)
    n = x0.shape[-1]
    q = TWO_PI * np.fft.fftfreq(n)
    factor = np.exp(alpha * tau * (np.exp(-1j * q * direction) - 1.0))
    return np.real(np.fft.ifft(np.fft.fft(x0, axis=-1) * factor, axis=-1))


def convergence_order(ns: Sequence[int], errors: Sequence[float]) -> float:
    """Least-squares order p of errors ~ C n^-p (slope of -log error against log n), as used for
    the continuum limits (61) -> (63) and (75).

    Parameters
    ----------
    ns : sequence of int
        Resolutions (> 0).
    errors : sequence of float
        The errors at them (> 0).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Fewer than 2 values, unequal lengths, or values <= 0.
    """
    ns_a = np.asarray(ns, dtype=float)
    err = np.asarray(errors, dtype=float)
    if ns_a.size < 2 or ns_a.shape != err.shape:
        raise ValueError("ns and errors must be equal-length sequences of at least 2 values")
    if np.any(err <= 0) or np.any(ns_a <= 0):
        raise ValueError("errors and ns must be > 0 to define an order of convergence")
    slope = np.polyfit(np.log(ns_a), np.log(err), 1)[0]
    return float(-slope)


def semidiscrete_convergence(
    profile: Callable[[np.ndarray], np.ndarray],
    ns: Sequence[int],
    tau: float = 1.0,
    length: float = TWO_PI,
    direction: int = 1,
) -> tuple[np.ndarray, float]:
    """Max error of (61)/(70) against the continuum wave (63)/(72) at time tau for each n.

    The expected order is 1 with leading error tau / (2 alpha) max |profile''| (numerical
    diffusion of the upwind difference).

    Parameters
    ----------
    profile : callable(ndarray) -> ndarray
        The periodic profile x(0, sigma).
    ns : sequence of int
        Chain sizes.
    tau : float
        The time (finite, >= 0).
    length : float
        Coordinate length (default 2 pi).
    direction : {1, -1}
        pi or pi^T.

    Returns
    -------
    (ndarray, float)
        (errors [len(ns)], order).

    Raises
    ------
    ValueError
        A bad tau, or as :func:`convergence_order`.
    """
    if not (np.isfinite(tau) and tau >= 0):
        raise ValueError(f"tau must be finite and >= 0, got {tau!r}")
    errors = []
    for n in ns:
        s = sigma_grid(n, length)
        num = semidiscrete_solution(profile(s), tau, alpha_for(n, length), direction)
        exact = travelling_wave(profile, tau, s, direction)
        errors.append(float(np.abs(num - exact).max()))
    err = np.asarray(errors)
    return err, convergence_order(ns, err)
