"""Periodic grids in K = 1, 2, 3 dimensions and their spectral derivatives (P2 §5-6).

The Schrödinger (P2 (34)), Madelung (P2 (32)-(33)) and Hamilton-Jacobi (P2 (38)) solvers live on
a :class:`PeriodicGrid`, which speaks the vocabulary of :mod:`emergent.grids` (``spacing``,
``cell_volume``, ``axes``, ``mesh()``, ``integrate()``) plus wave numbers and FFTs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.fft as sfft

from emergent.grids import GridAxes

__all__ = ["PeriodicGrid", "make_grid"]


@dataclass(frozen=True)
class PeriodicGrid(GridAxes):
    """Uniform periodic grid: `cells[k]` points on [-length[k]/2, length[k]/2) per axis, the
    domain of the spectral solvers of P2 (32)-(34) and (38).

    The vocabulary of :mod:`emergent.grids` (``spacing``, ``cell_volume``, ``axes`` ...), plus
    q: K coordinate arrays broadcastable to `shape`; k: wave numbers likewise.

    Parameters
    ----------
    cells : tuple of int
        Points per axis (>= 4), K = 1, 2 or 3 axes.
    length : tuple of float
        Box length per axis (> 0).

    Raises
    ------
    ValueError
        Bad `cells` or `length`.
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
        """-L_k / 2 per axis."""
        return tuple(-L / 2 for L in self.length)

    @property
    def upper(self) -> tuple[float, ...]:  # type: ignore[override]
        """L_k / 2 per axis."""
        return tuple(L / 2 for L in self.length)

    @property
    def spacing(self) -> tuple[float, ...]:
        """h_k = L_k / cells_k."""
        return tuple(L / n for L, n in zip(self.length, self.cells, strict=True))

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """The shape of an array on the grid (cached)."""
        return tuple(int(c) for c in self.cells)

    @cached_property
    def cell_volume(self) -> float:
        """prod_k h_k (cached)."""
        return float(np.prod(self.spacing))

    @cached_property
    def axes(self) -> tuple[np.ndarray, ...]:
        """1D coordinate arrays per axis (the points -L/2 + i L / n)."""
        return tuple(-L / 2 + np.arange(n) * L / n for L, n in zip(self.length, self.shape,
                                                                   strict=True))

    @cached_property
    def q(self) -> tuple[np.ndarray, ...]:
        """The coordinates as K sparse arrays broadcastable to `shape` (ij indexing)."""
        return tuple(np.meshgrid(*self.axes, indexing="ij", sparse=True))

    @cached_property
    def k(self) -> tuple[np.ndarray, ...]:
        """The wave numbers 2 pi fftfreq(n, h) as K sparse arrays broadcastable to `shape`."""
        ks = [2 * np.pi * sfft.fftfreq(n, d=L / n) for L, n in zip(self.length, self.shape,
                                                                   strict=True)]
        return tuple(np.meshgrid(*ks, indexing="ij", sparse=True))

    @cached_property
    def k2(self) -> np.ndarray:
        """|k|^2 on the grid (the symbol of -lap)."""
        out = np.zeros(self.shape)
        for kk in self.k:
            out = out + kk**2
        return out

    @cached_property
    def k_max(self) -> tuple[float, ...]:
        """The largest wave number pi cells_k / L_k per axis."""
        return tuple(np.pi * n / L for L, n in zip(self.length, self.shape, strict=True))

    @cached_property
    def workers(self) -> int:
        """Threads for scipy.fft: all for grids of 2^15 points or more, else one."""
        return -1 if int(np.prod(self.shape)) >= 1 << 15 else 1

    def fft(self, f: np.ndarray) -> np.ndarray:
        """The K-dimensional FFT over the last K axes of `f`.

        Parameters
        ----------
        f : ndarray(shape=[..., *shape])
            A field (or a stack of fields).

        Returns
        -------
        ndarray, complex
            Its Fourier coefficients.
        """
        if self.ndim == 1:  # the same transform as fftn over the last axis, less overhead
            return sfft.fft(f, axis=-1, workers=self.workers)
        return sfft.fftn(f, axes=self._fft_axes, workers=self.workers)

    def ifft(self, f: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`fft`.

        Parameters
        ----------
        f : ndarray(shape=[..., *shape]), complex
            Fourier coefficients.

        Returns
        -------
        ndarray, complex
            The field.
        """
        if self.ndim == 1:
            return sfft.ifft(f, axis=-1, workers=self.workers)
        return sfft.ifftn(f, axes=self._fft_axes, workers=self.workers)

    @cached_property
    def _fft_axes(self) -> tuple[int, ...]:
        return tuple(range(-self.ndim, 0))

    def gradient(self, f: np.ndarray) -> list[np.ndarray]:
        """Spectral gradient of a real periodic field.

        Parameters
        ----------
        f : ndarray(shape=shape)
            The field.

        Returns
        -------
        list of K ndarray(shape=shape)
            d f / d q_k.
        """
        fh = self.fft(f)
        return [self.ifft(1j * kk * fh).real for kk in self.k]

    def laplacian(self, f: np.ndarray) -> np.ndarray:
        """Spectral Laplacian of a real periodic field.

        Parameters
        ----------
        f : ndarray(shape=shape)
            The field.

        Returns
        -------
        ndarray(shape=shape)
            lap f.
        """
        return self.ifft(-self.k2 * self.fft(f)).real

    def outer_mask(self, fraction: float = 0.1) -> np.ndarray:
        """The wave numbers in the outer `fraction` of the spectrum along any axis (cached).

        Parameters
        ----------
        fraction : float
            The outer share of wave numbers per axis.

        Returns
        -------
        ndarray(shape=shape), bool
            True where |k_k| > (1 - fraction) k_max,k for some axis k (read-only).
        """
        masks = self.__dict__.setdefault("_outer_masks", {})
        mask = masks.get(fraction)
        if mask is None:
            mask = np.zeros(self.shape, dtype=bool)
            for kk, km in zip(self.k, self.k_max, strict=True):
                mask = mask | (np.abs(kk) > (1 - fraction) * km)
            mask.flags.writeable = False
            masks[fraction] = mask
        return mask

    def power_tail(self, power: np.ndarray, fraction: float = 0.1) -> float:
        """Share of a power spectrum sum |f_hat|^2 in its outer `fraction` (any axis).

        Parameters
        ----------
        power : ndarray(shape=shape)
            |f_hat|^2 in the layout of :meth:`fft`.
        fraction : float
            The outer share of wave numbers per axis.

        Returns
        -------
        float
            The share of the spectral power (0 for a zero spectrum).
        """
        total = float(power.sum())
        return float(power[self.outer_mask(fraction)].sum() / total) if total > 0 else 0.0

    def tail_fraction(self, f: np.ndarray, fraction: float = 0.1) -> float:
        """Share of sum |f_hat|^2 in the outer `fraction` of the spectrum (any axis).

        Used to decide whether a field is resolved: a smooth resolved field has a tail many
        orders of magnitude below its total.

        Parameters
        ----------
        f : ndarray(shape=shape)
            The field.
        fraction : float
            The outer share of wave numbers per axis.

        Returns
        -------
        float
            The share of the spectral power (0 for f = 0).
        """
        return self.power_tail(np.abs(self.fft(f)) ** 2, fraction)

def make_grid(cells: int | tuple[int, ...], length: float | tuple[float, ...],
              ndim: int | None = None) -> PeriodicGrid:
    """A :class:`PeriodicGrid` for P2 (32)-(34), (38) from scalars or per-axis tuples.

    Parameters
    ----------
    cells : int or tuple of int
        Points per axis (a scalar is repeated `ndim` times).
    length : float or tuple of float
        Box length per axis (a scalar is repeated).
    ndim : int, optional
        K, when both `cells` and `length` are scalars (default 1).

    Returns
    -------
    PeriodicGrid
        The grid.

    Raises
    ------
    ValueError
        Bad cells or lengths.
    """
    if np.isscalar(cells):
        cells = (int(cells),) * (ndim or (1 if np.isscalar(length) else len(length))) # type: ignore[arg-type]
    if np.isscalar(length):
        length = (float(length),) * len(cells)  # type: ignore[arg-type]
    return PeriodicGrid(tuple(int(c) for c in cells), tuple(float(x) for x in length))
