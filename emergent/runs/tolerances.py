"""Tolerances of the reproduce checks, derived from a run's own discretisation and statistics.

A check of a simulation compares a computed number with the paper's claim. Its tolerance must
hold at every scale a run may be given (the default and ``--full``), so it is never a fixed
number when the error it bounds grows or shrinks with the run's size:

- round-off of a conserved quantity accumulates with the number of steps:
  :func:`roundoff_bound` is linear in the steps (the worst case, no cancellation assumed);
- a statistical comparison (a histogram against a density) is a chi-squared test whose
  variance includes the error estimate of the reference, so that the verdict says the
  equation holds, not that the noise is large (:func:`chi2_statistic`, :func:`chi2_agrees`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["EPS", "CHI2_SIGMAS", "chi2_agrees", "chi2_statistic", "fft_operations",
           "roundoff_bound"]

EPS = float(np.finfo(float).eps)
"""The unit round-off of float64 (2.2e-16)."""

CHI2_SIGMAS = 5.0
"""The chi-squared bound dof + CHI2_SIGMAS sqrt(2 dof) of :func:`chi2_agrees`."""


def fft_operations(points: int) -> float:
    """The relative round-off of one forward-and-inverse FFT pair in units of eps.

    A radix-2 FFT of n points has a relative error below about eps log2(n) (Higham, Accuracy
    and Stability of Numerical Algorithms, 2nd ed., §24.1); the pair costs twice that, plus
    one for the multiplication by the phase between them.

    Parameters
    ----------
    points : int
        The number of grid points transformed (all axes together, >= 1).

    Returns
    -------
    float
        2 log2(points) + 1.
    """
    return 2.0 * math.log2(max(int(points), 2)) + 1.0


def roundoff_bound(steps: int, operations_per_step: float, *, eps: float = EPS) -> float:
    """Worst-case relative round-off of a quantity conserved by every step in exact arithmetic.

    Each step loses at most ``operations_per_step`` units of eps of the quantity, and the
    losses add up without cancelling (the bound is linear in `steps`; a random walk of
    independent errors would grow as sqrt(steps) and stay below it). A check of conservation
    against this bound holds at any number of steps; a non-conserving scheme (a wrong sign,
    a dropped factor) loses O(dt) per step, far above it.

    Parameters
    ----------
    steps : int
        Number of steps taken (>= 0).
    operations_per_step : float
        Round-off units lost per step (e.g. :func:`fft_operations` per FFT pair).
    eps : float
        The unit round-off (float64 by default).

    Returns
    -------
    float
        max(steps, 1) * operations_per_step * eps.
    """
    return max(int(steps), 1) * float(operations_per_step) * eps


def chi2_statistic(observed: np.ndarray, error: np.ndarray, reference: np.ndarray,
                   reference_error: np.ndarray | None = None) -> tuple[float, int]:
    """Chi-squared of an estimate with one-sigma errors against a reference with its own error.

    chi2 = sum_i (observed_i - reference_i)^2 / (error_i^2 + reference_error_i^2) over the
    cells with error_i > 0 (a cell without counts has no estimate of its variance).

    Parameters
    ----------
    observed : ndarray
        The estimate (e.g. a histogram density).
    error : ndarray
        Its one-sigma statistical error (same shape).
    reference : ndarray
        The value it is compared with (same shape).
    reference_error : ndarray, optional
        An estimate of the reference's own discretisation error (same shape; default 0).

    Returns
    -------
    chi2 : float
        The statistic.
    dof : int
        The number of cells in it.
    """
    observed, error, reference = (np.asarray(a, dtype=float) for a in (observed, error,
                                                                        reference))
    var = error ** 2
    if reference_error is not None:
        var = var + np.asarray(reference_error, dtype=float) ** 2
    use = error > 0
    chi2 = float(np.sum((observed - reference)[use] ** 2 / var[use]))
    return chi2, int(use.sum())


def chi2_agrees(chi2: float, dof: int, sigmas: float = CHI2_SIGMAS) -> bool:
    """Whether a chi-squared of `dof` cells is consistent with pure noise.

    chi2 < dof + sigmas sqrt(2 dof): the mean of the chi-squared distribution plus `sigmas`
    of its standard deviations (a false NO has probability below 1e-4 for dof >= 10).

    Parameters
    ----------
    chi2 : float
        The statistic (:func:`chi2_statistic`).
    dof : int
        Its degrees of freedom (>= 1).
    sigmas : float
        Standard deviations allowed above the mean.

    Returns
    -------
    bool
        The verdict.
    """
    return bool(dof >= 1 and chi2 < dof + sigmas * math.sqrt(2.0 * dof))
