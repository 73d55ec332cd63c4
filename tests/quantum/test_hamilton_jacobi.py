"""Classical limit of learning, P2 §6: (38)-(44) on grids and as ODEs."""

import numpy as np
import pytest

from emergent.quantum import (
    HamiltonJacobi,
    HamiltonJacobiBlowUp,
    characteristics,
    cole_hopf_solution,
    drift_trajectory,
    hj_residual,
    make_grid,
    solve_hamilton_jacobi,
    stationary_free_energy,
)
from emergent.septuple.canonical import canonical_free_energy, stationary_constants

CH = dict(gamma=1.0, mu=10.0, offset=2.0, amplitude=1.0, wavenumber=1.0)


def _interp(f, x, L=2 * np.pi):
    """Spectral (trigonometric) interpolation of a periodic grid field at a point x."""
    n = f.size
    fh = np.fft.fft(f) / n
    k = 2 * np.pi * np.fft.fftfreq(n, L / n)
    return float(np.real(np.sum(fh * np.exp(1j * k * (x + L / 2)))))


@pytest.mark.equations("P2 (38)")
def test_p2_eq38_viscous_hj_matches_cole_hopf_exact():
    """(38) with V = 0: the grid solver agrees with the exact Cole-Hopf solution
    F = log(A + B exp(gamma k^2 t / mu) cos kq) / mu (phi = exp(mu F) solves the backward heat
    equation)."""
    g = make_grid(32, 2 * np.pi)
    q = g.q[0]
    r = solve_hamilton_jacobi(cole_hopf_solution(q, 0.0, **CH), HamiltonJacobi(g, 1.0, 10.0),
                              0.5, dt=0.025)
    assert np.abs(r.final.free_energy - cole_hopf_solution(q, 0.5, **CH)).max() <= 1e-6


def test_p2_eq38_anti_diffusion_blowup_detected():
    """(38) for mu > 0 is ill-posed (anti-diffusive): the solver stops with a clear message,
    before the exact solution's own blow-up t* = (mu/gamma k^2) log(A/B), and never returns
    non-finite values."""
    g = make_grid(32, 2 * np.pi)
    f0 = cole_hopf_solution(g.q[0], 0.0, **CH)
    with pytest.raises(HamiltonJacobiBlowUp, match="loss of resolution") as err:
        solve_hamilton_jacobi(f0, HamiltonJacobi(g, 1.0, 10.0), 10.0, dt=0.01)
    assert 0 < err.value.t < 10.0 * np.log(2.0)
    assert np.all(np.isfinite(err.value.result.final.free_energy))
    with pytest.raises(ValueError, match="past the blow-up"):
        cole_hopf_solution(g.q[0], 7.0, **CH)


@pytest.mark.equations("P2 (42)")
def test_p2_eq40_eq42_characteristics_corrected():
    """Classical limit of (38) (viscous term dropped): the grid solution agrees with Hamilton's
    equations dq/dt = 2 gamma grad F, dP/dt = -grad V, dF/dt = gamma P^2 - V, whose acceleration
    is -2 gamma grad V. The printed (40)/(42) (dq/dt = gamma grad F, q'' = -gamma grad V) does
    not follow: the drift curve's acceleration differs from -gamma grad V (corrected statement:
    q'' = -2 gamma grad V along u = 2 gamma grad F (31))."""
    gam = 0.8
    g = make_grid(256, 2 * np.pi)
    q = g.q[0]
    f0, v = 0.2 * np.sin(q), 0.3 * np.cos(q)
    times = np.linspace(0, 1.0, 11)
    classical = HamiltonJacobi(g, gam, None, potential=v)
    r = solve_hamilton_jacobi(f0, classical, 1.0, dt=1e-3, saves=11)
    assert np.allclose(r.t, times)
    x0 = 0.5
    xs, P, F = characteristics([x0], [0.2 * np.cos(x0)], gamma=gam, times=times,
                               grad_potential=lambda x: -0.3 * np.sin(x),
                               potential=lambda x: 0.3 * np.cos(x[0]), f0=0.2 * np.sin(x0))
    for i in range(times.size):
        grad = g.gradient(r.states[i])[0]
        assert _interp(grad, xs[i, 0]) == pytest.approx(P[i, 0], abs=1e-8)
        assert _interp(r.states[i], xs[i, 0]) == pytest.approx(F[i], abs=1e-8)
    # corrected (42): q'' = -2 gamma V'(q) along the characteristics
    acc = np.gradient(np.gradient(xs[:, 0], times), times)[3:-3]
    assert np.allclose(acc, 2 * gam * 0.3 * np.sin(xs[3:-3, 0]), atol=2e-2)
    # printed (40)+(42): along the drift dq/dt = gamma grad F the acceleration is
    # -gamma V' - gamma^2 F' F'' (measured), not the printed -gamma V'
    fine = np.linspace(0, 1.0, 101)
    r2 = solve_hamilton_jacobi(f0, classical, 1.0, dt=1e-3, saves=101)
    d1 = [g.gradient(f)[0] for f in r2.states]
    d2 = [g.gradient(x)[0] for x in d1]

    def at(fields, t, x):
        i = min(int(t / 0.01), 99)
        w = t / 0.01 - i
        return (1 - w) * _interp(fields[i], x) + w * _interp(fields[i + 1], x)

    qd = drift_trajectory([x0], gamma=gam, grad_f=lambda t, x: [at(d1, t, x[0])], times=fine,
                          rtol=1e-10)[:, 0]
    acc_d = np.gradient(np.gradient(qd, fine), fine)[10:-10]
    printed = gam * 0.3 * np.sin(qd[10:-10])
    derived = printed - gam**2 * np.array([at(d1, t, x) * at(d2, t, x) for t, x in
                                           zip(fine[10:-10], qd[10:-10], strict=True)])
    assert np.abs(acc_d - derived).max() < 2e-3
    assert np.abs(acc_d - printed).max() > 10 * np.abs(acc_d - derived).max()


@pytest.mark.equations("P2 (44)")
@pytest.mark.parametrize("K", [1, 2])
def test_p2_eq44_stationary_solution_on_grid(K):
    """(44) F = C0 + (1/mu) sum_k log(C_k + mu q_k) solves (43) (dF/dt = 0, V = 0): the 4th-order
    grid residual falls as h^4."""
    mu, gam = 1.7, 0.6
    res = []
    for n in (80, 160):
        axes = [np.linspace(0.2, 2.0, n) for _ in range(K)]
        h = axes[0][1] - axes[0][0]
        mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
        F = stationary_free_energy(mesh, mu=mu, c0=0.3, ck=np.array([0.5, 1.1][:K]))
        res.append(np.abs(hj_residual(F, (h,) * K, gamma=gam, mu=mu)).max())
    assert res[1] < 1e-5
    assert np.log2(res[0] / res[1]) == pytest.approx(4.0, abs=0.4)


@pytest.mark.equations("P2 (45)")
def test_p2_eq45_canonical_free_energy_is_eq44_with_mu_2beta():
    """(45) with q = lambda equals (44) with mu = 2 beta, C_k = 2 (1 - beta m),
    C_0 = -N log(4 pi) / (2 beta), and so solves (43) on a grid."""
    beta, m, N = 1.3, 0.2, 3
    lam = np.random.default_rng(0).uniform(0.1, 3.0, size=(50, N))
    mu, ck, c0 = stationary_constants(N, beta=beta, mass=m)
    assert np.allclose(canonical_free_energy(lam, beta=beta, mass=m),
                       stationary_free_energy(lam, mu=mu, c0=c0, ck=ck), atol=1e-13)
    axes = [np.linspace(0.2, 2.0, 60)] * 2
    h = axes[0][1] - axes[0][0]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    F = canonical_free_energy(mesh, beta=beta, mass=m)
    assert np.abs(hj_residual(F, (h, h), gamma=0.9, mu=2 * beta)).max() < 1e-5


def test_simulation_hamilton_jacobi_end_to_end(tmp_path):
    """`emergent run hamilton-jacobi` with small settings: all paper checks evaluate and
    agree, (42) as corrected."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "hj.h5"
    assert main(["run", "hamilton-jacobi", "-o", str(out), "--quiet", "--set", "grids=16,32",
                 "--set", "cells=128", "--set", "networks=5", "--set", "dt=2e-3"]) == 0
    data = read_run(out)
    checks = get("hamilton-jacobi").checks(data)
    assert len(checks) == 6 and all(c.agrees or c.correction for c in checks)
    assert [c.decides for c in checks if not c.agrees] == [("P2 (42)",)]


# -- the solver shape: model, stepper, solve (issue 14) --------------------------------------


def test_p2_eq38_solve_equals_stepper_by_hand_and_resume_is_bit_identical():
    """P2 (38): solve_hamilton_jacobi is HamiltonJacobiStepper driven through the recorded times,
    bit for bit; a state saved at a recorded time and loaded by a new stepper continues
    bit-identically; on_blowup="stop" returns the last good state and time."""
    from emergent.quantum import HamiltonJacobiStepper

    g = make_grid(32, 2 * np.pi)
    model = HamiltonJacobi(g, 1.0, 10.0)
    f0 = cole_hopf_solution(g.q[0], 0.0, **CH)
    r = solve_hamilton_jacobi(f0, model, 0.5, dt=0.025, saves=3)
    assert r.states.shape == (3, 32) and r.info["dt"] == 0.025
    stepper = HamiltonJacobiStepper(model, 0.025)
    mid = stepper.advance(model.state(f0), 0.0, 0.25)
    end = stepper.advance(mid, 0.25, 0.5)
    assert np.array_equal(mid.free_energy, r.states[1])
    assert np.array_equal(end.free_energy, r.final.free_energy)
    saved = {k: np.array(x) for k, x in stepper.save(mid).items()}
    again = HamiltonJacobiStepper(model, 0.025)
    assert np.array_equal(again.advance(again.load(saved), 0.25, 0.5).free_energy,
                          end.free_energy)
    stopped = solve_hamilton_jacobi(f0, model, 10.0, dt=0.01, on_blowup="stop")
    assert "loss of resolution" in stopped.info["blowup"]
    assert 0 < stopped.info["t_stop"] < 10.0 * np.log(2.0)
    assert np.all(np.isfinite(stopped.final.free_energy))


def test_p2_eq38_default_dt_rule():
    """P2 (38), dt=None: half the smaller of RK4's advection limit 2.5 / (2 gamma G k_max) (G
    bounds |grad F| along the run) and the e-folding time 1 / ((gamma/mu) k_max^2) of the
    anti-diffusion of the highest mode; the default run agrees with Cole-Hopf."""
    g = make_grid(32, 2 * np.pi)
    q = g.q[0]
    f0 = cole_hopf_solution(q, 0.0, **CH)
    model = HamiltonJacobi(g, 1.0, 10.0)
    G = np.abs(g.gradient(f0)[0]).max()
    rule = 0.5 * min(2.5 / (2 * 1.0 * G * 16.0), 1 / (0.1 * 16.0**2))
    assert model.default_dt(f0, 0.5) == pytest.approx(rule, rel=1e-12)
    r = solve_hamilton_jacobi(f0, model, 0.5)
    assert r.info["dt"] <= rule
    assert np.abs(r.final.free_energy - cole_hopf_solution(q, 0.5, **CH)).max() <= 1e-6
    classical = HamiltonJacobi(g, 0.8, None, potential=0.3 * np.cos(q))
    G = np.abs(g.gradient(0.2 * np.sin(q))[0]).max() + 1.0 * 0.3
    assert classical.default_dt(0.2 * np.sin(q), 1.0) == pytest.approx(
        0.5 * 2.5 / (2 * 0.8 * G * 16.0), rel=1e-9)
