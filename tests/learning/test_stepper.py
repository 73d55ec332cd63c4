"""Training as a stepper over epochs (emergent.learning.training), the moved SGD kernel, the
three-line analysis of a trained net, and resume of the learning simulations (issue 14)."""

import h5py
import numpy as np
import pytest

from emergent.evolution import Stepper
from emergent.learning import data, networks, training
from emergent.learning import numpy_backend as nb
from emergent.runs.io import execute, read_run
from emergent.runs.registry import get


@pytest.fixture(scope="module")
def digits():
    x, y = data.digits(120, seed=4)
    return x, y


def _same_layers(a, b):
    for p, q in zip(a[0] + a[1], b[0] + b[1], strict=True):
        assert p.dtype == q.dtype and np.array_equal(p, q)


def test_moved_sgd_kernel_gives_the_previous_weights():
    """The SGD epoch kernel from emergent.kernels.learning_kernels equals what it gave in
    emergent.learning.numpy_backend (same code, moved; float32 sums to 1e-6)."""
    rng = np.random.default_rng(7)
    for _ in range(3):  # the draws of the reference script before the net's data
        rng.normal(size=(12, 7)), rng.normal(size=(7, 5)), rng.normal(size=(5, 3))
        rng.normal(size=7), rng.normal(size=5), rng.normal(size=3)
        rng.uniform(0, 1, (9, 12)), rng.uniform(-.5, .5, (9, 3))
    w, b = nb.init_layers((30, 8, 6, 4), seed=3)
    x = rng.uniform(0, 1, (50, 30)).astype(np.float32)
    y = rng.uniform(-1, 1, (50, 4)).astype(np.float32)
    nb.sgd_epoch_numba(w, b, x, y, learning_rate=0.05, batch_size=7,
                       order=nb.epoch_order(50, seed=1, epoch=0))
    sums = [1.5354850036092103, -0.22600551368668675, -2.0628161504864693,
            -0.04763450939208269, 0.10595496091991663, 0.13863493502140045]
    abs_sums = [47.61400325456634, 15.576396043878049, 8.513328023254871,
                0.1267455043271184, 0.11754359025508165, 0.2129957526922226]
    arrays = [a.astype(np.float64) for a in w + b]
    np.testing.assert_allclose([a.sum() for a in arrays], sums, rtol=1e-6)
    np.testing.assert_allclose([np.abs(a).sum() for a in arrays], abs_sums, rtol=1e-6)


def test_stepper_is_a_stepper_and_equals_training_by_hand(digits):
    """advance(state, 0, 3) = three epochs of the NumPy trainer in the seeded order."""
    x, y = digits
    stepper = training.TrainingStepper(x, y, learning_rate=0.05, batch_size=7, seed=4)
    assert isinstance(stepper, Stepper)
    start = {"net": nb.init_layers((784, 12, 10), seed=1)}
    out = stepper.advance(start, 0, 3)
    tr = networks.make_trainer("numpy", *start["net"], learning_rate=0.05, batch_size=7)
    for epoch in range(3):
        tr.epoch(x, y, nb.epoch_order(x.shape[0], seed=4, epoch=epoch))
    _same_layers(out["net"], tr.layers())
    # the starting state is not modified
    _same_layers(start["net"], nb.init_layers((784, 12, 10), seed=1))


def test_resume_through_save_and_load_is_bit_identical(digits):
    """Training 0 -> 2, saving, loading into a fresh stepper and training 2 -> 5 gives the
    weights of 0 -> 5 without a break, bit for bit (plain SGD: the weights are the state)."""
    x, y = digits
    nets = {"deep": nb.init_layers((784, 10, 6, 10), seed=2),
            "shallow": nb.init_layers((784, 16, 10), seed=3)}
    whole = training.TrainingStepper(x, y, seed=9).advance(nets, 0, 5)
    first = training.TrainingStepper(x, y, seed=9)
    half = first.advance(nets, 0, 2)
    saved = {k: np.array(v) for k, v in first.save(half).items()}
    assert sorted(saved) == ["deep_b0", "deep_b1", "deep_b2", "deep_w0", "deep_w1", "deep_w2",
                             "shallow_b0", "shallow_b1", "shallow_w0", "shallow_w1"]
    second = training.TrainingStepper(x, y, seed=9)
    resumed = second.advance(second.load({**saved, "_record_index": 3}), 2, 5)
    for name in nets:
        _same_layers(whole[name], resumed[name])
    # several recorded times in a row equal one long advance
    again = training.TrainingStepper(x, y, seed=9)
    state = nets
    for t0, t1 in ((0, 1), (1, 4), (4, 5)):
        state = again.advance(state, t0, t1)
    for name in nets:
        _same_layers(whole[name], state[name])


def test_load_refuses_unpaired_layers():
    stepper = training.TrainingStepper(np.zeros((2, 3), np.float32), np.zeros((2, 1), np.float32))
    with pytest.raises(ValueError, match="pair up"):
        stepper.load({"net_w0": np.zeros((3, 1)), "net_w1": np.zeros((1, 1)),
                      "net_b0": np.zeros(1)})


def test_train_equals_the_stepper_and_records_the_boundary_loss(digits):
    """train(...) is evolve over the TrainingStepper; train_loss is U_d of P1 (2.11)."""
    x, y = digits
    res = training.train((784, 12, 10), x, y, epochs=4, saves=3, learning_rate=0.05,
                         batch_size=7, seed=4)
    np.testing.assert_array_equal(res.t, [0, 2, 4])
    start = nb.init_layers((784, 12, 10), seed=4)
    by_hand = training.TrainingStepper(x, y, learning_rate=0.05, batch_size=7,
                                       seed=4).advance({"net": start}, 0, 4)["net"]
    _same_layers(res.final, by_hand)
    u_d = nb.boundary_loss_batch(*by_hand, x.astype(np.float64), y)
    assert res.series["train_loss"][-1] == pytest.approx(u_d, rel=1e-12)
    assert res.series["train_loss"][-1] < res.series["train_loss"][0]
    assert res.info["epochs"] == 4 and res.info["backend"] == "numpy"
    with pytest.raises(ValueError, match="epochs"):
        training.train("deep", x, y, epochs=0)
    with pytest.raises(ValueError, match="saves"):
        training.train("deep", x, y, epochs=2, saves=[0, 1])
    with pytest.raises(ValueError, match="net must be"):
        training.train("wide", x, y, epochs=1)
    with pytest.raises(ValueError, match="backend"):
        training.train("deep", x, y, epochs=1, backend="jax")


def test_python_api_numpy_network_in_three_lines():
    """The README's Python API snippet for a NumPy network (P1 §10, 2.11, 3.2, 5.6, 7.8,
    9.5-9.6, 10.5): train for a second, analyse in one call."""
    import emergent.learning as learning

    x, y = learning.digits(300, seed=0)
    net = learning.train("shallow", x, y, epochs=3).final
    report = learning.analyse(net, x[:100], y[:100])
    assert abs(report["log_det"]) < 1e-9  # (7.8)
    assert report["bulk_loss"] <= report["boundary_loss"]
    assert report["eigenvalues"].shape == (130,) and "c_834" in report
    # the same through the septuple's own summary
    import emergent

    sep = learning.to_septuple(net)
    s = emergent.septuple.summary(sep, report["x_mean"], beta=1.0)
    assert s.mu3 == pytest.approx(report["mu3"], rel=1e-12, abs=1e-12)


def test_python_api_keras_network_in_three_lines():
    """The README's snippet for a trained Keras model: analyse(model, x, y)."""
    pytest.importorskip("tensorflow")
    import keras

    import emergent.learning as learning

    x, y = learning.digits(200, seed=1)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(20, activation="tanh"),
                              keras.layers.Dense(10, activation="tanh")])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.fit(x, y, epochs=1, batch_size=20, verbose=0)
    report = learning.analyse(model, x[:50], y[:50])
    assert abs(report["log_det"]) < 1e-9
    w, b, _ = learning.mapping.layers_from_keras(model)
    same = learning.analyse((w, b), x[:50], y[:50])
    assert report["mu2"] == same["mu2"]


def test_to_septuple_takes_a_layers_pair_and_a_septuple():
    from emergent.learning import mapping

    w, b = nb.init_layers((5, 4, 2), seed=0)
    sep = mapping.to_septuple((w, b))
    assert sep.n == 11 and mapping.to_septuple(sep) is sep
    np.testing.assert_array_equal(sep.bias, mapping.to_septuple(w, b).bias)


def _datasets(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else 0)
    return out


def _interrupted_equals_whole(tmp_path, monkeypatch, name, params, cls, method, fail_at):
    """Run, interrupt at the `fail_at`-th call of cls.method, resume: same datasets."""
    sim = get(name)
    values = sim.resolve(params)
    whole = execute(sim, values, 3, tmp_path / "whole.h5", quiet=True, checkpoint_interval=0)
    real = getattr(cls, method)
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, flaky)
    with pytest.raises(KeyboardInterrupt):
        execute(sim, values, 3, tmp_path / "cut.h5", quiet=True, checkpoint_interval=0)
    monkeypatch.setattr(cls, method, real)
    cut = execute(sim, values, 3, tmp_path / "cut.h5", quiet=True, checkpoint_interval=0,
                  resume=True)
    assert "resumed" in read_run(cut).attrs
    a, b = _datasets(whole), _datasets(cut)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("seeds", [1, 2])
def test_mnist_simulation_resumes_bit_identically(tmp_path, monkeypatch, seeds):
    params = {"epochs": 5, "samples": 100, "test_samples": 20, "analysis_samples": 20,
              "networks": "shallow", "seeds": seeds, "workers": 1}
    _interrupted_equals_whole(tmp_path, monkeypatch, "mnist-thermodynamics", params,
                              training.TrainingStepper, "advance", 3)


def test_fig1_simulation_resumes_bit_identically(tmp_path, monkeypatch):
    from emergent.septuple.phases import PhaseScan

    _interrupted_equals_whole(tmp_path, monkeypatch, "fig1-entropy-destruction",
                              {"beta_points": 8, "points": 51}, PhaseScan, "advance", 4)


def test_random_nets_simulation_resumes_bit_identically(tmp_path, monkeypatch):
    from emergent.runs.simulations.random_nets import Ensemble

    params = {"inputs": 30, "deep": (6, 4), "shallow": (10,), "outputs": 3, "nets": 2,
              "samples": 10}
    _interrupted_equals_whole(tmp_path, monkeypatch, "random-nets", params, Ensemble,
                              "advance", 3)
