"""`chains`: hidden variables of a permutation-weight network move as waves (P2 eq 49-73).

The model is a :class:`~emergent.chains.permutation.PermutationChain` (one chain, pi or pi^T)
or its :class:`~emergent.chains.permutation.ChainEnsemble` (pi and pi^T, (68)), built from the
typed parameters and evolved by :func:`~emergent.runs.loop.evolve_run` with the library's
:class:`~emergent.chains.permutation.ChainStepper`, recording every `record_every` steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.chains.continuum import semidiscrete_convergence
from emergent.chains.permutation import (
    ChainEnsemble,
    ChainStepper,
    PermutationChain,
    noisy_weights,
    permutation_from_cycles,
    record_steps,
    transpose,
)
from emergent.runs.figures import fit_range, image, log_plot, note
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
from emergent.runs.resources import nbytes, numerical_failures, require_memory

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["SIMULATION", "ChainsParams", "initial_profile", "model"]


@parameters
class ChainsParams:
    """Parameters of the `chains` simulation (P2 (49)-(50), (57)-(61), (68)).
    """

    neurons: int = param(4096, "N, neurons in the network", low=2, high=10**9)
    subsystems: int = param(3, "D, subsystems x^(1..D) besides x^(0)", low=1, high=64)
    steps: int = param(2048, "time steps t", low=1, high=10**9)
    record_every: int = param(16, "steps between recorded rows", low=1, high=10**9)
    activation: Literal["linear", "tanh"] = param("linear", "activation f", units="")
    noise: float = param(0.0, "std of the edge weights around 1 (noisy permutation)",
                         low=0.0, high=10.0)
    direction: Literal["right", "left", "both"] = param(
        "right", "pi (right-moving), pi^T (left-moving) or both (the ensemble (68))", units="")
    cycles: int = param(1, "cycles of the permutation (equal lengths, eq 59)", low=1,
                        high=10**9)
    shuffle: bool = param(False, "relabel the neurons at random (pi up to relabelling)", units="")
    method: Literal["auto", "step", "tiled"] = param(
        "auto", "kernel: per step, temporally blocked, or auto", units="")
    modes: int = param(4, "Fourier modes of the random initial profile", low=1, high=4096)
    amplitude: float = param(0.5, "max |x| of the initial profile", low=0.0, low_open=True,
                             high=1e6)
    show: int = param(512, "neurons sampled per recorded row", low=1, high=65536)


def initial_profile(rng: np.random.Generator, rows: int, n: int, modes: int,
                    amplitude: float) -> np.ndarray:
    """Smooth random periodic data: sum_k a_k cos(2 pi k i / N + phi_k) / k, k = 1..modes.

    Parameters
    ----------
    rng : numpy.random.Generator
        The source of the coefficients a_k ~ N(0, 1) and phases phi_k.
    rows : int
        Subsystems D + 1.
    n : int
        Neurons N.
    modes : int
        Fourier modes.
    amplitude : float
        max |x| of every row.

    Returns
    -------
    ndarray(shape=[rows, n])
    """
    i = np.arange(n)
    k = np.arange(1, modes + 1)
    a = rng.standard_normal((rows, modes)) / k
    phi = rng.uniform(0, 2 * np.pi, (rows, modes))
    x = np.einsum("rk,rki->ri", a, np.cos(2 * np.pi * k[None, :, None] * i / n + phi[..., None]))
    return amplitude * x / np.abs(x).max(axis=1, keepdims=True)


def _band_limited(x: np.ndarray, modes: int):  # noqa: ANN202 - a profile function
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


def model(p: ChainsParams, run: RunWriter[ChainsParams]) -> PermutationChain | ChainEnsemble:
    """The network of P2 (49)-(50), (59)-(60) (and (68) for direction = both) from `p`.

    Parameters
    ----------
    p : ChainsParams
        The parameters.
    run : RunWriter
        The run (its random streams 1 for the weights and 2 for the relabelling).

    Returns
    -------
    PermutationChain or ChainEnsemble

    Raises
    ------
    ParameterError
        More cycles than neurons.
    """
    n = p.neurons
    if p.cycles > n:
        raise ParameterError(f"parameter 'cycles': {p.cycles} cycles need at least as many "
                             f"neurons (neurons = {n})")
    perm = permutation_from_cycles(_lengths(n, p.cycles), run.rng(2) if p.shuffle else None)
    if p.direction == "left":
        perm, _ = transpose(perm)
    weights = noisy_weights(n, p.noise, run.rng(1))
    chain = PermutationChain(perm, weights, activation=p.activation, method=p.method)
    return ChainEnsemble(chain) if p.direction == "both" else chain


def run(run: RunWriter[ChainsParams]) -> None:
    """Evolve the chain (P2 (57), (61)) and compare with the exact shift and the continuum.

    Records, every `record_every` steps, the norm sum_i x_i^2 / N, the largest deviation from
    the exact shift solution (61) (of the ensemble average (68) for direction = both) and
    `show` sampled neurons of every subsystem; writes the final state ``x_final`` and the
    result ``max_shift_error``. For one unshuffled cycle with a band-limited profile it also
    measures the convergence of the continuous-tau chain (61) to the wave equation (63) on
    finer chains (``continuum_n``, ``continuum_error``, result ``continuum_order``).

    Parameters
    ----------
    run : RunWriter
        The run being written (parameters ``run.p``, random streams, output).

    Raises
    ------
    ParameterError
        More cycles than neurons; sizes that do not fit in memory.
    NumericalError
        The state overflowed (a linear chain with weights above 1).
    """
    p = run.p
    n, rows = p.neurons, p.subsystems + 1
    copies = 2 if p.direction == "both" else 1
    # state, start, exact shift, kernel output and average: ~6 copies of [copies, rows, n];
    # permutation, weights, bias and their transposes: ~8 arrays of n
    require_memory(nbytes((6 * copies, rows, n), 8 * n),
                   f"neurons={n} x subsystems={p.subsystems}")
    net = model(p, run)
    x0 = initial_profile(run.rng(0), rows, n, p.modes, p.amplitude)
    both = isinstance(net, ChainEnsemble)
    start = np.stack([x0, x0]) if both else x0
    show = np.linspace(0, n, min(n, p.show), endpoint=False).astype(np.int64)

    def average(x: np.ndarray) -> np.ndarray:
        return ChainEnsemble.average(x) if both else x

    def deviation(x: np.ndarray, t: int) -> tuple[float, float]:
        """(max |x - exact shift (61)|, sum x^2), of the average (68) for the ensemble."""
        if isinstance(net, ChainEnsemble):
            xe = average(x)
            exact = net.exact(start, t)
            exact -= xe
            return float(np.abs(exact, out=exact).max()), float(np.vdot(xe, xe))
        return net.shift_deviation(x, start, t)  # one pass, no temporaries

    def observe(frame: Frame[np.ndarray]) -> dict[str, object]:
        t = int(round(frame.t))
        err, square_sum = deviation(frame.state, t)
        return dict(t=t, norm=square_sum / n, shift_error=err, x=average(frame.state)[:, show])

    with numerical_failures("chains", "use fewer steps, less noise or activation=tanh"):
        final = evolve_run(run, ChainStepper(net), lambda: start,
                           record_steps(p.steps, p.record_every), observe)
    xe = average(final)
    run.write_field("x_final", xe, axes={"mu": np.arange(rows), "sigma": np.arange(n)})
    run.set_result("max_shift_error", deviation(final, p.steps)[0])
    if p.cycles == 1 and not p.shuffle and 2 * p.modes < n and p.modes <= 64:
        # continuum limit of the paper's continuous-tau chain (61) for this run's profile:
        # the band-limited interpolant of x^(0)(0) on chains of 64 m .. 512 m neurons, up to
        # tau = 1 / m (the error's leading term is tau k^2 / (2 alpha) for mode k <= m)
        m = p.modes
        ns = [64 * m, 128 * m, 256 * m, 512 * m]
        errors, order = semidiscrete_convergence(_band_limited(x0[0], m), ns, tau=1.0 / m,
                                                 direction=-1 if p.direction == "left" else 1)
        run.write_array("continuum_n", np.array(ns))
        run.write_array("continuum_error", errors)
        run.set_result("continuum_order", order)


def plot(data: RunData, fig: Figure) -> None:
    """The travelling wave x^(0)(tau, sigma) and the errors against the exact shift.

    Left: x^(0) of the sampled neurons against the step (a wave moving one neuron per step,
    P2 (61)). Right: the deviation from the exact shift and the drift of the norm (59)
    against the step, on a log scale (t = 0, where both vanish, is left out; a quantity that
    is exactly zero at every step is said so instead of drawn).

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw on.
    """
    p = SIMULATION.typed(data.params)
    t = np.asarray(data.series("t"), dtype=float)
    xs = data.series("x")  # [records, rows, show]
    ax1, ax2 = fig.subplots(1, 2)
    image(ax1, xs[:, 0, :], (0, p.neurons, t[0], t[-1]), label=r"$x^{(0)}$",
          symmetric=True)
    ax1.set_xlabel(r"neuron $\sigma$")
    ax1.set_ylabel(r"step $t$")
    ax1.set_title(f"hidden variables of subsystem 0, direction {p.direction}")
    err = data.series("shift_error")
    norm = data.series("norm")
    drift = np.abs(norm - norm[0])
    exact = []
    for y, lab in ((err, "deviation from the exact shift (61)"),
                   (drift, r"norm drift $|\overline{x^2}(t) - \overline{x^2}(0)|$")):
        if log_plot(ax2, t, y, label=lab) is None:
            exact.append(lab.split(" $")[0])
    if exact:
        note(ax2, "exactly 0 at every step: " + "; ".join(exact), loc="upper left")
    if ax2.get_lines():
        ax2.legend(loc="lower right")
    drawn = []  # the steps where a series is shown (it may be exactly 0 at some steps)
    for line in ax2.get_lines():
        xs_, ys_ = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        drawn.append(xs_[np.isfinite(ys_) & (ys_ > 0)])
    fit_range(ax2, drawn or t[t > 0], "x", pad=0.01)
    ax2.set_xlabel(r"step $t$")
    ax2.set_ylabel(r"$\max_\sigma |x - x_{\rm exact}|$, norm drift")
    ax2.set_title(f"{p.activation} activation, noise {p.noise:g}, {p.cycles} cycle(s)")


def checks(data: RunData) -> list[Check]:
    """The paper claims this run checks.

    P2 (61) -> (63): the continuous-tau chain converges to the wave equation with order 1
    (when measured); P2 (61)-(63), (68): a linear pure permutation chain (or the pi / pi^T
    ensemble) is an exact travelling wave; P2 (59): permutation weights conserve sum_i x_i^2
    (one direction). The last two only for the linear activation without noise.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        One verdict per claim that applies to the run's parameters.
    """
    p = SIMULATION.typed(data.params)
    out: list[Check] = []
    if "continuum_order" in data.results:
        order = data.results["continuum_order"]
        out.append(Check("P2 (61) -> (63): continuous-tau chain converges to the wave, order 1",
                         "continuum limit (order not stated)", f"order {order:.3f}",
                         abs(order - 1) <= 0.05, decides=("P2 (61)", "P2 (63)")))
    if p.activation != "linear" or p.noise != 0:
        return out
    err = data.results["max_shift_error"]
    # a linear permutation chain copies values (exact in floating point): the shift error and
    # the norm drift are one rounding of the final average and of the sum of squares
    # (eps log2 N), independent of the number of steps; 1e-12 holds at every scale
    out.append(Check("P2 (61)-(63), (68): linear permutation chain is an exact travelling wave",
                     "x(t, i) = x(0, i - t)", f"max error {err:.1e}",
                     err <= 1e-12 * p.amplitude,
                     decides=("P2 (63)", "P2 (68)") if p.direction == "both" else ("P2 (63)",)))
    if p.direction != "both":
        norm = data.series("norm")
        drift = float(np.abs(norm - norm[0]).max() / norm[0])
        out.append(Check("P2 (59): permutation weights conserve sum_i x_i^2 (linear f)",
                         "norm conserved", f"relative drift {drift:.1e}", drift <= 1e-12,
                         decides=("P2 (59)",)))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("time step t of the network (P2 (57))"),
    "norm": Output("sum over subsystems mu and neurons i of (x_i^(mu))^2, divided by N"),
    "shift_error": Output("largest deviation of x from the exact shift solution (P2 (61), (68))"),
    "x": Output("hidden variables x_i^(mu)(t) of the sampled neurons (P2 (57), (68))"),
    "x_final": Output("hidden variables x_i^(mu) at the final step (P2 (57), (68))"),
    "mu": Output("subsystem index mu = 0..D (P2 (49)-(50))"),
    "sigma": Output("neuron index i, the discrete position sigma on the chain (P2 (62))"),
    "max_shift_error": Output(
        "largest deviation of the final state from the exact shift solution (P2 (61))"),
    "continuum_n": Output("neurons N of the finer chains of the continuum-limit study"),
    "continuum_error": Output(
        "error of the continuous-tau chain (P2 (61)) against the wave equation (P2 (63))"),
    "continuum_order": Output("convergence order of the chain (P2 (61)) to the wave equation "
                              "(P2 (63)) in 1/N"),
}


SIMULATION = register(Simulation(
    name="chains",
    summary="Permutation chains (one or several cycles, pi, pi^T or both): hidden variables move "
            "as waves",
    equations=("P2 49", "P2 50", "P2 57", "P2 59", "P2 60", "P2 61", "P2 63", "P2 66", "P2 68",
               "P2 69", "P2 70"),
    parameters=ChainsParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"neurons": 1 << 20, "steps": 1 << 14, "record_every": 128},
    smoke={"neurons": 256, "steps": 64, "record_every": 8, "show": 64},
    outputs=OUTPUTS,
))
"""The registered `chains` simulation (P2 (49)-(50), (57)-(63), (66)-(70))."""
