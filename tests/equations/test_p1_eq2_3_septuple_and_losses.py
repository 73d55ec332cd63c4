"""P1 §2-3: the neural septuple, the boundary and the bulk loss.

Equation-coverage tests: each test names the equation it checks and checks it through project
code against an independent route."""

import numpy as np
import pytest

from emergent.septuple.activations import ACTIVATIONS
from emergent.septuple.losses import boundary_loss_samples, bulk_hamiltonian
from emergent.septuple.network import NeuralSeptuple


def _net(sizes, seed=0, scale=1.5, activation="tanh"):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.3 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b, activation), w, b, rng


def _mlp(x_in, w, b, f=np.tanh):
    """Plain numpy forward pass (Keras layout), an independent route to the fixed point."""
    xs = [np.atleast_2d(x_in)]
    for wk, bk in zip(w, b, strict=True):
        xs.append(f(xs[-1] @ wk + bk))
    return np.concatenate(xs, axis=1)



@pytest.mark.equations("P1 (2.6)")
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_p1_eq2_6_activation_acts_component_wise(name):
    """P1 (2.6), P2 (2): f_i(y) = f(y_i): the Jacobian of f on a vector is diagonal, equal to
    the scalar f' (central differences on the vector map), and f on a vector equals the scalar
    map applied entry by entry."""
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    y = rng.normal(size=7) + 0.05  # relu: keep away from the kink
    y[np.abs(y) < 0.1] += 0.3
    h = 1e-6
    jac = np.stack([(act.f(y + h * e) - act.f(y - h * e)) / (2 * h) for e in np.eye(7)], 1)
    np.testing.assert_allclose(jac, np.diag(act.df(y)), atol=1e-8)
    np.testing.assert_array_equal(act.f(y), np.array([act.f(np.array([v]))[0] for v in y]))
    d2 = (act.df(y + h) - act.df(y - h)) / (2 * h)
    np.testing.assert_allclose(d2, act.d2f(y), atol=1e-6)
    big = act.f(np.linspace(-30, 30, 601))
    assert np.all(big >= act.lower) and np.all(big <= act.upper)


@pytest.mark.equations("P1 (2.10)")
def test_p1_eq2_10_boundary_loss_with_projectors():
    """P1 (2.10): H_boundary = (P_out x_bar - P_out x_d)^T (P_out x_bar - P_out x_d) with the
    projector P_out as an explicit N x N matrix and x_bar from a plain numpy forward pass;
    the code implements (2.11), i.e. (2.10) times 1/2."""
    sizes = [5, 4, 3]
    sep, w, b, rng = _net(sizes, seed=3)
    x_in = rng.uniform(-1, 1, size=(6, 5))
    y = rng.uniform(-1, 1, size=(6, 3))
    xbar = _mlp(x_in, w, b)
    n = sep.n
    p_out = np.zeros((n, n))
    p_out[sep.output_index, sep.output_index] = 1.0
    x_d = np.zeros((6, n))
    x_d[:, sep.output_index] = y
    d = (xbar - x_d) @ p_out.T
    h210 = np.einsum("si,si->s", d, d)
    np.testing.assert_allclose(2 * boundary_loss_samples(sep, x_in, y), h210, rtol=1e-12)


@pytest.mark.equations("P1 (3.1)")
def test_p1_eq3_1_bulk_loss_vanishes_at_fixed_point():
    """P1 (3.1): H(x_bar) = 1/2 |x_bar - f(w x_bar + b)|^2 is zero at the fixed point (2.9) and
    equals the by-hand sum for a perturbed state (bulk_hamiltonian with input_residual)."""
    sep, w, b, rng = _net([4, 3, 2], seed=14)
    x_in = rng.uniform(-0.9, 0.9, size=(3, 4))
    sep_in = NeuralSeptuple.from_layers(w, b, input_bias=np.arctanh(x_in[0]))
    xbar = sep_in.fixed_point(x_in[:1])
    assert bulk_hamiltonian(sep_in, xbar, input_residual=True)[0] < 1e-25
    x = xbar + rng.normal(size=xbar.shape) * 0.1
    wd = sep_in.w.toarray()
    r = x[0] - np.tanh(wd @ x[0] + sep_in.bias)
    assert bulk_hamiltonian(sep_in, x, input_residual=True)[0] == pytest.approx(0.5 * r @ r)
