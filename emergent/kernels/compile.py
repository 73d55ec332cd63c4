"""Serial and parallel compiled copies of one kernel source (for the Numba kernels)."""

from __future__ import annotations

import types
from collections.abc import Callable

from emergent.kernels.cache import njit

__all__ = ["variants"]


def variants(func: Callable, name: str, **options: object) -> dict[bool, Callable]:
    """Serial and parallel compiled copies of `func` (its `prange` loops run serially in the
    first), with distinct names so that Numba caches both.

    Parameters
    ----------
    func : callable
        The kernel source (a plain Python function written for ``njit``).
    name : str
        Base name of the copies: ``name_0`` (serial) and ``name_1`` (parallel).
    **options
        Further ``njit`` options of both copies (e.g. ``fastmath``).

    Returns
    -------
    dict of bool to callable
        ``{False: serial, True: parallel}`` ``njit(cache=True)`` dispatchers (cached where
        :mod:`emergent.kernels.cache` found a writable folder).
    """
    out = {}
    for parallel in (False, True):
        copy = types.FunctionType(func.__code__, func.__globals__, f"{name}_{int(parallel)}",
                                  func.__defaults__, func.__closure__)
        copy.__qualname__ = copy.__name__
        copy.__doc__ = func.__doc__
        copy.__module__ = func.__module__
        out[parallel] = njit(cache=True, parallel=parallel, **options)(copy)
    return out
