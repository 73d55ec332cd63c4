"""Tests of the neural septuple (P1 §2, P2 §2) and the activations."""

import numpy as np
import pytest
import scipy.sparse as sp

from emergent.septuple.activations import ACTIVATIONS, get_activation
from emergent.septuple.network import NeuralSeptuple


def _layered(sizes, seed=0, scale=1.5, activation="tanh"):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.2 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b, activation=activation), w, b


@pytest.mark.equations("P1 (5.4)")
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives_finite_differences(name):
    """f' and f'' (P1 5.4, 10.4) against central differences."""
    act = get_activation(name)
    y = np.linspace(-3, 3, 61) + 0.013  # avoid the relu kink at 0
    h = 1e-5
    assert np.allclose(act.df(y), (act.f(y + h) - act.f(y - h)) / (2 * h), atol=1e-8)
    assert np.allclose(act.d2f(y), (act.df(y + h) - act.df(y - h)) / (2 * h), atol=1e-6)


@pytest.mark.equations("P1 (10.4)")
def test_p1_eq10_4_tanh_derivative_is_sech2():
    y = np.linspace(-4, 4, 33)
    assert np.allclose(get_activation("tanh").df(y), 4 * (np.exp(y) + np.exp(-y)) ** -2)


@pytest.mark.equations("P1 (2.5)")
def test_p1_eq2_5_keras_layout_matches_mlp_forward():
    """from_layers takes the Keras kernel layout: the fixed point equals the usual MLP pass."""
    sep, w, b = _layered([7, 5, 4, 3])
    x_in = np.random.default_rng(3).uniform(0, 1, size=(6, 7))
    h = x_in
    for wk, bk in zip(w, b, strict=True):
        h = np.tanh(h @ wk + bk)
    xb = sep.fixed_point(x_in)
    assert np.allclose(xb[:, sep.output_index], h, atol=1e-14)
    assert np.array_equal(xb[:, sep.input_index], x_in)


@pytest.mark.equations("P1 (2.4)", "P1 (2.9)")
def test_p1_eq2_9_fixed_point_after_L_minus_1_steps():
    """x(L-1) from x(0) = P_in x (2.4) under (2.5) is the fixed point (2.9) of a layered net."""
    sep, _, _ = _layered([6, 5, 4, 3])
    x_in = np.random.default_rng(1).uniform(-1, 1, size=(4, 6))
    x0 = sep.initial_state(x_in)
    xl = sep.forward(x0, steps=3)
    assert np.allclose(xl, sep.fixed_point(x_in), atol=1e-15)
    assert not np.allclose(sep.forward(x0, steps=2), xl)
    # fixed point equation on all non-input neurons
    y = np.tanh(sep.preactivation(xl))
    non_in = np.setdiff1d(np.arange(sep.n), sep.input_index)
    assert np.allclose(y[:, non_in], xl[:, non_in], atol=1e-15)
    # the same net as a sparse matrix iterates to the same state
    gen = NeuralSeptuple.from_matrix(sep.w, sep.bias, sep.input_index, sep.output_index)
    assert np.allclose(gen.fixed_point(x_in), xl, atol=1e-14)


@pytest.mark.equations("P1 (2.7)", "P1 (2.8)")
def test_p1_eq2_8_input_bias_condition():
    """With f(P_in b) = P_in x (2.8) the literal step (2.5) keeps the inputs fixed (2.7)."""
    rng = np.random.default_rng(2)
    sizes = [5, 4, 2]
    w = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    b = [rng.normal(size=n) for n in sizes[1:]]
    x_in = rng.uniform(-0.9, 0.9, size=5)
    sep = NeuralSeptuple.from_layers(w, b, input_bias=np.arctanh(x_in))
    assert sep.input_bias_residual(x_in)[0] < 1e-15
    x0 = sep.initial_state(x_in)
    lit = sep.forward(x0, steps=2, clamp_inputs=False)
    assert np.allclose(lit, sep.fixed_point(x_in), atol=1e-15)
    sep0 = NeuralSeptuple.from_layers(w, b)
    assert sep0.input_bias_residual(x_in)[0] > 0.1


@pytest.mark.equations("P1 (2.1)")
def test_p1_eq2_1_2_3_feedforward_conditions():
    """Nilpotency index L (2.1) from the graph equals the smallest L with w^L = 0."""
    sep, _, _ = _layered([5, 4, 3, 2])
    wd = sep.w.toarray()
    cond = sep.feedforward_conditions()
    assert cond == {"2.1": True, "layers": 4, "2.2": True, "2.3": True}
    assert np.any(np.linalg.matrix_power(wd, 3)) and not np.any(np.linalg.matrix_power(wd, 4))
    gen = NeuralSeptuple.from_matrix(wd, sep.bias, sep.input_index, sep.output_index)
    assert gen.feedforward_conditions() == cond
    # an incoming weight to an input neuron violates (2.2); an outgoing one from an output (2.3)
    bad = wd.copy()
    bad[0, 6] = 0.5
    c2 = NeuralSeptuple.from_matrix(bad, sep.bias, sep.input_index, sep.output_index)
    assert not c2.feedforward_conditions()["2.2"]
    bad = wd.copy()
    bad[6, sep.n - 1] = 0.5  # output -> hidden closes a cycle
    c3 = NeuralSeptuple.from_matrix(bad, sep.bias, sep.input_index, sep.output_index)
    cc = c3.feedforward_conditions()
    assert not cc["2.3"] and not cc["2.1"] and cc["layers"] is None


def test_nonconverging_fixed_point_raises():
    """A recurrent net whose dynamics (2.5) oscillates gets a ValueError naming max_steps."""
    w = np.zeros((4, 4))
    w[1, 0] = 1.0
    w[2, 1] = 1.0
    w[1, 2] = -3.0  # hidden 1 <-> 2 loop with gain 3: period-2 oscillation under tanh
    w[3, 2] = 1.0
    sep = NeuralSeptuple.from_matrix(w, np.zeros(4), [0], [3])
    with pytest.raises(ValueError, match="max_steps"):
        sep.fixed_point(np.array([[0.5]]), max_steps=500)


@pytest.mark.equations("P1 (2.9)")
def test_contracting_recurrent_net_converges():
    """A recurrent but contracting net reaches x = f(wx + b) (2.9)."""
    rng = np.random.default_rng(4)
    n = 12
    w = rng.normal(size=(n, n)) * 0.2
    w[:3] = 0.0  # inputs 0..2
    w[:, 9:] = 0.0  # outputs 9..11 have no outgoing weights
    b = rng.normal(size=n) * 0.1
    sep = NeuralSeptuple.from_matrix(sp.csr_matrix(w), b, [0, 1, 2], [9, 10, 11])
    xb = sep.fixed_point(rng.uniform(-1, 1, size=(3, 3)))
    assert np.allclose(np.tanh(xb @ w.T + b)[:, 3:], xb[:, 3:], atol=1e-11)


def test_bad_input_raises():
    good = np.zeros((3, 3))
    with pytest.raises(ValueError, match="square"):
        NeuralSeptuple.from_matrix(np.zeros((3, 4)), np.zeros(3), [0], [2])
    with pytest.raises(ValueError, match="b must"):
        NeuralSeptuple.from_matrix(good, np.zeros(4), [0], [2])
    nan = good.copy()
    nan[1, 0] = np.nan
    with pytest.raises(ValueError, match="w must be finite"):
        NeuralSeptuple.from_matrix(nan, np.zeros(3), [0], [2])
    with pytest.raises(ValueError, match="disjoint"):
        NeuralSeptuple.from_matrix(good, np.zeros(3), [0, 1], [1])
    with pytest.raises(ValueError, match="input_index"):
        NeuralSeptuple.from_matrix(good, np.zeros(3), [5], [1])
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        NeuralSeptuple.from_layers([np.ones((3, 2)), np.ones((3, 2))], [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match=r"weights\[0\] must be finite"):
        NeuralSeptuple.from_layers([np.full((3, 2), np.nan)], [np.zeros(2)])
    with pytest.raises(ValueError, match="activation"):
        NeuralSeptuple.from_layers([np.ones((3, 2))], [np.zeros(2)], activation="softsign")
    sep, _, _ = _layered([4, 3, 2])
    with pytest.raises(ValueError, match="x_in"):
        sep.fixed_point(np.zeros((2, 5)))


def test_layered_storage_never_dense():
    """A net with 10^5 inputs keeps layer blocks: no N x N (or sparse N x N) matrix is formed."""
    rng = np.random.default_rng(0)
    sizes = [100_000, 20, 10]
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * 0.003 for a, b in pairs]
    sep = NeuralSeptuple.from_layers(w, [np.zeros(20), np.zeros(10)])
    xb = sep.fixed_point(rng.uniform(0, 1, size=(2, 100_000)))
    assert xb.shape == (2, sep.n)
    assert sep._w is None
    assert np.array_equal(sep.incoming_index, np.arange(100_000, sep.n))
