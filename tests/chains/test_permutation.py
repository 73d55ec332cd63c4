"""Permutation-weight chains and their kernels (P2 eq 49-61, 66)."""

import numpy as np
import pytest

from emergent.chains.permutation import (
    cycle_permutation,
    evolve,
    shift_solution,
    validate_permutation,
)
from emergent.kernels.chain_kernels import (
    LINEAR,
    TANH,
    chain_steps,
    chain_steps_serial,
    chain_steps_shifted,
    cycle_order,
    cycle_steps_tiled,
)


def _tiled(x, perm, w, b, steps, act, tile=64, depth=16):
    order, starts = cycle_order(perm)
    y = cycle_steps_tiled(np.ascontiguousarray(x[:, order]), starts, w[order], b[order],
                          steps, act, tile, depth)
    out = np.empty_like(y)
    out[:, order] = y
    return out


@pytest.mark.equations("P2 (57)", "P2 (60)")
def test_p2_eq57_60_exact_shift_solution():
    """(57), (60)-(61): the linear single-cycle chain is the exact shift x_i(t) = x_{i-t}(0),
    for every subsystem, forwards with pi and backwards with pi^T."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 101))
    for shift in (1, -1):
        perm = cycle_permutation(101, shift)
        for t in (0, 1, 50, 101, 333):
            np.testing.assert_array_equal(evolve(x0, perm, t), shift_solution(x0, t, shift))


@pytest.mark.equations("P2 (66)")
def test_p2_eq66_pi_transpose_inverts_pi():
    """(66): pi^T pi = I: evolving with pi then with pi^T for t steps returns the initial state."""
    rng = np.random.default_rng(1)
    perm = rng.permutation(200)
    inv = np.argsort(perm)
    x0 = rng.standard_normal((3, 200))
    np.testing.assert_array_equal(evolve(evolve(x0, perm, 37), inv, 37), x0)


def test_cycle_order_decomposes_permutation():
    """order[q] reads from order[q - 1] inside each cycle; cycle lengths sum to N."""
    rng = np.random.default_rng(2)
    perm = rng.permutation(500).astype(np.int64)
    order, starts = cycle_order(perm)
    assert sorted(order) == list(range(500)) and starts[0] == 0 and starts[-1] == 500
    for c in range(starts.size - 1):
        seg = order[starts[c]:starts[c + 1]]
        np.testing.assert_array_equal(perm[seg], np.roll(seg, 1))


@pytest.mark.parametrize("activation", [LINEAR, TANH])
@pytest.mark.parametrize("steps", [1, 15, 16, 17, 100])
def test_tiled_kernel_equals_step_kernel(activation, steps):
    """Temporal blocking changes nothing: bitwise equal to the per-step kernel for a permutation
    with many cycles (short ones held whole, long ones tiled), noisy weights and a bias."""
    rng = np.random.default_rng(3)
    n = 700
    perm = validate_permutation(np.concatenate([
        (np.arange(10) + 3) % 10,  # one cycle of 10 (shorter than a tile)
        10 + rng.permutation(290),  # random cycles
        300 + (np.arange(400) - 1) % 400,  # a long cycle, tiled
    ]))
    x = rng.standard_normal((3, n))
    w = 1 + 0.1 * rng.standard_normal(n)
    b = 0.05 * rng.standard_normal(n)
    ref = chain_steps_serial(x, perm, w, b, steps, activation)
    np.testing.assert_array_equal(_tiled(x, perm, w, b, steps, activation), ref)
    if steps <= 16:  # the parallel per-step kernel (slow to launch on a loaded machine)
        np.testing.assert_array_equal(chain_steps(x, perm, w, b, steps, activation), ref)


def test_shifted_kernel_adds_per_subsystem_offset():
    """chain_steps_shifted with offsets c_mu = drift of x^(mu): linear x_i(t) = x_{i-t}(0) + c t."""
    n = 50
    perm = cycle_permutation(n)
    x = np.random.default_rng(4).standard_normal((2, n))
    c = np.array([0.25, -1.0])
    out = chain_steps_shifted(x, perm, np.ones(n), np.zeros(n), c, 7, LINEAR)
    np.testing.assert_allclose(out, np.roll(x, 7, axis=1) + 7 * c[:, None], atol=1e-14)


def test_p2_eq59_not_a_permutation_is_refused():
    with pytest.raises(ValueError, match="perm"):
        validate_permutation(np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="perm"):
        evolve(np.zeros(3), np.array([0, 1, 3]), 1)
    with pytest.raises(ValueError, match="activation"):
        evolve(np.zeros(3), np.array([1, 2, 0]), 1, activation="relu")


def test_p2_eq59_several_cycles_and_relabelling():
    """(59)-(60) with several cycles: the cycle lengths are as requested, with or without a random
    relabelling, and the exact solution shifts every cycle by t (evolve agrees bitwise)."""
    from emergent.chains.permutation import cycle_lengths, permutation_from_cycles

    rng = np.random.default_rng(5)
    lengths = [7, 1, 130, 40]
    for r in (None, rng):
        perm = permutation_from_cycles(lengths, r)
        assert sorted(cycle_lengths(perm)) == sorted(lengths)
        x0 = rng.standard_normal((2, perm.size))
        for t in (3, 130, 911):
            np.testing.assert_array_equal(evolve(x0, perm, t),
                                          shift_solution(x0, t, perm=perm))
    with pytest.raises(ValueError, match="lengths"):
        permutation_from_cycles([3, 0])


@pytest.mark.equations("P2 (66)")
def test_p2_eq66_67_transpose_with_weights():
    """(66)-(67): transpose gives pi^T with the weights of w^T, checked against the dense matrix."""
    from emergent.chains.permutation import transpose

    rng = np.random.default_rng(6)
    perm = rng.permutation(30)
    w = 1 + 0.3 * rng.standard_normal(30)
    dense = np.zeros((30, 30))
    dense[np.arange(30), perm] = w
    inv, w_t = transpose(perm, w)
    x = rng.standard_normal(30)
    np.testing.assert_allclose(evolve(x, inv, 1, weights=w_t), dense.T @ x, atol=1e-14)


@pytest.mark.equations("P2 (73)")
def test_p2_eq68_73_ensemble_solves_discrete_wave_equation():
    """(68)-(73): the pi / pi^T average obeys x(t+1) + x(t-1) = x_{i+1}(t) + x_{i-1}(t) exactly,
    the discrete wave equation at Courant number 1, for arbitrary branch data."""
    from emergent.chains.permutation import ensemble

    rng = np.random.default_rng(7)
    n = 64
    perm = cycle_permutation(n)
    xm, xp = rng.standard_normal((2, 3, n))
    x = [ensemble(xm, xp, perm, t) for t in (9, 10, 11)]
    np.testing.assert_allclose(x[2] + x[0], np.roll(x[1], 1, -1) + np.roll(x[1], -1, -1),
                               atol=1e-12)


@pytest.mark.parametrize("method", ["step", "tiled"])
def test_evolve_methods_agree_with_tanh_noise_and_bias(method):
    """method="step" and method="tiled" give the same bits for any weights, bias and tanh."""
    from emergent.chains.permutation import noisy_weights, permutation_from_cycles

    rng = np.random.default_rng(8)
    perm = permutation_from_cycles([300, 5000, 12], rng)
    w = noisy_weights(perm.size, 0.2, rng)
    b = 0.1 * rng.standard_normal(perm.size)
    x = rng.standard_normal((2, perm.size))
    ref = chain_steps_serial(x, perm, w, b, 150, TANH)
    np.testing.assert_array_equal(
        evolve(x, perm, 150, weights=w, bias=b, activation="tanh", method=method), ref)


def test_p2_eq50_subsystems_and_method_validation():
    from emergent.chains.permutation import validate_subsystems

    assert validate_subsystems(np.zeros((4, 8))) == 3
    with pytest.raises(ValueError, match="D \\(subsystems\\)"):
        validate_subsystems(np.zeros((1, 8)))
    with pytest.raises(ValueError, match="method"):
        evolve(np.zeros(4), cycle_permutation(4), 1, method="gpu")


def test_chains_simulation_several_cycles_both_directions(tmp_path):
    """`emergent run chains` with 3 shuffled cycles and the pi/pi^T ensemble: exact solution,
    and the measured order of convergence of (61) is 1."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "c.h5"
    assert main(["run", "chains", "-o", str(out), "--quiet", "--set", "neurons=300",
                 "--set", "steps=40", "--set", "cycles=3", "--set", "shuffle=true",
                 "--set", "direction=both", "--set", "method=tiled"]) == 0
    data = read_run(out)
    checks = get("chains").checks(data)
    assert checks and all(c.agrees for c in checks)
    assert data.results["max_shift_error"] == 0.0
    one = tmp_path / "one.h5"
    assert main(["run", "chains", "-o", str(one), "--quiet", "--set", "neurons=256",
                 "--set", "steps=16"]) == 0
    assert abs(read_run(one).results["continuum_order"] - 1) < 0.05
    assert main(["run", "chains", "-o", str(tmp_path / "bad.h5"), "--quiet",
                 "--set", "neurons=4", "--set", "cycles=5"]) == 2


@pytest.mark.equations("P2 (57)")
def test_p2_eq61_exact_shift_solution_through_solve():
    """(57), (60)-(61) through the solver: every recorded state of solve(...) for the linear
    single cycle is the exact shift x_i(t) = x_{i-t}(0), and the norm (59) is conserved."""
    from emergent.chains import PermutationChain, solve

    rng = np.random.default_rng(10)
    x0 = rng.standard_normal((3, 97))
    res = solve(x0, PermutationChain(cycle_permutation(97)), 300, saves=7)
    assert res.t.tolist() == [0, 50, 100, 150, 200, 250, 300]
    assert res.states.shape == (7, 3, 97) and res.final is not None
    for t, x in zip(res.t, res.states, strict=True):
        np.testing.assert_array_equal(x, shift_solution(x0, int(t)))
    np.testing.assert_allclose(res.series["norm"], np.sum(x0**2) / 97, rtol=1e-14)


@pytest.mark.parametrize("method", ["step", "tiled"])
def test_solve_equals_old_stepping_bit_for_bit(method):
    """solve(...) = evolve(...) recorded interval by interval, for noisy weights, a bias, tanh,
    several shuffled cycles, both kernels; the ensemble (68) equals ensemble(...)."""
    from emergent.chains.permutation import (
        ChainEnsemble,
        PermutationChain,
        ensemble,
        noisy_weights,
        permutation_from_cycles,
        solve,
    )

    rng = np.random.default_rng(11)
    perm = permutation_from_cycles([300, 41, 9], rng)
    w = noisy_weights(perm.size, 0.1, rng)
    b = 0.05 * rng.standard_normal(perm.size)
    x0 = rng.standard_normal((2, perm.size))
    model = PermutationChain(perm, w, b, "tanh", method)
    res = solve(x0, model, 40, saves=[0, 3, 17, 40])
    x = x0
    for k, (t0, t1) in enumerate([(0, 3), (3, 17), (17, 40)]):
        x = evolve(x, perm, t1 - t0, bias=b, weights=w, activation="tanh", method=method)
        np.testing.assert_array_equal(res.states[k + 1], x)
    np.testing.assert_array_equal(res.final, x)
    both = solve(np.stack([x0, -x0]), ChainEnsemble(model), 25, keep_states=False)
    assert both.states is None
    np.testing.assert_array_equal(
        ChainEnsemble.average(both.final),
        ensemble(x0, -x0, perm, 25, bias=b, weights=w, activation="tanh", method=method))


def test_chain_stepper_resume_through_save_load_is_bit_identical():
    """Checkpoint/resume: a run continued from a saved state equals the uninterrupted run."""
    from emergent.chains.permutation import ChainEnsemble, ChainStepper, PermutationChain
    from emergent.evolution import evolve as run_loop

    rng = np.random.default_rng(12)
    model = ChainEnsemble(PermutationChain(rng.permutation(200), 1 + 0.1 * rng.random(200),
                                           activation="tanh"))
    stepper = ChainStepper(model)
    x0 = rng.standard_normal((2, 3, 200))
    times = [0, 5, 9, 20]
    ref = run_loop(stepper, x0, times)
    mid = run_loop(stepper, x0, times[:3])
    np.testing.assert_array_equal(run_loop(stepper, stepper.load(stepper.save(mid)), times,
                                           start=2), ref)
    with pytest.raises(ValueError, match="whole steps"):
        stepper.advance(x0, 0.0, 0.5)


def test_solve_and_model_validation():
    from emergent.chains.permutation import ChainEnsemble, PermutationChain, solve

    model = PermutationChain(cycle_permutation(8))
    with pytest.raises(ValueError, match="saves"):
        solve(np.zeros(8), model, 4, saves=1)
    with pytest.raises(ValueError, match="saves"):
        solve(np.zeros(8), model, 4, saves=[1, 4])
    with pytest.raises(ValueError, match="t_final"):
        solve(np.zeros(8), model, 0)
    with pytest.raises(ValueError, match="branches"):
        solve(np.zeros((3, 8)), ChainEnsemble(model), 4)
    with pytest.raises(ValueError, match="method"):
        PermutationChain(cycle_permutation(8), method="gpu")
    with pytest.raises(ValueError, match="perm"):
        PermutationChain(np.array([0, 0, 1]))


def test_one_activation_vocabulary():
    """The chain kernels' codes are those of emergent.septuple.activations; the chains accept
    exactly the activations with a chain kernel and name the allowed values when refusing."""
    from emergent.chains.permutation import CHAIN_ACTIVATIONS, PermutationChain
    from emergent.kernels import chain_kernels
    from emergent.septuple.activations import ACTIVATIONS, activation_code

    assert ACTIVATIONS["linear"].code == chain_kernels.LINEAR
    assert ACTIVATIONS["tanh"].code == chain_kernels.TANH
    assert len({a.code for a in ACTIVATIONS.values()}) == len(ACTIVATIONS)
    assert not hasattr(chain_kernels, "ACTIVATIONS")
    assert activation_code("tanh", CHAIN_ACTIVATIONS) == chain_kernels.TANH
    assert activation_code(ACTIVATIONS["relu"]) == ACTIVATIONS["relu"].code
    for name in ("relu", "logistic", "nope", 3):
        with pytest.raises(ValueError, match=r"activation must be one of linear, tanh, got"):
            PermutationChain(cycle_permutation(4), activation=name)
    with pytest.raises(ValueError, match="f must be one of"):
        activation_code("nope", parameter="f")
    from emergent.runs.registry import params_of
    from emergent.runs.simulations.chains import ChainsParams
    from emergent.runs.simulations.strings import StringsParams

    allowed = tuple(a.name for a in ACTIVATIONS.values() if a.code in CHAIN_ACTIVATIONS)
    for cls in (ChainsParams, StringsParams):
        act = next(p for p in params_of(cls) if p.name == "activation")
        assert set(act.choices) == set(allowed)
