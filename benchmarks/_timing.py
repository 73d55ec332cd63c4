"""Timing helpers shared by the benchmark scripts (imported from the script's own folder).

The rules every script follows (benchmarks/README.md, "Rules"): set-up and compilation timed
apart from stepping; both sides best-of-N, interleaved (round-robin, so a burst of load hits
every side alike); the load average printed before and after; the thread count stated.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, prange


def best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """(shortest wall time of `repeat` calls of fn, the last call's result)."""
    shortest, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        shortest = min(shortest, time.perf_counter() - t0)
    return shortest, out


def interleaved(fns: dict[str, Callable[[], Any]], repeat: int = 3) -> dict[str, float]:
    """Best-of-`repeat` wall time of each function, run round-robin (a, b, c, a, b, c, ...)."""
    shortest = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            shortest[name] = min(shortest[name], time.perf_counter() - t0)
    return shortest


def load(label: str = "") -> str:
    """One line with the 1/5/15-minute load average and the CPU count, printed and returned."""
    one, five, fifteen = os.getloadavg()
    line = (f"load average {label + ' ' if label else ''}{one:.2f} {five:.2f} {fifteen:.2f} "
            f"on {os.cpu_count()} CPUs ({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())})")
    print(line, flush=True)
    return line


def threads() -> str:
    """The thread settings in force (Numba's and the BLAS variables), printed and returned."""
    try:
        import numba

        nb = str(numba.get_num_threads())
    except ImportError:
        nb = "n/a"
    blas = {k: os.environ.get(k, "unset") for k in
            ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")}
    line = f"threads: numba {nb}; " + ", ".join(f"{k}={v}" for k, v in blas.items())
    print(line, flush=True)
    return line


@njit(cache=True, parallel=True)
def triad_kernel(a, b, c, s, reps=1):
    """STREAM-like triad a = b + s c, `reps` times (Numba threads; 24 B per element)."""
    for _ in range(reps):
        for i in prange(a.size):
            a[i] = b[i] + s * c[i]


def triad_bandwidth(n: int = 20_000_000, repeats: int = 7) -> float:
    """Best-of-`repeats` STREAM-like triad a = b + s c in bytes/s (24 B per element)."""
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    triad_kernel(a, b, c, 3.0)
    shortest = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        triad_kernel(a, b, c, 3.0)
        shortest = min(shortest, time.perf_counter() - t0)
    return 24 * n / shortest
