"""`chains`: hidden variables of a permutation-weight network move as waves (P2 eq 49-73)."""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.chains.continuum import semidiscrete_convergence
from emergent.chains.permutation import (
    evolve,
    noisy_weights,
    permutation_from_cycles,
    shift_solution,
    transpose,
)
from emergent.runs.registry import Check, Param, ParameterError, Simulation, register

__all__ = ["initial_profile"]


def initial_profile(rng: np.random.Generator, rows: int, n: int, modes: int,
                    amplitude: float) -> np.ndarray:
    """Smooth random periodic data: sum_k a_k cos(2 pi k i / N + phi_k) / k, k = 1..modes.

    Returns ndarray(shape=[rows, n]) with max |x| scaled to `amplitude` per row.
    """
    i = np.arange(n)
    k = np.arange(1, modes + 1)
    a = rng.standard_normal((rows, modes)) / k
    phi = rng.uniform(0, 2 * np.pi, (rows, modes))
    x = np.einsum("rk,rki->ri", a, np.cos(2 * np.pi * k[None, :, None] * i / n + phi[..., None]))
    return amplitude * x / np.abs(x).max(axis=1, keepdims=True)


def _band_limited(x: np.ndarray, modes: int):
    """The trigonometric interpolant of a periodic row with Fourier modes |k| <= modes."""
    n = x.size
    c = np.fft.rfft(x) / n
    k = np.arange(modes + 1)
    coef = c[: modes + 1] * np.where(k == 0, 1.0, 2.0)

    def profile(s: np.ndarray) -> np.ndarray:
        return np.real(np.exp(1j * np.outer(s, k)) @ coef)

    return profile


def _lengths(n: int, cycles: int) -> np.ndarray:
    base = np.full(cycles, n // cycles, dtype=np.int64)
    base[: n % cycles] += 1
    return base


def run(run: Any) -> None:
    p = run.params
    n, rows = p["neurons"], p["subsystems"] + 1
    if p["cycles"] > n:
        raise ParameterError(f"parameter 'cycles': {p['cycles']} cycles need at least as many "
                             f"neurons (neurons = {n})")
    shift = -1 if p["direction"] == "left" else 1
    perm = permutation_from_cycles(_lengths(n, p["cycles"]),
                                   run.rng(2) if p["shuffle"] else None)
    if shift == -1:
        perm, _ = transpose(perm)
    weights = noisy_weights(n, p["noise"], run.rng(1))
    both = p["direction"] == "both"
    if both:
        perm_t, weights_t = transpose(perm, weights)
    x0 = initial_profile(run.rng(0), rows, n, p["modes"], p["amplitude"])
    show = np.linspace(0, n, min(n, p["show"]), endpoint=False).astype(np.int64)
    kw = dict(activation=p["activation"], method=p["method"])

    def exact(t: int) -> np.ndarray:
        if both:
            return 0.5 * (shift_solution(x0, t, perm=perm) + shift_solution(x0, t, perm=perm_t))
        return shift_solution(x0, t, perm=perm)

    state = run.restore()
    if state is None:
        x, xp, t = x0, x0, 0
        run.append(t=0, norm=np.sum(x0**2) / n, shift_error=0.0, x=x0[:, show])
    else:
        x, t = state["x"], int(state["t"])
        xp = state["xp"] if both else x
    total = p["steps"]
    every = p["record_every"]
    starts = range(t, total, every)
    for start in run.progress(starts, total=-(-total // every), initial=t // every):
        k = min(every, total - start)
        x = evolve(x, perm, k, weights=weights, **kw)
        if both:
            xp = evolve(xp, perm_t, k, weights=weights_t, **kw)
        xe = 0.5 * (x + xp) if both else x
        run.append(t=start + k, norm=np.sum(xe**2) / n,
                   shift_error=np.abs(xe - exact(start + k)).max(), x=xe[:, show])
        run.checkpoint({"x": x, "xp": xp, "t": start + k} if both else {"x": x, "t": start + k})
    xe = 0.5 * (x + xp) if both else x
    run.write_field("x_final", xe, axes={"mu": np.arange(rows), "sigma": np.arange(n)})
    run.set_result("max_shift_error", float(np.abs(xe - exact(total)).max()))
    if p["cycles"] == 1 and not p["shuffle"] and 2 * p["modes"] < n and p["modes"] <= 64:
        # continuum limit of the paper's continuous-tau chain (61) for this run's profile:
        # the band-limited interpolant of x^(0)(0) on chains of 64 m .. 512 m neurons, up to
        # tau = 1 / m (the error's leading term is tau k^2 / (2 alpha) for mode k <= m)
        m = p["modes"]
        ns = [64 * m, 128 * m, 256 * m, 512 * m]
        errors, order = semidiscrete_convergence(_band_limited(x0[0], m), ns, tau=1.0 / m,
                                                 direction=-1 if shift == -1 else 1)
        run.write_array("continuum_n", np.array(ns))
        run.write_array("continuum_error", errors)
        run.set_result("continuum_order", order)


def plot(data: Any, fig: Any) -> None:
    t = data.series("t")
    xs = data.series("x")  # [records, rows, show]
    ax1, ax2 = fig.subplots(1, 2)
    ax1.imshow(xs[:, 0, :], aspect="auto", origin="lower", cmap="RdBu_r",
               extent=(0, data.params["neurons"], t[0], t[-1]))
    ax1.set_xlabel("sigma (neuron i)")
    ax1.set_ylabel("tau (step t)")
    ax1.set_title(f"x^(0)(tau, sigma), {data.params['direction']}")
    err = np.maximum(data.series("shift_error")[1:], 1e-17)
    ax2.semilogy(t[1:], err, label="|x - exact shift|")
    norm = data.series("norm")
    ax2.semilogy(t, np.maximum(np.abs(norm - norm[0]), 1e-17), label="|norm drift|")
    ax2.set_xlabel("t")
    ax2.legend()
    ax2.set_title(f"{data.params['activation']}, noise={data.params['noise']:g}, "
                  f"cycles={data.params['cycles']}")


def checks(data: Any) -> list[Check]:
    p = data.params
    out: list[Check] = []
    if "continuum_order" in data.results:
        order = data.results["continuum_order"]
        out.append(Check("P2 (61) -> (63): continuous-tau chain converges to the wave, order 1",
                         "continuum limit (order not stated)", f"order {order:.3f}",
                         abs(order - 1) <= 0.05))
    if p["activation"] != "linear" or p["noise"] != 0:
        return out
    err = data.results["max_shift_error"]
    out.append(Check("P2 (61)-(63), (68): linear permutation chain is an exact travelling wave",
                     "x(t, i) = x(0, i - t)", f"max error {err:.1e}",
                     err <= 1e-12 * p["amplitude"]))
    if p["direction"] != "both":
        norm = data.series("norm")
        drift = float(np.abs(norm - norm[0]).max() / norm[0])
        out.append(Check("P2 (59): permutation weights conserve sum_i x_i^2 (linear f)",
                         "norm conserved", f"relative drift {drift:.1e}", drift <= 1e-12))
    return out


SIMULATION = register(Simulation(
    name="chains",
    summary="Permutation chains (one or several cycles, pi, pi^T or both): hidden variables move "
            "as waves",
    equations=("P2 49", "P2 50", "P2 57", "P2 59", "P2 60", "P2 61", "P2 63", "P2 66", "P2 68",
               "P2 69", "P2 70"),
    params=(
        Param("neurons", "int", 4096, "N, neurons in the network", low=2, high=10**9),
        Param("subsystems", "int", 3, "D, subsystems x^(1..D) besides x^(0)", low=1, high=64),
        Param("steps", "int", 2048, "time steps t", low=1, high=10**9),
        Param("record_every", "int", 16, "steps between recorded rows", low=1, high=10**9),
        Param("activation", "str", "linear", "activation f", choices=("linear", "tanh")),
        Param("noise", "float", 0.0, "std of the edge weights around 1 (noisy permutation)",
              low=0.0, high=10.0),
        Param("direction", "str", "right",
              "pi (right-moving), pi^T (left-moving) or both (the ensemble (68))",
              choices=("right", "left", "both")),
        Param("cycles", "int", 1, "cycles of the permutation (equal lengths, eq 59)", low=1,
              high=10**9),
        Param("shuffle", "bool", False, "relabel the neurons at random (pi up to relabelling)"),
        Param("method", "str", "auto", "kernel: per step, temporally blocked, or auto",
              choices=("auto", "step", "tiled")),
        Param("modes", "int", 4, "Fourier modes of the random initial profile", low=1,
              high=4096),
        Param("amplitude", "float", 0.5, "max |x| of the initial profile", low=0.0,
              low_open=True, high=1e6),
        Param("show", "int", 512, "neurons sampled per recorded row", low=1, high=65536),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"neurons": 1 << 20, "steps": 1 << 14, "record_every": 128},
    smoke={"neurons": 256, "steps": 64, "record_every": 8, "show": 64},
))
