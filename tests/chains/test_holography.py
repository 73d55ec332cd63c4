"""Holographic boundary map of a bulk of chains (P2 eq 97-100)."""


import numpy as np
import pytest
import scipy.sparse as sp

from emergent.chains.holography import (
    boundary_bias,
    boundary_state,
    boundary_weights,
    bulk_chains,
    chain_lengths,
    path_sum,
)
from emergent.chains.permutation import evolve
from tests._resume import interrupted_then_resumed


@pytest.mark.equations("P2 (100)")
def test_p2_eq100_exact_lengths_for_disjoint_chains():
    """(99)-(100): for disjoint chains d(i, j) = log_eps w_d_ij - 1 recovers the number of bulk
    neurons of the chain j -> i exactly; unconnected pairs give inf."""
    rng = np.random.default_rng(4)
    lengths = rng.integers(1, 60, 25)
    bc = bulk_chains(lengths)
    for eps in (0.3, 0.9):
        d = chain_lengths(boundary_weights(bc.w, bc.n_boundary, eps, block=7), eps)
        exp = bc.expected_lengths()
        fin = np.isfinite(exp)
        np.testing.assert_allclose(d[fin], exp[fin], atol=1e-9)
        assert np.isinf(d[~fin]).all()


@pytest.mark.equations("P2 (99)")
def test_p2_eq99_sparse_solve_equals_path_sum():
    """(99) by sparse LU agrees with the Neumann series sum_L eps^L w^L (path counting)."""
    bc = bulk_chains([4, 9, 6, 3], crossings=[(0, 1, 1, 5), (2, 2, 1, 7), (3, 0, 2, 4)])
    wd = boundary_weights(bc.w, bc.n_boundary, 0.7)
    np.testing.assert_allclose(wd, path_sum(bc.w, bc.n_boundary, 0.7, 100), rtol=1e-12,
                               atol=1e-300)


@pytest.mark.equations("P2 (99)")
def test_p2_eq99_is_generating_function_of_bulk_dynamics():
    """w_d_ij(eps) = sum_t eps^t x_i(t) for the linear bulk evolution x(t+1) = w x(t) started
    from a unit impulse on boundary neuron j (the chain kernel of eq 57)."""
    bc = bulk_chains([5, 8])
    n, eps = bc.n, 0.6
    perm = np.empty(n, dtype=np.int64)
    weights = np.zeros(n)
    coo = bc.w.tocoo()
    perm[:] = np.arange(n)
    perm[coo.row] = coo.col
    weights[coo.row] = coo.data
    x = np.zeros(n)
    x[0] = 1.0
    acc = np.zeros(bc.n_boundary)
    for t in range(1, 20):
        x = _sparse_step(x, perm, weights)
        acc += eps**t * x[: bc.n_boundary]
    wd = boundary_weights(bc.w, bc.n_boundary, eps)
    np.testing.assert_allclose(acc, wd[:, 0], rtol=1e-12)


def _sparse_step(x, perm, weights):
    # neurons without input (the chains' sources) have weight 0; perm need not be a bijection
    return weights * x[perm]


@pytest.mark.equations("P2 (100)")
def test_p2_eq100_crossing_chains_swap_partners():
    """Where chains i-j and k-l cross, w_d gains the pairs i-l and k-j with the lengths of the
    spliced chains; the original lengths stay exact (one crossing)."""
    bc = bulk_chains([5, 7], crossings=[(0, 2, 1, 3)])
    d = chain_lengths(boundary_weights(bc.w, 4, 0.5), 0.5)
    assert d[2, 0] == pytest.approx(5) and d[3, 1] == pytest.approx(7)
    assert d[2, 1] == pytest.approx(3 + 1 + 2)  # c0, c1, c2, X, b3, b4
    assert d[3, 0] == pytest.approx(2 + 1 + 3)  # b0, b1, X, c4, c5, c6


@pytest.mark.equations("P2 (100)")
def test_p2_eq100_double_crossing_gives_non_integer_length():
    """Two crossings open a second path: w_d = eps^6 + eps^8, d = log_eps(.) - 1 < 5."""
    eps = 0.5
    bc = bulk_chains([5, 7], crossings=[(0, 1, 1, 1), (0, 3, 1, 5)])
    d = chain_lengths(boundary_weights(bc.w, 4, eps), eps)
    expect = np.log(eps**6 + eps**8) / np.log(eps) - 1
    assert d[2, 0] == pytest.approx(expect, abs=1e-12)
    assert d[2, 0] < 5


@pytest.mark.equations("P2 (97)", "P2 (98)")
def test_p2_eq97_98_boundary_projection():
    x = np.arange(10.0)
    np.testing.assert_array_equal(boundary_state(x, 3), [0, 1, 2])
    np.testing.assert_array_equal(boundary_bias(np.stack([x, -x]), 2), [[0, 1], [0, -1]])


def test_holography_bad_input():
    bc = bulk_chains([3, 3])
    for eps in (0.0, 1.0, -0.2, np.nan):
        with pytest.raises(ValueError, match="eps"):
            boundary_weights(bc.w, 4, eps)
    with pytest.raises(ValueError, match="eps"):
        chain_lengths(np.ones((2, 2)), 1.5)
    with pytest.raises(ValueError, match="lengths"):
        bulk_chains([3, 0])
    with pytest.raises(ValueError, match="n_boundary"):
        boundary_weights(bc.w, 0, 0.5)
    with pytest.raises(ValueError, match="square"):
        boundary_weights(sp.csr_matrix(np.ones((3, 4))), 2, 0.5)


def test_chain_evolve_kernel_is_used_for_bulk_cycles():
    """A closed bulk cycle (a permutation) returns an impulse after its length: (w^L)_jj = 1,
    so w_d_jj = eps^L / (1 - eps^L) for a boundary neuron on a cycle of L edges."""
    n, eps = 9, 0.8
    perm = (np.arange(n) - 1) % n
    w = sp.csr_matrix((np.ones(n), (np.arange(n), perm)), shape=(n, n))
    wd = boundary_weights(w, 1, eps)
    assert wd[0, 0] == pytest.approx(eps**n / (1 - eps**n), rel=1e-12)
    x = np.zeros(n)
    x[0] = 1
    assert evolve(x, perm, n)[0] == 1.0


def test_holography_simulation_end_to_end(tmp_path):
    """`emergent run holography`: exact lengths for the chains no crossing touches, d <= the
    shortest bulk path everywhere, new boundary pairs where chains cross."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "h.h5"
    assert main(["run", "holography", "-o", str(out), "--quiet", "--set", "chains=12",
                 "--set", "min_length=5", "--set", "max_length=40", "--set", "crossings=4",
                 "--set", "eps=0.5,0.9"]) == 0
    data = read_run(out)
    assert all(c.agrees for c in get("holography").checks(data))
    assert data.series("new_pairs").min() >= 2 * data.results["crossings_made"] > 0
    d, axes = data.field("d")
    assert d.shape == (24, 24) and list(axes) == ["i", "j"]


def test_holography_underflow_is_refused(tmp_path):
    from emergent.cli import main

    assert main(["run", "holography", "-o", str(tmp_path / "u.h5"), "--quiet",
                 "--set", "chains=2", "--set", "min_length=2000", "--set", "max_length=3000",
                 "--set", "eps=0.5"]) != 0




def test_holography_simulation_resumes_bit_identically(tmp_path, monkeypatch):
    """An interrupted eps scan resumes to the same datasets (the eps values are the loop)."""
    a, b = interrupted_then_resumed(tmp_path, monkeypatch, "holography",
                                     {"chains": 6, "min_length": 5, "max_length": 20,
                                      "crossings": 2, "eps": (0.5, 0.7, 0.9, 0.95)}, 2)
    assert a.keys() == b.keys() and "fields/d" in a and a["series/eps"].size == 4
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.equations("P2 (100)")
def test_p2_eq99_100_boundary_scan_equals_direct_maps():
    """boundary_scan(...) through the run loop gives w_d (99) of boundary_weights for every eps,
    and the lengths (100) of disjoint chains exactly."""
    from emergent.chains.holography import boundary_scan

    bc = bulk_chains([3, 8, 5])
    res = boundary_scan(bc.w, bc.n_boundary, [0.3, 0.6])
    assert res.t.tolist() == [0.0, 1.0] and res.series["eps"].tolist() == [0.3, 0.6]
    for k, eps in enumerate((0.3, 0.6)):
        np.testing.assert_array_equal(res.states[k], boundary_weights(bc.w, bc.n_boundary, eps))
    fin = np.isfinite(bc.expected_lengths())
    np.testing.assert_allclose(res.final.lengths[fin], bc.expected_lengths()[fin], atol=1e-9)
