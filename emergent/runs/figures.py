"""A run's standard figure, drawn by its simulation's ``plot`` and saved to a file, and the
one shared figure style.

Every simulation's ``plot(data, fig)`` draws with the helpers here, so that all figures
follow the same rules: every axis is labelled with its quantity (and unit, or the symbol of a
dimensionless quantity, in matplotlib mathtext), every image has a labelled colorbar, legends
name what a curve means, ranges are fitted to the data, and log axes never show t = 0 or
values that are not positive (a quantity that is exactly zero is said so in a note instead of
being drawn at an arbitrary floor). :func:`save_figure` applies :data:`STYLE` while the figure
is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from emergent.runs.registry import Simulation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colorbar import Colorbar
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D

__all__ = ["FORMATS", "STYLE", "draw_figure", "fit_range", "image", "log_plot", "note",
           "save_figure"]

FORMATS = ("png", "pdf", "svg")
"""The figure file formats `save_figure` writes (chosen by the file's suffix)."""

STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.3,
    "lines.markersize": 4,
    "image.cmap": "viridis",
    "mathtext.fontset": "dejavusans",
    "axes.formatter.limits": (-3, 4),
    "axes.formatter.use_mathtext": True,
    "figure.constrained_layout.use": True,
    "savefig.bbox": "tight",
}
"""matplotlib rcParams of every standard figure (applied by `save_figure`)."""


def _finite(*arrays: Any) -> np.ndarray:
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays]
    out = np.concatenate(vals) if vals else np.empty(0)
    return out[np.isfinite(out)]


def fit_range(ax: Axes, values: Any, axis: str = "x", *, pad: float = 0.04) -> None:
    """Fit the `axis` range of `ax` to the finite values in `values` (a little padding).

    On a log axis only the positive values count and the padding is multiplicative. Nothing
    changes when there are no such values.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to adjust.
    values : array_like or sequence of array_like
        The data the range must hold.
    axis : {"x", "y"}
        Which axis.
    pad : float
        Padding as a fraction of the range (of the decades on a log axis).
    """
    if isinstance(values, (list, tuple)):
        v = _finite(*values)
    else:
        v = _finite(values)
    log = (ax.get_xscale() if axis == "x" else ax.get_yscale()) == "log"
    if log:
        v = v[v > 0]
    if v.size == 0:
        return
    lo, hi = float(v.min()), float(v.max())
    if log:
        a, b = np.log10(lo), np.log10(hi)
        d = max(b - a, 0.5) * pad
        lo, hi = 10 ** (a - d), 10 ** (b + d)
    else:
        d = (hi - lo) * pad if hi > lo else max(abs(hi), 1.0) * 0.05
        lo, hi = lo - d, hi + d
    (ax.set_xlim if axis == "x" else ax.set_ylim)(lo, hi)


def log_plot(ax: Axes, x: Any, y: Any, *fmt: str, logx: bool = False, logy: bool = True,
             drop_t0: bool = True, **kwargs: Any) -> Line2D | None:
    """Plot `y` against `x` on log axes, leaving out the points a log axis cannot show.

    Points with a non-positive or non-finite value on a log axis are not drawn (the line is
    broken there instead of clamped to a floor), and with `drop_t0` a point at x = 0
    (the initial time, where drifts and errors are zero by construction) is left out too.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes; its scales are set to log as asked.
    x, y : array_like
        The data, of equal length.
    *fmt : str
        An optional matplotlib format string.
    logx, logy : bool
        Which axes are logarithmic.
    drop_t0 : bool
        Leave out points with x == 0.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.lines.Line2D or None
        The line, or None when no point could be shown (nothing is drawn then).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if logx:
        ok &= x > 0
    if logy:
        ok &= y > 0
    if drop_t0:
        ok &= x != 0
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if not ok.any():
        return None
    isolated = ok & ~np.r_[False, ok[:-1]] & ~np.r_[ok[1:], False]
    if isolated.any() and not fmt:
        kwargs.setdefault("marker", ".")  # points without a neighbour draw no segment
    keep = np.isfinite(x) & (x > 0 if logx else True) & (x != 0 if drop_t0 else True)
    (line,) = ax.plot(x[keep], np.where(ok, y, np.nan)[keep], *fmt, **kwargs)
    return line


def image(ax: Axes, z: Any, extent: Sequence[float], *, label: str, cmap: str | None = None,
          symmetric: bool = False, crop: float | None = None,
          **kwargs: Any) -> tuple[AxesImage, Colorbar]:
    """Show the 2D field `z` (rows along y) as an image with a labelled colorbar.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    z : array_like
        The field, ``z[i, j]`` at the i-th y and j-th x value; non-finite cells are blank.
    extent : sequence of float
        (x_min, x_max, y_min, y_max) of the image.
    label : str
        The colorbar's label: the quantity shown (mathtext).
    cmap : str, optional
        The colour map (default: the style's, or a diverging one with `symmetric`).
    symmetric : bool
        Centre the colour scale on 0 (for signed fields such as waves).
    crop : float, optional
        Fit the view to the cells where ``|z|`` reaches this fraction of its maximum (e.g.
        1e-3 for a density that fills a small part of a large box).
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    (AxesImage, Colorbar)
        The image and its colorbar.
    """
    z = np.asarray(z, dtype=float)
    if symmetric:
        m = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
        kwargs.setdefault("vmin", -m)
        kwargs.setdefault("vmax", m)
        cmap = cmap or "RdBu_r"
    im = ax.imshow(z, aspect="auto", origin="lower", extent=tuple(extent), cmap=cmap,
                   interpolation="nearest", **kwargs)
    cb = ax.figure.colorbar(im, ax=ax, label=label, shrink=0.95, pad=0.02)
    if crop is not None and np.isfinite(z).any():
        a = np.where(np.isfinite(z), np.abs(z), 0.0)
        rows, cols = np.nonzero(a >= crop * a.max())
        x0, x1, y0, y1 = (float(e) for e in extent)
        dx, dy = (x1 - x0) / z.shape[1], (y1 - y0) / z.shape[0]
        ax.set_xlim(x0 + dx * max(cols.min() - 1, 0), x0 + dx * min(cols.max() + 2, z.shape[1]))
        ax.set_ylim(y0 + dy * max(rows.min() - 1, 0), y0 + dy * min(rows.max() + 2, z.shape[0]))
    return im, cb


def note(ax: Axes, text: str, *, loc: str = "lower left") -> None:
    """Write a short note inside `ax` (e.g. "exactly 0 at every step", or an off-scale marker).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    text : str
        The note (mathtext allowed).
    loc : {"lower left", "lower right", "upper left", "upper right"}
        The corner.
    """
    v, h = loc.split()
    ax.text(0.02 if h == "left" else 0.98, 0.03 if v == "lower" else 0.97, text,
            transform=ax.transAxes, ha=h, va="bottom" if v == "lower" else "top",
            fontsize="small", color="0.3")


def save_figure(sim: Simulation, data: Any, path: Path, dpi: int = 150) -> Path:
    """Draw `sim`'s standard figure of the finished run `data` into `path` (PNG, PDF or SVG).

    The figure is drawn in the shared :data:`STYLE`.

    Parameters
    ----------
    sim : Simulation
        The registered simulation that wrote `data`.
    data : emergent.runs.io.RunData
        The finished run.
    path : Path
        The figure file; the format follows its suffix (one of :data:`FORMATS`).
    dpi : int
        Resolution of raster formats (dots per inch).

    Returns
    -------
    Path
        `path`.
    """
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig = draw_figure(sim, data)
        fig.savefig(path, dpi=dpi)
    return Path(path)


def draw_figure(sim: Simulation, data: Any) -> Any:
    """Draw `sim`'s standard figure of the finished run `data` (in the current rcParams).

    :func:`save_figure` calls this inside ``matplotlib.rc_context(STYLE)``.

    Parameters
    ----------
    sim : Simulation
        The registered simulation that wrote `data`.
    data : emergent.runs.io.RunData
        The finished run.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not attached to pyplot).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2))
    sim.plot(data, fig)
    fig.suptitle(f"{sim.name} (seed {data.seed})", fontsize=10)
    return fig
