"""The chains' fast paths against their reference paths (P2 (1), (49)-(50), (57)-(61), (68)).

ChainStepper keeps the state in cycle order between calls; these tests hold it to the
one-call kernels bit for bit, to NumPy's tanh within the bound of emergent.kernels.fastmath,
and to no allocation of size N per call.
"""

import tracemalloc

import numpy as np
import pytest

from emergent.chains.permutation import (
    ChainEnsemble,
    ChainStepper,
    PermutationChain,
    noisy_weights,
    permutation_from_cycles,
    shift_solution,
)
from emergent.evolution import Recorder, evolve
from emergent.kernels.chain_kernels import LINEAR, TANH, chain_steps_serial
from emergent.kernels.fastmath import TANH_ABS_ERROR


def _chain(n, activation, rng, cycles=(1,), method="tiled", shuffle=True):
    lengths = np.diff(np.round(np.linspace(0, n, len(cycles) + 1)).astype(int))
    perm = permutation_from_cycles(lengths, rng if shuffle else None)
    return PermutationChain(perm, noisy_weights(n, 0.05, rng), 0.1 * rng.standard_normal(n),
                            activation, method)


@pytest.mark.parametrize("activation", ["linear", "tanh"])
@pytest.mark.parametrize("cycles", [(1,), (1, 1, 1), tuple(range(40))])
@pytest.mark.parametrize("shuffle", [True, False])
def test_stepper_in_cycle_order_is_bit_identical_to_one_call(activation, cycles, shuffle):
    """Many ChainStepper calls of 16..37 steps (state resident in cycle order, reused output
    arrays; the natural order itself when the cycles are not shuffled) give the bits of one
    call of the per-step reference kernel (serial, natural order)."""
    rng = np.random.default_rng(3)
    net = _chain(3001, activation, rng, cycles, shuffle=shuffle)
    assert net._cycles.identity == (not shuffle)
    x0 = rng.uniform(-0.9, 0.9, (3, 3001))
    times = np.cumsum([0, 16, 37, 16, 20, 64])
    stepper = ChainStepper(net)
    got = evolve(stepper, x0.copy(), times)
    code = TANH if activation == "tanh" else LINEAR
    ref = chain_steps_serial(x0, net.perm, net.weights, net.bias, int(times[-1]), code)
    np.testing.assert_array_equal(got, ref)
    # a state from elsewhere (a checkpoint) is reordered afresh: same bits again
    again = stepper.advance(ref.copy(), 0.0, 16.0)
    np.testing.assert_array_equal(again, chain_steps_serial(ref, net.perm, net.weights,
                                                            net.bias, 16, code))


def test_ensemble_stepper_bit_identical_and_exact_average():
    """The pi / pi^T ensemble (68) through the resident stepper equals ChainEnsemble.apply,
    and for the linear pure permutation its average is the exact shift of both branches."""
    rng = np.random.default_rng(4)
    n = 2000
    perm = permutation_from_cycles([700, 1300], rng)
    ens = ChainEnsemble(PermutationChain(perm, method="tiled"))
    x0 = rng.standard_normal((2, 2, n))
    got = evolve(ChainStepper(ens), x0.copy(), [0, 17, 40, 100])
    np.testing.assert_array_equal(got, ens.apply(x0, 100))
    exact = 0.5 * (shift_solution(x0[0], 100, perm=perm)
                   + shift_solution(x0[1], 100, perm=ens.transposed.perm))
    np.testing.assert_array_equal(ens.exact(x0, 100), exact)
    np.testing.assert_array_equal(ens.average(got), exact)


def test_tanh_chain_within_stated_bound_of_numpy():
    """The tanh chain (fastmath tanh, ~1 ulp) stays within 100 steps x TANH_ABS_ERROR of the
    same recursion with NumPy's tanh (|w| <= ~1 keeps the error from growing)."""
    rng = np.random.default_rng(5)
    net = _chain(5000, "tanh", rng, (2, 3))
    x = rng.uniform(-2, 2, (2, 5000))
    ref = x.copy()
    for _ in range(100):
        ref = np.tanh(net.weights * ref[:, net.perm] + net.bias)
    got = net.apply(x, 100)
    assert np.abs(got - ref).max() <= 100 * TANH_ABS_ERROR


def test_exact_and_shift_deviation_agree_with_shift_solution():
    """PermutationChain.exact (cached cycles, no temporaries) is shift_solution (61) bit for
    bit; shift_deviation is max |x - exact|."""
    rng = np.random.default_rng(6)
    perm = permutation_from_cycles([1, 5, 200, 9000], rng)
    net = PermutationChain(perm)
    x0 = rng.standard_normal((3, perm.size))
    x = rng.standard_normal((3, perm.size))
    for t in (0, 1, 7, 199, 200, 12345):
        ex = net.exact(x0, t)
        np.testing.assert_array_equal(ex, shift_solution(x0, t, perm=perm))
        dev, sq = net.shift_deviation(x, x0, t)
        assert dev == np.abs(x - ex).max()
        np.testing.assert_allclose(sq, np.sum(x**2), rtol=1e-13)
        assert net.shift_deviation(ex, x0, t)[0] == 0.0
    bad = x.copy()
    bad[1, 17] = np.nan
    assert np.isnan(net.shift_deviation(bad, x0, 3)[0])
    # the natural cycle order (unshuffled cycles) reads no order array: same answers
    plain = PermutationChain(permutation_from_cycles([3, 500, 7000]))
    assert plain._cycles.identity
    y0 = rng.standard_normal((2, 7503))
    y = rng.standard_normal((2, 7503))
    for t in (0, 4, 501, 7777):
        dev, sq = plain.shift_deviation(y, y0, t)
        assert dev == np.abs(y - shift_solution(y0, t, perm=plain.perm)).max()
        np.testing.assert_allclose(sq, np.sum(y**2), rtol=1e-13)


def test_apply_out_buffer_and_validation():
    """apply(..., out=) writes the one-off result into `out` (either kernel), bit-identical to
    the returned array; an `out` of the wrong shape or aliasing x is refused."""
    rng = np.random.default_rng(7)
    for method in ("step", "tiled"):
        net = _chain(4000, "tanh", rng, (1, 2), method)
        x = rng.standard_normal((2, 4000))
        out = np.empty_like(x)
        assert net.apply(x, 33, out=out) is out
        np.testing.assert_array_equal(out, net.apply(x, 33))
        with pytest.raises(ValueError, match="out must be"):
            net.apply(x, 3, out=x)
        with pytest.raises(ValueError, match="out must be"):
            net.apply(x, 3, out=np.empty((3, 4000)))


def test_stepper_allocates_no_array_of_size_n_per_call():
    """After the first call, ChainStepper.advance with the blocked kernel allocates (NumPy,
    and Numba, traced) less than a tenth of one state per call: cycle order, the second buffer
    and the output arrays are reused (only the kernel's tile-sized scratch, 4 (TILE + DEPTH)
    doubles per thread, is allocated)."""
    rng = np.random.default_rng(8)
    n = 1 << 20
    net = _chain(n, "tanh", rng, (1,), "auto")
    assert net.kernel(16) == "tiled"
    stepper = ChainStepper(net)
    state = stepper.advance(rng.standard_normal((2, n)), 0.0, 16.0)
    tracemalloc.start()
    try:
        for k in range(1, 4):
            state = stepper.advance(state, 16.0 * k, 16.0 * (k + 1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < state.nbytes / 10


def test_solve_records_with_resident_state():
    """The run loop's recorder sees the natural-order state at every recorded step (the
    stepper reuses its output arrays; Recorder copies them)."""
    rng = np.random.default_rng(9)
    n = 1 << 16
    net = PermutationChain(permutation_from_cycles([n // 2, n // 2], rng))
    x0 = rng.standard_normal((2, n))
    rec = Recorder(lambda f: {}, keep_states=True)
    evolve(ChainStepper(net), x0, [0, 16, 32, 48], [rec])
    res = rec.result()
    for k, t in enumerate((0, 16, 32, 48)):
        np.testing.assert_array_equal(res.states[k], shift_solution(x0, t, perm=net.perm))
