"""P1 (2.4)-(2.11), P2 (1): the network dynamics and the boundary loss through project code,
each against numpy written out here (issue 17: tests that a wrong equation would fail).

A general (not layered) septuple with a non-zero bias on every neuron, including the inputs,
so the bias, the clamping of the inputs (2.7) and the input-bias condition (2.8) all matter.
"""

import numpy as np
import pytest

from emergent.learning import numpy_backend as nb
from emergent.septuple.losses import boundary_loss
from emergent.septuple.network import NeuralSeptuple

N, IN, OUT = 7, np.array([0, 1]), np.array([5, 6])


def _net(seed=0):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(N, N)) * 0.6
    w[:, 5:] = 0.0  # outputs send nothing (2.3)
    w[IN, :] = 0.0  # inputs receive nothing (2.2)
    b = rng.normal(size=N) * 0.4
    return NeuralSeptuple.from_matrix(w, b, IN, OUT, activation="tanh"), w, b, rng


@pytest.mark.equations("P1 (2.4)")
def test_p1_eq2_4_initial_state_is_the_projected_boundary():
    """x(0) = P_in x_boundary: the inputs carry x_in, every other neuron 0."""
    sep, _, _, rng = _net()
    x_in = rng.normal(size=(3, 2))
    x0 = sep.initial_state(x_in)
    expect = np.zeros((3, N))
    expect[:, IN] = x_in
    np.testing.assert_array_equal(x0, expect)


@pytest.mark.equations("P1 (2.5)", "P2 (1)")
def test_p1_eq2_5_one_step_is_f_of_wx_plus_b_for_a_general_net():
    """x(t+1) = f(w x(t) + b) for a general (not layered) septuple, without clamping."""
    sep, w, b, rng = _net(1)
    x = rng.normal(size=(4, N))
    np.testing.assert_allclose(sep.forward(x, 1, clamp_inputs=False), np.tanh(x @ w.T + b),
                               rtol=1e-14, atol=1e-15)
    two = np.tanh(np.tanh(x @ w.T + b) @ w.T + b)
    np.testing.assert_allclose(sep.forward(x, 2, clamp_inputs=False), two, rtol=1e-13,
                               atol=1e-15)


@pytest.mark.equations("P1 (2.7)", "P1 (2.8)")
def test_p1_eq2_7_2_8_inputs_stay_clamped_and_the_input_bias_condition():
    """(2.7): P_in x(t) = P_in x(0) under the clamped dynamics although f(P_in b) != x_in; the
    unclamped step moves the inputs to f(P_in b) (w has no incoming edges to them), so (2.8),
    f(P_in b) = P_in x_boundary, is exactly what keeps them without clamping."""
    sep, w, b, rng = _net(2)
    x_in = rng.normal(size=(3, 2))
    x0 = sep.initial_state(x_in)
    for t in (1, 3):
        np.testing.assert_array_equal(sep.forward(x0, t)[:, IN], x_in)
    free = sep.forward(x0, 1, clamp_inputs=False)
    np.testing.assert_allclose(free[:, IN], np.tanh(np.broadcast_to(b[IN], (3, 2))),
                               rtol=1e-15)
    assert np.abs(free[:, IN] - x_in).max() > 1e-2
    ok = sep.input_bias_residual(np.tanh(b[IN])[None, :])
    assert ok == pytest.approx(0.0, abs=1e-15)
    assert sep.input_bias_residual(x_in).min() > 1e-3


@pytest.mark.equations("P1 (2.11)", "P1 (2.10)")
def test_p1_eq2_11_training_loss_equals_the_septuple_boundary_loss():
    """The training backend's loss (numpy_backend.boundary_loss_batch) and the septuple's
    boundary loss are both 1/2 sum_out (x_out - y)^2 averaged over samples (2.10)-(2.11),
    against numpy written out here."""
    rng = np.random.default_rng(4)
    sizes = [3, 4, 2]
    ws = [rng.normal(size=(a, c)) * 0.7 for a, c in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [rng.normal(size=c) * 0.3 for c in sizes[1:]]
    x = rng.normal(size=(5, 3))
    y = rng.normal(size=(5, 2))
    out = np.tanh(np.tanh(x @ ws[0] + bs[0]) @ ws[1] + bs[1])
    hand = 0.5 * np.mean(np.sum((out - y) ** 2, axis=1))
    assert nb.boundary_loss_batch(ws, bs, x, y) == pytest.approx(hand, rel=1e-12)
    sep = NeuralSeptuple.from_layers(ws, bs, activation="tanh")
    assert boundary_loss(sep, x, y) == pytest.approx(hand, rel=1e-12)
