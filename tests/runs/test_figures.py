"""Every registered simulation's standard figure, drawn from its smoke run, is one a referee
would accept (issue 15 item 2): labelled axes, labelled colorbars on images, no all-NaN
curves, log axes without t = 0 or non-positive values, legends by meaning; and
`emergent plot -o FILE --dpi N`."""

import re

import matplotlib
import numpy as np
import pytest

from emergent.cli import main
from emergent.runs.figures import STYLE, draw_figure, save_figure
from emergent.runs.io import read_run
from emergent.runs.registry import all_simulations, get

NAMES = [s.name for s in all_simulations()]
TIME_AXIS = re.compile(r"^\$?(t|\\tau|tau)\b|^time")


def _figure(smoke_runs, name):
    folder, _ = smoke_runs
    data = read_run(folder / f"{name}.h5")
    with matplotlib.rc_context(STYLE):
        fig = draw_figure(get(name), data)
        fig.canvas.draw()  # layout and limits as saved
    return fig


def _text(s):
    """A label without its mathtext parts (where underscores are subscripts)."""
    return re.sub(r"\$[^$]*\$", "", s)


def problems(fig):
    """Everything a referee would object to in `fig`, as a list of strings."""
    out = []
    images = [im for ax in fig.axes for im in ax.get_images()]
    colorbar_axes = {im.colorbar.ax for im in images if im.colorbar is not None}
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible() or ax in colorbar_axes:
            continue
        where = f"axes {k} ({ax.get_title()!r})"
        if not ax.has_data():
            out.append(f"{where}: empty")
        if not ax.get_xlabel().strip():
            out.append(f"{where}: no x label")
        if not ax.get_ylabel().strip():
            out.append(f"{where}: no y label")
        for im in ax.get_images():
            a = np.asarray(im.get_array(), dtype=float)
            if not np.isfinite(a).any():
                out.append(f"{where}: all-NaN image")
            cb = im.colorbar
            if cb is None:
                out.append(f"{where}: image without colorbar")
            elif not (cb.ax.get_ylabel().strip() or cb.ax.get_xlabel().strip()):
                out.append(f"{where}: colorbar without label")
        lines = ax.get_lines()
        for line in lines:
            if line.get_transform() != ax.transData:  # axvline, axhline: markers
                continue
            y = np.asarray(line.get_ydata(), dtype=float)
            x = np.asarray(line.get_xdata(), dtype=float)
            if y.size and not np.isfinite(y).any():
                out.append(f"{where}: all-NaN line {line.get_label()!r}")
            for axis, v, scale in (("x", x, ax.get_xscale()), ("y", y, ax.get_yscale())):
                if scale == "log" and np.any(v[np.isfinite(v)] <= 0):
                    out.append(f"{where}: non-positive {axis} on a log axis")
            if ax.get_yscale() == "log" and TIME_AXIS.match(ax.get_xlabel()):
                if np.any((x == 0) & np.isfinite(y)):
                    out.append(f"{where}: t = 0 drawn on a log axis ({line.get_label()!r})")
        for axis, scale, lim in (("x", ax.get_xscale(), ax.get_xlim()),
                                 ("y", ax.get_yscale(), ax.get_ylim())):
            if scale == "log":
                lo = min(lim)
                if not lo > 0:
                    out.append(f"{where}: log {axis} axis from {lo}")
                vals = [np.asarray(getattr(line, f"get_{axis}data")(), dtype=float)
                        for line in lines if line.get_transform() == ax.transData]
                vals = np.concatenate(vals) if vals else np.empty(0)
                vals = vals[np.isfinite(vals) & (vals > 0)]
                if vals.size and lo < vals.min() / 1e3:
                    out.append(f"{where}: log {axis} axis from {lo:.3g}, data from "
                               f"{vals.min():.3g}")
        out += _unfitted(ax, where)
        legend = ax.get_legend()
        if legend is not None:
            for t in legend.get_texts():
                if "_" in _text(t.get_text()):
                    out.append(f"{where}: code identifier in legend {t.get_text()!r}")
    return out


def _unfitted(ax, where):
    """The axis ranges that run far beyond the data (lines and images; marker lines such as
    axvline, in axes coordinates, do not count)."""
    if ax.collections or ax.patches:
        return []
    out = []
    for axis in ("x", "y"):
        log = getattr(ax, f"get_{axis}scale")() == "log"
        vals = []
        for line in ax.get_lines():
            if line.get_transform() != ax.transData:
                continue
            x = np.asarray(line.get_xdata(), dtype=float)
            y = np.asarray(line.get_ydata(), dtype=float)
            ok = np.isfinite(x) & np.isfinite(y)
            if ax.get_xscale() == "log":
                ok &= x > 0
            if ax.get_yscale() == "log":
                ok &= y > 0
            vals.append((x if axis == "x" else y)[ok])
        for im in ax.get_images():
            e = im.get_extent()
            vals.append(np.array(e[:2] if axis == "x" else e[2:]))
        v = np.concatenate(vals) if vals else np.empty(0)
        if log:
            v = np.log10(v[v > 0])
        if v.size < 2 or v.max() == v.min():
            continue
        lim = np.array(getattr(ax, f"get_{axis}lim")(), dtype=float)
        if log:
            lim = np.log10(np.clip(lim, 1e-300, None))
        span = v.max() - v.min()
        if lim.max() - lim.min() > 2 * span + (1.0 if log else 0.0):
            out.append(f"{where}: {axis} range {tuple(np.round(lim, 3))} for data in "
                       f"{v.min():.3g}..{v.max():.3g}{' (log10)' if log else ''}")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_figure_is_labelled_and_fitted(smoke_runs, name):
    fig = _figure(smoke_runs, name)
    assert problems(fig) == []


def test_checker_finds_the_faults():
    """The checker itself fails a figure with the faults of the old figures."""
    from matplotlib.figure import Figure

    fig = Figure()
    ax1, ax2, ax3 = fig.subplots(1, 3)
    ax1.imshow(np.ones((3, 3)))
    ax1.set_xlabel("$q_1$")
    t = np.arange(5.0)
    ax2.semilogy(t, np.maximum(t * 0, 1e-17), label="shift_error")
    ax2.set_xlabel("$t$")
    ax2.legend()
    ax3.plot(t, np.full(5, np.nan))
    found = "\n".join(problems(fig))
    for needle in ("image without colorbar", "no y label", "code identifier", "all-NaN line",
                   "t = 0 drawn"):
        assert needle in found, found


def test_plot_formats_and_dpi(smoke_runs, tmp_path, capsys):
    folder, _ = smoke_runs
    src = folder / "strings.h5"
    small, big = tmp_path / "a.png", tmp_path / "b.png"
    assert main(["plot", str(src), "-o", str(small), "--dpi", "50"]) == 0
    assert main(["plot", str(src), "-o", str(big), "--dpi", "120"]) == 0
    assert big.stat().st_size > small.stat().st_size
    for fmt, magic in (("pdf", b"%PDF"), ("svg", b"<?xml")):
        out = tmp_path / f"c.{fmt}"
        assert main(["plot", str(src), "-o", str(out)]) == 0
        assert out.read_bytes()[:len(magic)] == magic
    capsys.readouterr()
    for argv, needle in ((["-o", str(tmp_path / "x.jpg")], ".png, .pdf or .svg"),
                         (["-o", str(tmp_path / "x.png"), "--dpi", "0"], "--dpi"),
                         (["-o", str(tmp_path / "x.png"), "--dpi", "many"], "--dpi")):
        assert main(["plot", str(src), *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and needle in err, err


def test_plot_help_lists_formats(capsys):
    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    text = capsys.readouterr().out
    for word in ("png", "pdf", "svg", "--dpi", "-o"):
        assert word in text


def test_save_figure_writes_every_format(smoke_runs, tmp_path):
    folder, _ = smoke_runs
    data = read_run(folder / "chains.h5")
    for fmt in ("png", "pdf", "svg"):
        path = save_figure(get("chains"), data, tmp_path / f"f.{fmt}", dpi=60)
        assert path.stat().st_size > 0
