"""`chains`: hidden variables of a permutation-weight network move as waves (P2 eq 49-63)."""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.chains import cycle_permutation, evolve, noisy_weights, shift_solution
from emergent.registry import Check, Param, Simulation, register

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


def run(run: Any) -> None:
    p = run.params
    n, rows = p["neurons"], p["subsystems"] + 1
    shift = 1 if p["direction"] == "right" else -1
    perm = cycle_permutation(n, shift)
    weights = noisy_weights(n, p["noise"], run.rng(1))
    x0 = initial_profile(run.rng(0), rows, n, p["modes"], p["amplitude"])
    show = np.linspace(0, n, min(n, p["show"]), endpoint=False).astype(np.int64)
    state = run.restore()
    if state is None:
        x, t = x0, 0
        run.append(t=0, norm=np.sum(x0**2) / n, shift_error=0.0, x=x0[:, show])
    else:
        x, t = state["x"], int(state["t"])
    total = p["steps"]
    every = p["record_every"]
    starts = range(t, total, every)
    for start in run.progress(starts, total=-(-total // every), initial=t // every):
        k = min(every, total - start)
        x = evolve(x, perm, k, weights=weights, activation=p["activation"])
        exact = shift_solution(x0, start + k, shift)
        run.append(t=start + k, norm=np.sum(x**2) / n, shift_error=np.abs(x - exact).max(),
                   x=x[:, show])
        run.checkpoint({"x": x, "t": start + k})
    run.write_field("x_final", x, axes={"mu": np.arange(rows), "sigma": np.arange(n)})
    run.set_result("max_shift_error", float(np.abs(x - shift_solution(x0, total, shift)).max()))


def plot(data: Any, fig: Any) -> None:
    t = data.series("t")
    xs = data.series("x")  # [records, rows, show]
    ax1, ax2 = fig.subplots(1, 2)
    ax1.imshow(xs[:, 0, :], aspect="auto", origin="lower", cmap="RdBu_r",
               extent=(0, data.params["neurons"], t[0], t[-1]))
    ax1.set_xlabel("sigma (neuron i)")
    ax1.set_ylabel("tau (step t)")
    ax1.set_title("x^(0)(tau, sigma)")
    err = np.maximum(data.series("shift_error")[1:], 1e-17)
    ax2.semilogy(t[1:], err, label="|x - exact shift|")
    norm = data.series("norm")
    ax2.semilogy(t, np.maximum(np.abs(norm - norm[0]), 1e-17), label="|norm drift|")
    ax2.set_xlabel("t")
    ax2.legend()
    ax2.set_title(f"{data.params['activation']}, noise={data.params['noise']:g}")


def checks(data: Any) -> list[Check]:
    p = data.params
    if p["activation"] != "linear" or p["noise"] != 0:
        return []
    err = data.results["max_shift_error"]
    norm = data.series("norm")
    drift = float(np.abs(norm - norm[0]).max() / norm[0])
    return [
        Check("P2 (61)-(63): linear single-cycle chain is an exact travelling wave",
              "x(t, i) = x(0, i - t)", f"max error {err:.1e}", err <= 1e-12 * p["amplitude"]),
        Check("P2 (59): permutation weights conserve sum_i x_i^2 (linear f)",
              "norm conserved", f"relative drift {drift:.1e}", drift <= 1e-12),
    ]


SIMULATION = register(Simulation(
    name="chains",
    summary="Linear/tanh single-cycle permutation chain: hidden variables move as waves",
    equations=("P2 49", "P2 50", "P2 57", "P2 59", "P2 60", "P2 61", "P2 63"),
    params=(
        Param("neurons", "int", 4096, "N, neurons in the cycle", low=2, high=10**9),
        Param("subsystems", "int", 3, "D, subsystems x^(1..D) besides x^(0)", low=1, high=64),
        Param("steps", "int", 2048, "time steps t", low=1, high=10**9),
        Param("record_every", "int", 16, "steps between recorded rows", low=1, high=10**9),
        Param("activation", "str", "linear", "activation f", choices=("linear", "tanh")),
        Param("noise", "float", 0.0, "std of the edge weights around 1 (noisy permutation)",
              low=0.0, high=10.0),
        Param("direction", "str", "right", "pi (right-moving) or pi^T (left-moving)",
              choices=("right", "left")),
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
