"""Trained nets -> neural septuple (issue 8): the fixed point (P1 2.9) is the net's output."""

import numpy as np
import pytest

from emergent.learning import data, mapping
from emergent.learning import numpy_backend as nb


def _trained_arrays(sizes=(784, 40, 20, 10), seed=0):
    w, b = nb.init_layers(sizes, seed=seed)
    # non-zero biases so the mapping of b is exercised
    rng = np.random.default_rng(seed)
    b = [rng.normal(0, 0.3, bk.shape).astype(np.float32) for bk in b]
    return w, b


@pytest.mark.equations("P1 (2.9)")
def test_p1_eq2_9_fixed_point_equals_numpy_forward():
    """P1 (2.9): for a layered net the fixed state is reached after L - 1 steps and its output
    block is the ordinary forward pass; neuron numbering is layer by layer (N = 854)."""
    x, _ = data.load_bundled()
    x = x[:50]
    w, b = _trained_arrays()
    sept = mapping.to_septuple(w, b)
    assert sept.n == 854
    assert np.array_equal(sept.input_index, np.arange(784))
    assert np.array_equal(sept.output_index, np.arange(844, 854))
    xbar = sept.fixed_point(x)
    out = nb.forward([wk.astype(float) for wk in w], [bk.astype(float) for bk in b],
                     x.astype(float))
    assert np.allclose(xbar[:, sept.output_index], out, atol=1e-12)
    # the hidden block is the first hidden layer's activation
    h1 = np.tanh(x.astype(float) @ w[0] + b[0])
    assert np.allclose(xbar[:, 784:824], h1, atol=1e-12)
    # and it is a fixed point of x -> f(w x + b) with the inputs clamped (P1 2.7)
    assert np.allclose(sept.forward(xbar, 1), xbar, atol=1e-12)


def test_torch_layout_arrays_match_keras_layout():
    w, b = _trained_arrays((20, 7, 3), seed=2)
    a = mapping.to_septuple(w, b)
    t = mapping.to_septuple([wk.T for wk in w], b, layout="torch")
    x = np.random.default_rng(0).uniform(-1, 1, (5, 20))
    assert np.allclose(a.fixed_point(x), t.fixed_point(x), atol=1e-14)


def test_mapping_errors():
    w, b = _trained_arrays((6, 4, 2), seed=1)
    with pytest.raises(ValueError, match="weights\\[1\\] has 6 inputs but layer 1 has 4"):
        mapping.to_septuple([w[0], w[0]], b)
    with pytest.raises(ValueError, match="one vector per weight matrix"):
        mapping.to_septuple(w, b[:1])
    with pytest.raises(ValueError, match="layout"):
        mapping.to_septuple(w, b, layout="jax")
    with pytest.raises(ValueError, match="keras.Sequential"):
        mapping.to_septuple(object())


def test_keras_sequential_fixed_point_equals_model_output():
    """The Keras model's predict equals the septuple's fixed point on the output neurons."""
    pytest.importorskip("tensorflow")
    import keras

    from emergent.learning.networks import build_keras_model

    x, _ = data.load_bundled()
    x = x[::100]
    for sizes in nb.PAPER_ARCHITECTURES.values():
        w, b = _trained_arrays(sizes, seed=4)
        model = build_keras_model(w, b)
        sept = mapping.to_septuple(model)
        assert sept.n == 854 and sept.layer_sizes == tuple(sizes)
        out = np.asarray(model(x), dtype=float)
        xbar = sept.fixed_point(x)
        assert np.allclose(xbar[:, sept.output_index], out, atol=2e-6)
    bad = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="relu")])
    with pytest.raises(ValueError, match="relu"):
        mapping.to_septuple(bad)
    mixed = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="different activations"):
        mapping.to_septuple(mixed)
    linear = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    sept = mapping.to_septuple(linear)
    xs = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    assert np.allclose(sept.fixed_point(xs)[:, sept.output_index], linear(xs), atol=1e-5)


def test_torch_sequential_fixed_point_equals_module_output():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(12, 6), torch.nn.Tanh(), torch.nn.Linear(6, 4),
                              torch.nn.Tanh())
    xs = torch.rand(7, 12, dtype=torch.float64)
    net = net.double()
    sept = mapping.to_septuple(net)
    with torch.no_grad():
        out = net(xs).numpy()
    assert np.allclose(sept.fixed_point(xs.numpy())[:, sept.output_index], out, atol=1e-12)
