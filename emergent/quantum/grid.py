"""Periodic grids in K = 1, 2, 3 dimensions and their spectral derivatives (P2 §5-6)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.fft as sfft

from emergent.grids import GridAxes

__all__ = ["PeriodicGrid", "make_grid"]


@dataclass(frozen=True)
class PeriodicGrid(GridAxes):
    """Uniform periodic grid: `cells[k]` points on [-length[k]/2, length[k]/2) per axis.

    The vocabulary of :mod:`emergent.grids` (``spacing``, ``cell_volume``, ``axes`` ...), plus
    q: K coordinate arrays broadcastable to `shape`; k: wave numbers likewise.
    """

    cells: tuple[int, ...]
    length: tuple[float, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.cells) <= 3 or len(self.cells) != len(self.length):
            raise ValueError("cells and length must have the same length K in 1..3")
        for c in self.cells:
            if int(c) != c or c < 4:
                raise ValueError(f"cells must be integers >= 4, got {self.cells}")
        for L in self.length:
            if not np.isfinite(L) or L <= 0:
                raise ValueError(f"length must be finite and > 0, got {self.length}")

    @property
    def lower(self) -> tuple[float, ...]:  # type: ignore[override]
        return tuple(-L / 2 for L in self.length)

    @property
    def upper(self) -> tuple[float, ...]:  # type: ignore[override]
        return tuple(L / 2 for L in self.length)

    @property
    def spacing(self) -> tuple[float, ...]:
        return tuple(L / n for L, n in zip(self.length, self.cells, strict=True))

    @cached_property
    def axes(self) -> tuple[np.ndarray, ...]:
        """1D coordinate arrays per axis (the points -L/2 + i L / n)."""
        return tuple(-L / 2 + np.arange(n) * L / n for L, n in zip(self.length, self.shape,
                                                                   strict=True))

    @cached_property
    def q(self) -> tuple[np.ndarray, ...]:
        return tuple(np.meshgrid(*self.axes, indexing="ij", sparse=True))

    @cached_property
    def k(self) -> tuple[np.ndarray, ...]:
        ks = [2 * np.pi * sfft.fftfreq(n, d=L / n) for L, n in zip(self.length, self.shape,
                                                                   strict=True)]
        return tuple(np.meshgrid(*ks, indexing="ij", sparse=True))

    @cached_property
    def k2(self) -> np.ndarray:
        out = np.zeros(self.shape)
        for kk in self.k:
            out = out + kk**2
        return out

    @cached_property
    def k_max(self) -> tuple[float, ...]:
        return tuple(np.pi * n / L for L, n in zip(self.length, self.shape, strict=True))

    @property
    def workers(self) -> int:
        return -1 if int(np.prod(self.shape)) >= 1 << 15 else 1

    def fft(self, f: np.ndarray) -> np.ndarray:
        return sfft.fftn(f, axes=tuple(range(-self.ndim, 0)), workers=self.workers)

    def ifft(self, f: np.ndarray) -> np.ndarray:
        return sfft.ifftn(f, axes=tuple(range(-self.ndim, 0)), workers=self.workers)

    def gradient(self, f: np.ndarray) -> list[np.ndarray]:
        """Spectral gradient of a real periodic field, list of K arrays."""
        fh = self.fft(f)
        return [self.ifft(1j * kk * fh).real for kk in self.k]

    def laplacian(self, f: np.ndarray) -> np.ndarray:
        """Spectral Laplacian of a real periodic field."""
        return self.ifft(-self.k2 * self.fft(f)).real

    def tail_fraction(self, f: np.ndarray, fraction: float = 0.1) -> float:
        """Share of sum |f_hat|^2 in the outer `fraction` of the spectrum (any axis).

        Used to decide whether a field is resolved: a smooth resolved field has a tail many
        orders of magnitude below its total.
        """
        fh2 = np.abs(self.fft(f)) ** 2
        mask = np.zeros(self.shape, dtype=bool)
        for kk, km in zip(self.k, self.k_max, strict=True):
            mask = mask | (np.abs(kk) > (1 - fraction) * km)
        total = float(fh2.sum())
        return float(fh2[mask].sum() / total) if total > 0 else 0.0


def make_grid(cells: int | tuple[int, ...], length: float | tuple[float, ...],
              ndim: int | None = None) -> PeriodicGrid:
    """PeriodicGrid from scalars (repeated `ndim` times) or per-axis tuples."""
    if np.isscalar(cells):
        cells = (int(cells),) * (ndim or (1 if np.isscalar(length) else len(length))) # type: ignore[arg-type]
    if np.isscalar(length):
        length = (float(length),) * len(cells)  # type: ignore[arg-type]
    return PeriodicGrid(tuple(int(c) for c in cells), tuple(float(x) for x in length))
