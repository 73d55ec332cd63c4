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
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.quantum import (
    ACTION_TERMS,
    action_terms_from_wavefunction,
    coherent_state,
    energy,
    gaussian_packet,
    madelung_constants,
    make_grid,
    norm,
    split_step_propagator,
)
from emergent.quantum.schrodinger import absorbing_rate
from emergent.runs.registry import Check, Param, Simulation, register
from emergent.septuple.canonical import canonical_free_energy

__all__ = ["network_eigenvalues", "setup"]


def network_eigenvalues(rng: np.random.Generator, n: int, *, scale: float = 0.6) -> np.ndarray:
    """Eigenvalues of G = (I - f' w)^T (I - f' w) (P2 (8)) for a random tanh net of n neurons
    at <x> = 0: w ~ N(0, scale^2 / n), b ~ N(0, 0.5^2), f'_ii = 1 - tanh(b_i)^2."""
    w = rng.normal(0.0, scale / np.sqrt(n), (n, n))
    b = rng.normal(0.0, 0.5, n)
    m = np.eye(n) - np.diag(1 - np.tanh(b) ** 2) @ w
    return np.sort(np.linalg.eigvalsh(m.T @ m))


def setup(p: dict[str, Any], rng: np.random.Generator) -> tuple[Any, np.ndarray, np.ndarray | None,
                                                                 np.ndarray | None, dict]:
    """(grid, psi0, V, absorbing rate, info) for the parameters p."""
    K = p["dims"]
    kw = dict(diffusion=p["diffusion"], gamma=p["gamma"], mu=p["mu"])
    info: dict[str, Any] = {}
    length = p["length"]
    if p["potential"] == "canonical":
        lam0 = network_eigenvalues(rng, K)
        edge = (1 - p["beta"] * p["mass"]) / p["beta"] + lam0.min()
        if edge <= 0:
            raise ValueError("beta, mass: the network's G has (1 - beta m) + beta lambda <= 0")
        length = min(length, 1.8 * edge)
        info["lambda0"] = lam0
    grid = make_grid(p["cells"], length, ndim=K)
    q = grid.q
    c = p["center"] if p["potential"] != "canonical" else 0.0  # canonical: start at lambda_0
    center = tuple(c for _ in range(K))
    info["center"] = center
    v: np.ndarray | None = None
    if p["potential"] == "harmonic":
        v = 0.5 * p["stiffness"] * sum(x**2 for x in q)
        psi0 = coherent_state(grid, stiffness=p["stiffness"], displacement=center, **kw)
    else:
        sigma = p["sigma"] if p["potential"] != "canonical" else min(p["sigma"], length / 20)
        psi0 = gaussian_packet(grid, center=center, wavenumber=p["wavenumber"], sigma=sigma,
                               **kw)
        if p["potential"] == "double-well":
            a = p["well_separation"] / 2
            v = p["barrier"] * sum((x**2 - a**2) ** 2 for x in q) / a**4
        elif p["potential"] == "canonical":
            lam = np.stack(np.broadcast_arrays(*[x + l0 for x, l0 in
                                                 zip(q, info["lambda0"], strict=True)]), -1)
            v = canonical_free_energy(lam, beta=p["beta"], mass=p["mass"])
    v = None if v is None else np.broadcast_to(v, grid.shape).copy()
    width = p["absorb_width"]
    if p["potential"] == "canonical" and width == 0:
        width = 0.1  # (45) is not periodic: the layer takes out what reaches its log edge
    info["absorb_width"] = width
    absorb = (absorbing_rate(grid, width=width * min(grid.length),
                             strength=p["absorb_strength"]) if width > 0 else None)
    return grid, psi0, v, absorb, info


def run(run: Any) -> None:
    p = run.params
    kw = dict(diffusion=p["diffusion"], gamma=p["gamma"], mu=p["mu"])
    consts = madelung_constants(**kw)
    grid, psi0, v, absorb, info = setup(p, run.rng(0))
    if "lambda0" in info:
        run.write_array("lambda0", info["lambda0"])
    tail = grid.tail_fraction(psi0)
    if tail > 1e-14:
        raise ValueError(f"cells: the initial state is not resolved (spectral tail {tail:.1e})")
    steps, every = p["steps"], p["record_every"]
    dt = p["t_final"] / steps
    advance = split_step_propagator(grid, consts, dt=dt, potential=v, method=p["method"],
                                    absorb=absorb)
    K = grid.ndim
    line = tuple(slice(None) if ax == 0 else grid.shape[ax] // 2 for ax in range(K))

    def record(n: int, psi: np.ndarray) -> None:
        t = n * dt
        dens = np.abs(psi) ** 2
        terms = action_terms_from_wavefunction(psi, grid, potential=v, **kw)
        row = dict(t=t, norm=norm(psi, grid), energy=energy(psi, grid, consts, v),
                   mean_q=np.array([float(grid.integrate(x * dens)) for x in grid.q]),
                   entropy_production=terms["stochastic_entropy"] + terms["learning_entropy"],
                   density=dens[line], **{f"action_{k}": terms[k] for k in ACTION_TERMS})
        if p["potential"] == "harmonic":
            exact = coherent_state(grid, stiffness=p["stiffness"], t=t,
                                   displacement=info["center"], **kw)
            row["error"] = float(np.linalg.norm(psi - exact) / np.linalg.norm(exact))
        elif p["potential"] == "free" and absorb is None:
            exact = gaussian_packet(grid, center=info["center"],
                                    wavenumber=p["wavenumber"], sigma=p["sigma"], t=t, **kw)
            row["error"] = float(np.linalg.norm(psi - exact) / np.linalg.norm(exact))
        run.append(**row)

    state = run.restore()
    if state is None:
        psi, n = psi0, 0
        record(0, psi)
    else:
        psi, n = state["psi"], int(state["n"])
    chunks = range(n, steps, every)
    for start in run.progress(chunks, total=len(range(0, steps, every)),
                              initial=len(range(0, n, every))):
        k = min(every, steps - start)
        psi = advance(psi, start * dt, k)
        record(start + k, psi)
        run.checkpoint({"psi": psi, "n": start + k})
    axes = {f"q{ax + 1}": grid.axes[ax] for ax in range(K)}
    run.write_field("density_final", np.abs(psi) ** 2, axes=axes)
    run.write_field("potential", np.zeros(grid.shape) if v is None else v, axes=axes)
    run.set_result("dt", dt)
    run.set_result("absorb_width", info["absorb_width"])
    run.set_result("hbar_eff", consts.hbar)
    run.set_result("phase_constant", consts.phase)


def plot(data: Any, fig: Any) -> None:
    p = data.params
    t = data.series("t")
    dens = data.series("density")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    ax1.imshow(dens, aspect="auto", origin="lower", extent=(-p["length"] / 2, p["length"] / 2,
                                                          t[0], t[-1]), cmap="magma")
    ax1.set_xlabel("q1")
    ax1.set_ylabel("t")
    ax1.set_title(f"|Psi|^2, {p['potential']}, K={p['dims']}")
    ax2.semilogy(t, np.maximum(np.abs(data.series("norm") - data.series("norm")[0]), 1e-17),
                 label="|norm drift|")
    e = data.series("energy")
    ax2.semilogy(t, np.maximum(np.abs(e - e[0]) / max(abs(e[0]), 1e-300), 1e-17),
                 label="|<H> drift|/|<H>|")
    if p["potential"] == "harmonic" or (p["potential"] == "free" and p["absorb_width"] == 0):
        ax2.semilogy(t[1:], np.maximum(data.series("error")[1:], 1e-17), label="L2 error vs exact")
    ax2.set_xlabel("t")
    ax2.legend(fontsize=7)
    for k in ACTION_TERMS:
        ax3.plot(t, data.series(f"action_{k}"), label=k)
    ax3.set_xlabel("t")
    ax3.set_title("(28) terms, integrated over q")
    ax3.legend(fontsize=6)


def checks(data: Any) -> list[Check]:
    p = data.params
    out = []
    nrm = data.series("norm")
    if p["absorb_width"] == 0 and p["potential"] != "canonical":
        drift = float(np.abs(nrm - nrm[0]).max())
        out.append(Check("P2 (34): unitary evolution, norm conserved", "norm drift 0",
                         f"{drift:.1e}", drift <= 1e-12))
        e = data.series("energy")
        de = float(np.abs(e - e[0]).max() / max(abs(e[0]), 1e-300))
        out.append(Check("P2 (34)-(36): <H> conserved for static V", "relative drift 0",
                         f"{de:.1e}", de <= 1e-5))
    if p["potential"] == "free" and p["absorb_width"] == 0:
        c = np.sqrt(4 * p["diffusion"] * p["gamma"] / p["mu"])
        t = p["t_final"]
        spread = p["sigma"] * np.hypot(1.0, c * t / p["sigma"] ** 2)
        reach = abs(p["center"] + 2 * c * p["wavenumber"] * t) + 8 * spread
        if reach < p["length"] / 2 and abs(p["center"]) + 8 * p["sigma"] < p["length"] / 2:
            err = float(data.series("error")[-1])
            out.append(Check("P2 (34): free Gaussian packet spreads as on the infinite line",
                             "analytic solution", f"relative L2 error {err:.1e}", err <= 1e-8))
    if p["potential"] == "harmonic":
        err = float(data.series("error")[-1])
        out.append(Check("P2 (34): coherent state with omega = sqrt(2 gamma kappa) (derived)",
                         "analytic solution", f"relative L2 error {err:.1e}", err <= 1e-6))
    return out


SIMULATION = register(Simulation(
    name="schrodinger",
    summary="Split-step Schrödinger equation of learning (34): packets, oscillator, double "
            "well, canonical free energy",
    equations=("P2 22", "P2 28", "P2 34", "P2 35", "P2 36", "P2 45", "P1 11.9"),
    params=(
        Param("potential", "str", "harmonic", "V(q)",
              choices=("free", "harmonic", "double-well", "canonical")),
        Param("dims", "int", 1, "K, number of trainable variables q_k", low=1, high=3),
        Param("cells", "int", 1024, "grid points per axis", low=16, high=1 << 16),
        Param("length", "float", 20.0, "box length per axis", low=0, low_open=True),
        Param("t_final", "float", 6.0, "final time", low=0, low_open=True),
        Param("steps", "int", 240, "time steps", low=1, high=10**8),
        Param("record_every", "int", 4, "steps between records", low=1, high=10**8),
        Param("method", "str", "blanes-moan4", "operator splitting",
              choices=("strang", "yoshida4", "blanes-moan4")),
        Param("diffusion", "float", 0.25, "D, diffusion coefficient of (18)", low=0,
              low_open=True),
        Param("gamma", "float", 1.0, "gamma, learning rate of the drift (19)", low=0,
              low_open=True),
        Param("mu", "float", 1.0, "mu, Lagrange multiplier of (26)", low=0, low_open=True),
        Param("stiffness", "float", 1.0, "kappa of V = kappa q^2 / 2", low=0, low_open=True),
        Param("center", "float", 2.0, "initial packet centre (each axis)"),
        Param("wavenumber", "float", 0.0, "initial wave number k0 (each axis)"),
        Param("sigma", "float", 0.7, "initial packet width", low=0, low_open=True),
        Param("barrier", "float", 2.0, "double-well barrier height", low=0),
        Param("well_separation", "float", 4.0, "distance between the wells", low=0,
              low_open=True),
        Param("beta", "float", 0.1, "beta of the canonical free energy (45)", low=0,
              low_open=True),
        Param("mass", "float", 0.0, "m of the canonical free energy (45)"),
        Param("absorb_width", "float", 0.0, "absorbing layer width / box length (0 = off)",
              low=0, high=0.5, high_open=True),
        Param("absorb_strength", "float", 5.0, "absorbing rate at the box edge", low=0,
              low_open=True),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"dims": 2, "cells": 512, "steps": 1200, "record_every": 20},
    smoke={"cells": 256, "steps": 40, "t_final": 1.0, "record_every": 8},
    stochastic=False,
))
