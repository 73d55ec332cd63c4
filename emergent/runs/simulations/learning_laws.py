"""`learning-laws`: the laws of learning tested on real SGD trajectories (P1 (7.6), (7.11),
(10.1); P2 (10)-(17)).

Trains, with plain minibatch SGD on 1/2 sum_out (x - y)^2 (P1 2.11), the deep 784-40-20-10 and
the shallow 784-60-10 tanh nets of P1 §10 on MNIST digits (the bundled 5,000 unless
$EMERGENT_MNIST names the full set), and a random deep net of the ``random-nets`` ensemble
(weights N(0, weight_scale^2 / fan_in), biases N(0, 0.1^2)) on random inputs in [0, 1] with the
outputs of a second random net (the teacher) as targets; each at every learning rate of
`learning_rates` and minibatch size of `batch_sizes` (the learning-rate and mini-batch noise
regimes). At log-spaced epochs
:func:`emergent.learning.laws.law_point` records the measured bulk loss U (3.4 at the clamped
minimum 3.2, the literal (3.1) sum and its hidden and output parts), the spectrum of G (5.6)
and three readings of beta measured independently of U (the spectral gap via (9.4), the
fluctuations of H over samples, the SGD noise temperature), and at each reading the state
functions N_>, U, F, S = S_x, S_0, C of P1 §5-7 / P2 (10)-(14).

The checks test, under each reading of beta, the second law P1 (7.6) = P2 (15) (S never
increases), the first law P1 (7.11) = P2 (17) (dU = T dS_0 + T dC, and dU = T dS_x) interval by
interval, and P1 (10.1) (U = N_>/(2 beta)), and say where (early epochs, learning rate) and why
they fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from emergent.runs.registry import (
    Check,
    Output,
    Simulation,
    param,
    parameters,
    register,
)
from emergent.runs.resources import nbytes, numerical_failures, require_memory

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.runs.io import RunData, RunWriter

__all__ = ["NET_NAMES", "LearningLawsParams", "checks", "plot", "run", "trajectories"]

NET_NAMES = ("deep", "shallow", "random")
"""The nets of a run, by code: 0 deep (P1 §10), 1 shallow (P1 §10), 2 a random deep net trained
on a random teacher."""

_READING_LABEL = {"gap": "spectral gap (9.4)", "fluct": "bulk-loss fluctuations",
                  "sgd": "SGD noise temperature"}

_EARLY = 10  # intervals ending at epochs <= _EARLY count as "early"


@parameters
class LearningLawsParams:
    """Parameters of ``learning-laws`` (P1 7.6, 7.11, 10.1; P2 10-17)."""

    epochs: int = param(30, "training epochs of every trajectory", low=1, high=10**6)
    samples: int = param(500, "training samples (MNIST digits; random inputs for the random "
                         "net)", low=20, high=60000)
    analysis_samples: int = param(100, "training samples used for U, <x>, G and beta_fluct",
                                  low=3, high=60000)
    batch_sizes: tuple[int, ...] = param((10,), "SGD minibatch sizes (one trajectory per net, "
                                         "step and size: the mini-batch noise regimes)",
                                         low=1, high=60000)
    learning_rates: tuple[float, ...] = param((0.01, 0.1), "SGD steps (one trajectory per net "
                                              "and step)", low=0.0, low_open=True, high=10.0)
    per_decade: int = param(3, "logged epochs per decade (log-spaced, epoch 0 included)",
                            low=1, high=100)
    weight_scale: float = param(1.0, "random net and teacher: weight std times sqrt(fan_in)",
                                low=0.0, low_open=True, high=10.0)
    tol: float = param(1e-8, "gradient tolerance of the clamped minimisation (3.2)", low=0.0,
                       low_open=True, high=1e-2)


def _random_layers(sizes: tuple[int, ...], rng: np.random.Generator,
                   weight_scale: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    w = [(rng.normal(size=(a, b)) * weight_scale / np.sqrt(a)).astype(np.float32)
         for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bias = [(rng.normal(size=n) * 0.1).astype(np.float32) for n in sizes[1:]]
    return w, bias


def run(run: RunWriter[LearningLawsParams]) -> None:
    """Train every (net, learning rate, batch size) trajectory and record the law quantities.

    Parameters
    ----------
    run : RunWriter[LearningLawsParams]
        The run being written.

    Raises
    ------
    ParameterError
        analysis_samples > samples, or sizes that do not fit in memory.
    NumericalError
        Training diverged (a learning rate too large) or the analysis failed.
    """
    from emergent.learning import callback, data, laws
    from emergent.learning import numpy_backend as nb
    from emergent.runs.registry import ParameterError

    p = run.p
    if p.analysis_samples > p.samples:
        raise ParameterError(f"parameter 'analysis_samples' must be <= samples = {p.samples}, "
                             f"got {p.analysis_samples}")
    if max(p.batch_sizes) > p.samples:
        raise ParameterError(f"parameter 'batch_sizes' must be <= samples = {p.samples}, "
                             f"got {max(p.batch_sizes)}")
    require_memory(nbytes((6, p.samples, 854), (10, 854, 854)),
                   f"samples={p.samples} x N=854 neurons")
    x_mnist, y_mnist = data.digits(p.samples, seed=run.seed)
    rng_data = run.rng(99)
    x_rand = rng_data.uniform(0.0, 1.0, size=(p.samples, 784)).astype(np.float32)
    sizes = nb.PAPER_ARCHITECTURES["deep"]
    tw, tb = _random_layers(sizes, run.rng(98), p.weight_scale)
    y_rand = nb.forward(tw, tb, x_rand).astype(np.float32)
    schedule = callback.log_spaced_epochs(p.epochs, per_decade=p.per_decade)
    logged = {int(e) for e in schedule}
    run.write_array("logged_epochs", schedule)
    run.set_result("n_learning_rates", len(p.learning_rates))
    nan_ok = {"gap_log_lambda", "t_sgd", "h_var"}
    nan_ok.update(f"beta_{r}" for r in laws.BETA_READINGS)
    nan_ok.add("beta_fluct_hidden")
    for r in laws.BETA_READINGS:
        nan_ok.update(f"{k}_{r}" for k in ("n_greater", "n_greater_dyn", "u_model", "u_101",
                                           "u_101_dyn", "f", "s", "s0", "c", "a"))
    run.allow_nonfinite(*sorted(nan_ok))
    row_number = 0
    trajs = [(k, lr, bs) for k in range(len(NET_NAMES)) for lr in p.learning_rates
             for bs in p.batch_sizes]
    with numerical_failures("learning-laws", "choose smaller learning_rates"):
        for j, (k, lr, bs) in enumerate(run.progress(trajs, desc="trajectories")):
            name = NET_NAMES[k]
            if name == "random":
                w, b = _random_layers(sizes, run.rng(97, j), p.weight_scale)
                x, y = x_rand, y_rand
            else:
                w, b = nb.init_layers(nb.PAPER_ARCHITECTURES[name], seed=run.seed + k)
                x, y = x_mnist, y_mnist
            for e in range(int(schedule[-1]) + 1):
                if e in logged:
                    row = laws.law_point(w, b, x_analysis=x[:p.analysis_samples],
                                         y_analysis=y[:p.analysis_samples], x_train=x,
                                         y_train=y, learning_rate=lr, batch_size=bs,
                                         tol=p.tol)
                    if not np.isfinite(row["u"]):
                        raise FloatingPointError(f"bulk loss not finite at epoch {e}")
                    run.append(t=float(row_number), traj=j, net=k, learning_rate=lr,
                               batch_size=bs, epoch=e, **row)
                    row_number += 1
                if e < schedule[-1]:
                    nb.sgd_epoch(w, b, x, y, learning_rate=lr, batch_size=bs,
                                 order=nb.epoch_order(x.shape[0], seed=run.seed + j, epoch=e))
                    if not all(np.all(np.isfinite(a)) for a in (*w, *b)):
                        raise FloatingPointError(f"SGD diverged at epoch {e} ({name}, lr={lr})")


def trajectories(data: RunData) -> list[dict[str, np.ndarray]]:
    """The recorded series split by trajectory (net, learning rate, batch size).

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of dict
        One dict of series per trajectory (keys: the series names), in order.
    """
    traj = data.series("traj")
    names = [n for n in data.series_names if n != "t"]
    out = []
    for j in np.unique(traj):
        sel = traj == j
        out.append({n: np.asarray(data.series(n))[sel] for n in names})
    return out


def _pct(v: float) -> str:
    return f"{v:.0%}" if np.isfinite(v) else "n/a"


def _early_late(epochs: np.ndarray) -> np.ndarray:
    return epochs[1:] <= _EARLY


def _second_law_rows(tr: list[dict[str, np.ndarray]]) -> list[Check]:
    from emergent.learning import laws

    rows = []
    for r in laws.BETA_READINGS:
        bad = tot = bad_early = tot_early = 0
        by_lr: dict[tuple[float, int], list[int]] = {}
        for t in tr:
            s = t[f"s_{r}"]
            ok = np.isfinite(s)
            res = laws.second_law(s[ok])
            early = _early_late(t["epoch"][ok])
            inc = res.increments > 1e-9 * (1 + np.abs(s[ok][:-1]))
            bad += int(inc.sum())
            tot += inc.size
            bad_early += int(inc[early].sum())
            tot_early += int(early.sum())
            acc = by_lr.setdefault((float(t["learning_rate"][0]), int(t["batch_size"][0])),
                                   [0, 0])
            acc[0] += int(inc.sum())
            acc[1] += inc.size
        lr_txt = ", ".join(f"lr {lr:g} B {bs}: {a}/{n}"
                           for (lr, bs), (a, n) in sorted(by_lr.items()))
        ours = (f"S increases on {bad}/{tot} intervals (epochs <= {_EARLY}: "
                f"{bad_early}/{tot_early}; {lr_txt})")
        finding = {
            "gap": "beta from the gap (9.4) jumps from epoch to epoch as the widest spacing of "
                   "the log-spectrum moves, and N_> jumps by ~744 when beta crosses 1 (the "
                   "trivial eigenvalues 1 enter), so S(beta, G) jumps both ways: the law is "
                   "not obeyed along SGD",
            "fluct": "the bulk loss over samples is heavy-tailed (a few hard samples carry "
                     "it), so <H>/Var H scatters by a factor of several between epochs and S "
                     "moves with it both ways",
            "sgd": "at beta_sgd ~ 1e4-1e10 every beta lambda >> 1 and, with sum log lambda = 0 "
                   "(7.8), S_x = N/2 (1 + log 2 pi - log beta): the second law reduces to "
                   "'the SGD temperature falls', which fails on the intervals where the "
                   "per-sample gradient variance grows while the loss falls (more often at "
                   "batch 100 than at batch 10)",
        }[r]
        rows.append(Check(
            f"P1 (7.6) / P2 (15): dS/dt <= 0 along SGD, beta from the {_READING_LABEL[r]}",
            "S never increases", ours, bad == 0 and tot > 0, finding=finding,
            decides=("P1 (7.6)", "P2 (15)")))
    return rows


def _first_law_rows(tr: list[dict[str, np.ndarray]]) -> list[Check]:
    from emergent.learning import laws

    rows = []
    for r in laws.BETA_READINGS:
        for form in ("split", "total"):
            lhs, rhs, res, early = [], [], [], []
            for t in tr:
                temp = 1.0 / t[f"beta_{r}"]
                s = t[f"s0_{r}"] + t[f"c_{r}"] if form == "split" else t[f"s_{r}"]
                fl = laws.first_law(t["u"], temp, s)
                lhs.append(fl.lhs)
                rhs.append(fl.rhs)
                res.append(fl.residual)
                ok = np.isfinite(np.diff(t["u"])) & np.isfinite(0.5 * (temp[1:] + temp[:-1])
                                                                 * np.diff(s))
                early.append(_early_late(t["epoch"])[ok])
            lh, rh, rs, ea = (np.concatenate(a) for a in (lhs, rhs, res, early))
            within = float(np.mean(rs <= 0.25)) if rs.size else float("nan")
            w_early = float(np.mean(rs[ea] <= 0.25)) if ea.any() else float("nan")
            w_late = float(np.mean(rs[~ea] <= 0.25)) if (~ea).any() else float("nan")
            ratio = float(np.median(np.abs(rh) / np.maximum(np.abs(lh), 1e-300))) \
                if rs.size else float("nan")
            ours = (f"{_pct(within)} of {rs.size} intervals within 25% (epochs <= {_EARLY}: "
                    f"{_pct(w_early)}, later: {_pct(w_late)}); median abs(T dS / dU) = "
                    f"{ratio:.3g}")
            if form == "split":
                claim = (f"P1 (7.11) / P2 (17): dU = T dS_0 + T dC along SGD, beta from the "
                         f"{_READING_LABEL[r]}")
                decides: tuple[str, ...] = ("P1 (7.11)", "P2 (17)")
            else:
                claim = (f"P2 (17): dU = T dS_x along SGD, beta from the {_READING_LABEL[r]}")
                decides = ("P2 (17)",)
            finding = (
                "SGD does not move between learning equilibria at fixed T: the spectrum of G "
                "changes (work on the ensemble, T d log Z/d lambda dlambda) while the "
                "independently measured beta drifts; with beta from the gap (~0.7-1.5) or "
                "the fluctuations (~1-1e4) T dS overshoots dU (median ~10^2), with the SGD "
                "temperature (beta ~ 1e4-1e10) T dS = N dT/2 undershoots it (median ~10^-3) "
                "(dU = T dS holds for the Gaussian ensemble only at a fixed spectrum, "
                "tests/learning/test_laws.py)")
            rows.append(Check(claim, "dU = T dS on each interval", ours,
                              bool(rs.size and within >= 0.8), finding=finding,
                              decides=decides))
    return rows


def _eq_10_1_rows(tr: list[dict[str, np.ndarray]]) -> list[Check]:
    from emergent.learning import laws

    rows = []
    for r in laws.BETA_READINGS:
        allr, dynr, hidr = [], [], []
        for t in tr:
            b = t[f"beta_{r}"]
            allr.append(laws.equation_10_1(t["u"], t[f"n_greater_{r}"], b))
            dynr.append(laws.equation_10_1(t["u"], t[f"n_greater_dyn_{r}"], b))
            hidr.append(laws.equation_10_1(t["u_hidden"], t[f"n_greater_dyn_{r}"], b))
        a, d, h = (np.concatenate(x) for x in (allr, dynr, hidr))

        def med(v: np.ndarray) -> float:
            v = v[np.isfinite(v)]
            return float(np.median(v)) if v.size else float("nan")

        ma, md, mh = med(a), med(d), med(h)
        ours = (f"median log10(U / (N_>/(2 beta))) = {ma:+.2f} (N_> over all N eigenvalues), "
                f"{md:+.2f} (non-trivial only), {mh:+.2f} (hidden-neuron U, non-trivial)")
        rows.append(Check(
            f"P1 (10.1): U = N_>/(2 beta), beta from the {_READING_LABEL[r]}",
            "log10 ratio 0 (within a factor 2)", ours, bool(abs(ma) <= np.log10(2.0)),
            finding="U is not equipartition over the N_> stiff modes of G: with beta from the "
                    "gap or the fluctuations N_>/(2 beta) lies 1-3 decades above the measured "
                    "U, with the SGD temperature about 3 decades or more below; the "
                    "beta = N_>/(2U) that (10.1) needs lies between the readings and is none "
                    "of the measured temperatures",
            decides=("P1 (10.1)",)))
    return rows


def checks(data: RunData) -> list[Check]:
    """P1 (7.6), (7.11), (10.1) and P2 (15), (17) on the recorded trajectories, per beta reading.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        Three rows per reading of beta plus the P2 (17) total-entropy form.
    """
    tr = trajectories(data)
    return _second_law_rows(tr) + _first_law_rows(tr) + _eq_10_1_rows(tr)


def plot(data: RunData, fig: Figure) -> None:
    """The three betas, S along training, dU against T dS, and U against N_>/(2 beta).

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw into.
    """
    from matplotlib.lines import Line2D

    from emergent.learning import laws

    tr = trajectories(data)
    axes = fig.subplots(2, 2)
    colours = {"gap": "C0", "fluct": "C1", "sgd": "C2"}
    styles = ["-", "--", ":"]  # by net; the learning rates and batch sizes share it
    ax = axes[0, 0]
    for t in tr:
        e = np.maximum(t["epoch"], 0.5)
        for r in laws.BETA_READINGS:
            ax.plot(e, t[f"beta_{r}"], color=colours[r], ls=styles[int(t["net"][0])], lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (0 drawn at 0.5)")
    ax.set_ylabel(r"$\beta$")
    handles = [Line2D([], [], color=colours[r], label=_READING_LABEL[r])
               for r in laws.BETA_READINGS]
    handles += [Line2D([], [], color="k", ls=styles[k], label=f"{name} net (every lr, B)")
                for k, name in enumerate(NET_NAMES)]
    ax.legend(handles=handles, fontsize=6, ncol=2, loc="center right", framealpha=0.9)
    ax.set_title(r"three readings of $\beta$, independent of $U$")
    ax = axes[0, 1]
    for t in tr:
        e = np.maximum(t["epoch"], 0.5)
        for r in laws.BETA_READINGS:
            s = t[f"s_{r}"]
            ax.plot(e, s - s[0], color=colours[r], ls=styles[int(t["net"][0])], lw=1)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$S_x(t) - S_x(0)$ (P1 7.1, P2 13)")
    ax.set_title("second law (7.6)/(15): S must not increase")
    ax = axes[1, 0]
    for t in tr:
        for r in laws.BETA_READINGS:
            temp = 1.0 / t[f"beta_{r}"]
            rhs = 0.5 * (temp[1:] + temp[:-1]) * np.diff(t[f"s0_{r}"] + t[f"c_{r}"])
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.abs(rhs) / np.abs(np.diff(t["u"]))
            ax.plot(t["epoch"][1:], ratio, "o", ms=3, color=colours[r],
                    mfc=colours[r] if int(t["net"][0]) < 2 else "none")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch at the end of the interval")
    ax.set_ylabel(r"$|T\,dS_0 + T\,dC|\,/\,|dU|$ (1: first law)")
    ax.set_title("first law (7.11)/(17) interval by interval")
    ax = axes[1, 1]
    for t in tr:
        for r in laws.BETA_READINGS:
            ax.plot(t[f"u_101_{r}"], t["u"], "o", ms=3, color=colours[r])
    ax.set_xscale("log")
    ax.set_yscale("log")
    lo, hi = ax.get_xlim()
    lo2, hi2 = ax.get_ylim()
    a, b = min(lo, lo2), max(hi, hi2)
    ax.plot([a, b], [a, b], "k-", lw=0.8)
    ax.set_xlabel(r"$N_>/(2\beta)$ (10.1)")
    ax.set_ylabel(r"measured bulk loss $U$")
    ax.set_title(r"(10.1): $U = N_>/(2\beta)$ (line)")


def _outputs() -> dict[str, Output]:
    out = {
        "t": Output("row number (the run loop's running variable)"),
        "traj": Output("trajectory index (net, learning rate, batch size)"),
        "net": Output("net: 0 deep, 1 shallow, 2 random net on a random teacher", ""),
        "learning_rate": Output("SGD step of the trajectory"),
        "batch_size": Output("SGD minibatch size of the trajectory"),
        "epoch": Output("training epoch"),
        "u": Output("bulk loss U (P1 (3.1), (3.4)) at the clamped minimum (3.2), mean over "
                    "samples: the literal sum over all non-input neurons"),
        "u_hidden": Output("hidden-neuron part of U (P1 (3.4)), mean over samples"),
        "u_output": Output("output-neuron part of U (P1 (3.4)), mean over samples"),
        "u_boundary": Output("boundary loss U_d (P1 (2.11)), mean over the analysis samples"),
        "h_var": Output("variance of the bulk loss H (P1 (3.4)) over samples"),
        "gap_log_lambda": Output("log lambda of the widest gap of the log-spectrum of G"),
        "beta_gap": Output("beta from the gap via P1 (9.4)"),
        "beta_fluct": Output("beta = <H>/Var H over samples (canonical fluctuations of the "
                             "bulk loss)"),
        "beta_fluct_hidden": Output("beta = <H>/Var H from the hidden-neuron part of H"),
        "trace_cov": Output("trace of the covariance of the per-sample gradient of H_d"),
        "grad_norm2": Output("squared norm of the gradient of the training loss"),
        "n_params": Output("number of trained parameters K"),
        "t_sgd": Output("SGD noise temperature lr tr(Sigma_B) / (2 K)"),
        "beta_sgd": Output("inverse of the SGD noise temperature"),
        "n_eig": Output("number of non-trivial eigenvalues of G (P1 (5.6))"),
        "logged_epochs": Output("the logged epochs"),
        "n_learning_rates": Output("number of learning rates"),
    }
    desc = {"n_greater": "N_> over all N eigenvalues of G (P1 (6.6))",
            "n_greater_dyn": "N_> over the non-trivial eigenvalues of G (P1 (6.6))",
            "u_model": "U = -d log Z / d beta (P1 (6.1), P2 (10))",
            "u_101": "N_>/(2 beta) (P1 (7.5), (10.1))",
            "u_101_dyn": "N_>/(2 beta) with the non-trivial N_> (P1 (10.1))",
            "f": "free energy F (P1 (6.5))", "s": "total entropy S = S_x (P1 (7.1), P2 (13))",
            "s0": "thermodynamic entropy S_0 (P1 (7.4), P2 (14))",
            "c": "complexity C (P1 (6.7))", "a": "A(beta) (P1 (6.8))"}
    for r in ("gap", "fluct", "sgd"):
        for k, v in desc.items():
            out[f"{k}_{r}"] = Output(f"{v}, beta from the {_READING_LABEL[r]}")
    return out


OUTPUTS: dict[str, Output] = _outputs()

SIMULATION = register(Simulation(
    name="learning-laws",
    summary="second and first laws of learning and U = N_>/(2 beta) along real SGD trajectories",
    equations=("P1 7.6", "P1 7.11", "P1 10.1", "P2 10", "P2 13", "P2 14", "P2 15", "P2 17"),
    parameters=LearningLawsParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"epochs": 1000, "samples": 2000, "analysis_samples": 200, "per_decade": 6,
          "learning_rates": (0.01, 0.1), "batch_sizes": (10, 100)},
    smoke={"epochs": 1, "samples": 40, "analysis_samples": 12, "learning_rates": (0.05,)},
    stochastic=True,
    outputs=OUTPUTS,
))
