"""The figure of a sweep: each reduction over one or two sweep axes (mean over seeds)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emergent.runs.io import RunError
from emergent.runs.sweep.grid import Axis
from emergent.runs.sweep.store import SweepData, read_sweep

__all__ = ["plot_sweep", "select"]


def select(
    data: SweepData, axes: Sequence[str] | None = None, at: Mapping[str, Any] | None = None,
) -> tuple[list[Axis], dict[str, np.ndarray], str]:
    """Slice a sweep down to (at most two) plotted axes, keeping the seed axis last.

    Parameters
    ----------
    data : SweepData
        A sweep read back.
    axes : sequence of str, optional
        The axes to plot (default: the first two).
    at : mapping of str to Any, optional
        Values of the other axes (default: their first value).

    Returns
    -------
    plotted : list of Axis
        The plotted axes.
    values : dict of str to ndarray(shape=[n_a, (n_b,) seeds])
        Each reduction on the plotted axes.
    note : str
        Names the values the other axes are held at.

    Raises
    ------
    emergent.runs.io.RunError
        An unknown axis, more than two axes, or a value not on its axis.
    """
    names = [a.name for a in data.axes]
    axes = list(axes) if axes else names[:2]
    at = dict(at or {})
    for name in [*axes, *at]:
        if name not in names:
            raise RunError(f"sweep has no axis {name!r} (axes: {', '.join(names)})")
    if not 1 <= len(axes) <= 2 or len(set(axes)) != len(axes):
        raise RunError("plot one or two distinct sweep axes")
    index: list[Any] = []
    fixed = []
    for axis in data.axes:
        if axis.name in axes:
            index.append(slice(None))
            continue
        value = at.get(axis.name, axis.values[0])
        if value not in axis.values:
            raise RunError(f"axis {axis.name!r} has no value {value!r}")
        index.append(axis.values.index(value))
        fixed.append(f"{axis.name}={value}")
    index.append(slice(None))
    kept = [a.name for a in data.axes if a.name in axes]  # in the file's order
    swap = kept != axes  # two axes asked for in the other order
    sliced = {}
    for name, values in data.reductions.items():
        arr = values[tuple(index)]
        sliced[name] = np.swapaxes(arr, 0, 1) if swap else arr
    plotted = [next(a for a in data.axes if a.name == n) for n in axes]
    return plotted, sliced, ", ".join(fixed)


def _positions(axis: Axis) -> tuple[np.ndarray, bool]:
    """x positions of an axis and whether they are numeric (else categorical 0..n-1)."""
    if axis.type in ("int", "float"):
        return np.asarray(axis.values, dtype=float), True
    return np.arange(len(axis)), False


def _log_scale(values: np.ndarray) -> bool:
    values = values[np.isfinite(values)]
    return bool(values.size > 1 and (values > 0).all() and values.max() / values.min() >= 100)


def _stats(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: points not done
        mean = np.nanmean(arr, axis=-1)
        std = np.nanstd(arr, axis=-1)
    return mean, std


def _lines(ax: Any, axis: Axis, arr: np.ndarray, label: str | None, color: Any) -> None:
    x, numeric = _positions(axis)
    mean, std = _stats(arr)
    if arr.shape[-1] > 1:
        for k in range(arr.shape[-1]):
            ax.plot(x, arr[:, k], ".", color=color, alpha=0.35, ms=4)
        ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.15, lw=0)
    ax.plot(x, mean, "o-", color=color, ms=4, label=label)
    if numeric:
        if _log_scale(x):
            ax.set_xscale("log")
    else:
        ax.set_xticks(x, [str(v) for v in axis.values])
    ax.set_xlabel(axis.name)


def plot_sweep(
    path: str | os.PathLike[str], out_path: str | os.PathLike[str], *,
    axes: Sequence[str] | None = None, at: Mapping[str, Any] | None = None,
) -> Path:
    """Draw every reduction of the sweep file `path` over one or two sweep axes; save it.

    One axis: the mean over seeds with a +-1 std band and each seed's value. Two axes: a heat
    map of the mean over seeds when both have >= 3 values, else one line per value of the
    shorter axis. Other axes are held at their first value (or `at`).

    Parameters
    ----------
    path : path
        The sweep file.
    out_path : path
        The figure file (format from the suffix).
    axes : sequence of str, optional
        As for :func:`select`.
    at : mapping of str to Any, optional
        As for :func:`select`.

    Returns
    -------
    Path
        `out_path`.

    Raises
    ------
    emergent.runs.io.RunError
        An unreadable sweep file, no finished point yet, or bad `axes` / `at`.
    """
    from matplotlib import colors
    from matplotlib.figure import Figure

    data = read_sweep(path)
    if not data.reductions:
        raise RunError(f"{str(path)!r}: no point of the sweep is done yet; nothing to plot")
    plotted, sliced, note = select(data, axes, at)
    names = sorted(sliced)
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(4.6 * cols + 0.6, 3.6 * rows + 0.4), layout="constrained")
    grid = fig.subplots(rows, cols, squeeze=False)
    for ax in grid.flat[len(names):]:
        ax.set_visible(False)
    nseeds = len(data.seeds)
    heat = len(plotted) == 2 and len(plotted[0]) >= 3 and len(plotted[1]) >= 3
    for ax, name in zip(grid.flat, names, strict=False):
        arr = sliced[name]
        if len(plotted) == 1:
            _lines(ax, plotted[0], arr, None, "C0")
        else:
            a, b = plotted
            if heat:
                mean, _ = _stats(arr)
                finite = mean[np.isfinite(mean)]
                norm = (colors.LogNorm() if finite.size and _log_scale(finite) else None)
                mesh = ax.pcolormesh(np.arange(len(b) + 1) - 0.5, np.arange(len(a) + 1) - 0.5,
                                     np.ma.masked_invalid(mean), norm=norm, cmap="viridis")
                ax.set_xticks(np.arange(len(b)), [f"{v:g}" if isinstance(v, float) else str(v)
                                                  for v in b.values], rotation=45)
                ax.set_yticks(np.arange(len(a)), [f"{v:g}" if isinstance(v, float) else str(v)
                                                  for v in a.values])
                ax.set_xlabel(b.name)
                ax.set_ylabel(a.name)
                fig.colorbar(mesh, ax=ax, label=name)
            else:
                line_axis, other = (a, b) if len(a) >= len(b) else (b, a)
                if line_axis is b:
                    arr = np.swapaxes(arr, 0, 1)
                for j, value in enumerate(other.values):
                    _lines(ax, line_axis, arr[:, j], f"{other.name}={value}", f"C{j % 10}")
                ax.legend(fontsize=8)
        if not heat:
            ax.set_ylabel(name)
            if _log_scale(np.asarray(arr, dtype=float).ravel()):
                ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
    done = int(data.done.sum())
    title = (f"{data.simulation} sweep: mean over {nseeds} seed{'s' if nseeds > 1 else ''}"
             f"{' (band: +-1 std)' if nseeds > 1 and not heat else ''}; "
             f"{done}/{data.done.size} points done")
    if note:
        title += f"; at {note}"
    fig.suptitle(title, fontsize=10)
    out = Path(out_path)
    fig.savefig(out, dpi=110)
    return out
