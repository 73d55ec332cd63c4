"""`random-nets`: mu2, mu3 and the log-spectrum of G for random deep and shallow nets of equal N
(P1 §9: 7.8, 9.5, 9.6, 9.11; the architectures of P1 §10).

For each architecture (deep 784-40-20-10, shallow 784-60-10 and, as the L = 2 reference,
784-70 without hidden layers: N = 854 for all three) the run draws random tanh nets (weights
N(0, weight_scale^2 / fan_in), biases N(0, bias_scale^2)), takes <x> as the mean fixed point
(P1 2.9) over random inputs in [0, 1], and computes the exact spectrum of G (P1 5.6) by the
low-rank route, mu2 and mu3 (both the trace and the per-non-trivial-eigenvalue mean, see
:func:`emergent.septuple.thermodynamics.mu2`), sum log lambda (7.8) and -Delta F (9.1) at beta.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.runs.registry import Check, Param, Simulation, register
from emergent.septuple import thermodynamics as thermo
from emergent.septuple.network import NeuralSeptuple

__all__ = ["architectures", "random_net"]

ARCH_NAMES = ("deep", "shallow", "no-hidden")


def architectures(inputs: int, deep: tuple[int, ...], shallow: tuple[int, ...],
                  outputs: int) -> dict[str, list[int]]:
    """Layer sizes of the three nets; raises ValueError unless they have equal N."""
    d = [inputs, *deep, outputs]
    s = [inputs, *shallow, outputs]
    if sum(d) != sum(s):
        raise ValueError(f"deep and shallow must have equal N: {sum(d)} != {sum(s)}")
    return {"deep": d, "shallow": s, "no-hidden": [inputs, sum(d) - inputs]}


def random_net(sizes: list[int], rng: np.random.Generator, weight_scale: float,
               bias_scale: float) -> NeuralSeptuple:
    """A random tanh net: w ~ N(0, weight_scale^2 / fan_in), b ~ N(0, bias_scale^2)."""
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * weight_scale / np.sqrt(a) for a, b in pairs]
    bias = [rng.normal(size=n) * bias_scale for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, bias, activation="tanh")


def run(run: Any) -> None:
    p = run.params
    arch = architectures(p["inputs"], tuple(p["deep"]), tuple(p["shallow"]), p["outputs"])
    edges = np.linspace(-p["log_range"], p["log_range"], p["bins"] + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    state = run.restore()
    if state is None:
        start, hist = 0, np.zeros((3, p["bins"]))
    else:
        start, hist = int(state["next"]), state["hist"]
    jobs = [(a, k) for k in range(p["nets"]) for a in range(3)]
    for j in run.progress(range(start, len(jobs)), total=len(jobs), desc="random nets"):
        a, k = jobs[j]
        rng = run.rng(a, k)
        sep = random_net(arch[ARCH_NAMES[a]], rng, p["weight_scale"], p["bias_scale"])
        x_in = rng.uniform(0.0, 1.0, size=(p["samples"], p["inputs"]))
        x_mean = sep.fixed_point(x_in).mean(axis=0)
        spec = thermo.spectrum(sep, x_mean, mean_coords=False)
        logs = np.log(spec.eigenvalues)
        hist[a] += np.histogram(logs, bins=edges)[0]
        m2 = thermo.mu2(spec, normalisation="mean")
        m3 = thermo.mu3(spec, normalisation="mean")
        run.append(arch=a, net=k, mu2=thermo.mu2(spec), mu3=thermo.mu3(spec), mu2_mean=m2,
                   mu3_mean=m3, skewness=m3 / m2**1.5, log_det=float(np.sum(logs)),
                   minus_laplacian=-thermo.laplacian_free_energy(spec, beta=p["beta"]),
                   log_lambda_min=float(logs.min()), log_lambda_max=float(logs.max()),
                   nontrivial=int(spec.eigenvalues.size))
        run.checkpoint({"next": j + 1, "hist": hist})
    run.write_field("log_spectrum_histogram", hist,
                    axes={"architecture": np.arange(3), "log_lambda_bin": centres})
    run.set_result("architectures", "; ".join(
        f"{a}={index}:{'-'.join(map(str, arch[a]))}" for index, a in enumerate(ARCH_NAMES)))
    run.set_result("n", int(sum(arch["deep"])))


def _by_arch(data: Any, name: str) -> list[np.ndarray]:
    a = data.series("arch")
    v = data.series(name)
    return [v[a == i] for i in range(3)]


def plot(data: Any, fig: Any) -> None:
    hist, axes = data.field("log_spectrum_histogram")
    ax1, ax2 = fig.subplots(1, 2)
    for i, name in enumerate(ARCH_NAMES):
        ax1.step(axes["log_lambda_bin"], hist[i], where="mid", label=name)
    ax1.set_yscale("log")
    ax1.set_xlabel("log lambda (non-trivial eigenvalues of G)")
    ax1.set_ylabel("count (all nets)")
    ax1.legend()
    m2, m3 = _by_arch(data, "mu2_mean"), _by_arch(data, "mu3_mean")
    for i, name in enumerate(ARCH_NAMES):
        ax2.plot(m2[i], m3[i], "o", ms=4, label=name)
    ax2.set_xlabel("mu2 (mean over non-trivial eigenvalues)")
    ax2.set_ylabel("mu3 (mean over non-trivial eigenvalues)")
    ax2.legend()
    ax2.set_title(f"random tanh nets, N = {data.results['n']}")


def checks(data: Any) -> list[Check]:
    mu2, mu3 = _by_arch(data, "mu2"), _by_arch(data, "mu3")
    skew = _by_arch(data, "skewness")
    logdet = _by_arch(data, "log_det")
    lap = _by_arch(data, "minus_laplacian")
    odd = float(np.max(np.abs(mu3[2]) / mu2[2] ** 1.5))
    det = float(max(np.max(np.abs(ld) / m) for ld, m in zip(logdet, mu2, strict=True)))
    d_sk, s_sk = float(np.mean(skew[0])), float(np.mean(skew[1]))
    return [
        Check("P1 (7.8): sum log lambda = 0 for every feed-forward net", "0",
              f"max |sum log lambda| / mu2 = {det:.1e}", det < 1e-9),
        Check("P1 (9.10)-(9.11): mu3 = 0 without hidden layers (L = 2)", "0",
              f"max |mu3| / mu2^1.5 = {odd:.1e}", odd < 1e-9),
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


SIMULATION = register(Simulation(
    name="random-nets",
    summary="mu2, mu3 and log-spectrum of G for random deep vs shallow tanh nets of equal N",
    equations=("P1 5.6", "P1 7.8", "P1 9.1", "P1 9.5", "P1 9.6", "P1 9.11"),
    params=(
        Param("inputs", "int", 784, "input neurons", low=1, high=10**7),
        Param("deep", "ints", (40, 20), "hidden layer sizes of the deep net", low=1),
        Param("shallow", "ints", (60,), "hidden layer sizes of the shallow net", low=1),
        Param("outputs", "int", 10, "output neurons", low=1, high=10**6),
        Param("nets", "int", 20, "random nets per architecture", low=1, high=10**6),
        Param("samples", "int", 200, "random inputs for the mean state <x>", low=1,
              high=10**7),
        Param("weight_scale", "float", 1.0, "weight std times sqrt(fan_in)", low=0.0,
              low_open=True),
        Param("bias_scale", "float", 0.1, "bias std", low=0.0),
        Param("beta", "float", 1.0, "inverse temperature for -Delta F (9.1)", low=0.0,
              low_open=True),
        Param("bins", "int", 80, "histogram bins of log lambda", low=2, high=10**5),
        Param("log_range", "float", 8.0, "histogram range |log lambda| <= log_range",
              low=0.0, low_open=True),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"nets": 200, "samples": 1000},
    smoke={"nets": 3, "samples": 20},
    stochastic=True,
))
