"""Tests of the boundary and bulk losses (P1 2.10-2.11, 3.1-3.4; P2 3-4)."""

import numpy as np
import pytest
from scipy.optimize import least_squares, minimize

from emergent.septuple.losses import (
    Potential,
    boundary_loss,
    boundary_loss_samples,
    bulk_hamiltonian,
    bulk_loss,
    clamped_minimisation,
)
from emergent.septuple.network import NeuralSeptuple


def _net(sizes=(8, 5, 4, 3), seed=0, scale=1.5):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.2 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b), w, b


def _data(sep, s=6, seed=1):
    rng = np.random.default_rng(seed)
    x_in = rng.uniform(0, 1, size=(s, sep.input_index.size))
    y = -0.8 + 1.6 * np.eye(sep.output_index.size)[rng.integers(0, sep.output_index.size, s)]
    return x_in, y


@pytest.mark.equations("P1 (2.11)")
def test_p1_eq2_11_boundary_loss_by_hand():
    """H_boundary = 1/2 |P_out x_bar - y|^2 (2.11) from an explicit MLP pass."""
    sep, w, b = _net()
    x_in, y = _data(sep)
    h = x_in
    for wk, bk in zip(w, b, strict=True):
        h = np.tanh(h @ wk + bk)
    expect = 0.5 * np.sum((h - y) ** 2, axis=1)
    assert np.allclose(boundary_loss_samples(sep, x_in, y), expect, rtol=1e-14)
    assert boundary_loss(sep, x_in, y) == pytest.approx(expect.mean(), rel=1e-14)


@pytest.mark.equations("P1 (3.4)")
def test_p1_eq3_4_bulk_loss_by_hand():
    """H (3.4) with m: explicit sum over non-input neurons plus -m/2 |x|^2 over all."""
    sep, _, _ = _net()
    x = np.random.default_rng(5).uniform(-1, 1, size=(3, sep.n))
    wd = sep.w.toarray()
    r = x - np.tanh(x @ wd.T + sep.bias)
    r[:, sep.input_index] = 0.0
    expect = 0.5 * np.sum(r * r, axis=1) - 0.5 * 0.3 * np.sum(x * x, axis=1)
    assert np.allclose(bulk_hamiltonian(sep, x, m=0.3), expect, rtol=1e-13)


@pytest.mark.equations("P1 (3.2)")
def test_p1_eq3_2_forward_output_gives_zero_bulk_loss():
    """If y_out is the net's own output, the fixed point (2.9) is the clamped minimum, H = 0."""
    sep, _, _ = _net()
    x_in, _ = _data(sep)
    xf = sep.fixed_point(x_in)
    xb, h = clamped_minimisation(sep, x_in, xf[:, sep.output_index])
    assert np.allclose(xb, xf, atol=1e-12)
    assert np.max(h) < 1e-24


@pytest.mark.equations("P1 (3.2)")
def test_p1_eq3_2_clamped_minimisation_vs_scipy_least_squares():
    """Batched minimisation (3.2) of (3.4), m = 0, against per-sample scipy least_squares."""
    sep, _, _ = _net(sizes=(10, 6, 5, 3))
    x_in, y = _data(sep, s=8)
    xb, h = clamped_minimisation(sep, x_in, y, tol=1e-12)
    hid = sep.hidden_index
    rows = np.setdiff1d(np.arange(sep.n), sep.input_index)
    for i in range(x_in.shape[0]):
        def res(v, i=i):
            x = xb[i].copy()
            x[hid] = v
            return (x - np.tanh(sep.preactivation(x)[0]))[rows]

        start = sep.fixed_point(x_in[i])[0, hid]
        sol = least_squares(res, start, xtol=1e-15, ftol=1e-15, gtol=1e-15)
        assert h[i] == pytest.approx(0.5 * np.sum(sol.fun**2), rel=1e-9, abs=1e-14)
    assert np.array_equal(xb[:, sep.output_index], y)
    assert np.all(h > 1e-4)  # a non-trivial problem: outputs clamped away from the forward pass


@pytest.mark.equations("P1 (3.2)", "P1 (3.3)")
@pytest.mark.parametrize("m", [0.1, 0.4])
def test_p1_eq3_3_tachyonic_and_user_potential_vs_bfgs(m):
    """(3.4) with mass m and a user potential V: a local minimum (gradient zero, BFGS started
    there finds nothing lower) and, for small m, the same minimum as BFGS from the same start."""
    sep, _, _ = _net(sizes=(6, 5, 4, 2), seed=3)
    x_in, y = _data(sep, s=4, seed=2)
    quartic = Potential(lambda x: 0.1 * x**4, lambda x: 0.4 * x**3, lambda x: 1.2 * x**2)
    xb, h = clamped_minimisation(sep, x_in, y, m=m, potential=quartic, tol=1e-11)
    hid = sep.hidden_index
    for i in range(x_in.shape[0]):
        def phi(v, i=i):
            x = xb[i].copy()
            x[hid] = v
            return bulk_hamiltonian(sep, x[None], m=m, potential=quartic)[0]

        assert phi(xb[i, hid]) == pytest.approx(h[i], rel=1e-13)
        eps = 1e-6
        v = xb[i, hid]
        grad = [(phi(v + eps * e) - phi(v - eps * e)) / (2 * eps) for e in np.eye(hid.size)]
        assert np.max(np.abs(grad)) < 1e-7
        rng = np.random.default_rng(i)
        near = minimize(phi, xb[i, hid] + 1e-3 * rng.normal(size=hid.size), method="BFGS",
                        options={"gtol": 1e-10})
        assert near.fun >= h[i] - 1e-10
        if m == 0.1:
            sol = minimize(phi, sep.fixed_point(x_in[i])[0, hid], method="BFGS",
                           options={"gtol": 1e-10})
            assert h[i] == pytest.approx(sol.fun, abs=1e-9)


def test_bulk_loss_is_mean_of_h():
    sep, _, _ = _net()
    x_in, y = _data(sep)
    _, h = clamped_minimisation(sep, x_in, y)
    assert bulk_loss(sep, x_in, y) == pytest.approx(h.mean(), rel=1e-10)
    # bulk loss is much smaller than the boundary loss for the same data (P1 §10, Fig. 2)
    assert bulk_loss(sep, x_in, y) < boundary_loss(sep, x_in, y)


def test_losses_bad_input():
    sep, _, _ = _net()
    x_in, y = _data(sep)
    with pytest.raises(ValueError, match="y_out"):
        boundary_loss(sep, x_in, y[:, :2])
    with pytest.raises(ValueError, match="x_in"):
        clamped_minimisation(sep, x_in[:, :3], y)
    with pytest.raises(ValueError, match="max_iter"):
        clamped_minimisation(sep, x_in, y, max_iter=1, tol=1e-14)
    with pytest.raises(ValueError, match="potential"):
        bulk_hamiltonian(sep, np.zeros((1, sep.n)), potential=lambda x: x)


def test_p1_eq3_2_general_matrix_net_matches_layered():
    """The same net given as an N x N sparse matrix (from_matrix) gives the same x_bar and H."""
    sep, _, _ = _net(sizes=(9, 6, 4, 3), seed=4)
    gen = NeuralSeptuple.from_matrix(sep.w, sep.bias, sep.input_index, sep.output_index)
    x_in, y = _data(sep, s=5, seed=6)
    xa, ha = clamped_minimisation(sep, x_in, y, m=0.2)
    xb, hb = clamped_minimisation(gen, x_in, y, m=0.2)
    assert np.allclose(xa, xb, atol=1e-9)
    assert np.allclose(ha, hb, rtol=1e-10)
    assert boundary_loss(gen, x_in, y) == pytest.approx(boundary_loss(sep, x_in, y), rel=1e-13)


@pytest.mark.parametrize("activation", ["tanh", "logistic"])
@pytest.mark.parametrize("m", [0.0, 0.3])
def test_p1_eq3_2_compiled_route_matches_numpy_route(activation, m):
    """The compiled per-sample Newton route (used for m-only potentials and the built-in
    activations) and the batched numpy route (taken for any user Potential, here the same
    tachyonic V of 3.3 passed as an object) reach the same clamped minimum (3.2) of (3.4),
    on a layered net and on a recurrent matrix net with hidden-hidden couplings."""
    from emergent.septuple.losses import tachyonic

    rng = np.random.default_rng(11)
    sizes = (12, 7, 5, 4)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * 1.5 / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.2 for n in sizes[1:]]
    layered = NeuralSeptuple.from_layers(w, b, activation=activation)
    wd = layered.w.toarray()
    hid = layered.hidden_index
    wd[np.ix_(hid, hid)] += 0.2 * rng.normal(size=(hid.size, hid.size))  # recurrent couplings
    recurrent = NeuralSeptuple.from_matrix(wd, layered.bias, layered.input_index,
                                           layered.output_index, activation=activation)
    for sep in (layered, recurrent):
        x_in, y = _data(sep, s=7, seed=12)
        if activation == "logistic":
            y = 0.5 + 0.5 * y
        xa, ha = clamped_minimisation(sep, x_in, y, m=m, tol=1e-11)
        xb, hb = clamped_minimisation(sep, x_in, y, potential=tachyonic(m), tol=1e-11)
        assert np.all(bulk_hamiltonian(sep, xa) > 1e-4)  # outputs clamped off the forward pass
        assert np.allclose(ha, hb, rtol=1e-9, atol=1e-13)
        assert np.allclose(xa, xb, atol=1e-6)


# --- the compiled route (emergent.kernels.loss_kernels) -----------------------------------------


def _kernel_cases():
    """The nets and boundary data the kernels' reference values were taken with (before the
    kernels moved to emergent.kernels)."""
    rng = np.random.default_rng(7)
    for act in ("tanh", "logistic", "linear"):
        w = [rng.normal(size=(12, 7)) / 3, rng.normal(size=(7, 5)) / 2, rng.normal(size=(5, 3))]
        b = [rng.normal(size=7) * .1, rng.normal(size=5) * .1, rng.normal(size=3) * .1]
        sep = NeuralSeptuple.from_layers(w, b, activation=act)
        x = rng.uniform(0, 1, (9, 12))
        y = rng.uniform(-.5, .5, (9, 3))
        yield act, sep, x, y


#: H(x_bar) of the first four samples, computed by the kernel when it lived in losses.py
KERNEL_REFERENCE = {
    ("tanh", 0.0): [0.12953115393933431, 0.10183189722622368, 0.08643684120132908,
                    0.03832682929535914],
    ("tanh", 0.3): [-1.028525275101619, -1.1459036098670503, -1.401990439182326,
                    -0.365534794496517],
    ("logistic", 0.0): [0.7645048657181145, 0.7640844209375903, 0.8363739044377072,
                        0.7479474701154117],
}


def test_p1_eq3_2_moved_newton_kernel_gives_the_previous_results():
    """P1 (3.2)-(3.4): the clamped minimum from emergent.kernels.loss_kernels equals what the
    kernel gave in emergent.septuple.losses (same code, moved; rtol 1e-12 for other libms)."""
    for act, sep, x, y in _kernel_cases():
        for m in (0.0, 0.3):
            _, h = clamped_minimisation(sep, x, y, m=m, tol=1e-8)
            if (act, m) in KERNEL_REFERENCE:
                np.testing.assert_allclose(h[:4], KERNEL_REFERENCE[act, m], rtol=1e-12, atol=0)


def test_loss_kernel_activation_values_match_the_activations():
    """The compiled route branches on the one vocabulary's codes (Activation.code)."""
    from emergent.kernels.loss_kernels import CODES, activation_values
    from emergent.septuple.activations import ACTIVATIONS

    ys = np.array([-3.0, -0.7, 0.0, 0.4, 2.5])
    assert sorted(CODES) == sorted(f.code for f in ACTIVATIONS.values())
    for f in ACTIVATIONS.values():
        got = np.array([activation_values(f.code, float(v)) for v in ys])
        np.testing.assert_allclose(got[:, 0], f.f(ys), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got[:, 1], f.df(ys), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got[:, 2], f.d2f(ys), rtol=1e-10, atol=1e-15)


def test_loss_kernel_lu_solve_is_numpy_solve():
    from emergent.kernels.loss_kernels import lu_solve

    rng = np.random.default_rng(2)
    a = rng.normal(size=(6, 6))
    hess = a + a.T  # indefinite
    g = rng.normal(size=6)
    work, step, piv = np.empty((6, 6)), np.empty(6), np.empty(6, dtype=np.int64)
    assert lu_solve(np.tril(hess), 0.1, g, work, step, piv)
    np.testing.assert_allclose(step, -np.linalg.solve(hess + 0.1 * np.eye(6), g), rtol=1e-10)
