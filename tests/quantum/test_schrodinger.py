"""Schrödinger limit of learning, P2 (34)-(36), P1 (11.9): split-step Fourier solver."""

import numpy as np
import pytest
import sympy as sp

from emergent.quantum import (
    SPLITTINGS,
    MadelungConstants,
    Schrodinger,
    SchrodingerStepper,
    coherent_state,
    gaussian_packet,
    madelung_constants,
    make_grid,
    norm,
    solve_schrodinger,
)

KW = dict(diffusion=0.3, gamma=0.6, mu=2.5)  # hbar = sqrt(5), a = sqrt(1.25): no factor is 1
C = MadelungConstants(**KW)
OMEGA = np.sqrt(2 * KW["gamma"] * 1.0)  # V = q^2 / 2: omega = sqrt(2 gamma kappa), kappa = 1


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.equations("P2 (34)", "P2 (35)")
def test_p2_eq34_eq35_constants_derived_symbolically():
    """P2 (34)-(35): Psi = sqrt(p) exp(i a F) solves i hbar Psi_t = (-4D d^2 + mu V) Psi iff (p, F)
    solve the Madelung pair from (29)-(30) without learning terms, with a = sqrt(gamma mu/4D),
    hbar = sqrt(4 D mu / gamma). The printed constants (no square roots) fail for mu != 1."""
    t, q = sp.symbols("t q", real=True)
    D, g, mu = sp.symbols("D gamma mu", positive=True)
    R = sp.Function("R", positive=True)(t, q)  # sqrt(p)
    F = sp.Function("F", real=True)(t, q)
    V = sp.Function("V", real=True)(q)
    p = R**2
    # (29) without gamma lap p, (30) without gamma lap F
    p_t = sp.solve(sp.Eq(-mu * sp.diff(p, t) - 2 * mu * g * sp.diff(sp.diff(F, q) * p, q), 0),
                   sp.diff(R, t))[0]
    F_t = sp.solve(sp.Eq(-4 * D / R * sp.diff(R, q, 2) + mu * sp.diff(F, t)
                         + mu * g * sp.diff(F, q) ** 2 + mu * V, 0), sp.diff(F, t))[0]

    def residual(a, hbar):
        psi = R * sp.exp(sp.I * a * F)
        res = (sp.I * hbar * sp.diff(psi, t) + 4 * D * sp.diff(psi, q, 2) - mu * V * psi)
        res = res.subs({sp.diff(R, t): p_t, sp.diff(F, t): F_t}) / sp.exp(sp.I * a * F)
        return sp.simplify(sp.expand(res))

    c = madelung_constants(diffusion=0.3, gamma=0.7, mu=2.1)
    a, hbar = sp.sqrt(g * mu / (4 * D)), sp.sqrt(4 * D * mu / g)
    assert residual(a, hbar) == 0
    assert np.isclose(float(a.subs({D: 0.3, g: 0.7, mu: 2.1})), c.phase)
    assert np.isclose(float(hbar.subs({D: 0.3, g: 0.7, mu: 2.1})), c.hbar)
    printed = residual(g / (4 * D), 4 * D / g)  # (34)-(35) as extracted
    assert sp.simplify(printed.subs(mu, 2)) != 0


@pytest.mark.equations("P2 (34)")
@pytest.mark.parametrize("method,dt", [("blanes-moan4", 0.05), ("yoshida4", 0.01)])
def test_p2_eq34_coherent_state_1d(method, dt):
    """P2 (34): coherent state of V = kappa q^2/2 on 1,024 points, relative L2 <= 1e-8 at t = 1,
    oscillating at the derived omega = sqrt(2 gamma kappa); norm drift <= 1e-12."""
    g = make_grid(1024, 20.0)
    v = 0.5 * g.q[0] ** 2
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=2.0)
    r = solve_schrodinger(psi0, Schrodinger(g, C, potential=v, method=method), 1.0, dt=dt)
    exact = coherent_state(g, C, stiffness=1.0, displacement=2.0, t=1.0)
    assert _rel(r.final, exact) <= 1e-8
    assert abs(r.series["norm"][-1] - r.series["norm"][0]) <= 1e-12
    mean_q = float(g.integrate(g.q[0] * np.abs(r.final) ** 2))
    assert mean_q == pytest.approx(2.0 * np.cos(OMEGA), abs=1e-8)


@pytest.mark.equations("P2 (34)")
def test_p2_eq34_free_gaussian_packet_1d():
    """P2 (34), V = 0: analytic spreading, moving packet (group velocity 2 c k0)."""
    g = make_grid(1024, 40.0)
    kw = dict(center=-3.0, wavenumber=2.0, sigma=0.7)
    r = solve_schrodinger(gaussian_packet(g, C, **kw), Schrodinger(g, C), 1.0, dt=0.25)
    assert _rel(r.final, gaussian_packet(g, C, t=1.0, **kw)) <= 1e-12


@pytest.mark.equations("P2 (34)")
def test_p2_eq34_coherent_state_2d_and_3d():
    """P2 (34) in K = 2 and 3: product coherent states, 4th-order split."""
    for K, n, L in ((2, 64, 16.0), (3, 40, 16.0)):
        g = make_grid(n, L, ndim=K)
        v = 0.5 * sum(x**2 for x in g.q)
        d = (1.0, -0.5, 0.3)[:K]
        psi0 = coherent_state(g, C, stiffness=1.0, displacement=d)
        r = solve_schrodinger(psi0, Schrodinger(g, C, potential=v, method="blanes-moan4"), 0.5,
                              dt=0.025)
        exact = coherent_state(g, C, stiffness=1.0, displacement=d, t=0.5)
        assert _rel(r.final, exact) <= 1e-6
        assert abs(r.series["norm"][-1] - r.series["norm"][0]) <= 1e-12


@pytest.mark.equations("P2 (34)")
def test_p2_eq34_energy_conserved_static_potential():
    """P2 (34) with static V (double well): <H> conserved to the splitting error, norm exactly."""
    g = make_grid(512, 16.0)
    q = g.q[0]
    v = 0.25 * (q**2 - 4.0) ** 2
    psi0 = gaussian_packet(g, C, center=-2.0, sigma=0.5, wavenumber=0.5)
    r = solve_schrodinger(psi0, Schrodinger(g, C, potential=v, method="blanes-moan4"), 1.0,
                          dt=0.005, saves=11)
    e, n = r.series["energy"], r.series["norm"]
    assert r.t.shape == (11,) and r.info["steps"] == 200
    assert np.max(np.abs(e - e[0])) <= 1e-7 * abs(e[0])
    assert np.max(np.abs(n - n[0])) <= 1e-12


@pytest.mark.parametrize("method", list(SPLITTINGS))
def test_p2_eq34_splitting_order_measured(method):
    """Order of each composition (2 for Strang, 4 for Yoshida and Blanes-Moan), measured by
    halving dt against the analytic coherent state."""
    g = make_grid(256, 20.0)
    v = 0.5 * g.q[0] ** 2
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=2.0)
    exact = coherent_state(g, C, stiffness=1.0, displacement=2.0, t=1.0)
    model = Schrodinger(g, C, potential=v, method=method)
    errs = [_rel(solve_schrodinger(psi0, model, 1.0, dt=dt).final, exact) for dt in (0.1, 0.05)]
    order = np.log2(errs[0] / errs[1])
    assert order == pytest.approx(SPLITTINGS[method][0], abs=0.15)


@pytest.mark.equations("P2 (34)")
def test_p2_eq34_time_dependent_potential_driven_oscillator():
    """Time-dependent V = kappa (q - s(t))^2 / 2: the centre obeys the classical (Ehrenfest, exact
    for quadratic V) q'' = -2 gamma kappa (q - s(t)); the 4th-order split keeps order 4."""
    from scipy.integrate import solve_ivp
    g = make_grid(256, 20.0)
    q = g.q[0]
    s = lambda t: 0.8 * np.sin(1.3 * t)  # noqa: E731
    pot = lambda t: 0.5 * (q - s(t)) ** 2  # noqa: E731
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=0.0)
    ode = solve_ivp(lambda t, y: [y[1], -2.0 * KW["gamma"] * (y[0] - s(t))], (0, 1.0), [0.0, 0.0],
                    rtol=1e-12, atol=1e-14)
    errs = []
    for dt in (0.05, 0.025):
        r = solve_schrodinger(psi0, Schrodinger(g, C, potential=pot, method="blanes-moan4"), 1.0,
                              dt=dt)
        errs.append(abs(float(g.integrate(q * np.abs(r.final) ** 2)) - ode.y[0, -1]))
    assert errs[1] <= 1e-7
    assert np.log2(errs[0] / errs[1]) > 3.5


def test_absorbing_layer_removes_outgoing_packet():
    """The absorbing layer takes out a packet that reaches the box edge; without it the packet
    wraps around (periodic box) and the norm stays 1."""
    g = make_grid(512, 40.0)
    psi0 = gaussian_packet(g, C, center=5.0, wavenumber=4.0, sigma=1.0)
    closed = solve_schrodinger(psi0, Schrodinger(g, C, method="strang"), 8.0, dt=0.01)
    opened = solve_schrodinger(psi0, Schrodinger(g, C, method="strang", absorb_width=6.0,
                                                 absorb_strength=5.0), 8.0, dt=0.01)
    assert abs(closed.series["norm"][-1] - 1.0) <= 1e-12
    assert opened.series["norm"][-1] <= 1e-3


def test_bad_input_named():
    """Non-positive D/gamma/mu, an unresolved initial state and a dt too large for the error
    target raise ValueError naming the parameter."""
    g = make_grid(128, 20.0)
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=1.0)
    for name in ("diffusion", "gamma", "mu"):
        with pytest.raises(ValueError, match=name):
            MadelungConstants(**{**KW, name: 0.0})
        with pytest.raises(ValueError, match=name):
            madelung_constants(**{**KW, name: float("nan")})
    narrow = gaussian_packet(g, C, sigma=0.05)
    with pytest.raises(ValueError, match="not resolved"):
        solve_schrodinger(narrow, Schrodinger(g, C), 1.0, dt=0.1)
    v = 0.5 * g.q[0] ** 2
    with pytest.raises(ValueError, match="dt=0.5 too large"):
        solve_schrodinger(psi0, Schrodinger(g, C, potential=v), 1.0, dt=0.5, error_target=1e-8)
    with pytest.raises(ValueError, match="method"):
        Schrodinger(g, C, method="euler")
    with pytest.raises(ValueError, match="absorb_width"):
        Schrodinger(g, C, absorb_width=11.0, absorb_strength=1.0)


def test_error_target_picks_dt():
    """dt=None with error_target picks a step that meets the target (coherent state)."""
    g = make_grid(1024, 20.0)
    v = 0.5 * g.q[0] ** 2
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=2.0)
    r = solve_schrodinger(psi0, Schrodinger(g, C, potential=v, method="blanes-moan4"), 1.0,
                          error_target=1e-6)
    exact = coherent_state(g, C, stiffness=1.0, displacement=2.0, t=1.0)
    assert _rel(r.final, exact) <= 1e-6
    assert norm(r.final, g) == pytest.approx(1.0, abs=1e-12)


def test_simulation_schrodinger_end_to_end(tmp_path):
    """`emergent run schrodinger` (harmonic, 1D and canonical, 2D) writes HDF5; checks pass."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "h.h5"
    assert main(["run", "schrodinger", "-o", str(out), "--quiet", "--set", "cells=256",
                 "--set", "steps=40", "--set", "t_final=1", "--set", "record_every=8"]) == 0
    data = read_run(out)
    checks = get("schrodinger").checks(data)
    assert len(checks) == 3 and all(c.agrees for c in checks)
    assert data.series("mean_q")[-1, 0] == pytest.approx(2 * np.cos(np.sqrt(2.0)), abs=1e-6)
    out2 = tmp_path / "c.h5"
    assert main(["run", "schrodinger", "-o", str(out2), "--quiet", "--set", "potential=canonical",
                 "--set", "dims=2", "--set", "cells=64", "--set", "steps=20",
                 "--set", "t_final=0.5", "--set", "record_every=10"]) == 0
    data2 = read_run(out2)
    assert data2.array("lambda0").shape == (2,)
    assert np.all(np.diff(data2.series("norm")) <= 1e-12)  # absorbing layer: norm never grows


# -- the solver shape: model, stepper, solve (issue 14) --------------------------------------


def _oscillator(n=256, consts=C):
    g = make_grid(n, 20.0)
    model = Schrodinger(g, consts, potential=0.5 * g.q[0] ** 2, method="blanes-moan4")
    return g, model, coherent_state(g, consts, stiffness=1.0, displacement=2.0)


def test_p2_eq34_solve_equals_the_stepper_driven_by_hand():
    """P2 (34): solve_schrodinger is SchrodingerStepper driven through the recorded times, bit
    for bit, and the result has the common shape (t, final, states, series, info)."""
    from emergent.evolution import Result

    g, model, psi0 = _oscillator()
    r = solve_schrodinger(psi0, model, 1.0, dt=0.05, saves=5, keep_states=True)
    assert isinstance(r, Result) and r.info["dt"] == 0.05 and r.info["steps"] == 20
    np.testing.assert_allclose(r.t, [0.0, 0.25, 0.5, 0.75, 1.0])
    stepper = SchrodingerStepper(model, 0.05)
    psi = psi0
    for k, (t0, t1) in enumerate(zip(r.t[:-1], r.t[1:], strict=True)):
        psi = stepper.advance(psi, t0, t1)
        assert np.array_equal(psi, r.states[k + 1])
    assert np.array_equal(psi, r.final)
    # one stretch of 20 steps merges the potential half-steps at the record times: same
    # result to rounding
    assert _rel(stepper.steps(psi0, 0.0, 20), r.final) <= 1e-12
    assert r.states.shape == (5, 256) and r.series["norm"].shape == (5,)


def test_p2_eq34_resume_through_save_and_load_is_bit_identical():
    """P2 (34): a run recorded at t = 0.4, saved there, loaded by a new stepper and continued
    equals the uninterrupted run through the same recorded times."""
    g, model, psi0 = _oscillator()
    stepper = SchrodingerStepper(model, 0.025)
    half = stepper.advance(psi0, 0.0, 0.4)
    whole = stepper.advance(half, 0.4, 1.0)
    saved = {k: np.array(v) for k, v in stepper.save(half).items()}
    again = SchrodingerStepper(model, 0.025)
    assert np.array_equal(again.advance(again.load(saved), 0.4, 1.0), whole)


def test_p2_eq34_default_dt_obeys_the_accuracy_rule():
    """P2 (34), dt=None: split-step is unitary (stable for any dt), so the default step is the
    accuracy rule of default_dt (half the dt whose step-doubling estimate of the global error
    equals the target); the step used divides the save interval, and the result meets the
    target against the analytic coherent state."""
    from emergent.quantum import DEFAULT_ERROR_TARGET, default_dt, estimate_step_error

    g, model, psi0 = _oscillator(1024)
    rule = default_dt(psi0, model, 1.0)
    trial = min(1.0 / 8, 0.05)
    const = estimate_step_error(psi0, model, dt=trial) / trial ** 5
    assert rule == pytest.approx(0.5 * (DEFAULT_ERROR_TARGET / const) ** 0.25, rel=1e-12)
    r = solve_schrodinger(psi0, model, 1.0, saves=3)
    dt = r.info["dt"]
    assert dt <= rule and dt == 0.5 / np.ceil(0.5 / rule - 1e-9)  # largest that divides 0.5
    exact = coherent_state(g, C, stiffness=1.0, displacement=2.0, t=1.0)
    assert _rel(r.final, exact) <= DEFAULT_ERROR_TARGET
    loose = solve_schrodinger(psi0, model, 1.0, error_target=1e-4)
    assert loose.info["dt"] > dt and _rel(loose.final, exact) <= 1e-4


@pytest.mark.equations("P2 (34)", "P2 (35)", "P2 (36)")
def test_p2_eq34_eq35_eq36_coherent_state_corrected_constants_visible():
    """P2 (34)-(36) with mu = 2.5, gamma = 0.6, D = 0.3 through the new solve: the coherent state
    follows the corrected constants (kinetic sqrt(4 D gamma / mu), phase sqrt(gamma mu / 4D),
    omega = sqrt(2 gamma kappa)) to 1e-8, <H> and the norm are conserved (36); the printed
    constants (no square roots: i (4D/gamma) dPsi/dt = (-4D lap + mu V) Psi, which equals the
    constants (D, gamma^2 mu / (4D), mu) here) give another motion."""
    c = MadelungConstants(diffusion=0.3, gamma=0.6, mu=2.5)
    g, model, psi0 = _oscillator(512, c)
    r = solve_schrodinger(psi0, model, 2.0, dt=0.02, saves=9)
    exact = coherent_state(g, c, stiffness=1.0, displacement=2.0, t=2.0)
    assert _rel(r.final, exact) <= 1e-8
    mean_q = float(g.integrate(g.q[0] * np.abs(r.final) ** 2))
    assert mean_q == pytest.approx(2.0 * np.cos(np.sqrt(2 * 0.6) * 2.0), abs=1e-8)
    e = r.series["energy"]
    assert np.abs(e - e[0]).max() <= 1e-8 * abs(e[0])
    assert np.abs(r.series["norm"] - 1.0).max() <= 1e-12
    printed = MadelungConstants(0.3, 0.6**2 * 2.5 / (4 * 0.3), 2.5)
    assert printed.kinetic == pytest.approx(0.6) and printed.phase == pytest.approx(
        0.6 * 2.5 / (4 * 0.3))
    wrong = solve_schrodinger(psi0, Schrodinger(g, printed, potential=model.potential,
                                                method="blanes-moan4"), 2.0, dt=0.02)
    assert _rel(wrong.final, exact) > 1e-2


@pytest.mark.parametrize("name, smoke", [
    ("schrodinger", ["cells=256", "steps=40", "t_final=1.0", "record_every=8"]),
    ("madelung", ["grids=48,64", "ratios=0.1", "t_final=0.2", "dt=1e-3", "record_every=20"]),
    ("hamilton-jacobi", ["grids=16", "cells=64", "networks=2", "dt=2e-3", "t_accuracy=0.4",
                         "t_classical=0.2"]),
])
def test_quantum_simulation_resumes_bit_identically(tmp_path, monkeypatch, name, smoke):
    """A quantum simulation interrupted after its third checkpoint and resumed writes the same
    datasets as an uninterrupted run (evolve_run with the library steppers)."""
    import h5py

    from emergent.runs import loop
    from emergent.runs.io import checkpoint_path, execute
    from emergent.runs.registry import get

    sim = get(name)
    params = sim.resolve({k: sim.param(k).parse(v) for k, v in
                          (s.split("=") for s in smoke)})
    whole = execute(sim, params, 3, tmp_path / "whole.h5", quiet=True)
    original = loop.Checkpointer.record
    calls = []

    def interrupt(self, frame):
        original(self, frame)
        calls.append(frame.index)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(loop.Checkpointer, "record", interrupt)
    cut = tmp_path / "cut.h5"
    with pytest.raises(KeyboardInterrupt):
        execute(sim, params, 3, cut, quiet=True, checkpoint_interval=0)
    assert checkpoint_path(cut).exists() and not cut.exists()
    monkeypatch.setattr(loop.Checkpointer, "record", original)
    execute(sim, params, 3, cut, quiet=True, resume=True)

    def datasets(path):
        out = {}
        with h5py.File(path) as f:
            f.visititems(lambda k, v: out.__setitem__(k, v[()])
                         if isinstance(v, h5py.Dataset) else None)
            out["results"] = dict(f["results"].attrs)
        return out

    a, b = datasets(whole), datasets(cut)
    assert a.keys() == b.keys()
    for key in a:
        if key == "results":
            assert {k: v for k, v in a[key].items() if "seconds" not in k} == {
                k: v for k, v in b[key].items() if "seconds" not in k}
        else:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
