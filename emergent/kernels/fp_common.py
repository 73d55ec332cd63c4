"""Scalar helpers shared by the Fokker-Planck kernels: periodic neighbours and the flush of
magnitudes below TINY (which keeps far tails of p out of subnormal arithmetic)."""

from __future__ import annotations

import numpy as np

from emergent.kernels.cache import njit

__all__ = ["TINY", "flush_tiny", "flushed", "next_index", "prev_index"]

TINY = 1e-150
"""Stencil entries, coefficients and updated densities below this magnitude are set to zero.

Every product in a step then stays above the smallest normal double (subnormal arithmetic is up
to 100x slower, and far tails of p reach it, e.g. in a double well); the mass so dropped is
below 1e-150 per cell, far under round-off. Compiled into the kernels that use it: clear the
Numba cache after a change.
"""


@njit(cache=True)
def flushed(r: float) -> float:
    """r, or 0 if |r| < TINY (NaN stays NaN, so non-finite checks still see it).

    Parameters
    ----------
    r : float

    Returns
    -------
    float
    """
    return 0.0 if abs(r) < TINY else r


def flush_tiny(x: np.ndarray) -> np.ndarray:
    """x with the entries of magnitude below TINY set to zero (in place).

    Parameters
    ----------
    x : ndarray
        Modified in place.

    Returns
    -------
    ndarray
        `x`.
    """
    x[np.abs(x) < TINY] = 0.0
    return x


@njit(cache=True)
def prev_index(i: int, n: int) -> int:
    """i - 1, wrapping from 0 to n - 1 (the periodic left neighbour).

    Parameters
    ----------
    i : int
        An index, 0 <= i < n.
    n : int
        The axis length.

    Returns
    -------
    int
    """
    return i - 1 if i > 0 else n - 1


@njit(cache=True)
def next_index(i: int, n: int) -> int:
    """i + 1, wrapping from n - 1 to 0 (the periodic right neighbour).

    Parameters
    ----------
    i : int
        An index, 0 <= i < n.
    n : int
        The axis length.

    Returns
    -------
    int
    """
    return i + 1 if i < n - 1 else 0
