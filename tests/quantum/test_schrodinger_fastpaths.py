"""The fast paths of the split-step solver of P2 (34): cached phases, the tight static-potential
loop, the 1D transforms, the one-FFT energy and resolution check, each against a reference."""

import pickle

import numpy as np
import pytest
import scipy.fft as sfft

from emergent.quantum import (
    SPLITTINGS,
    MadelungConstants,
    Schrodinger,
    SchrodingerStepper,
    coherent_state,
    energy,
    hamiltonian_apply,
    make_grid,
    norm,
    solve_schrodinger,
)
from emergent.quantum import schrodinger as schr

C = MadelungConstants(diffusion=0.3, gamma=0.6, mu=2.5)  # mu != 1: a dropped mu shows


def _reference_steps(model, psi, t0, steps, h):
    """The split-step loop as it was before the fast paths: phases recomputed per stage from
    exp(-i kinetic k^2 c h) and exp((-i phase V - W) c h), n-dimensional transforms."""
    grid, c_ = model.grid, model.constants
    axes = tuple(range(-grid.ndim, 0))
    kin = c_.kinetic * grid.k2

    def a_phase(c, t):
        v = model.potential_at(t)
        if v is None and model.absorb is None:
            return None
        expo = np.zeros(grid.shape, dtype=complex) if v is None else -1j * c_.phase * v
        if model.absorb is not None:
            expo = expo - model.absorb
        return np.exp(expo * (c * h))

    psi = np.array(psi, dtype=complex, copy=True)
    pending, clock = 0.0, t0
    for _ in range(steps):
        for flow, c in SPLITTINGS[model.method][1]:
            if flow == "A":
                pending += c
                continue
            if pending != 0.0:
                ph = a_phase(pending, clock)
                if ph is not None:
                    psi *= ph
                pending = 0.0
            psi = sfft.fftn(psi, axes=axes, workers=grid.workers, overwrite_x=True)
            psi *= np.exp(-1j * kin * (c * h))
            psi = sfft.ifftn(psi, axes=axes, workers=grid.workers, overwrite_x=True)
            clock += c * h
    if pending != 0.0:
        ph = a_phase(pending, clock)
        if ph is not None:
            psi *= ph
    return psi


def _model(cells, ndim, method, *, kind="static", absorb=False):
    g = make_grid(cells, 20.0, ndim=ndim)
    v = np.broadcast_to(0.5 * sum(x**2 for x in g.q), g.shape).copy()
    pot = {"static": v, "none": None, "driven": lambda t: v * (1.0 + 0.3 * np.sin(3 * t))}[kind]
    layer = dict(absorb_width=2.0, absorb_strength=3.0) if absorb else {}
    model = Schrodinger(g, C, potential=pot, method=method, **layer)
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=(2.0,) + (1.0,) * (ndim - 1))
    return model, psi0


@pytest.mark.equations("P2 (34)")
@pytest.mark.parametrize("cells, ndim, method, kind, absorb", [
    (256, 1, "blanes-moan4", "static", False),
    (256, 1, "strang", "none", False),
    (1 << 15, 1, "strang", "static", False),  # 1D with all FFT threads
    (128, 1, "yoshida4", "driven", True),
    (32, 2, "blanes-moan4", "static", True),
    (32, 2, "strang", "driven", False),
    (16, 3, "yoshida4", "static", False),
    (101, 1, "blanes-moan4", "static", False),  # odd cells: the kinetic phases' unfolding
    ((45, 38), 2, "strang", "static", True),
])
def test_p2_eq34_stepper_bit_identical_to_the_reference_loop(cells, ndim, method, kind, absorb):
    """P2 (34): the stepper (cached phases, the kinetic ones from the k >= 0 block, merged static
    program, 1D transforms) gives the reference loop's state bit for bit: whole steps, a second
    stepper reusing the model's phases, and an interval that is not a whole number of steps."""
    model, psi0 = _model(cells, ndim, method, kind=kind, absorb=absorb)
    dt = 0.05
    ref = _reference_steps(model, psi0, 0.1, 7, dt)
    for _ in range(2):  # the second stepper takes its phases from the model
        stepper = SchrodingerStepper(model, dt)
        assert np.array_equal(stepper.steps(psi0, 0.1, 7), ref)
    assert np.array_equal(stepper.advance(psi0, 0.0, 0.33), _reference_steps(
        model, psi0, 0.0, 7, 0.33 / 7))
    assert np.array_equal(stepper.steps(psi0, 0.1, 7), ref)  # dt's phases survive the detour


@pytest.mark.equations("P2 (34)")
def test_p2_eq34_solve_reuses_cached_phases_and_stays_within_the_budget(monkeypatch):
    """P2 (34): a second solve with the same model and step reuses the phases (same arrays,
    same result); with a small budget the model keeps none and the results do not change."""
    model, psi0 = _model(256, 1, "blanes-moan4")
    first = solve_schrodinger(psi0, model, 1.0, dt=0.1)
    def kept():
        return {k: id(v) for k, v in model._phases.tables[0.1].items() if k[0] in "AB"}

    first_ids = kept()
    assert len(first_ids) == 3 + 5  # Blanes-Moan: 3 distinct B and 5 distinct merged A steps
    again = solve_schrodinger(psi0, model, 1.0, dt=0.1)
    assert kept() == first_ids
    assert np.array_equal(again.final, first.final)
    solve_schrodinger(psi0, model, 1.0, dt=0.05)
    assert list(model._phases.tables) == [0.1, 0.05]  # both fit the default budget

    monkeypatch.setattr(schr, "PHASE_CACHE_BYTES", 5 * 256 * 16)
    small, _ = _model(256, 1, "blanes-moan4")
    r1 = solve_schrodinger(psi0, small, 1.0, dt=0.1)
    assert small._phases.tables == {}  # 8 arrays do not fit in 5: none kept
    assert np.array_equal(r1.final, first.final)
    assert np.array_equal(solve_schrodinger(psi0, small, 1.0, dt=0.1).final, first.final)
    # a pickled model leaves its phases behind
    assert "_phases" not in pickle.loads(pickle.dumps(model)).__dict__


@pytest.mark.equations("P2 (34)")
@pytest.mark.parametrize("ndim, with_v", [(1, True), (1, False), (2, True), (3, True)])
def test_p2_eq34_energy_one_fft_equals_psi_h_psi(ndim, with_v):
    """<H> by Parseval (one FFT) equals int Psi* H Psi with H Psi from hamiltonian_apply
    (kinetic term in real space after the inverse FFT) to 1e-13 of sum |terms|."""
    model, psi0 = _model({1: 256, 2: 48, 3: 16}[ndim], ndim, "strang")
    g = model.grid
    rng = np.random.default_rng(3)
    psi = psi0 * np.exp(1j * rng.uniform(-0.1, 0.1, g.shape))  # a current: <H> not trivial
    v = model.potential_at(0.0) if with_v else None
    h_psi = hamiltonian_apply(psi, g, C, v)
    ref = float(g.integrate((np.conj(psi) * h_psi).real))
    scale = float(g.integrate(np.abs(np.conj(psi) * h_psi)))
    assert abs(energy(psi, g, C, v) - ref) <= 1e-13 * scale
    kin = float(g.integrate((np.conj(psi) * hamiltonian_apply(psi, g, C, None)).real))
    pot = float(g.integrate(C.mu * v * np.abs(psi) ** 2)) if with_v else 0.0
    assert energy(psi, g, C, v) == pytest.approx(kin + pot, rel=1e-13)


@pytest.mark.equations("P2 (34)")
def test_p2_eq34_recorded_series_equal_the_public_functions():
    """The solve's recorded norm and energy (from the FFT of the resolution check at t = 0) are
    norm() and energy() of the recorded states, bit for bit; the resolution check still
    refuses an unresolved psi0 with the tail of grid.tail_fraction."""
    model, psi0 = _model(128, 1, "blanes-moan4", kind="driven")
    r = solve_schrodinger(psi0, model, 1.0, dt=0.05, saves=4, keep_states=True)
    g = model.grid
    for k, t in enumerate(r.t):
        assert r.series["norm"][k] == norm(r.states[k], g)
        assert r.series["energy"][k] == energy(r.states[k], g, C, model.potential_at(t))
    rough = psi0 + 1e-3 * (-1.0) ** np.arange(g.cells[0])
    tail = g.tail_fraction(rough)
    with pytest.raises(ValueError, match=f"{tail:.1e} of its spectral power"):
        solve_schrodinger(rough, model, 1.0, dt=0.05)
    assert g.power_tail(np.abs(np.fft.fft(rough)) ** 2) == pytest.approx(tail, rel=1e-12)


@pytest.mark.parametrize("shape, cplx", [((1024,), True), ((3, 101), False), ((2, 1 << 15), True)])
def test_grid_fft_1d_is_fftn_over_the_last_axis_bit_for_bit(shape, cplx):
    """PeriodicGrid.fft / ifft in 1D call scipy.fft.fft / ifft (less call overhead): the same
    numbers as fftn / ifftn over the last axis, for stacks, real input and all threads."""
    g = make_grid(shape[-1], 20.0)
    rng = np.random.default_rng(5)
    f = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if cplx else 0.0)
    ref = sfft.fftn(f, axes=(-1,), workers=g.workers)
    assert np.array_equal(g.fft(f), ref) and g.fft(f).dtype == ref.dtype
    assert np.array_equal(g.ifft(f), sfft.ifftn(f, axes=(-1,), workers=g.workers))
