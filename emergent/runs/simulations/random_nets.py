"""`random-nets`: mu2, mu3 and the log-spectrum of G for random deep and shallow nets of equal N
(P1 §9: 7.8, 9.5, 9.6, 9.11; the architectures of P1 §10).

For each architecture (deep 784-40-20-10, shallow 784-60-10 and, as the L = 2 reference,
784-70 without hidden layers: N = 854 for all three) the run draws random tanh nets (weights
N(0, weight_scale^2 / fan_in), biases N(0, bias_scale^2)), takes <x> as the mean fixed point
(P1 2.9) over random inputs in [0, 1], and computes the exact spectrum of G (P1 5.6) by the
low-rank route, mu2 and mu3 (both the trace and the per-non-trivial-eigenvalue mean, see
:func:`emergent.septuple.thermodynamics.mu2`), sum log lambda (7.8) and -Delta F (9.1) at beta.

The run is one :func:`emergent.runs.loop.evolve_run` of :class:`Ensemble` over the 3 x nets
ensemble members (architecture fastest; member j has the generator ``run.rng(j % 3, j // 3)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from emergent.runs.figures import fit_range, log_plot
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
from emergent.septuple import thermodynamics as thermo
from emergent.septuple.network import random_septuple

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["ARCH_NAMES", "Ensemble", "Member", "RandomNetsParams", "architectures", "checks",
           "plot", "run"]

ARCH_NAMES = ("deep", "shallow", "no-hidden")
"""The architectures of :func:`architectures`, in the order of their index: ensemble member j
is a net of architecture ``ARCH_NAMES[j % 3]``."""


@parameters
class RandomNetsParams:
    """Parameters of ``random-nets`` (P1 5.6, 7.8, 9.1, 9.5, 9.6, 9.11)."""

    inputs: int = param(784, "input neurons", low=1, high=10**7)
    deep: tuple[int, ...] = param((40, 20), "hidden layer sizes of the deep net", low=1)
    shallow: tuple[int, ...] = param((60,), "hidden layer sizes of the shallow net", low=1)
    outputs: int = param(10, "output neurons", low=1, high=10**6)
    nets: int = param(20, "random nets per architecture", low=1, high=10**6)
    samples: int = param(200, "random inputs for the mean state <x>", low=1, high=10**7)
    weight_scale: float = param(1.0, "weight std times sqrt(fan_in)", low=0.0, low_open=True)
    bias_scale: float = param(0.1, "bias std", low=0.0)
    beta: float = param(1.0, "inverse temperature for -Delta F (9.1)", low=0.0, low_open=True)
    bins: int = param(80, "histogram bins of log lambda", low=2, high=10**5)
    log_range: float = param(8.0, "histogram range |log lambda| <= log_range", low=0.0,
                             low_open=True)


def architectures(inputs: int, deep: tuple[int, ...], shallow: tuple[int, ...],
                  outputs: int) -> dict[str, list[int]]:
    """Layer sizes of the deep, shallow and no-hidden-layer nets of equal N (P1 §9-10).

    Parameters
    ----------
    inputs, outputs : int
        Input and output neurons.
    deep, shallow : tuple of int
        Hidden layer sizes of the deep and the shallow net.

    Returns
    -------
    dict of str to list of int
        {"deep": sizes, "shallow": sizes, "no-hidden": [inputs, N - inputs]}.

    Raises
    ------
    ParameterError
        The deep and the shallow net have different N.
    """
    d = [inputs, *deep, outputs]
    s = [inputs, *shallow, outputs]
    if sum(d) != sum(s):
        raise ParameterError(f"parameters 'deep' and 'shallow': the nets must have equal N "
                             f"(neurons): sum(deep) = {sum(d) - inputs - outputs} but "
                             f"sum(shallow) = {sum(s) - inputs - outputs}")
    return {"deep": d, "shallow": s, "no-hidden": [inputs, sum(d) - inputs]}


@dataclass
class Member:
    """The ensemble after one more random net: the log-spectrum histogram so far, per
    architecture (shape [3, bins]), and the series row of the net just drawn."""

    hist: np.ndarray
    row: dict[str, float | int] = field(default_factory=dict)


class Ensemble:
    """Stepper over the ensemble members (architecture a, net k), a fastest: member j is
    a = j % 3, k = j // 3; advancing to member j draws that net and bins its spectrum of G.

    Parameters
    ----------
    p : RandomNetsParams
        The parameters.
    rng : callable(a, k) -> numpy.random.Generator
        The generator of member (a, k) (``run.rng`` of the run).
    """

    def __init__(self, p: RandomNetsParams,
                 rng: Callable[[int, int], np.random.Generator]) -> None:
        self.p = p
        self.rng = rng
        self.arch = architectures(p.inputs, tuple(p.deep), tuple(p.shallow), p.outputs)
        self.edges = np.linspace(-p.log_range, p.log_range, p.bins + 1)
        self.members = 3 * p.nets

    def member(self, j: int, hist: np.ndarray) -> Member:
        """Draw member `j` and add its log-spectrum of G (P1 5.6) to a copy of `hist`.

        Parameters
        ----------
        j : int
            The member: architecture j % 3, net j // 3.
        hist : ndarray(shape=[3, bins])
            The histogram so far.

        Returns
        -------
        Member
            The new histogram and the row of mu2, mu3 (9.5-9.6), sum log lambda (7.8) and
            -Delta F (9.1) of the net.
        """
        p = self.p
        a, k = j % 3, j // 3
        rng = self.rng(a, k)
        sep = random_septuple(self.arch[ARCH_NAMES[a]], rng, weight_scale=p.weight_scale,
                              bias_scale=p.bias_scale)
        x_in = rng.uniform(0.0, 1.0, size=(p.samples, p.inputs))
        x_mean = sep.fixed_point(x_in).mean(axis=0)
        spec = thermo.spectrum(sep, x_mean, mean_coords=False)
        logs = np.log(spec.eigenvalues)
        hist = hist.copy()
        hist[a] += np.histogram(logs, bins=self.edges)[0]
        m2 = thermo.mu2(spec, normalisation="mean")
        m3 = thermo.mu3(spec, normalisation="mean")
        row: dict[str, float | int] = dict(
            arch=a, net=k, mu2=thermo.mu2(spec), mu3=thermo.mu3(spec), mu2_mean=m2,
            mu3_mean=m3, skewness=m3 / m2**1.5, log_det=float(np.sum(logs)),
            minus_laplacian=-thermo.laplacian_free_energy(spec, beta=p.beta),
            log_lambda_min=float(logs.min()), log_lambda_max=float(logs.max()),
            nontrivial=int(spec.eigenvalues.size))
        return Member(hist, row)

    def initial(self) -> Member:
        """The ensemble after member 0.

        Returns
        -------
        Member
            Its histogram and row.
        """
        return self.member(0, np.zeros((3, self.p.bins)))

    def advance(self, state: Member, t0: float, t1: float) -> Member:
        """The ensemble after member ``int(t1)`` (the members are numbered by the times).

        Parameters
        ----------
        state : Member
            The ensemble after member `t0`.
        t0, t1 : float
            Consecutive member numbers.

        Returns
        -------
        Member
            The ensemble after member `t1`.
        """
        return self.member(int(t1), state.hist)

    def save(self, state: Member) -> dict[str, np.ndarray]:
        """The histogram so far (all a checkpoint needs).

        Parameters
        ----------
        state : Member
            The ensemble.

        Returns
        -------
        dict of str to ndarray
            {"hist": the histogram}.
        """
        return {"hist": state.hist}

    def load(self, saved: Mapping[str, object]) -> Member:
        """The ensemble from :meth:`save` (its last row is not needed again).

        Parameters
        ----------
        saved : mapping
            What :meth:`save` returned.

        Returns
        -------
        Member
            The histogram and an empty row.
        """
        return Member(np.asarray(saved["hist"], dtype=float))


def run(run: RunWriter[RandomNetsParams]) -> None:
    """Draw the ensemble (one evolve_run over its members) and write the histogram.

    Parameters
    ----------
    run : RunWriter[RandomNetsParams]
        The run being written.

    Raises
    ------
    ParameterError
        Deep and shallow nets of different N; sizes that do not fit in memory.
    NumericalError
        The spectrum of G could not be computed (a failed SVD / eigen-decomposition).
    """
    p = run.p
    arch = architectures(p.inputs, tuple(p.deep), tuple(p.shallow), p.outputs)
    n = sum(arch["deep"])
    weights = max(sum(a * b for a, b in zip(s, s[1:], strict=False)) for s in arch.values())
    # the random inputs and the activations of every layer, the weights (a few copies), and
    # the N x N matrices of the spectrum of G (the matrix, its eigen-decomposition, workspace)
    require_memory(nbytes((3, p.samples, n), (4, weights), (6, n, n)),
                   f"samples={p.samples} x N={n} neurons (inputs={p.inputs})")
    ensemble = Ensemble(p, run.rng)

    def observe(frame: Frame[Member]) -> dict[str, float | int]:
        return frame.state.row

    with numerical_failures("random-nets", "choose a smaller weight_scale or bias_scale"):
        final = evolve_run(run, ensemble, ensemble.initial,
                           np.arange(ensemble.members, dtype=float), observe, desc="random nets")
    edges = ensemble.edges
    centres = 0.5 * (edges[1:] + edges[:-1])
    run.write_field("log_spectrum_histogram", final.hist,
                    axes={"architecture": np.arange(3), "log_lambda_bin": centres})
    arch = ensemble.arch
    run.set_result("architectures", "; ".join(
        f"{a}={index}:{'-'.join(map(str, arch[a]))}" for index, a in enumerate(ARCH_NAMES)))
    run.set_result("n", int(sum(arch["deep"])))


def _by_arch(data: RunData, name: str) -> list[np.ndarray]:
    a = data.series("arch")
    v = data.series(name)
    return [v[a == i] for i in range(3)]


def plot(data: RunData, fig: Figure) -> None:
    """The histogram of log lambda per architecture and mu3 against mu2 (P1 9.5-9.6).

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw into.
    """
    hist, axes = data.field("log_spectrum_histogram")
    bins = axes["log_lambda_bin"]
    ax1, ax2 = fig.subplots(1, 2)
    for i, name in enumerate(ARCH_NAMES):
        log_plot(ax1, bins, hist[i], drawstyle="steps-mid", drop_t0=False,
                 label=f"{name} nets")
    used = bins[(np.asarray(hist) > 0).any(axis=0)]
    half = float(np.diff(bins[:2])[0]) / 2 if len(bins) > 1 else 0.5
    fit_range(ax1, [used - half, used + half], "x", pad=0.01)
    ax1.set_xlabel(r"$\log\lambda$ (non-trivial eigenvalues of $G$)")
    ax1.set_ylabel("number of eigenvalues (all nets)")
    ax1.set_title(r"spectrum of $G$ per architecture")
    ax1.legend()
    m2, m3 = _by_arch(data, "mu2_mean"), _by_arch(data, "mu3_mean")
    for i, name in enumerate(ARCH_NAMES):
        ax2.plot(m2[i], m3[i], "o", ms=4, label=f"{name} nets")
    ax2.set_xlabel(r"$\mu_2$ (9.5), mean over the non-trivial eigenvalues")
    ax2.set_ylabel(r"$\mu_3$ (9.6), mean over the non-trivial eigenvalues")
    ax2.legend()
    ax2.set_title(f"random tanh nets, $N = {data.results['n']}$")


def checks(data: RunData) -> list[Check]:
    """P1 (7.8), (9.10)-(9.11) and the deep-versus-shallow claims of P1 §9-10.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    mu2, mu3 = _by_arch(data, "mu2"), _by_arch(data, "mu3")
    skew = _by_arch(data, "skewness")
    logdet = _by_arch(data, "log_det")
    lap = _by_arch(data, "minus_laplacian")
    odd = float(np.max(np.abs(mu3[2]) / mu2[2] ** 1.5))
    det = float(max(np.max(np.abs(ld) / m) for ld, m in zip(logdet, mu2, strict=True)))
    d_sk, s_sk = float(np.mean(skew[0])), float(np.mean(skew[1]))
    return [
        Check("P1 (7.8): sum log lambda = 0 for every feed-forward net", "0",
              f"max |sum log lambda| / mu2 = {det:.1e}", det < 1e-9, decides=("P1 (7.8)",)),
        Check("P1 (9.10)-(9.11): mu3 = 0 without hidden layers (L = 2)", "0",
              f"max |mu3| / mu2^1.5 = {odd:.1e}", odd < 1e-9,
              decides=("P1 (9.10)", "P1 (9.11)")),
        Check("P1 §9: one hidden layer keeps the skewness small (mu3 ~ 0)",
              "|skewness| small",
              f"mean skewness shallow {s_sk:+.3f}, deep {d_sk:+.3f}",
              bool(abs(s_sk) < abs(d_sk))),
        Check("P1 §9-10: deep nets have more negative mu3 than shallow ones",
              "mu3(deep) < mu3(shallow)",
              f"mean mu3 deep {np.mean(mu3[0]):+.3g}, shallow {np.mean(mu3[1]):+.3g}",
              bool(np.mean(mu3[0]) < np.mean(mu3[1]))),
        Check("P1 §9-10: deep nets have larger mu2 than shallow ones",
              "mu2(deep) > mu2(shallow)",
              f"mean mu2 deep {np.mean(mu2[0]):.3g}, shallow {np.mean(mu2[1]):.3g}",
              bool(np.mean(mu2[0]) > np.mean(mu2[1]))),
        Check("P1 §9: deep nets have a less negative Laplacian Delta F (9.1)",
              "-Delta F(deep) < -Delta F(shallow)",
              f"mean -Delta F deep {np.mean(lap[0]):.6g}, shallow {np.mean(lap[1]):.6g}",
              bool(np.mean(lap[0]) < np.mean(lap[1]))),
    ]


OUTPUTS: dict[str, Output] = {
    "t": Output("ensemble member number j (the run loop's running variable)"),
    "arch": Output("architecture of the member: 0 deep, 1 shallow, 2 no hidden layer", ""),
    "net": Output("index of the random net within its architecture"),
    "mu2": Output("variance mu2 = Tr (log G)^2 (P1 (9.5))"),
    "mu3": Output("skewness mu3 = Tr (log G)^3 (P1 (9.6))"),
    "mu2_mean": Output("mu2 (P1 (9.5)) divided by the number of non-trivial eigenvalues of G"),
    "mu3_mean": Output("mu3 (P1 (9.6)) divided by the number of non-trivial eigenvalues of G"),
    "skewness": Output("standardised skewness of log lambda over the non-trivial eigenvalues "
                       "of G, mean (log lambda)^3 / (mean (log lambda)^2)^(3/2)"),
    "log_det": Output("sum of log lambda over the eigenvalues of G (P1 (7.8))"),
    "minus_laplacian": Output("entropy destruction rate -Delta F at beta (P1 (9.1))"),
    "log_lambda_min": Output("smallest log lambda of the eigenvalues of G (P1 (5.6))"),
    "log_lambda_max": Output("largest log lambda of the eigenvalues of G (P1 (5.6))"),
    "nontrivial": Output("number of non-trivial eigenvalues of G (P1 (5.6))"),
    "log_spectrum_histogram": Output(
        "histogram of log lambda of G (P1 (5.6)) over the random nets, per architecture"),
    "architecture": Output("architecture: 0 deep, 1 shallow, 2 no hidden layer", ""),
    "log_lambda_bin": Output("log lambda at the centre of the histogram bin"),
    "architectures": Output("layer sizes of each architecture code", ""),
    "n": Output("N, number of neurons of every architecture"),
}


SIMULATION = register(Simulation(
    name="random-nets",
    summary="mu2, mu3 and log-spectrum of G for random deep vs shallow tanh nets of equal N",
    equations=("P1 5.6", "P1 7.8", "P1 9.1", "P1 9.5", "P1 9.6", "P1 9.11"),
    parameters=RandomNetsParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"nets": 200, "samples": 1000},
    smoke={"nets": 3, "samples": 20},
    stochastic=True,
    outputs=OUTPUTS,
))
