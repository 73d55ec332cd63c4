"""Madelung transform (P2 35), hydrodynamics (P2 31-33), entropy production (22), action (28)."""

import numpy as np
import pytest

from emergent.quantum import (
    Madelung,
    MadelungBlowUp,
    MadelungConstants,
    Schrodinger,
    action_terms,
    action_terms_from_wavefunction,
    energy,
    entropy_production,
    from_wavefunction,
    hydrodynamic_energy,
    madelung_constants,
    make_grid,
    solve_madelung,
    solve_schrodinger,
    to_wavefunction,
    velocity_from_wavefunction,
)

KW = dict(diffusion=0.3, gamma=0.6, mu=2.5)  # hbar = sqrt(5), a = sqrt(1.25): no factor is 1
C = MadelungConstants(**KW)


def _state(g):
    q = g.q[0]
    return (1 + 0.5 * np.cos(q)) * np.exp(1j * 0.3 * np.sin(q)), 0.5 * np.cos(q)


def test_p2_eq35_transform_round_trip():
    """(35) both ways with the derived a = sqrt(gamma mu/(4D)): (p, F) -> Psi -> (p, F),
    including a phase that winds several times (unwrapping)."""
    c = madelung_constants(diffusion=0.3, gamma=0.7, mu=2.0)
    q = np.linspace(-5, 5, 400)
    p = np.exp(-(q**2) / 4)
    F = 3.0 * q + np.sin(2 * q)
    psi = to_wavefunction(p, F, c)
    a = c.phase
    assert np.allclose(psi, np.sqrt(p) * np.exp(1j * a * F))
    p2, F2, nodes = from_wavefunction(psi, c)
    assert not nodes.any()
    assert np.allclose(p2, p, atol=1e-15)
    assert np.allclose(F2 - F2[0], F - F[0], atol=1e-12)


def test_p2_eq35_nodes_are_marked_and_not_crossed():
    """At nodes (p = 0) the phase is undefined: F is NaN there and each node-free piece is
    unwrapped on its own, so F is still exact up to a constant per piece."""
    q = np.linspace(-3, 3, 601)
    F = 2.5 * q
    psi = q * np.exp(1j * C.phase * F)  # node at q = 0
    p, F2, nodes = from_wavefunction(psi, C)
    assert nodes.sum() == 1 and nodes[300]
    assert np.isnan(F2[300])
    left, right = slice(0, 300), slice(301, None)
    assert np.allclose(F2[left] - F2[0], F[left] - F[0], atol=1e-12)
    assert np.allclose(F2[right] - F2[301], F[right] - F[301], atol=1e-12)


@pytest.mark.equations("P2 (31)")
def test_p2_eq31_hydrodynamic_energy_equals_expectation_of_h():
    """<H> of (34) equals the Madelung energy int [mu p u^2/(4 gamma) + 4D |grad sqrt p|^2 +
    mu p V] with u = 2 gamma grad F (31): an identity between two independent routes."""
    g = make_grid(128, 2 * np.pi)
    psi, v = _state(g)
    c = C
    u = velocity_from_wavefunction(psi, g, C)
    assert hydrodynamic_energy(np.abs(psi) ** 2, u, g, c, v) == pytest.approx(
        energy(psi, g, c, v), rel=1e-12)


@pytest.mark.parametrize("K,n,t_final,dt,tol", [(1, 128, 0.5, 5e-4, 1e-9),
                                                (2, 32, 0.1, 2e-3, 1e-6)])
@pytest.mark.equations("P2 (32)", "P2 (33)", "P2 (34)")
def test_p2_eq32_eq33_learning_off_equals_schrodinger(K, n, t_final, dt, tol):
    """(32)-(33) without the boxed terms are Schrödinger's (34): p and u agree with the split-step
    solution (no nodes) to discretisation error, 1D and 2D."""
    g = make_grid(n, 2 * np.pi, ndim=K)
    q = g.q
    psi0 = (1 + 0.4 * np.cos(q[0]) * (np.cos(q[-1]) if K == 2 else 1)) * np.exp(
        1j * 0.3 * np.sin(q[0] + (q[-1] if K == 2 else 0)))
    v = 0.5 * np.cos(q[0]) + (0.2 * np.sin(q[-1]) if K == 2 else 0)
    v = np.broadcast_to(v, g.shape)
    s = solve_schrodinger(psi0, Schrodinger(g, C, potential=v, method="blanes-moan4"), t_final,
                          dt=1e-3, resolution_tol=1.0)
    m = solve_madelung((np.abs(psi0) ** 2, velocity_from_wavefunction(psi0, g, C)),
                       Madelung(g, C, potential=v), t_final, dt=dt)
    us = velocity_from_wavefunction(s.final, g, C)
    assert np.abs(m.final.p - np.abs(s.final) ** 2).max() <= tol
    assert max(np.abs(a - b).max() for a, b in zip(m.final.u, us, strict=True)) <= 10 * tol
    mass, e = m.series["mass"], m.series["energy"]
    assert abs(mass[-1] - mass[0]) <= 1e-12
    assert abs(e[-1] - e[0]) <= 1e-6 * abs(e[0])


def test_p2_eq33_negative_viscosity_blowup_detected():
    """With the learning terms, (33) has viscosity -gamma/mu: ill-posed. The solver stops with
    a clear message (MadelungBlowUp) instead of returning garbage, sooner on a finer grid."""
    stop = {}
    for n in (64, 128):
        g = make_grid(n, 2 * np.pi)
        psi0, v = _state(g)
        c = MadelungConstants(diffusion=0.25, gamma=0.1, mu=1.0)
        with pytest.raises(MadelungBlowUp, match="learning=on.*loss of resolution") as err:
            solve_madelung((np.abs(psi0) ** 2, velocity_from_wavefunction(psi0, g, C)),
                           Madelung(g, c, potential=v, learning=True), 2.0, dt=5e-4)
        stop[n] = err.value.t
        res = err.value.result
        assert res is not None and np.all(np.isfinite(res.final.p))
        assert res.info["t_stop"] == err.value.t and "loss of resolution" in res.info["blowup"]
    assert 0 < stop[128] < stop[64] < 2.0


@pytest.mark.equations("P2 (32)")
def test_p2_eq32_learning_on_conserves_probability_and_is_off_by_o_gamma_over_mu():
    """With the learning terms, (32) still conserves int p (it is a divergence), and before the
    blow-up the deviation from Schrödinger is linear in gamma/mu at fixed gamma D / mu."""
    g = make_grid(64, 2 * np.pi)
    psi0, v = _state(g)
    devs = []
    for ratio in (1e-3, 2e-3):
        c = MadelungConstants(diffusion=0.25 * ratio, gamma=ratio, mu=1.0)  # same c
        start = (np.abs(psi0) ** 2, velocity_from_wavefunction(psi0, g, c))
        m = solve_madelung(start, Madelung(g, c, potential=v, learning=True), 0.2, dt=5e-4)
        ref = solve_madelung(start, Madelung(g, c, potential=v, learning=False), 0.2, dt=5e-4)
        assert abs(m.series["mass"][-1] - m.series["mass"][0]) <= 1e-12
        devs.append(np.abs(m.final.p - ref.final.p).max())
    assert devs[1] / devs[0] == pytest.approx(2.0, rel=0.05)


def test_bad_input_madelung():
    g = make_grid(64, 2 * np.pi)
    psi0, _ = _state(g)
    p0, u0 = np.abs(psi0) ** 2, velocity_from_wavefunction(psi0, g, C)
    with pytest.raises(ValueError, match="gamma"):
        MadelungConstants(diffusion=1.0, gamma=-1.0, mu=1.0)
    with pytest.raises(ValueError, match="dt=0.01 exceeds"):
        solve_madelung((p0, u0), Madelung(g, C), 1.0, dt=1e-2)
    with pytest.raises(ValueError, match="nodes"):
        solve_madelung((np.where(np.arange(64) == 10, 0.0, p0), u0), Madelung(g, C), 1.0,
                       dt=1e-4)
    with pytest.raises(ValueError, match="on_blowup"):
        solve_madelung((p0, u0), Madelung(g, C), 1.0, on_blowup="ignore")


@pytest.mark.equations("P2 (22)")
def test_p2_eq22_entropy_production_two_forms_agree():
    """(22): int D|grad p|^2/p - gamma grad p.grad F equals int sqrt p (-4D lap + gamma lap F)
    sqrt p (integration by parts on the periodic grid)."""
    g = make_grid(128, 2 * np.pi)
    q = g.q[0]
    p = np.exp(np.cos(q)) / 7.95
    F = np.sin(2 * q) + 0.3 * np.cos(q)
    D, gam = 0.4, 0.9
    first = entropy_production(p, g.gradient(F), g, MadelungConstants(D, gam, 1.0))
    r = np.sqrt(p)
    second = g.integrate(r * (-4 * D * g.laplacian(r) + gam * g.laplacian(F) * r))
    assert first == pytest.approx(second, rel=1e-12)


@pytest.mark.equations("P2 (28)")
def test_p2_eq28_action_terms_on_a_schrodinger_solution():
    """(28) on a solution of (34): terms (1)+(3)+(4)+(5) vanish (the learning term (2) is the one
    dropped), with (3) = mu int p dF/dt taken by a finite difference in time of the unwrapped
    phase of two solver states (independent of the formula used by the library)."""
    g = make_grid(128, 2 * np.pi)
    psi0, v = _state(g)
    c = C
    h = 1e-4
    model = Schrodinger(g, C, potential=v, method="blanes-moan4")
    psi_m = solve_schrodinger(psi0, model, 0.3 - h, dt=1e-3 / 3, resolution_tol=1.0).final
    psi_p = solve_schrodinger(psi0, model, 0.3 + h, dt=1e-3 / 3, resolution_tol=1.0).final
    psi = solve_schrodinger(psi0, model, 0.3, dt=1e-3, resolution_tol=1.0).final
    dfdt = np.angle(psi_p / psi_m) / (2 * h) / c.phase
    grad_f = [x / (2 * c.gamma) for x in velocity_from_wavefunction(psi, g, C)]
    terms = action_terms(np.abs(psi) ** 2, grad_f, dfdt, g, C, potential=v)
    lib = action_terms_from_wavefunction(psi, g, C, potential=v)
    total = (terms["stochastic_entropy"] + terms["free_energy_x"] + terms["free_energy_q"]
             + terms["potential"])
    assert abs(total) <= 1e-6 * abs(terms["free_energy_x"])
    assert terms["free_energy_x"] == pytest.approx(-energy(psi, g, c, v), rel=1e-6)
    for k in terms:
        assert lib[k] == pytest.approx(terms[k], rel=1e-6, abs=1e-10)


def test_simulation_madelung_end_to_end(tmp_path):
    """`emergent run madelung` on small grids: learning off agrees, learning on stops sooner on
    the finer grid."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "m.h5"
    assert main(["run", "madelung", "-o", str(out), "--quiet", "--set", "grids=48,64",
                 "--set", "ratios=0.1", "--set", "t_final=0.4", "--set", "dt=1e-3"]) == 0
    data = read_run(out)
    assert data.array("time_within_tolerance").shape == (1, 2)
    assert all(c.agrees for c in get("madelung").checks(data))


@pytest.mark.equations("P2 (36)")
def test_p2_eq36_schrodinger_action_equals_eq28_without_learning_term():
    """(36): Re int Psi* (-4D lap + mu V - i hbar d/dt) Psi equals the (28) density without the
    learning term (2), i.e. terms (1)+(3)+(4)+(5), for any Psi = sqrt(p) exp(i a F) and any
    dPsi/dt (off shell), with dF/dt = Im(Psi_t / Psi) / a and hbar a = mu (derived constants);
    on a solution of (34) (dPsi/dt by a central difference of solver states) both vanish."""
    g = make_grid(128, 2 * np.pi)
    psi0, v = _state(g)
    c = C
    q = g.q[0]
    lap = lambda f: g.ifft(-g.k2 * g.fft(f))  # noqa: E731

    def both(psi, dpsi):
        s36 = g.integrate(np.conj(psi) * (-4 * c.diffusion * lap(psi) + c.mu * v * psi
                                          - 1j * c.hbar * dpsi))
        grad_f = [x / (2 * c.gamma) for x in velocity_from_wavefunction(psi, g, C)]
        dfdt = np.imag(dpsi / psi) / c.phase
        t = action_terms(np.abs(psi) ** 2, grad_f, dfdt, g, C, potential=v)
        return s36, t["stochastic_entropy"] + t["free_energy_x"] + t["free_energy_q"] + t[
            "potential"]

    s36, s28 = both(psi0, (0.3 + 0.7j) * np.sin(2 * q) * psi0 + 0.2 * np.cos(q))
    assert abs(s36.real) > 0.1
    assert s36.real == pytest.approx(s28, rel=1e-10)
    h = 1e-4
    model = Schrodinger(g, C, potential=v, method="blanes-moan4")
    psi_m = solve_schrodinger(psi0, model, 0.2 - h, dt=1e-3 / 3, resolution_tol=1.0).final
    psi_p = solve_schrodinger(psi0, model, 0.2 + h, dt=1e-3 / 3, resolution_tol=1.0).final
    psi = solve_schrodinger(psi0, model, 0.2, dt=1e-3, resolution_tol=1.0).final
    s36, s28 = both(psi, (psi_p - psi_m) / (2 * h))
    assert abs(s36) <= 1e-7 and abs(s28) <= 1e-7


# -- the solver shape: model, stepper, solve (issue 14) --------------------------------------


def test_p2_eq32_eq33_solve_equals_stepper_by_hand_and_resume_is_bit_identical():
    """P2 (32)-(33): solve_madelung is MadelungStepper driven through the recorded times, bit
    for bit; a state saved at a recorded time, loaded by a new stepper and continued equals
    the uninterrupted run."""
    from emergent.quantum import MadelungStepper

    g = make_grid(64, 2 * np.pi)
    psi0, v = _state(g)
    model = Madelung(g, C, potential=v)
    start = model.state(np.abs(psi0) ** 2, velocity_from_wavefunction(psi0, g, C))
    r = solve_madelung(start, model, 0.1, dt=1e-3, saves=3, keep_states=True)
    assert r.info["dt"] == 1e-3 and r.info["blowup"] is None and r.states.shape == (3, 2, 64)
    stepper = MadelungStepper(model, 1e-3)
    mid = stepper.advance(start, 0.0, 0.05)
    end = stepper.advance(mid, 0.05, 0.1)
    assert np.array_equal(mid.stacked(), r.states[1])
    assert np.array_equal(end.p, r.final.p) and np.array_equal(end.u[0], r.final.u[0])
    saved = {k: np.array(x) for k, x in stepper.save(mid).items()}
    again = MadelungStepper(model, 1e-3)
    resumed = again.advance(again.load(saved), 0.05, 0.1)
    assert np.array_equal(resumed.spectral, end.spectral) and np.array_equal(resumed.p, end.p)


def test_p2_eq33_default_dt_is_half_the_rk4_stability_limit():
    """P2 (33), dt=None: half of RK4's stability limit 2.5 / (c k_max^2 + k_max max|u|) of the
    explicit dispersion and advection terms, below the dispersive limit checked for any dt;
    the default run agrees with Schrödinger (34)."""
    g = make_grid(64, 2 * np.pi)
    psi0, v = _state(g)
    model = Madelung(g, C, potential=v)
    u0 = velocity_from_wavefunction(psi0, g, C)
    start = model.state(np.abs(psi0) ** 2, u0)
    rule = 0.5 * 2.5 / (C.kinetic * 32.0**2 + 32.0 * np.abs(u0[0]).max())
    assert model.default_dt(start) == pytest.approx(rule, rel=1e-12)
    assert rule < 0.5 * model.dispersive_limit() * 1.0000001
    r = solve_madelung(start, model, 0.2)
    assert r.info["dt"] <= rule and 0.2 / r.info["dt"] == pytest.approx(
        np.ceil(0.2 / rule - 1e-9))
    s = solve_schrodinger(psi0, Schrodinger(g, C, potential=v, method="blanes-moan4"), 0.2,
                          dt=1e-3, resolution_tol=1.0)
    assert np.abs(r.final.p - np.abs(s.final) ** 2).max() <= 1e-8
