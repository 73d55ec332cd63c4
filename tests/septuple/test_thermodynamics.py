"""Tests of the thermodynamics of learning (P1 §5-9, P2 eq 5-17)."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from emergent.septuple import thermodynamics as thermo
from emergent.septuple.losses import bulk_hamiltonian
from emergent.septuple.network import NeuralSeptuple


def _layered(sizes, seed=0, scale=2.0):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.3 for n in sizes[1:]]
    sep = NeuralSeptuple.from_layers(w, b)
    x_mean = sep.fixed_point(rng.uniform(0, 1, size=(40, sizes[0]))).mean(axis=0)
    return sep, x_mean


def _random_dag(n=40, n_in=12, n_out=5, density=0.3, seed=0):
    """A general feed-forward w: random strictly lower-triangular sparse matrix (not layered)."""
    rng = np.random.default_rng(seed)
    w = np.tril(rng.normal(size=(n, n)) * (rng.random((n, n)) < density), -1)
    w[:n_in] = 0.0  # (2.2)
    w[:, n - n_out :] = 0.0  # (2.3)
    b = rng.normal(size=n) * 0.3
    sep = NeuralSeptuple.from_matrix(sp.csr_matrix(w), b, np.arange(n_in), np.arange(n - n_out, n))
    return sep, rng.uniform(-0.8, 0.8, size=n)


def _grid_logz(logf, centre, half, n):
    axes = [np.linspace(c - h, c + h, n) for c, h in zip(centre, half, strict=True)]
    x = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, len(axes))
    dv = np.prod([a[1] - a[0] for a in axes])
    return logsumexp(logf(x)) + np.log(dv)


@pytest.mark.parametrize(
    "case", ["deep", "shallow", "no-hidden", "wide-bulk", "dag"]
)
@pytest.mark.equations("P1 (5.6)")
def test_p1_eq5_6_lowrank_spectrum_equals_dense(case):
    """The exact low-rank route gives the N eigenvalues of G (5.6, 5.10) of the dense
    numpy.linalg.eigvalsh to 1e-10 relative; the rest of the spectrum is exactly 1."""
    if case == "deep":
        sep, x = _layered([60, 12, 8, 5])
    elif case == "shallow":
        sep, x = _layered([60, 20, 5], seed=1)
    elif case == "no-hidden":
        sep, x = _layered([30, 9], seed=2)
    elif case == "wide-bulk":  # n_r > N - n_r: more neurons with incoming weights than without
        sep, x = _layered([5, 30, 25, 4], seed=3)
    else:
        sep, x = _random_dag()
    spec = thermo.spectrum(sep, x)
    dense = np.linalg.eigvalsh(thermo.dense_g(sep, x))
    assert spec.n == sep.n
    n_r = sep.incoming_index.size
    rank = sep.layer_sizes[1] if sep.is_layered else np.linalg.matrix_rank(
        sep.submatrix(sep.incoming_index, np.setdiff1d(np.arange(sep.n), sep.incoming_index)))
    assert spec.eigenvalues.size == n_r + min(rank, sep.n - n_r)
    assert np.max(np.abs(spec.full() - dense) / dense) < 1e-10
    assert np.allclose(thermo.nontrivial_eigenvalues(sep, x), spec.eigenvalues)


@pytest.mark.equations("P1 (5.11)")
def test_p1_eq5_11_mean_term_lowrank_equals_dense():
    """log Z with the <x> term (5.11): a_i from the low-rank route equal the dense eigenvectors."""
    for sep, x in (_layered([40, 10, 6, 4]), _random_dag(seed=4)):
        lr = thermo.spectrum(sep, x)
        de = thermo.spectrum(sep, x, method="dense")
        for beta, m in ((0.7, 0.0), (1.3, 0.4), (3.0, -0.5)):
            for mt in (False, True):
                a = thermo.log_partition(lr, beta=beta, m=m, mean_term=mt)
                b = thermo.log_partition(de, beta=beta, m=m, mean_term=mt)
                assert a == pytest.approx(b, rel=1e-11)
                assert thermo.energy(lr, beta=beta, m=m, mean_term=mt) == pytest.approx(
                    thermo.energy(de, beta=beta, m=m, mean_term=mt), rel=1e-10
                )


def _chain():
    """input -> hidden -> output, N = 3, tanh, <x> = the exact fixed point with (2.8) holding."""
    w = np.zeros((3, 3))
    w[1, 0] = 1.3
    w[2, 1] = -0.9
    b = np.array([0.4, 0.2, -0.3])
    sep = NeuralSeptuple.from_matrix(w, b, [0], [2])
    xbar = sep.fixed_point(np.tanh(b[:1])[None])[0]
    return sep, xbar


@pytest.mark.equations("P1 (5.9)", "P1 (5.11)")
@pytest.mark.parametrize("beta,m", [(0.5, 0.0), (3.0, 0.0), (2.0, 0.3), (1.0, -0.7)])
def test_p1_eq5_9_gaussian_integral_by_quadrature(beta, m):
    """(5.9)/(5.11) is the exact integral of exp(-beta H_2 - x^2/2), H_2 the quadratic loss (5.5):
    3-d quadrature on a grid (N = 3)."""
    sep, xbar = _chain()
    xm = xbar + np.array([0.1, -0.2, 0.05])  # any <x>
    g = thermo.dense_g(sep, xm)
    c = 1.0 - beta * m
    a = beta * g + c * np.eye(3)
    cov = np.linalg.inv(a)
    centre = cov @ (beta * g @ xm)

    def logf(x):
        d = x - xm
        return -0.5 * beta * np.einsum("si,ij,sj->s", d, g, d) - 0.5 * c * np.sum(x * x, axis=1)

    exact = _grid_logz(logf, centre, 13 * np.sqrt(np.diag(cov)), 101)
    spec = thermo.spectrum(sep, xm)
    approx = thermo.log_partition(spec, beta=beta, m=m, mean_term=True)
    assert approx == pytest.approx(exact, abs=1e-9)
    # the large-N form (5.14) differs from it by the <x> term only
    diff = thermo.log_partition(spec, beta=beta, m=m) - exact
    quad = 0.5 * xm @ (c * beta * g @ np.linalg.solve(a, xm))
    assert diff == pytest.approx(quad, rel=1e-8)


@pytest.mark.equations("P1 (5.11)")
def test_p1_eq5_8_gaussian_approximation_error_is_order_one_over_beta():
    """The true loss (3.4) with tanh in the windowed integral (5.8) against the Gaussian
    approximation (5.11) at <x> = x_bar: the error falls like 1/beta (Laplace), N = 3."""
    sep, xbar = _chain()
    g = thermo.dense_g(sep, xbar)
    spec = thermo.spectrum(sep, xbar)
    errs = []
    for beta in (100.0, 400.0):
        cov = np.linalg.inv(beta * g + np.eye(3))
        centre = cov @ (beta * g @ xbar)

        def logf(x, beta=beta):
            h = bulk_hamiltonian(sep, x, input_residual=True)
            return -beta * h - 0.5 * np.sum(x * x, axis=1)

        exact = _grid_logz(logf, centre, 14 * np.sqrt(np.diag(cov)), 121)
        errs.append(exact - thermo.log_partition(spec, beta=beta, mean_term=True))
    assert abs(errs[1]) < 5e-3
    assert 3.0 < errs[0] / errs[1] < 5.0  # beta * error -> const


@pytest.mark.equations("P1 (5.11)")
def test_p1_eq5_8_gaussian_approximation_monte_carlo():
    """N = 9 net: importance-sampled log Z of (5.8) with the true loss vs (5.11) at large beta,
    and the error grows at small beta (the approximation is a large-beta one)."""
    rng = np.random.default_rng(7)
    sizes = [4, 3, 2]
    w = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bb = [rng.normal(size=n) * 0.3 for n in sizes[1:]]
    x_in = rng.uniform(-0.7, 0.7, size=4)
    sep = NeuralSeptuple.from_layers(w, bb, input_bias=np.arctanh(x_in))
    xbar = sep.fixed_point(x_in)[0]
    g = thermo.dense_g(sep, xbar)
    spec = thermo.spectrum(sep, xbar)
    out = {}
    for beta in (5.0, 300.0):
        a = beta * g + np.eye(sep.n)
        cov = np.linalg.inv(a)
        mean = cov @ (beta * g @ xbar)
        xs = rng.multivariate_normal(mean, cov, size=40_000)
        h = bulk_hamiltonian(sep, xs, input_residual=True)
        lw = -beta * h - 0.5 * np.sum(xs * xs, axis=1) - multivariate_normal(mean, cov).logpdf(xs)
        log_z = logsumexp(lw) - np.log(lw.size)  # Monte Carlo log Z of (5.8), true loss (3.4)
        est = log_z - thermo.log_partition(spec, beta=beta, mean_term=True)
        err = np.std(np.exp(lw - lw.max())) / np.mean(np.exp(lw - lw.max())) / np.sqrt(lw.size)
        out[beta] = (est, err)
    est, err = out[300.0]
    assert abs(est) < 0.02 + 4 * err
    assert abs(out[5.0][0]) > 5 * abs(est)


@pytest.mark.equations("P1 (6.1)", "P1 (7.1)")
@pytest.mark.parametrize("mean_term", [False, True])
@pytest.mark.parametrize("m", [0.0, 0.3])
def test_p1_eq6_1_eq7_1_energy_entropy_by_finite_differences(mean_term, m):
    """U = -d log Z/d beta (6.1) and S = beta^2 dF/d beta (7.1) against central differences."""
    sep, x = _layered([30, 8, 6, 4], seed=5)
    spec = thermo.spectrum(sep, x)
    beta, h = 1.4, 1e-5

    def lz(bt):
        return thermo.log_partition(spec, beta=bt, m=m, mean_term=mean_term)

    def fe(bt):
        return thermo.free_energy(spec, beta=bt, m=m, mean_term=mean_term)

    u_fd = -(lz(beta + h) - lz(beta - h)) / (2 * h)
    s_fd = beta**2 * (fe(beta + h) - fe(beta - h)) / (2 * h)
    kw = {"beta": beta, "m": m, "mean_term": mean_term}
    assert thermo.energy(spec, **kw) == pytest.approx(u_fd, rel=1e-8)
    assert thermo.entropy(spec, **kw) == pytest.approx(s_fd, rel=1e-8)
    summ = thermo.summary(sep, x, beta=beta, m=m, mean_term=mean_term)
    assert summ.energy == pytest.approx(u_fd, rel=1e-8)
    assert summ.entropy == pytest.approx(s_fd, rel=1e-8)
    assert summ.free_energy == pytest.approx(fe(beta), rel=1e-12)


@pytest.mark.equations("P1 (7.7)", "P1 (7.8)")
@pytest.mark.parametrize("maker", ["deep", "shallow", "dag"])
def test_p1_eq7_8_log_det_g_vanishes_for_nilpotent_w(maker):
    """det G = det(I - f'w)^2 = 1 for nilpotent w (7.7): sum_i log lambda_i = 0 (7.8)."""
    sep, x = {"deep": lambda: _layered([50, 10, 6, 4]), "shallow": lambda: _layered([50, 16, 4]),
              "dag": _random_dag}[maker]()
    spec = thermo.spectrum(sep, x)
    assert abs(thermo.trace_log_power(spec, 1)) < 1e-10 * thermo.trace_log_power(spec, 2)
    assert thermo.mu2(spec) > 1.0  # a spectrum that is far from trivial
    # a recurrent (non-nilpotent) w breaks it
    w = sep.w.toarray()
    w[sep.incoming_index[0], sep.incoming_index[-1]] = 1.5
    rec = NeuralSeptuple.from_matrix(w, sep.bias, sep.input_index, [])
    assert abs(thermo.trace_log_power(thermo.spectrum(rec, x), 1)) > 1e-3


@pytest.mark.equations("P1 (9.11)")
def test_p1_eq9_11_odd_traces_vanish_without_hidden_layers():
    """L = 2 (no hidden layer): Tr (log G)^(2n+1) = 0 (9.10-9.11); with one hidden layer mu3 is
    non-zero, though small next to mu2^(3/2) (P1 §9-10); with two hidden layers it is larger."""
    sep2, x2 = _layered([60, 12], seed=6)
    spec2 = thermo.spectrum(sep2, x2)
    scale = thermo.mu2(spec2)
    for k in (1, 3, 5, 7):
        assert abs(thermo.trace_log_power(spec2, k)) < 1e-10 * scale ** (k / 2)
    # pairs lambda, 1/lambda
    lam = spec2.eigenvalues
    assert np.allclose(np.sort(lam), np.sort(1 / lam), rtol=1e-9)
    sep3, x3 = _layered([60, 12, 10], seed=6, scale=1.0)
    spec3 = thermo.spectrum(sep3, x3)
    skew3 = thermo.mu3(spec3) / thermo.mu2(spec3) ** 1.5
    assert 1e-8 < abs(skew3) < 0.5


@pytest.mark.equations("P1 (10.5)")
def test_p1_eq10_5_complexity_n_against_sorted_dense_spectrum():
    sep, x = _layered([40, 10, 6, 4])
    spec = thermo.spectrum(sep, x)
    full = np.sort(np.linalg.eigvalsh(thermo.dense_g(sep, x)))[::-1]
    const = 0.5 * sep.n * np.log(2 * np.pi)
    for n in (0, 1, 5, 20, 30, sep.n - 5, sep.n):
        expect = -0.5 * np.sum(np.log(full[:n])) + const
        assert thermo.complexity_n(spec, n) == pytest.approx(expect, abs=1e-9)
    summ = thermo.summary(sep, x, beta=1.0)
    assert summ.complexity_n(20) == thermo.complexity_n(spec, 20)
    # (6.7): all eigenvalues above 1/beta
    beta = 2.0
    big = full[beta * full > 1.0]
    assert thermo.complexity(spec, beta=beta) == pytest.approx(-0.5 * np.sum(np.log(big)) + const)
    assert thermo.n_greater(spec, beta=beta) == big.size


@pytest.mark.equations("P1 (8.10)")
def test_p1_eq8_10_laplacian_by_finite_differences():
    """Delta F = sum_j d^2F/d lambda_j^2 = -beta/2 sum (1 - beta m + beta lambda)^-2 (8.10)."""
    lam = np.random.default_rng(2).lognormal(0.0, 1.0, size=12)
    beta, m, h = 0.8, 0.2, 1e-4
    lap = 0.0
    for j in range(lam.size):
        e = np.zeros(lam.size)
        e[j] = h
        f = [thermo.free_energy(lam + s * e, beta=beta, m=m) for s in (-1, 0, 1)]
        lap += (f[0] - 2 * f[1] + f[2]) / h**2
    assert thermo.laplacian_free_energy(lam, beta=beta, m=m) == pytest.approx(lap, rel=1e-5)


def test_mu_normalisations():
    lam = np.exp(np.array([-2.0, -0.5, 0.5, 2.0, 0.0]))
    spec = thermo.Spectrum(np.sort(lam), n_trivial=10)
    assert thermo.mu2(spec) == pytest.approx(8.5)
    assert thermo.mu2(spec, normalisation="mean") == pytest.approx(8.5 / 5)
    assert thermo.mu3(spec) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="normalisation"):
        thermo.mu2(spec, normalisation="sum")


def test_large_net_summary_without_dense_matrix():
    """10^5 input neurons: the summary never forms an N x N matrix (layer blocks only)."""
    rng = np.random.default_rng(0)
    sizes = [100_000, 30, 10]
    w = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    sep = NeuralSeptuple.from_layers(w, [np.zeros(30), np.zeros(10)])
    x = sep.fixed_point(rng.uniform(0, 1, size=(2, 100_000))).mean(axis=0)
    s = thermo.summary(sep, x, beta=1.0)
    assert sep._w is None
    assert s.eigenvalues.size == 70 and s.n_trivial == sep.n - 70
    assert abs(s.log_det) < 1e-9 * s.mu2


def test_thermo_bad_input():
    sep, x = _layered([10, 4, 2])
    spec = thermo.spectrum(sep, x)
    with pytest.raises(ValueError, match="beta must be > 0"):
        thermo.log_partition(spec, beta=0.0)
    with pytest.raises(ValueError, match="1 - beta\\*m"):
        thermo.summary(sep, x, beta=2.0, m=0.5)
    with pytest.raises(ValueError, match="x_mean"):
        thermo.spectrum(sep, x[:-1])
    with pytest.raises(ValueError, match="x_mean"):
        thermo.spectrum(sep, np.full(sep.n, np.nan))
    with pytest.raises(ValueError, match="n must be"):
        thermo.complexity_n(spec, sep.n + 1)


@pytest.mark.equations("P1 (9.2)", "P1 (9.3)")
def test_p1_eq9_2_eq9_3_two_peak_model_equals_spectrum_sum():
    """(9.3) is (9.1) for the explicit spectrum of (9.2): gamma N eigenvalues at lambda and
    (1 - gamma) N at lambda^(gamma/(gamma-1)), whose determinant is 1."""
    n, gamma = 12, 1.0 / 3.0
    for log_lam in (-2.0, 0.3, 1.7):
        lam = np.r_[np.full(4, np.exp(log_lam)), np.full(8, np.exp(-0.5 * log_lam))]
        assert abs(np.sum(np.log(lam))) < 1e-12  # (9.2)
        for beta in (0.25, 0.73, 3.0):
            direct = -thermo.laplacian_free_energy(lam, beta=beta)
            model = thermo.entropy_destruction_model(log_lam, beta=beta, gamma=gamma, n=n)
            assert model == pytest.approx(direct, rel=1e-13)


@pytest.mark.equations("P1 (9.4)")
def test_p1_eq9_4_stationary_points_of_the_model():
    """Stationary points of (9.3) for gamma = 1/3 solve beta z^2 - z + 1 - beta = 0 with
    z = lambda^(1/2): s* = 2 log((1 - beta)/beta) (found symbolically here), not the printed
    3 log(-1/2 + sqrt(1/4 + 1/beta)) of (9.4); s = 0 switches from maximum to minimum at
    beta = 1/2 as P1 says."""
    import sympy

    b, s = sympy.symbols("beta s", positive=True)
    g = sympy.Rational(1, 3) / (1 + b * sympy.exp(s)) ** 2 + sympy.Rational(2, 3) / (
        1 + b * sympy.exp(-s / 2)
    ) ** 2
    dg = sympy.diff(g, s)
    for beta in (0.1, 0.25, 0.45, 0.73, 0.9):
        star = 2 * np.log((1 - beta) / beta)
        assert abs(float(dg.subs({b: beta, s: star}))) < 1e-12
        paper = 3 * np.log(-0.5 + np.sqrt(0.25 + 1 / beta))
        assert abs(float(dg.subs({b: beta, s: paper}))) > 1e-3
        slope = thermo.entropy_destruction_slope(star, beta=beta, gamma=1 / 3, n=1.0)
        assert abs(slope) < 1e-14
    curv0 = sympy.diff(g, s, 2).subs(s, 0)
    assert float(curv0.subs(b, 0.49)) < 0 < float(curv0.subs(b, 0.51))


def test_fig1_simulation_end_to_end(tmp_path):
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "fig1.h5"
    rc = main(["run", "fig1-entropy-destruction", "-o", str(out), "--quiet",
               "--set", "beta_points=40", "--set", "points=101"])
    assert rc == 0
    data = read_run(out)
    assert data.results["beta_switch"] == pytest.approx(0.5, abs=1e-5)
    assert data.results["beta_global_zero"] == pytest.approx(1 / np.sqrt(1 / 3) - 1, abs=1e-6)
    b_n = data.results["beta_global_zero_gamma_1_over_n"]
    assert b_n == pytest.approx(np.sqrt(854) - 1, rel=1e-6)
    verdicts = {c.claim: c.agrees for c in get("fig1-entropy-destruction").checks(data)}
    assert len(verdicts) == 7
    assert not any(v for k, v in verdicts.items() if "(9.4): the non-trivial" in k)


def test_random_nets_simulation_end_to_end(tmp_path):
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "rn.h5"
    rc = main(["run", "random-nets", "-o", str(out), "--quiet", "--seed", "3",
               "--set", "inputs=60", "--set", "deep=8,4", "--set", "shallow=12",
               "--set", "outputs=3", "--set", "nets=3", "--set", "samples=10"])
    assert rc == 0
    data = read_run(out)
    assert data.results["n"] == 75
    assert data.series("mu2").shape == (9,)
    hist, axes = data.field("log_spectrum_histogram")
    nontrivial = data.series("nontrivial")
    assert hist.sum() == nontrivial.sum()  # every non-trivial eigenvalue binned once
    verdicts = get("random-nets").checks(data)
    assert verdicts[0].agrees and verdicts[1].agrees  # (7.8) and (9.11) are exact


@pytest.mark.equations("P1 (6.6)")
def test_p1_eq6_6_equilibrium_split_of_free_energy():
    """With every eigenvalue far from 1/beta, F (6.5) = A(beta) - C/beta (6.6)-(6.8) up to
    sum_small beta lambda/(2 beta) + sum_big 1/(2 beta^2 lambda) (first order of log(1 + .))."""
    rng = np.random.default_rng(3)
    beta = 2.0
    small = rng.uniform(1e-4, 1e-3, size=30)
    big = rng.uniform(1e2, 1e3, size=20)
    spec = thermo.Spectrum(np.sort(np.r_[small, big]), n_trivial=0)
    exact = thermo.free_energy(spec, beta=beta)
    split = thermo.split_free_energy(spec, beta=beta)
    bound = np.sum(small) / 2 + np.sum(1 / big) / (2 * beta**2)
    assert abs(exact - split) <= bound
    assert abs(exact - split) > 0.3 * bound  # the bound is the actual size, not slack
    assert thermo.n_greater(spec, beta=beta) == 20
    # (7.4): S_0 = N_>/2 (1 - log beta); (7.5): U -> N_>/(2 beta) from the big eigenvalues
    assert thermo.thermodynamic_entropy(spec, beta=beta) == pytest.approx(10 * (1 - np.log(2)))
    assert thermo.energy(spec, beta=beta) == pytest.approx(20 / (2 * beta), rel=2e-2)


def test_p1_eq9_3_phase_scan_equals_phase_analysis_and_resumes():
    """P1 (9.3)-(9.4): the PhaseScan stepper driven by evolve (phases.scan) gives the rows of
    phase_analysis; a point saved and loaded is the same point."""
    from emergent.septuple import phases

    betas = np.geomspace(0.1, 3.0, 7)
    res = phases.scan(betas, gamma=1 / 3, n=854.0)
    ref = phases.phase_analysis(betas, 1 / 3, 854.0)
    np.testing.assert_array_equal(res.t, betas)
    for key in ("s_star", "kind_star", "kind_zero", "n_stationary", "global_min"):
        np.testing.assert_array_equal(res.series[key], ref[key], err_msg=key)
    low = betas < 0.5
    np.testing.assert_allclose(res.series["s_star"][low],
                               [phases.derived_stationary(b, 1 / 3) for b in betas[low]],
                               atol=1e-9)
    stepper = phases.PhaseScan(gamma=1 / 3, n=854.0)
    assert stepper.load(stepper.save(res.final)) == res.final
    with pytest.raises(ValueError, match="increasing"):
        phases.scan([1.0, 0.5], gamma=1 / 3, n=854.0)


def test_random_septuple_is_the_random_nets_draw():
    """network.random_septuple draws weights N(0, s^2 / fan_in) then biases N(0, b^2)."""
    from emergent.septuple.network import random_septuple

    sep = random_septuple((5, 4, 2), np.random.default_rng(1), weight_scale=2.0, bias_scale=0.5)
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(5, 4)) * 2.0 / np.sqrt(5)
    rng.normal(size=(4, 2))
    np.testing.assert_array_equal(sep.blocks[0], w0.T)
    np.testing.assert_array_equal(sep.bias[5:9], rng.normal(size=4) * 0.5)
