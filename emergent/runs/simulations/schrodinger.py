"""`schrodinger`: trainable variables near equilibrium obey the Schrödinger equation (P2 34-36).

Integrates i hbar dPsi/dt = (-4 D lap + mu V) Psi (34) with the derived constants
(hbar = sqrt(4 D mu / gamma), Psi = sqrt(p) exp(i sqrt(gamma mu / 4D) F)) by split-step Fourier,
and records along the run the norm, <H>, the entropy production (22) and the five terms of the
action density (28). Potentials: free packet, harmonic oscillator (coherent state, compared
with the analytic solution), double well, and the canonical free energy (45) of a small tanh
network as a function of its eigenvalues q = lambda - lambda_0 (the packet starts at the
network's eigenvalues lambda_0; the box is kept inside the domain (1 - beta m) + beta lambda > 0
where (45) is defined, and the packet falls toward its logarithmic edge, where an absorbing
layer, always on for this potential, takes it out).

The module is the parameter declaration (:class:`SchrodingerParams`), the model built from them
(:func:`setup`: an :class:`emergent.quantum.Schrodinger` and its initial state), one
:func:`emergent.runs.loop.evolve_run` of the library's :class:`emergent.quantum.SchrodingerStepper`,
the figure and the paper checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.quantum import (
    ACTION_TERM_NAMES,
    ACTION_TERMS,
    SPLITTINGS,
    MadelungConstants,
    Schrodinger,
    SchrodingerStepper,
    action_terms_from_wavefunction,
    check_resolved,
    coherent_state,
    energy,
    gaussian_packet,
    make_grid,
    network_eigenvalues,
    norm,
    step_times,
)
from emergent.runs.figures import fit_range, image, log_plot
from emergent.runs.loop import evolve_run
from emergent.runs.registry import (
    Check,
    Output,
    ParameterError,
    Simulation,
    param,
    parameters,
    register,
)
from emergent.runs.resources import (
    finite_rows,
    nbytes,
    numerical_failures,
    require_memory,
    require_steps,
)
from emergent.runs.tolerances import fft_operations, roundoff_bound
from emergent.septuple.canonical import canonical_free_energy

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["SchrodingerParams", "SchrodingerSetup", "setup"]


@parameters
class SchrodingerParams:
    """The parameters of the `schrodinger` simulation (P2 (34)-(36), (45))."""

    potential: Literal["free", "harmonic", "double-well", "canonical"] = param(
        "harmonic", "V(q)", units="")
    dims: int = param(1, "K, number of trainable variables q_k", low=1, high=3)
    cells: int = param(1024, "grid points per axis", low=16, high=1 << 16)
    length: float = param(20.0, "box length per axis", low=0, low_open=True)
    t_final: float = param(6.0, "final time", low=0, low_open=True)
    steps: int = param(240, "time steps", low=1, high=10**8)
    record_every: int = param(4, "steps between records", low=1, high=10**8)
    method: Literal["strang", "yoshida4", "blanes-moan4"] = param(
        "blanes-moan4", "operator splitting", units="")
    diffusion: float = param(0.25, "D, diffusion coefficient of (18)", low=0, low_open=True)
    gamma: float = param(1.0, "gamma, learning rate of the drift (19)", low=0, low_open=True)
    mu: float = param(1.0, "mu, Lagrange multiplier of (26)", low=0, low_open=True)
    stiffness: float = param(1.0, "kappa of V = kappa q^2 / 2", low=0, low_open=True)
    center: float = param(2.0, "initial packet centre (each axis)")
    wavenumber: float = param(0.0, "initial wave number k0 (each axis)")
    sigma: float = param(0.7, "initial packet width", low=0, low_open=True)
    barrier: float = param(2.0, "double-well barrier height", low=0)
    well_separation: float = param(4.0, "distance between the wells", low=0, low_open=True)
    beta: float = param(0.1, "beta of the canonical free energy (45)", low=0, low_open=True)
    mass: float = param(0.0, "m of the canonical free energy (45)")
    absorb_width: float = param(0.0, "absorbing layer width / box length (0 = off)", low=0,
                                high=0.5, high_open=True)
    absorb_strength: float = param(5.0, "absorbing rate at the box edge", low=0,
                                   low_open=True)


@dataclass(frozen=True)
class SchrodingerSetup:
    """The model of a `schrodinger` run and what else its parameters determine.

    Attributes
    ----------
    model : Schrodinger
        The equation (34) on its grid, with V and the absorbing layer.
    psi0 : ndarray
        The initial state.
    center : tuple of float
        The initial packet centre.
    absorb_width : float
        The absorbing layer's width as a fraction of the box (0.1 for the canonical V).
    lambda0 : ndarray or None
        The network's eigenvalues (canonical V only).
    """

    model: Schrodinger
    psi0: np.ndarray
    center: tuple[float, ...]
    absorb_width: float
    lambda0: np.ndarray | None


def setup(p: SchrodingerParams, rng: np.random.Generator) -> SchrodingerSetup:
    """The model of P2 (34) and the initial state for the parameters `p`.

    Parameters
    ----------
    p : SchrodingerParams
        The parameters.
    rng : numpy.random.Generator
        Draws the network of the canonical potential (45).

    Returns
    -------
    SchrodingerSetup
        The model, the initial state and the derived settings.

    Raises
    ------
    ParameterError
        beta and mass for which the network's G leaves the domain of (45).
    """
    K = p.dims
    consts = MadelungConstants(p.diffusion, p.gamma, p.mu)
    length = p.length
    lam0 = None
    if p.potential == "canonical":
        lam0 = network_eigenvalues(rng, K)
        edge = (1 - p.beta * p.mass) / p.beta + lam0.min()
        if edge <= 0:
            raise ParameterError("parameters 'beta' and 'mass': the network's G has "
                                 "(1 - beta m) + beta lambda <= 0, outside the domain of the "
                                 "canonical free energy (45); choose a smaller beta or mass")
        length = min(length, 1.8 * edge)
    grid = make_grid(p.cells, length, ndim=K)
    q = grid.q
    c = p.center if p.potential != "canonical" else 0.0  # canonical: start at lambda_0
    center = tuple(c for _ in range(K))
    v: np.ndarray | None = None
    if p.potential == "harmonic":
        v = 0.5 * p.stiffness * sum(x**2 for x in q)
        psi0 = coherent_state(grid, consts, stiffness=p.stiffness, displacement=center)
    else:
        sigma = p.sigma if p.potential != "canonical" else min(p.sigma, length / 20)
        psi0 = gaussian_packet(grid, consts, center=center, wavenumber=p.wavenumber,
                               sigma=sigma)
        if p.potential == "double-well":
            a = p.well_separation / 2
            v = p.barrier * sum((x**2 - a**2) ** 2 for x in q) / a**4
        elif p.potential == "canonical":
            assert lam0 is not None
            lam = np.stack(np.broadcast_arrays(*[x + l0 for x, l0 in zip(q, lam0,
                                                                         strict=True)]), -1)
            v = canonical_free_energy(lam, beta=p.beta, mass=p.mass)
    v = None if v is None else np.broadcast_to(v, grid.shape).copy()
    width = p.absorb_width
    if p.potential == "canonical" and width == 0:
        width = 0.1  # (45) is not periodic: the layer takes out what reaches its log edge
    model = Schrodinger(grid, consts, potential=v, method=p.method,
                        absorb_width=width * min(grid.length) if width > 0 else 0.0,
                        absorb_strength=p.absorb_strength if width > 0 else 0.0)
    return SchrodingerSetup(model, psi0, center, width, lam0)


def run(run: RunWriter[SchrodingerParams]) -> None:
    """Integrate P2 (34) with the library stepper; record norm, <H>, (22) and the (28) terms.

    Records at every `record_every` steps the norm, <H>, the mean position <q>, the entropy
    production (22), the five terms of the action density (28) integrated over q, |Psi|^2
    along the q1 axis and, for the harmonic oscillator and the free packet without absorbing
    layer, the relative L2 error against the analytic solution. Writes the final density and
    the potential as fields (and the network's eigenvalues lambda_0 for the canonical
    potential (45)), and the step, absorbing width, hbar and phase constant as results.

    Parameters
    ----------
    run : RunWriter[SchrodingerParams]
        The run being written; ``run.p`` holds the typed parameters.

    Raises
    ------
    ParameterError
        An initial state the grid does not resolve; beta and mass outside the domain of (45);
        sizes that do not fit in memory or would take too long.
    NumericalError
        The wave function became non-finite (the message names the quantity and the time).
    """
    p = run.p
    points = float(p.cells) ** p.dims
    # Psi, the split-step phases, the potential, FFT workspace and the action terms: about
    # 24 complex arrays of the grid
    require_memory(nbytes((24, points), itemsize=16), f"cells={p.cells} ** dims={p.dims}")
    require_steps(float(p.steps) * points, f"steps={p.steps} on cells={p.cells} ** dims={p.dims}")
    s = setup(p, run.rng(0))
    model, grid, consts = s.model, s.model.grid, s.model.constants
    v = model.potential_at(0.0)
    if s.lambda0 is not None:
        run.write_array("lambda0", s.lambda0)
    try:
        check_resolved(s.psi0, grid)
    except ValueError as exc:
        raise ParameterError(f"the initial state: {exc}, or a wider packet: change cells, "
                             f"length, sigma, wavenumber or stiffness") from None
    times, dt = step_times(p.t_final, p.t_final / p.steps, p.record_every)
    K = grid.ndim
    line = tuple(slice(None) if ax == 0 else grid.shape[ax] // 2 for ax in range(K))

    def observe(frame: Frame[np.ndarray]) -> dict[str, object]:
        t, psi = frame.t, frame.state
        dens = np.abs(psi) ** 2
        terms = action_terms_from_wavefunction(psi, grid, consts, potential=v)
        row: dict[str, object] = dict(
            t=t, norm=norm(psi, grid), energy=energy(psi, grid, consts, v),
            mean_q=np.array([float(grid.integrate(x * dens)) for x in grid.q]),
            entropy_production=terms["stochastic_entropy"] + terms["learning_entropy"],
            density=dens[line], **{f"action_{k}": terms[k] for k in ACTION_TERMS})
        if p.potential == "harmonic":
            exact = coherent_state(grid, consts, stiffness=p.stiffness, t=t,
                                   displacement=s.center)
            row["error"] = float(np.linalg.norm(psi - exact) / np.linalg.norm(exact))
        elif p.potential == "free" and model.absorb is None:
            exact = gaussian_packet(grid, consts, center=s.center, wavenumber=p.wavenumber,
                                    sigma=p.sigma, t=t)
            row["error"] = float(np.linalg.norm(psi - exact) / np.linalg.norm(exact))
        return row

    why = ("the step t_final/steps is too large for diffusion, gamma, mu or the potential; "
           "choose more steps or smaller values")
    with numerical_failures("schrodinger", why):
        psi = evolve_run(run, SchrodingerStepper(model, dt), lambda: s.psi0, times,
                         finite_rows(observe, why=why))
    axes = {f"q{ax + 1}": grid.axes[ax] for ax in range(K)}
    run.write_field("density_final", np.abs(psi) ** 2, axes=axes)
    run.write_field("potential", np.zeros(grid.shape) if v is None else v, axes=axes)
    run.set_result("dt", dt)
    run.set_result("absorb_width", s.absorb_width)
    run.set_result("hbar_eff", consts.hbar)
    run.set_result("phase_constant", consts.phase)


def _params(data: RunData) -> SchrodingerParams:
    p = SIMULATION.typed(data.params)
    assert isinstance(p, SchrodingerParams)
    return p


_TERM_LABELS = {
    "stochastic_entropy": "stochastic entropy production",
    "learning_entropy": "learning entropy production",
    "free_energy_x": r"free energy, $\mu\int p\,\partial_t F$",
    "free_energy_q": r"free energy, $\mu\gamma\int p\,|\nabla F|^2$",
    "potential": r"potential, $\mu\int p\,V$",
}


def plot(data: RunData, fig: Figure) -> None:
    """|Psi|^2 along q1 over time, the final 2D density, norm and <H> drift (P2 (34)), the P2
    (28) terms.

    Left: |Psi|^2 along q1 (through the centre of the other axes) against time. Next (K >= 2
    only): the final |Psi|^2 over (q1, q2) (for K = 3 its marginal over q3). Then: the drift
    of the norm and the relative drift of <H> (and the L2 error against the analytic solution
    where there is one), log scale, t = 0 left out. Right: the five terms of the action
    density (28), integrated over q, against time.

    Parameters
    ----------
    data : RunData
        A finished run.
    fig : Figure
        The figure to draw on.
    """
    p = _params(data)
    t = data.series("t")
    dens = data.series("density")
    axs = fig.subplots(1, 4 if p.dims >= 2 else 3)
    if p.dims >= 2:
        fig.set_size_inches(15, 4.2)
    ax1, ax2, ax3 = axs[0], axs[-2], axs[-1]
    half = p.length / 2
    image(ax1, dens, (-half, half, t[0], t[-1]), cmap="magma", crop=1e-4,
          label=r"$|\Psi(t, q_1)|^2$" if p.dims == 1
          else r"$|\Psi|^2$ on the $q_1$ axis")
    ax1.set_xlabel("$q_1$")
    ax1.set_ylabel("$t$")
    ax1.set_title(f"density, {p.potential} potential, $K = {p.dims}$")
    if p.dims >= 2:
        final, axes = data.field("density_final")
        q = list(axes.values())
        if final.ndim == 3:
            final = final.sum(axis=2) * float(np.diff(q[2][:2])[0])
        image(axs[1], final.T, (q[0][0], q[0][-1], q[1][0], q[1][-1]), cmap="magma",
              crop=1e-4, label=r"$|\Psi(t_{\rm end}, q_1, q_2)|^2$")
        axs[1].set_xlabel("$q_1$")
        axs[1].set_ylabel("$q_2$")
        axs[1].set_title(f"final density at $t = {t[-1]:g}$"
                         + (", marginal over $q_3$" if p.dims == 3 else ""))
    n = data.series("norm")
    e = data.series("energy")
    log_plot(ax2, t, np.abs(n - n[0]), label=r"norm drift $|\,\|\Psi\|^2(t) - \|\Psi\|^2(0)|$")
    log_plot(ax2, t, np.abs(e - e[0]) / max(abs(e[0]), 1e-300),
             label=r"energy drift $|\langle H\rangle(t) - \langle H\rangle(0)|"
                   r"\,/\,|\langle H\rangle(0)|$")
    if p.potential == "harmonic" or (p.potential == "free" and p.absorb_width == 0):
        log_plot(ax2, t, data.series("error"), label="$L^2$ error against the exact solution")
    fit_range(ax2, t[t > 0], "x", pad=0.01)
    ax2.set_xlabel("$t$")
    ax2.set_ylabel("drift, relative error")
    ax2.set_title("conservation and accuracy (34)")
    ax2.legend()
    for k in ACTION_TERMS:
        ax3.plot(t, data.series(f"action_{k}"), label=_TERM_LABELS.get(k, k.replace("_", " ")))
    fit_range(ax3, t, "x", pad=0.01)
    ax3.set_xlabel("$t$")
    ax3.set_ylabel(r"term of the action density (28), $\int d^Kq$")
    ax3.set_title("the five terms of (28)")
    ax3.legend()


def checks(data: RunData) -> list[Check]:
    """P2 (34)-(36): norm and <H> conserved, free packet and coherent state vs analytic.

    P2 (34): unitary evolution conserves the norm, and P2 (34)-(36): <H> is conserved for a
    static V (both without absorbing layer, not for the canonical potential); P2 (34): the
    free Gaussian packet spreads as on the infinite line (while it stays away from the box's
    edges); P2 (34): the coherent state oscillates with the derived omega = sqrt(2 gamma
    kappa).

    Parameters
    ----------
    data : RunData
        A finished run.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    p = _params(data)
    out = []
    nrm = data.series("norm")
    # every step applies as many FFT pairs as its splitting has kinetic stages; each pair and
    # its phases lose at most about (2 log2 N + 1) eps of the norm (unitary in exact
    # arithmetic), and the losses add up over the steps
    pairs = sum(flow == "B" for flow, _ in SPLITTINGS[p.method][1])
    roundoff = roundoff_bound(p.steps, pairs * fft_operations(p.cells ** p.dims))
    if p.absorb_width == 0 and p.potential != "canonical":
        drift = float(np.abs(nrm - nrm[0]).max() / nrm[0])
        out.append(Check("P2 (34): unitary evolution, norm conserved", "norm drift 0",
                         f"{drift:.1e} (round-off bound {roundoff:.1e} for {p.steps} steps)",
                         drift <= roundoff, decides=("P2 (34)",)))
        e = data.series("energy")
        de = float(np.abs(e - e[0]).max() / max(abs(e[0]), 1e-300))
        # the splitting conserves a modified energy: <H> oscillates by O(dt^order) without
        # drift, below 1e-5 at the default and full steps; plus the accumulated round-off
        out.append(Check("P2 (34)-(36): <H> conserved for static V", "relative drift 0",
                         f"{de:.1e}", de <= 1e-5 + roundoff, decides=("P2 (34)",)))
    if p.potential == "free" and p.absorb_width == 0:
        c = MadelungConstants(p.diffusion, p.gamma, p.mu).kinetic
        t = p.t_final
        spread = p.sigma * np.hypot(1.0, c * t / p.sigma ** 2)
        reach = abs(p.center + 2 * c * p.wavenumber * t) + 8 * spread
        if reach < p.length / 2 and abs(p.center) + 8 * p.sigma < p.length / 2:
            err = float(data.series("error")[-1])
            # the free flow is exact in Fourier space: only round-off is left
            out.append(Check("P2 (34): free Gaussian packet spreads as on the infinite line",
                             "analytic solution", f"relative L2 error {err:.1e}",
                             err <= 1e-8 + roundoff, decides=("P2 (34)",)))
    if p.potential == "harmonic":
        err = float(data.series("error")[-1])
        out.append(Check("P2 (34): coherent state with omega = sqrt(2 gamma kappa) (derived)",
                         "analytic solution", f"relative L2 error {err:.1e}",
                         err <= 1e-6 + roundoff, decides=("P2 (34)",)))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("time t (P2 (34))"),
    "norm": Output("norm int |Psi|^2 d^Kq of the wave function"),
    "energy": Output("energy <H> = <Psi| -4 D Laplacian + mu V |Psi> (P2 (34))"),
    "mean_q": Output("mean position <q_k> of |Psi|^2, one per trainable variable k = 1..K"),
    "entropy_production": Output(
        "entropy production dS_q/dt, P2 (22): terms (1) plus (2) of the action density (28)"),
    "density": Output("probability density p = |Psi|^2 along the q1 axis (centre of the others)"),
    "error": Output("relative L2 error of Psi against the analytic solution (harmonic "
                    "potential, and free packet without absorbing layer)"),
    **{f"action_{k}": Output(v) for k, v in ACTION_TERM_NAMES.items()},
    "density_final": Output("probability density p = |Psi|^2 at the final time (P2 (35))"),
    "potential": Output("potential V(q) of P2 (34) (0 for the free packet, the canonical F "
                        "of P2 (45) for the canonical potential)"),
    **{f"q{k}": Output(f"trainable variable q_{k} (grid points)") for k in (1, 2, 3)},
    "lambda0": Output("eigenvalues lambda_0 of the network's G where the packet starts "
                      "(canonical potential (45) only)"),
    "dt": Output("time step"),
    "absorb_width": Output("width of the absorbing layer as a fraction of the box length"),
    "hbar_eff": Output("effective Planck constant hbar = sqrt(4 D mu / gamma), the "
                       "coefficient of i dPsi/dt in P2 (34)"),
    "phase_constant": Output("phase constant a = sqrt(gamma mu / (4 D)) of Psi = sqrt(p) "
                             "exp(i a F) (P2 (35))"),
}


SIMULATION = register(Simulation(
    name="schrodinger",
    summary="Split-step Schrödinger equation of learning (34): packets, oscillator, double "
            "well, canonical free energy",
    equations=("P2 22", "P2 28", "P2 34", "P2 35", "P2 36", "P2 45", "P1 11.9"),
    parameters=SchrodingerParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"dims": 2, "cells": 512, "steps": 1200, "record_every": 20},
    smoke={"cells": 256, "steps": 40, "t_final": 1.0, "record_every": 8},
    stochastic=False,
    outputs=OUTPUTS,
))
"""The registered `schrodinger` simulation (P2 (22), (28), (34)-(36), (45))."""
