"""Training the P1 §10 nets and recording their thermodynamics (issue 8)."""

import numpy as np
import pytest

from emergent.cli import main
from emergent.learning import callback, data, mapping, networks
from emergent.learning import numpy_backend as nb
from emergent.runs.io import execute, read_run
from emergent.runs.registry import get

TINY = {"epochs": 6, "samples": 300, "test_samples": 200, "analysis_samples": 60,
        "log_per_decade": 3, "learning_rate": 0.02}


def _tiny_argv(out):
    argv = ["run", "mnist-thermodynamics", "-o", str(out), "--quiet", "--seed", "2"]
    for k, v in TINY.items():
        argv += ["--set", f"{k}={v}"]
    return argv


def test_tiny_run_learns_and_writes_valid_hdf5(tmp_path):
    """A tiny run on the bundled digits improves accuracy, keeps det G = 1 (P1 7.7-7.8) at every
    logged epoch and writes every quantity of P1 §10 with the right shapes."""
    out = tmp_path / "m.h5"
    assert main(_tiny_argv(out)) == 0
    d = read_run(out)
    assert d.results["data_source"] == "bundled:mnist_5k"
    for net in ("deep", "shallow"):
        e = d.series(f"{net}_epoch")
        assert e[0] == 0 and e[-1] == TINY["epochs"]
        acc = d.series(f"{net}_test_accuracy")
        assert acc[0] < 0.3 and acc[-1] > 0.6 and acc[-1] > acc[0] + 0.4
        assert d.series(f"{net}_train_loss")[-1] < d.series(f"{net}_train_loss")[0]
        assert np.max(np.abs(d.series(f"{net}_log_det"))) < 1e-9
        lam = d.series(f"{net}_eigenvalues")
        # K = n_r + n_1 non-trivial eigenvalues: 70 + 40 (deep), 70 + 60 (shallow)
        k = 70 + nb.PAPER_ARCHITECTURES[net][1]
        assert lam.shape == (e.size, k) and np.all(lam > 0)
        assert np.all(d.series(f"{net}_n_dynamical") <= k)
        assert d.series(f"{net}_x_mean").shape == (e.size, 854)
        # the bulk loss at the clamped minimum never exceeds the boundary loss: the forward
        # fixed point with clamped outputs has H = H_d (P1 2.11 vs 3.1-3.2)
        assert np.all(d.series(f"{net}_bulk_loss") <= d.series(f"{net}_boundary_loss") + 1e-12)
        # C_N-20 <= C_20 is not implied, but both lie below N/2 log 2 pi when log lambda_i > 0
        top = 427 * np.log(2 * np.pi)
        assert np.all(d.series(f"{net}_c_20") < top)
        w = [d.array(f"{net}_w{i}") for i in range(len(nb.PAPER_ARCHITECTURES[net]) - 1)]
        assert w[0].shape[0] == 784
    checks = get("mnist-thermodynamics").checks(d)
    assert any("det G = 1" in c.claim and c.agrees for c in checks)
    assert main(["plot", str(out), "-o", str(tmp_path / "f.png")]) == 0
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_resume_continues_identically(tmp_path, monkeypatch):
    """An interrupted run resumed from its checkpoint equals the uninterrupted run."""
    sim = get("mnist-thermodynamics")
    params = sim.resolve({**TINY, "networks": "shallow", "epochs": 4})
    whole = execute(sim, params, 5, tmp_path / "a.h5", quiet=True, checkpoint_interval=0)
    calls = {"n": 0}
    real = nb.sgd_epoch

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(nb, "sgd_epoch", flaky)
    with pytest.raises(KeyboardInterrupt):
        execute(sim, params, 5, tmp_path / "b.h5", quiet=True, checkpoint_interval=0)
    monkeypatch.setattr(nb, "sgd_epoch", real)
    resumed = execute(sim, params, 5, tmp_path / "b.h5", quiet=True, checkpoint_interval=0,
                      resume=True)
    a, b = read_run(whole), read_run(resumed)
    assert "resumed" in b.attrs
    for key in ("epoch", "bulk_loss", "mu3", "c_20", "test_accuracy"):
        assert np.array_equal(a.series(f"shallow_{key}"), b.series(f"shallow_{key}"))
    assert np.array_equal(a.array("shallow_w0"), b.array("shallow_w0"))


def test_log_spaced_epochs_and_gap_beta():
    e = callback.log_spaced_epochs(30000, per_decade=4)
    assert e[0] == 0 and e[-1] == 30000 and np.all(np.diff(e) > 0)
    assert {1, 10, 100, 1000, 10000} <= set(e.tolist())
    # P1 (9.4) and its inverse
    for beta in (0.6, 1.0, 1.37, 3.0):
        assert callback.beta_from_gap(callback.gap_from_beta(beta)) == pytest.approx(beta)
    # the gap detector finds a planted gap between a low cluster and the rest
    logs = np.concatenate([np.linspace(-4, -3.2, 6), np.linspace(-2.2, -0.6, 30)])
    pos, width, below = callback.spectral_gap(logs)
    assert pos == pytest.approx(-2.7) and width == pytest.approx(1.0) and below == 6


@pytest.mark.equations("P1 (7.8)", "P1 (9.10)")
def test_p1_eq7_8_det_g_one_and_eq9_10_odd_traces_for_two_layers():
    """P1 (7.8): sum log lambda = 0 for a feed-forward net; (9.10): mu3 = 0 for L = 2."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (40, 30))
    w, b = nb.init_layers((30, 8, 5), seed=1)
    y = data.encode_targets(rng.integers(0, 5, 40))[:, :5]
    row = callback.analyse(mapping.to_septuple(w, b), x, y)
    assert abs(row["log_det"]) < 1e-10
    w2, b2 = nb.init_layers((30, 5), seed=1)
    two = callback.analyse(mapping.to_septuple(w2, b2), x, y)
    assert abs(two["mu3"]) < 1e-10 * two["mu2"] and two["mu2"] > 0.1


def test_numba_kernel_matches_numpy_epoch():
    """The compiled epoch (backend "numba") equals the NumPy epoch up to float32 rounding."""
    split = data.training_split(120, 0, seed=4, use_full=False)
    y = data.encode_targets(split.y_train)
    w0, b0 = nb.init_layers(nb.PAPER_ARCHITECTURES["deep"], seed=4)
    out = {}
    for backend in ("numpy", "numba"):
        tr = networks.make_trainer(backend, w0, b0, learning_rate=0.05, batch_size=7)
        tr.epoch(split.x_train, y, nb.epoch_order(120, seed=4, epoch=0))
        out[backend] = tr.layers()
    for a, b in zip(out["numpy"][0] + out["numpy"][1], out["numba"][0] + out["numba"][1],
                    strict=True):
        assert np.allclose(a, b, atol=1e-5)
    assert max(np.abs(a - b).max() for a, b in zip(out["numba"][0], w0, strict=True)) > 1e-3


def test_backends_agree():
    """Keras fit, whole-epoch tf.function (with and without XLA) and NumPy give the same
    weights up to float32 rounding after two epochs from the same seed."""
    pytest.importorskip("tensorflow")
    split = data.training_split(200, 0, seed=3, use_full=False)
    y = data.encode_targets(split.y_train)
    w0, b0 = nb.init_layers(nb.PAPER_ARCHITECTURES["deep"], seed=3)
    result = {}
    for backend in networks.BACKENDS:
        tr = networks.make_trainer(backend, w0, b0, learning_rate=0.05, batch_size=7)
        for epoch in range(2):
            tr.epoch(split.x_train, y, nb.epoch_order(200, seed=3, epoch=epoch))
        result[backend] = tr.layers()
    ref_w, ref_b = result["numpy"]
    moved = max(np.abs(a - b).max() for a, b in zip(ref_w, w0, strict=True))
    assert moved > 1e-3
    for backend in networks.BACKENDS[1:]:
        ws, bs = result[backend]
        for a, b in zip(ref_w + ref_b, ws + bs, strict=True):
            assert np.allclose(a, b, atol=2e-5), backend


def test_keras_callback_records_during_fit():
    pytest.importorskip("tensorflow")
    import keras

    split = data.training_split(120, 60, seed=0, use_full=False)
    y = data.encode_targets(split.y_train)
    w0, b0 = nb.init_layers(nb.PAPER_ARCHITECTURES["shallow"], seed=0)
    model = networks.build_keras_model(w0, b0)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=networks.half_squared_error)
    rows = []
    rec = callback.SeptupleRecorder(
        epochs=[0, 1, 3], x_analysis=split.x_train[:30], y_analysis=y[:30],
        x_train=split.x_train, y_train=y, labels_train=split.y_train, x_test=split.x_test,
        labels_test=split.y_test, sink=lambda **r: rows.append(r), prefix="k_")
    model.fit(split.x_train, y, batch_size=10, epochs=3, verbose=0,
              callbacks=[callback.keras_callback(rec)])
    assert [r["k_epoch"] for r in rows] == [0, 1, 3]
    assert all(abs(r["k_log_det"]) < 1e-9 for r in rows)
    assert rows[-1]["k_train_loss"] < rows[0]["k_train_loss"]


@pytest.mark.equations("P1 (9.4)")
def test_p1_eq9_4_gap_versus_stationary_point_of_eq9_3():
    """P1 (9.4) vs (9.3). Corrected statement: with gamma = 1/3 the non-trivial stationary point
    of -Delta F(log lambda) in (9.3) is log lambda = 2 log((1 - beta)/beta) (1/2 < beta < 1),
    not (9.4)'s 3 log(-1/2 + sqrt(1/4 + 1/beta)); both give 0 at the transition beta = 1/2.
    And (9.4) applied to P1 §10's gaps -2.3, -2.5, -3.0 gives beta = 1.47, 1.60, 1.99, not the
    quoted 1.37, 1.40, 1.47. The simulation records beta from (9.4) as printed."""
    gamma = 1.0 / 3.0
    for beta in (0.6, 0.73, 0.9):
        logs = np.linspace(-6, -0.05, 400001)
        lam = np.exp(logs)
        big = lam ** (gamma / (gamma - 1))  # the large eigenvalues of (9.2)
        f = gamma / (1 + beta * lam) ** 2 + (1 - gamma) / (1 + beta * big) ** 2
        stationary = logs[np.argmax(f)]
        assert stationary == pytest.approx(2 * np.log((1 - beta) / beta), abs=1e-3)
        assert abs(stationary - callback.gap_from_beta(beta)) > 0.2
    assert callback.gap_from_beta(0.5) == pytest.approx(0.0, abs=1e-12)
    quoted = [callback.beta_from_gap(g) for g in (-2.3, -2.5, -3.0)]
    assert np.allclose(quoted, [1.470, 1.604, 1.987], atol=2e-3)


def test_analyse_losses_match_emergent_losses():
    """The callback's boundary and bulk losses, which share one forward pass, equal those of
    emergent.septuple.losses (boundary_loss, and clamped_minimisation from its own starting
    point)."""
    from emergent.septuple import losses

    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, (25, 30))
    w, b = nb.init_layers((30, 8, 6, 5), seed=2)
    y = data.encode_targets(rng.integers(0, 5, 25))[:, :5]
    sept = mapping.to_septuple(w, b)
    row = callback.analyse(sept, x, y, tol=1e-10)
    xb, h = losses.clamped_minimisation(sept, x, y, tol=1e-10)
    assert row["boundary_loss"] == pytest.approx(losses.boundary_loss(sept, x, y), rel=1e-14)
    assert row["bulk_loss"] == pytest.approx(float(np.mean(h)), rel=1e-12)
    assert np.allclose(row["x_mean"], xb.mean(axis=0), atol=1e-12)
    assert 0 < row["bulk_loss"] < row["boundary_loss"]
