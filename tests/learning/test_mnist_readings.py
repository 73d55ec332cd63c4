"""Issue 18: the two readings of the bulk loss, the plateau test of Fig. 3, seeds in parallel,
the reference run, paper scale from full-MNIST IDX files, and the Fig. 5 arrows."""

import gzip

import numpy as np
import pytest

from emergent.learning import callback
from emergent.learning import numpy_backend as nb
from emergent.learning.mapping import to_septuple
from emergent.learning.plateaus import keeps_falling_on_plateau, loss_plateaus, plateau_falls
from emergent.septuple.losses import bulk_hamiltonian, bulk_loss_parts, clamped_minimisation


def _layers(sizes, seed, scale=1.3):
    rng = np.random.default_rng(seed)
    w = [scale * rng.normal(size=(a, b)) / np.sqrt(a)
         for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    b = [0.3 * rng.normal(size=n) for n in sizes[1:]]
    return w, b


@pytest.mark.equations("P1 (3.1)")
@pytest.mark.parametrize("sizes", [(6, 5, 4, 3), (7, 4, 2)])
def test_p1_eq3_1_hidden_plus_output_is_the_literal_sum_layer_by_layer(sizes):
    """H_hid + H_out at the clamped minimum equals the literal (3.1) sum, each part recomputed
    layer by layer from the kernels (not from the N x N septuple matrix)."""
    w, b = _layers(sizes, seed=len(sizes))
    sep = to_septuple(w, b)
    rng = np.random.default_rng(1)
    x_in = rng.uniform(0, 1, (9, sizes[0]))
    y = np.where(rng.random((9, sizes[-1])) < 0.3, 0.8, -0.8)
    x_bar, h = clamped_minimisation(sep, x_in, y, tol=1e-12)
    hid, out = bulk_loss_parts(sep, x_bar)
    # independent route: split x_bar into layers and take the residual of every layer
    edges = np.cumsum((0,) + tuple(sizes))
    acts = [x_bar[:, edges[i]:edges[i + 1]] for i in range(len(sizes))]
    res = [0.5 * np.sum((acts[i + 1] - np.tanh(acts[i] @ w[i] + b[i])) ** 2, axis=1)
           for i in range(len(w))]
    np.testing.assert_allclose(hid, np.sum(res[:-1], axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out, res[-1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hid + out, h, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hid + out, bulk_hamiltonian(sep, x_bar), rtol=1e-12)
    # a generic state (not a minimum): the split still adds up to (3.1)
    xs = rng.uniform(-0.9, 0.9, (5, sep.n))
    xs[:, :sizes[0]] = x_in[:5]
    np.testing.assert_allclose(np.add(*bulk_loss_parts(sep, xs)), bulk_hamiltonian(sep, xs),
                               rtol=1e-12)
    # at the clamped minimum the hidden part is positive and the output part carries the rest
    assert np.all(hid >= 0) and np.all(out > 0)


def test_analyse_records_both_readings_as_means_and_medians():
    w, b = _layers((8, 5, 4, 3), seed=3)
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (15, 8))
    y = np.where(rng.random((15, 3)) < 0.3, 1.0, -1.0)
    rep = callback.analyse((w, b), x, y, tol=1e-12)
    sep = to_septuple(w, b)
    x_bar, h = clamped_minimisation(sep, x, y, tol=1e-12)
    hid, out = bulk_loss_parts(sep, x_bar)
    assert rep["bulk_loss"] == pytest.approx(np.mean(h), rel=1e-9)
    assert rep["bulk_loss_hidden"] + rep["bulk_loss_output"] == pytest.approx(
        rep["bulk_loss"], rel=1e-12)
    assert rep["bulk_loss_median"] == pytest.approx(np.median(h), rel=1e-9)
    assert rep["bulk_loss_hidden_median"] == pytest.approx(np.median(hid), rel=1e-9)
    assert rep["bulk_loss_output_median"] == pytest.approx(np.median(out), rel=1e-9)
    fwd = nb.forward(w, b, x)
    assert rep["boundary_loss_median"] == pytest.approx(
        np.median(0.5 * np.sum((fwd - y) ** 2, axis=1)), rel=1e-12)


# --- the plateau test of Fig. 3 ---

def _series():
    epochs = np.array([0, 1, 2, 5, 10, 22, 46, 100, 215, 464, 1000, 2154, 4642, 10000])
    log_ud = np.array([0, -.5, -1, -1.6, -2.2, -2.9, -3.4, -3.9, -4.1,
                       -4.15, -4.13, -4.16, -4.9, -5.0])  # flat from 215 to 2154
    return epochs, log_ud


def test_plateaus_found_and_maximal():
    e, ud = _series()
    plats = loss_plateaus(e, ud, flat=0.1, min_ratio=2.0)
    assert (8, 11) in plats  # epochs 215 .. 2154
    for i0, i1 in plats:
        assert np.ptp(ud[i0:i1 + 1]) <= 0.1 and e[i1] >= 2 * e[i0] and e[i0] > 0
    # none contained in another
    for a in plats:
        for b in plats:
            assert a == b or not (b[0] <= a[0] and a[1] <= b[1])
    # a steadily falling U_d has no plateau; epoch 0 never starts one
    assert loss_plateaus(e, -0.5 * np.arange(e.size), flat=0.1) == []
    assert loss_plateaus(np.array([0, 1000]), np.array([1.0, 1.0])) == []
    with pytest.raises(ValueError):
        loss_plateaus(e, ud[:-1])


def test_keeps_falling_decides_both_ways():
    e, ud = _series()
    falling = ud - 0.8 * np.log(np.maximum(e, 1))  # U keeps falling throughout
    hit = keeps_falling_on_plateau(e, ud, falling)
    assert hit is not None and hit.start == 215 and hit.end == 2154
    assert hit.bulk_change == pytest.approx(falling[11] - falling[8])
    assert abs(hit.boundary_change) <= 0.1 and hit.falling_fraction == 1.0
    tracking = ud - 0.01  # U tracks U_d (the literal reading late in training)
    assert keeps_falling_on_plateau(e, ud, tracking) is None
    # a fall that is too small, or not monotone enough, does not count
    small = ud.copy()
    small[8:12] = ud[8] - np.array([0, 0.1, 0.2, 0.3])
    assert keeps_falling_on_plateau(e, ud, small) is None
    assert keeps_falling_on_plateau(e, ud, small, drop=0.25) is not None
    zigzag = ud.copy()
    zigzag[8:12] = ud[8] + np.array([0, -1.0, -0.5, -1.5])
    assert keeps_falling_on_plateau(e, ud, zigzag) is None
    assert [p.start for p in plateau_falls(e, ud, falling)] == [e[i] for i, _ in
                                                                 loss_plateaus(e, ud)]


# --- paper scale from full-MNIST files on disk ---

def _write_idx(path, array, gz=False):
    array = np.asarray(array, dtype=np.uint8)
    raw = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    raw += array.tobytes()
    path.write_bytes(gzip.compress(raw) if gz else raw)


@pytest.fixture
def idx_folder(tmp_path):
    rng = np.random.default_rng(5)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for kind, n, gz in (("train", 6000, True), ("t10k", 40, False)):
        ext = ".gz" if gz else ""
        _write_idx(folder / f"{kind}-images-idx3-ubyte{ext}",
                   rng.integers(0, 256, (n, 28, 28)), gz)
        _write_idx(folder / f"{kind}-labels-idx1-ubyte{ext}",
                   rng.integers(0, 10, n), gz)
    return folder


def test_paper_scale_reads_the_full_set(idx_folder, tmp_path):
    from emergent.runs.io import execute, read_run
    from emergent.runs.registry import get
    from emergent.runs.simulations.mnist import effective_sizes

    sim = get("mnist-thermodynamics")
    p = sim.parameters(**{**sim.defaults(), "preset": "paper", "mnist_path": str(idx_folder)})
    eff = effective_sizes(p)
    assert eff["samples"] == 6000 and eff["epochs"] == 30000
    out = tmp_path / "run.h5"
    params = {**sim.defaults(smoke=True), "mnist_path": str(idx_folder), "seeds": 1,
              "samples": 6000, "test_samples": 40, "epochs": 1, "analysis_samples": 20,
              "networks": "shallow"}
    execute(sim, params, 0, out, force=True, quiet=True)
    data = read_run(out)
    assert str(data.results["data_source"]).startswith("idx:")
    assert data.results["effective_samples"] == 6000


# --- seeds in parallel, the reference run, the figure ---

def _small_run(tmp_path, name, seed=0, **over):
    from emergent.runs.io import execute, read_run
    from emergent.runs.registry import get

    sim = get("mnist-thermodynamics")
    params = {**sim.defaults(smoke=True), "epochs": 12, "samples": 120, "test_samples": 20,
              "analysis_samples": 30, **over}
    out = tmp_path / f"{name}.h5"
    execute(sim, params, seed, out, force=True, quiet=True)
    return sim, read_run(out)


def test_seeds_in_workers_equal_seeds_in_process(tmp_path):
    _, par = _small_run(tmp_path, "par", seeds=2, workers=2, networks="deep")
    _, ser = _small_run(tmp_path, "ser", seeds=2, workers=1, networks="deep")
    _, one = _small_run(tmp_path, "one", seed=1, seeds=1, networks="deep")
    for key in ("bulk_loss", "bulk_loss_hidden", "boundary_loss", "mu3_mean", "c_20"):
        a = par.series(f"deep_{key}_by_seed")
        assert a.shape[1] == 2
        np.testing.assert_array_equal(a, ser.series(f"deep_{key}_by_seed"))
        # the first column is the plain series; the second is the run with --seed 1 (its own
        # initial weights and sample order on the same data split)
        np.testing.assert_array_equal(a[:, 0], par.series(f"deep_{key}"))
    np.testing.assert_array_equal(par.array("seeds"), [0, 1])
    w_par = par.array("deep_w0")
    assert w_par.shape == (784, 40)
    assert np.all(np.isfinite(one.series("deep_bulk_loss")))


def test_reference_is_gathered_and_decides_the_late_rows(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation

    from emergent.runs.simulations import _mnist_reference as refmod

    runs = [tmp_path / f"ref-{s}.h5" for s in range(4)]
    for s in range(4):
        _small_run(tmp_path, f"ref-{s}", seed=s, seeds=1, epochs=100, networks="deep")
    npz = tmp_path / "reference.npz"
    assert refmod.main([str(npz), *map(str, runs)]) == 0
    ref = refmod.load(npz)
    assert ref.last_epoch == 100 and list(ref.seeds) == [0, 1, 2, 3]
    assert ref.series("deep", "bulk_loss_hidden").shape == (ref.epochs.size, 4)
    assert ref.series("deep", "eigenvalues").shape == (ref.epochs.size, 4, 110)
    assert "emergent run mnist-thermodynamics" in ref.command
    assert npz.stat().st_size < 3_000_000
    with pytest.raises(ValueError, match="no run files"):
        refmod.gather([])
    # a 12-epoch run with 2 seeds: rows about later epochs are decided on the reference
    monkeypatch.setenv("EMERGENT_MNIST_REFERENCE", str(npz))
    sim, short = _small_run(tmp_path, "short", seeds=2, epochs=12, networks="deep")
    rows = sim.checks(short)
    late = [r for r in rows if "Fig. 7" in r.claim or "Fig. 3" in r.claim
            or "Fig. 5" in r.claim]
    assert late and all("reference run (100 epochs, 4 seeds)" in r.ours for r in late)
    # every row names its source and its seeds, and carries decides=
    assert all("seeds" in r.ours for r in rows)
    assert all(isinstance(r.decides, tuple) for r in rows)
    # with fewer than 4 seeds a row never says yes (beyond det G)
    own = [r for r in rows
           if "this run (12 epochs, 2 seeds)" in r.ours and "det G" not in r.claim]
    assert own and not any(r.agrees for r in own)
    # the figure shows the reference's epoch 100 spectrum and the gap arrows inside the axes
    fig = plt.figure()
    sim.plot(short, fig)
    fig.canvas.draw()
    ax5 = next(a for a in fig.axes if a.get_title().startswith("Fig. 5"))
    labels = [t.get_text() for t in ax5.get_legend().get_texts()]
    assert any("epoch 100 (reference run)" in t for t in labels)
    arrows = [c for c in ax5.get_children() if isinstance(c, Annotation)]
    assert arrows
    box = ax5.get_window_extent()
    for a in arrows:
        ext = a.arrow_patch.get_window_extent()
        assert ext.height > 5
        assert box.y0 - 1 <= ext.y0 and ext.y1 <= box.y1 + 1
        assert box.x0 <= ext.x0 <= box.x1
    plt.close(fig)


def test_gap_arrow_is_drawn_on_a_log_axis():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from emergent.runs.simulations.mnist import _gap_arrow

    fig, ax = plt.subplots()
    ax.hist(np.log(np.linspace(0.05, 3, 50)), bins=10)
    ax.set_yscale("log")
    ax.set_ylim(0.9, 20)  # the old arrows at y = 0.5 lay below this
    _gap_arrow(ax, -2.0, "C3")
    fig.canvas.draw()
    (ann,) = ax.texts
    ext = ann.arrow_patch.get_window_extent()
    box = ax.get_window_extent()
    assert box.y0 - 1 <= ext.y0 < ext.y1 <= box.y1 and ext.height > 0.15 * box.height
    plt.close(fig)


def test_keras_mse_preset_is_sgd_on_the_mean_over_outputs():
    """One SGD step with loss=mse equals -lr x the finite-difference gradient of Keras' mse
    (mean over the batch of mean_out (f(x) - y)^2), computed independently in float64."""
    from emergent.runs.simulations.mnist import KERAS_PRESET, sgd_step_size

    rng = np.random.default_rng(4)
    sizes = (12, 6, 10)
    w = [rng.normal(size=(a, b)).astype(np.float32) * 0.5 for a, b in ((12, 6), (6, 10))]
    b = [rng.normal(size=n).astype(np.float32) * 0.1 for n in (6, 10)]
    x = rng.uniform(0, 1, (32, sizes[0])).astype(np.float32)
    y = np.where(rng.random((32, 10)) < 0.1, 1.0, -1.0).astype(np.float32)
    lr = KERAS_PRESET["learning_rate"] * 10  # a visible step
    w1, b1 = [v.copy() for v in w], [v.copy() for v in b]
    nb.sgd_epoch(w1, b1, x, y, learning_rate=sgd_step_size(lr, "mse", 10),
                 batch_size=KERAS_PRESET["batch_size"])

    def mse(ws, bs):
        a = x.astype(float)
        for wi, bi in zip(ws, bs, strict=True):
            a = np.tanh(a @ wi + bi)
        return np.mean((a - y) ** 2)

    w64, b64 = [v.astype(float) for v in w], [v.astype(float) for v in b]
    eps = 1e-6
    for layer, (i, j) in ((1, (2, 3)), (0, (5, 1)), (1, (0, 9))):
        wp = [v.copy() for v in w64]
        wm = [v.copy() for v in w64]
        wp[layer][i, j] += eps
        wm[layer][i, j] -= eps
        grad = (mse(wp, b64) - mse(wm, b64)) / (2 * eps)
        step = float(w1[layer][i, j]) - float(w[layer][i, j])
        assert step == pytest.approx(-lr * grad, rel=2e-3, abs=1e-7)
    with pytest.raises(ValueError, match="loss"):
        sgd_step_size(0.1, "l1", 10)
    assert sgd_step_size(0.1, "half_sum", 10) == 0.1
