"""Direction-sensitive checks of the pi / pi^T ensemble P2 (66)-(73) (issue 17).

The discrete wave equation x(t+1) + x(t-1) = x_{i+1} + x_{i-1} (71)-(73) is satisfied by a single
right-moving branch as well as by the ensemble, so it cannot tell pi^T from pi. These tests
check each branch on its own (x^- moves right by one neuron per step under pi, x^+ left under
pi^T), with weights against the transpose of the weight matrix, and the ensemble's initial
velocity against the d'Alembert solution written out here (a swapped or duplicated branch
reverses or loses it).
"""

import numpy as np
import pytest

from emergent.chains import (
    ChainEnsemble,
    PermutationChain,
    StringChain,
    StringState,
    continuum,
    permutation,
    solve,
)

N = 64


def _bumps():
    i = np.arange(N)
    xm = np.exp(-0.5 * ((i - 12) / 2.0) ** 2) * (1 + 0.3 * (i - 12) / 2.0)  # skewed
    xp = 0.7 * np.exp(-0.5 * ((i - 40) / 3.0) ** 2) - 0.2 * np.exp(-0.5 * ((i - 47) / 1.5) ** 2)
    return xm, xp


@pytest.mark.equations("P2 (66)", "P2 (68)", "P2 (69)", "P2 (70)")
def test_p2_eq68_70_each_branch_moves_its_own_way():
    """ChainEnsemble: after t steps x^- is x^-(0) shifted t neurons to the right (pi, (69)) and
    x^+ is x^+(0) shifted t to the left (pi^T, (70)); the average (68) is their mean; solve
    records the same. Replacing the pi^T branch by pi fails the second line."""
    xm, xp = _bumps()
    model = ChainEnsemble(PermutationChain(permutation.cycle_permutation(N)))
    for t in (1, 7, 23):
        out = model.apply(np.stack([xm, xp]), t)
        np.testing.assert_array_equal(out[0], np.roll(xm, t))
        np.testing.assert_array_equal(out[1], np.roll(xp, -t))
        np.testing.assert_allclose(model.average(out), 0.5 * (np.roll(xm, t) + np.roll(xp, -t)),
                                   rtol=0, atol=1e-15)
    res = solve(np.stack([xm, xp]), model, 23)
    final = res.final if res.final.shape == (N,) else model.average(res.final)
    np.testing.assert_allclose(final, 0.5 * (np.roll(xm, 23) + np.roll(xp, -23)), atol=1e-15)


@pytest.mark.equations("P2 (66)", "P2 (67)", "P2 (68)", "P2 (69)", "P2 (70)")
def test_p2_eq66_67_transposed_weights_are_the_matrix_transpose():
    """With noisy weights, one step of the x^+ branch is w^T x with w^T the transpose of the
    weight matrix (66)-(67) (numpy's transpose of the dense w), one step of x^- is w x; the
    function `ensemble` averages exactly these."""
    rng = np.random.default_rng(3)
    perm = rng.permutation(N)
    weights = 1 + 0.2 * rng.normal(size=N)
    w = permutation.permutation_matrix(perm, weights).toarray()
    xm, xp = _bumps()
    model = ChainEnsemble(PermutationChain(perm, weights=weights))
    out = model.apply(np.stack([xm, xp]), 1)
    np.testing.assert_allclose(out[0], w @ xm, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(out[1], w.T @ xp, rtol=1e-14, atol=1e-15)
    two = np.linalg.matrix_power(w, 2) @ xm, np.linalg.matrix_power(w.T, 2) @ xp
    np.testing.assert_allclose(permutation.ensemble(xm, xp, perm, 2, weights=weights),
                               0.5 * (two[0] + two[1]), rtol=1e-13, atol=1e-15)
    inv, w_t = permutation.transpose(perm, weights)
    np.testing.assert_allclose(permutation.permutation_matrix(inv, w_t).toarray(), w.T)


def _wave(u0, v0, tau):
    """d'Alembert on the circle, mode by mode: u_k cos(k tau) + v_k sin(k tau) / k (v_0 tau)."""
    n = u0.size
    k = np.fft.fftfreq(n, d=1.0 / n)
    uk, vk = np.fft.fft(u0), np.fft.fft(v0)
    safe = np.where(k == 0, 1.0, k)
    xk = uk * np.cos(k * tau) + np.where(k == 0, vk * tau, vk * np.sin(k * tau) / safe)
    return np.real(np.fft.ifft(xk))


@pytest.mark.equations("P2 (68)", "P2 (71)", "P2 (72)", "P2 (73)")
def test_p2_eq68_73_ensemble_carries_the_initial_velocity_with_its_sign():
    """Branches from (u0, v0) (continuum.dalembert_branches), evolved by the chain ensemble, give
    the wave equation's solution with x(0) = u0 AND dx/dtau(0) = +v0 (d'Alembert written out
    here) at every step; the same branches evolved both by pi (or swapped) give -v0 or a pure
    translation, which fails."""
    n = 128
    sig = continuum.sigma_grid(n)
    u0 = np.sin(2 * sig) + 0.5 * np.cos(5 * sig)
    v0 = 0.4 * np.cos(3 * sig) - 0.3 * np.sin(sig)
    xm, xp, drift = continuum.dalembert_branches(u0, v0)
    assert drift == pytest.approx(0.0, abs=1e-15)
    alpha = continuum.alpha_for(n)
    model = ChainEnsemble(PermutationChain(permutation.cycle_permutation(n)))
    for t in (1, 5, 17):
        x = model.average(model.apply(np.stack([xm, xp]), t))
        np.testing.assert_allclose(x, _wave(u0, v0, t / alpha), atol=1e-12)
        assert np.abs(x - _wave(u0, -v0, t / alpha)).max() > 1e-2
    x1 = model.average(model.apply(np.stack([xm, xp]), 1))
    xm1 = model.average(model.apply(np.stack([xp, xm]), 1))  # initial data swapped
    assert np.abs(x1 - xm1).max() > 1e-2


@pytest.mark.equations("P2 (66)", "P2 (68)", "P2 (69)", "P2 (70)", "P2 (73)")
def test_p2_eq69_70_string_branches_move_opposite_ways():
    """StringChain (strings, (60), (66), (69)-(70)) with zero drift: each component of x^- moves
    right and of x^+ left by one neuron per step; with a drift E the time coordinate of both
    grows by E / alpha per step (the bias), while x^(1) is unchanged by it."""
    xm, xp = _bumps()
    minus = np.stack([xm, 0.5 * xm[::-1]])
    plus = np.stack([xp, -xp[::-1]])
    chain = StringChain(N, np.zeros(2))
    m, p = chain.branches(minus, plus, 9)
    np.testing.assert_array_equal(m, np.roll(minus, 9, axis=-1))
    np.testing.assert_array_equal(p, np.roll(plus, -9, axis=-1))
    moving = StringChain(N, np.array([1.3, 0.0]))
    m, p = moving.branches(minus, plus, 9)
    np.testing.assert_allclose(m[0], np.roll(minus[0], 9) + 9 * 1.3 / moving.alpha, atol=1e-13)
    np.testing.assert_allclose(p[1], np.roll(plus[1], -9), atol=1e-15)
    state = StringState(minus.copy(), plus.copy())
    assert state.x.shape == (2, N)
