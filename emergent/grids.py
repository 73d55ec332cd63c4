"""The one grid vocabulary shared by the stochastic and quantum solvers.

Every grid has ``cells`` (points per axis), ``shape``, ``ndim``, ``lower`` / ``upper`` (the box),
``spacing`` (h per axis), ``cell_volume`` (prod h), ``axes`` (the
coordinates of the points of each axis, 1D arrays), ``mesh()`` (dense coordinate arrays of
``shape``, ij indexing) and ``integrate(f)`` (sum over the last K axes times ``cell_volume``).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

__all__ = ["GridAxes"]


class GridAxes:
    """Derived geometry of a uniform grid; subclasses define ``lower``, ``upper``, ``cells``
    and :meth:`_points` (the coordinates of one axis, given its edges)."""

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    cells: tuple[int, ...]

    @property
    def ndim(self) -> int:
        """K, the number of axes."""
        return len(self.cells)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of an array on the grid."""
        return tuple(int(c) for c in self.cells)

    @property
    def spacing(self) -> tuple[float, ...]:
        """h_k = (upper_k - lower_k) / cells_k."""
        return tuple((u - lo) / n for lo, u, n in zip(self.lower, self.upper, self.cells,
                                                      strict=True))

    @property
    def cell_volume(self) -> float:
        """prod_k h_k."""
        return float(np.prod(self.spacing))

    def edges(self, axis: int) -> np.ndarray:
        """The cells + 1 cell edges of `axis`.

        Parameters
        ----------
        axis : int
            0 <= axis < ndim.

        Returns
        -------
        ndarray(shape=[cells[axis] + 1])
            Equally spaced from ``lower[axis]`` to ``upper[axis]``.
        """
        return np.linspace(self.lower[axis], self.upper[axis], self.cells[axis] + 1)

    def _points(self, edges: np.ndarray) -> np.ndarray:
        return 0.5 * (edges[1:] + edges[:-1])

    @cached_property
    def axes(self) -> tuple[np.ndarray, ...]:
        """The coordinates of the grid's points per axis (1D arrays)."""
        return tuple(self._points(self.edges(k)) for k in range(self.ndim))

    def mesh(self) -> list[np.ndarray]:
        """Dense coordinate arrays of `shape` (ij indexing), one per axis.

        Returns
        -------
        list of ndarray(shape=shape)
            ``np.meshgrid(*axes, indexing="ij")``.
        """
        return np.meshgrid(*self.axes, indexing="ij")

    def integrate(self, f: np.ndarray) -> float | np.ndarray:
        """Sum over the last K axes times the cell volume (the midpoint / periodic rule).

        Parameters
        ----------
        f : ndarray(shape=[..., *shape])
            Values at the grid points; leading axes are kept (a batch of fields).

        Returns
        -------
        float or ndarray(shape=[...])
            ``sum(f) * cell_volume`` over the grid axes.
        """
        return np.sum(f, axis=tuple(range(-self.ndim, 0))) * self.cell_volume
