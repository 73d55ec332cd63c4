"""`mnist-thermodynamics`: P1 §10 (Figs. 2-7): deep vs shallow nets on MNIST, thermodynamics of G.

Trains the deep 784-40-20-10 and the shallow 784-60-10 tanh nets (N = 854 each) with plain SGD
on the squared error of the outputs and, at log-spaced epochs, records for each net the
boundary loss U_d (2.11), the bulk loss U (3.2-3.4, m = 0), the mean state <x>, the
non-trivial eigenvalues of G (5.6), mu2 and mu3 (9.5-9.6), C_20 and C_834 (10.5), the gap of the
log-spectrum and the beta of (9.4), and the accuracies. See :mod:`emergent.learning`.

Choices where P1 §10 is silent (recorded with every run): one epoch = one pass over the
training samples in minibatches of `batch_size` (default 10); targets +1 on the digit's output
neuron and -1 elsewhere (tanh outputs); loss per sample 1/2 sum_out (x - y)^2, averaged over the
batch; Glorot-uniform initial weights, zero biases; pixels scaled to [0, 1].

The run is one :func:`emergent.runs.loop.evolve_run` of the library stepper
:class:`emergent.learning.training.TrainingStepper` over every epoch (a checkpoint can follow any
epoch; the log-spaced logged epochs record the series), so a resumed run equals an uninterrupted
one bit for bit.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.runs.figures import log_plot
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
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.learning.training import NetState
    from emergent.runs.io import RunData, RunWriter

__all__ = [
    "FIG2_FINDING",
    "NETS",
    "PAPER",
    "TENSORFLOW_BACKENDS",
    "MnistParams",
    "checks",
    "effective_sizes",
    "plot",
    "precheck",
    "run",
]

NETS = ("deep", "shallow")
"""The nets of P1 §10 a run can train (parameter ``networks``: one of these or "both")."""

PAPER = {
    "shallow_mu3": -2.7e-10, "shallow_mu2": 1.84, "deep_mu3": -1.7, "deep_mu2": 2.44,
    "gap": {100: -2.3, 1000: -2.5, 10000: -3.0}, "gap_beta": {100: 1.37, 1000: 1.40,
                                                              10000: 1.47},
    "c20": (769.0, 1.25), "c834": (772.0, 1.41),
}
"""The numbers P1 §10 quotes, which :func:`checks` compares with: mu3 and mu2 (9.5-9.6) of each
net after 10^4 epochs; the gap of the deep log-spectrum (log lambda) and the beta it implies by
(9.4), by epoch (Fig. 5); and (a, b) of the fits C_n ~ a + b log U of C_20 and C_834 (10.5) in
Fig. 7."""


@parameters
class MnistParams:
    """Parameters of ``mnist-thermodynamics`` (P1 §10)."""

    preset: Literal["small", "paper"] = param(
        "small", "small (parameters as given) or paper (30,000 epochs on 6,000 full-MNIST or "
        "all 5,000 bundled samples)", units="")
    networks: Literal["both", "deep", "shallow"] = param("both", "which nets to train", units="")
    epochs: int = param(300, "training epochs (passes over the samples)", low=1, high=10**7)
    samples: int = param(4000, "training samples", low=10, high=60000)
    test_samples: int = param(500, "held-out samples for the test accuracy", low=0, high=10000)
    analysis_samples: int = param(200, "training samples used for U_d, U, <x> and G", low=1,
                                  high=60000)
    batch_size: int = param(10, "minibatch size of SGD", low=1, high=60000)
    learning_rate: float = param(0.01, "SGD step on the batch mean of 1/2 sum (x-y)^2",
                                 low=0.0, low_open=True, high=100.0)
    targets: Literal["pm1", "onehot"] = param(
        "pm1", "target encoding: pm1 (+-amplitude) or onehot (amplitude/0)", units="")
    target_amplitude: float = param(1.0, "size of the targets", low=0.0, low_open=True,
                                    high=1.0)
    backend: Literal["numpy", "numba", "keras-fit", "tf-function", "tf-xla"] = param(
        "numpy", "training backend", units="")
    log_per_decade: int = param(3, "analysed epochs per decade (log-spaced)", low=1, high=1000)
    tol: float = param(1e-8, "gradient tolerance of the clamped minimisation (3.2)", low=0.0,
                       low_open=True, high=1.0)
    mnist_path: str = param("", "full MNIST (IDX folder or mnist.npz); empty: "
                            "$EMERGENT_MNIST, else the bundled 5,000 digits", units="")


def effective_sizes(p: MnistParams) -> dict[str, int]:
    """The sizes a run uses after applying `preset`.

    Parameters
    ----------
    p : MnistParams
        The parameters.

    Returns
    -------
    dict of str to int
        epochs, samples, test_samples, analysis_samples (paper preset: 30,000 epochs on 6,000
        samples of the full set when a path is known, else all 5,000 bundled digits).
    """
    out = {"epochs": p.epochs, "samples": p.samples, "test_samples": p.test_samples,
           "analysis_samples": p.analysis_samples}
    if p.preset == "paper":
        full = bool(p.mnist_path) or bool(os.environ.get("EMERGENT_MNIST"))
        out.update(epochs=30000, samples=6000 if full else 5000,
                   test_samples=10000 if full else 0, analysis_samples=1000)
    out["analysis_samples"] = min(out["analysis_samples"], out["samples"])
    return out


def run(run: RunWriter[MnistParams]) -> None:
    """Train the nets epoch by epoch (one evolve_run over the epochs; the logged ones record a
    row) and analyse them.

    Parameters
    ----------
    run : RunWriter[MnistParams]
        The run being written.

    Raises
    ------
    ParameterError
        `mnist_path` (or ``$EMERGENT_MNIST``) names a missing or non-MNIST file; sizes that do
        not fit in memory.
    NumericalError
        Training or the analysis failed numerically (a diverging learning rate).
    """
    from emergent.learning import callback, data
    from emergent.learning import numpy_backend as nb
    from emergent.learning.training import TrainingStepper

    p = run.p
    eff = effective_sizes(p)
    nets = NETS if p.networks == "both" else (p.networks,)
    n = max(sum(nb.PAPER_ARCHITECTURES[name]) for name in nets)
    pixels = nb.PAPER_ARCHITECTURES[nets[0]][0]
    # images (float64, a few copies while encoding and batching), the analysis activations
    # and the N x N matrices of the septuple analysis per logged epoch
    require_memory(nbytes((3, eff["samples"] + eff["test_samples"], pixels),
                          (4 * len(nets), eff["analysis_samples"], n), (8 * len(nets), n, n)),
                   f"samples={eff['samples']} x test_samples={eff['test_samples']} x "
                   f"analysis_samples={eff['analysis_samples']}")
    try:
        split = data.training_split(eff["samples"], eff["test_samples"], seed=run.seed,
                                    path=p.mnist_path or None)
    except data.MnistDataError as exc:
        where = ("parameter 'mnist_path'" if p.mnist_path
                 else "the MNIST data (environment variable EMERGENT_MNIST)")
        raise ParameterError(f"{where}: {exc}") from None
    run.set_result("data_source", split.source)
    for k, v in eff.items():
        run.set_result(f"effective_{k}", int(v))
    y = data.encode_targets(split.y_train, encoding=p.targets, amplitude=p.target_amplitude)
    s_an = eff["analysis_samples"]
    schedule = callback.log_spaced_epochs(eff["epochs"], per_decade=p.log_per_decade)
    run.write_array("logged_epochs", schedule)
    recorders = {
        name: callback.SeptupleRecorder(
            epochs=schedule, x_analysis=split.x_train[:s_an], y_analysis=y[:s_an],
            x_train=split.x_train, y_train=y, labels_train=split.y_train,
            x_test=split.x_test, labels_test=split.y_test, tol=p.tol)
        for name in nets
    }
    stepper = TrainingStepper(split.x_train, y, backend=p.backend,
                              learning_rate=p.learning_rate, batch_size=p.batch_size,
                              seed=run.seed)

    def initial() -> NetState:
        return {name: nb.init_layers(nb.PAPER_ARCHITECTURES[name], seed=run.seed + k)
                for k, name in enumerate(nets)}

    logged = {int(e) for e in schedule}

    def observe(frame: Frame[NetState]) -> dict[str, float | int | np.ndarray] | None:
        if int(frame.t) not in logged:
            return None  # stepped (and checkpointable) but not a logged epoch
        row: dict[str, float | int | np.ndarray] = {}
        for name in nets:
            w, b = frame.state[name]
            values = recorders[name].record(int(frame.t), w, b)
            row.update({f"{name}_{k}": v for k, v in values.items()})
        return row

    epochs = np.arange(int(schedule[-1]) + 1)  # every epoch: a checkpoint can follow any
    with numerical_failures("mnist-thermodynamics", "choose a smaller learning_rate"):
        final = evolve_run(run, stepper, initial, epochs, observe, desc="epochs")
    for name in nets:
        w, b = final[name]
        for i, (wi, bi) in enumerate(zip(w, b, strict=True)):
            run.write_array(f"{name}_w{i}", wi)
            run.write_array(f"{name}_b{i}", bi)


def _has(data: RunData, name: str) -> bool:
    try:
        data.series(name)
    except (KeyError, ValueError):
        return False
    return True


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares line y = a + b x -> (a, b)."""
    slope, icept = np.polyfit(x, y, 1)
    return float(icept), float(slope)


def _fit_mask(epochs: np.ndarray) -> np.ndarray:
    """Records used for the C vs log U fits: epochs >= 10 (past the initial transient)."""
    mask = epochs >= 10
    return mask if mask.sum() >= 3 else epochs >= 1


def _hist_epochs(epochs: np.ndarray) -> list[int]:
    """Up to three logged epochs near 10^2, 10^3, 10^4 (else the last three decades)."""
    picks = [e for e in (100, 1000, 10000) if e in epochs]
    if len(picks) < 2:
        positive = epochs[epochs > 0]
        picks = sorted({int(positive[-1]), int(positive[len(positive) // 2]),
                        int(positive[max(len(positive) // 5, 0)])})
    return picks


def plot(data: RunData, fig: Figure) -> None:
    """P1 Figs. 2-7: losses, spectra, complexities, mu2, mu3 and accuracies over the epochs.

    Epoch axes are logarithmic, so epoch 0 (the untrained net) is left out of them.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw into.
    """
    nets = [n for n in NETS if _has(data, f"{n}_epoch")]
    axes = fig.subplots(2, 4).ravel()
    fig.set_size_inches(20, 8.5)
    colours = {"deep": "C0", "shallow": "C2"}
    main = "deep" if "deep" in nets else nets[0]

    def vs_epoch(ax: Axes, n: str, y: np.ndarray, *fmt: str, **kw: object) -> None:
        log_plot(ax, data.series(f"{n}_epoch"), y, *fmt, logx=True, logy=False, **kw)

    # Fig. 2: bulk and boundary loss vs epoch
    ax = axes[0]
    for n in nets:
        ls = "-" if n == main else ":"
        vs_epoch(ax, n, np.log(data.series(f"{n}_bulk_loss")), ls, color="C0",
                 label=f"bulk loss $\\log U$, {n} net")
        vs_epoch(ax, n, np.log(data.series(f"{n}_boundary_loss")), ls, color="C3",
                 label=f"boundary loss $\\log U_d$, {n} net")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\log U$, $\log U_d$")
    ax.set_title("Fig. 2: bulk and boundary loss")
    ax.legend()
    # Fig. 3: bulk vs boundary loss
    ax = axes[1]
    for n in nets:
        ax.plot(np.log(data.series(f"{n}_boundary_loss")), np.log(data.series(f"{n}_bulk_loss")),
                ".-", color=colours[n], label=f"{n} net")
    ax.set_xlabel(r"boundary loss $\log U_d$")
    ax.set_ylabel(r"bulk loss $\log U$")
    ax.set_title("Fig. 3: bulk against boundary loss")
    ax.legend()
    # Figs. 4, 5: histograms of log lambda
    for ax, n, fig_no in ((axes[2], "shallow", 4), (axes[3], "deep", 5)):
        if n not in nets:
            ax.set_visible(False)
            continue
        e = data.series(f"{n}_epoch")
        lam = data.series(f"{n}_eigenvalues")
        gaps = data.series(f"{n}_gap_log_lambda")
        for k, ep in enumerate(_hist_epochs(e)):
            i = int(np.flatnonzero(e == ep)[0])
            ax.hist(np.log(lam[i]), bins=60, histtype="step", color=f"C{k}",
                    label=f"epoch {ep}")
            if n == "deep" and np.isfinite(gaps[i]):
                ax.annotate("", xy=(gaps[i], 0.5), xytext=(gaps[i], 4),
                            arrowprops={"color": f"C{k}", "arrowstyle": "->"})
        ax.set_yscale("log")
        ax.set_xlabel(r"$\log\lambda$ (non-trivial eigenvalues of $G$)")
        ax.set_ylabel("number of eigenvalues")
        ax.set_title(f"Fig. {fig_no}: spectrum of the {n} net"
                     + (" (arrows: gap)" if n == "deep" else ""))
        ax.legend()
    # Fig. 6: C_20, C_834 vs epoch
    ax = axes[4]
    e = data.series(f"{main}_epoch")
    c20, c834 = data.series(f"{main}_c_20"), data.series(f"{main}_c_834")
    vs_epoch(ax, main, c20, color="C0", label="$C_{20}$")
    vs_epoch(ax, main, c834, color="C3", label="$C_{834}$")
    ax.set_xlabel("epoch")
    ax.set_ylabel("complexity $C$")
    ax.set_title(f"Fig. 6: complexity, {main} net")
    ax.legend()
    # Fig. 7: C vs log U with fits
    ax = axes[5]
    logu = np.log(data.series(f"{main}_bulk_loss"))
    mask = _fit_mask(e)
    for c, col, name in ((c20, "C0", "C_{20}"), (c834, "C3", "C_{834}")):
        a, b = _fit(logu[mask], c[mask])
        ax.plot(logu, c, ".", color=col, label=f"${name}$")
        xs = np.linspace(logu[mask].min(), logu[mask].max(), 2)
        ax.plot(xs, a + b * xs, "-", color=col,
                label=f"fit ${name} = {a:.1f} {b:+.2f}\\,\\log U$")
    ax.set_xlabel(r"bulk loss $\log U$")
    ax.set_ylabel("complexity $C$")
    ax.set_title(f"Fig. 7: complexity against bulk loss, {main} net")
    ax.legend()
    # mu2, mu3 (per non-trivial eigenvalue) vs epoch
    ax = axes[6]
    for n in nets:
        vs_epoch(ax, n, data.series(f"{n}_mu2_mean"), color=colours[n],
                 label=f"$\\mu_2$, {n} net")
        vs_epoch(ax, n, data.series(f"{n}_mu3_mean"), "--", color=colours[n],
                 label=f"$\\mu_3$, {n} net")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\mu_2$, $\mu_3$ (means over the non-trivial eigenvalues)")
    ax.set_title(r"moments $\mu_2$, $\mu_3$ of the spectrum")
    ax.legend(loc="center right")
    ax = axes[7]
    for n in nets:
        vs_epoch(ax, n, data.series(f"{n}_train_accuracy"), color=colours[n],
                 label=f"training set, {n} net")
        test = data.series(f"{n}_test_accuracy")
        if np.any(np.isfinite(test)):
            vs_epoch(ax, n, test, "--", color=colours[n], label=f"test set, {n} net")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (fraction correct)")
    ax.set_title("accuracy")
    ax.legend()


TENSORFLOW_BACKENDS = ("keras-fit", "tf-function", "tf-xla")
"""The training backends that need TensorFlow (the `ml` extra)."""


def precheck(p: MnistParams) -> None:
    """Refuse a TensorFlow backend when TensorFlow is not installed, before anything is written.

    Parameters
    ----------
    p : MnistParams
        The validated parameters.

    Raises
    ------
    ParameterError
        ``backend`` needs TensorFlow and it cannot be imported.
    """
    if p.backend not in TENSORFLOW_BACKENDS:
        return
    try:
        import tensorflow  # noqa: F401 - the training needs it anyway
    except ImportError:
        raise ParameterError(
            f"parameter 'backend': {p.backend!r} needs TensorFlow, which is not installed "
            "(pip install 'emergent[ml]'); the numpy and numba backends need none") from None


FIG2_FINDING = ("U <= U_d always, and U/U_d -> 1 once the output neurons saturate (the literal "
                "reading of P1 (3.1); README, P1 §10, 'Bulk vs boundary loss')")
"""Why the Fig. 2 claim is not reproduced (a documented finding, the expected verdict)."""


def _at(data: RunData, net: str, key: str, epoch: int) -> float | None:
    e = data.series(f"{net}_epoch")
    hit = np.flatnonzero(e == epoch)
    return float(data.series(f"{net}_{key}")[hit[0]]) if hit.size else None


def checks(data: RunData) -> list[Check]:
    """P1 (7.7)-(7.8) and the P1 §10 claims (Figs. 2, 5, 7; mu2, mu3) against the run.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    nets = [n for n in NETS if _has(data, f"{n}_epoch")]
    out: list[Check] = []
    for n in nets:
        ld = np.abs(data.series(f"{n}_log_det")).max()
        out.append(Check(f"P1 (7.7)-(7.8): det G = 1 at every logged epoch ({n})",
                         "sum log lambda = 0", f"max |sum log lambda| = {ld:.1e}", bool(ld < 1e-8)))
        u = data.series(f"{n}_bulk_loss")[-1]
        ud = data.series(f"{n}_boundary_loss")[-1]
        out.append(Check(f"P1 §10 Fig. 2: bulk loss orders of magnitude below boundary loss "
                         f"({n}, last epoch)", "U << U_d (U < U_d / 10)",
                         f"U = {u:.3g}, U_d = {ud:.3g}", bool(u < 0.1 * ud),
                         finding=FIG2_FINDING))
    trained = int(data.series(f"{nets[0]}_epoch")[-1]) >= 100 if nets else False
    if not trained:  # the remaining claims are about nets trained for >= 100 epochs
        return out
    if set(nets) == set(NETS):
        e = int(data.series("deep_epoch")[-1])
        d3, s3 = data.series("deep_mu3_mean")[-1], data.series("shallow_mu3_mean")[-1]
        d2, s2 = data.series("deep_mu2_mean")[-1], data.series("shallow_mu2_mean")[-1]
        d3t, s3t = data.series("deep_mu3")[-1], data.series("shallow_mu3")[-1]
        dyn = ""
        if _has(data, "deep_mu3_dynamical"):
            dd3 = data.series("deep_mu3_dynamical")[-1]
            sd3 = data.series("shallow_mu3_dynamical")[-1]
            dd2 = data.series("deep_mu2_dynamical")[-1]
            sd2 = data.series("shallow_mu2_dynamical")[-1]
            dyn3 = f"; per dynamical eigenvalue: shallow {sd3:.3g}, deep {dd3:.3g}"
            dyn = f"; per dynamical eigenvalue: shallow {sd2:.3g}, deep {dd2:.3g}"
        else:
            dyn3 = ""
        out.append(Check(
            f"P1 §10: shallow log-spectrum nearly symmetric, deep skewed (epoch {e})",
            f"mu3 shallow ~ {PAPER['shallow_mu3']:.1e}, deep ~ {PAPER['deep_mu3']}",
            f"trace: shallow {s3t:.3g}, deep {d3t:.3g}; mean over K: shallow {s3:.3g}, "
            f"deep {d3:.3g}{dyn3}",
            bool(d3 < 0 and abs(s3) < 0.2 * abs(d3))))
        out.append(Check(
            f"P1 §10: deep variance mu2 larger than shallow (epoch {e})",
            f"mu2 shallow ~ {PAPER['shallow_mu2']}, deep ~ {PAPER['deep_mu2']}",
            f"mean over K: shallow {s2:.3g}, deep {d2:.3g}{dyn}", bool(d2 > s2)))
    if "deep" in nets:
        e = data.series("deep_epoch")
        for ep, gap in PAPER["gap"].items():
            ours = _at(data, "deep", "gap_log_lambda", ep)
            if ours is None:
                continue
            beta = _at(data, "deep", "gap_beta", ep)
            out.append(Check(
                f"P1 §10 Fig. 5: gap of the deep log-spectrum after {ep} epochs",
                f"log lambda ~ {gap} (beta ~ {PAPER['gap_beta'][ep]})",
                f"log lambda = {ours:.2f} (beta by (9.4) = {beta:.2f})",
                bool(abs(ours - gap) < 0.5)))
        mask = _fit_mask(e)
        logu = np.log(data.series("deep_bulk_loss"))[mask]
        for key, (a0, b0) in (("c_20", PAPER["c20"]), ("c_834", PAPER["c834"])):
            a, b = _fit(logu, data.series(f"deep_{key}")[mask])
            out.append(Check(
                f"P1 §10 Fig. 7: {key.upper()} linear in log U with a slope of order one (deep)",
                f"{key.upper()} ~ {a0:g} + {b0:g} log U",
                f"{key.upper()} = {a:.1f} + {b:.2f} log U",
                bool(0.3 < b < 3.0 and abs(a - a0) < 15)))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("training epoch (the run loop's running variable)"),
    **{f"{net}_{key}": Output(f"{meaning}, {net} net {arch} (P1 section 10)", units)
       for net, arch in (("deep", "784-40-20-10"), ("shallow", "784-60-10")) if net in NETS
       for key, (meaning, units) in {
           "epoch": ("training epoch of the record", "1"),
           "train_loss": ("boundary loss U_d (P1 (2.11)) over all training samples", "1"),
           "train_accuracy": ("fraction of training samples classified correctly", "1"),
           "test_accuracy": ("fraction of held-out samples classified correctly", "1"),
           "boundary_loss": ("boundary loss U_d (P1 (2.11)) on the analysis samples", "1"),
           "bulk_loss": ("bulk loss U (P1 (3.2)-(3.4), m = 0) on the analysis samples", "1"),
           "x_mean": ("mean state <x> of the N neurons at the clamped minimum (P1 (3.2))",
                      "1"),
           "eigenvalues": ("non-trivial eigenvalues lambda of G (P1 (5.6)), ascending", "1"),
           "log_det": ("sum of log lambda over the eigenvalues of G (P1 (7.8))", "1"),
           "mu2": ("variance mu2 = Tr (log G)^2 (P1 (9.5))", "1"),
           "mu3": ("skewness mu3 = Tr (log G)^3 (P1 (9.6))", "1"),
           "mu2_mean": ("mu2 (P1 (9.5)) divided by the number of non-trivial eigenvalues",
                        "1"),
           "mu3_mean": ("mu3 (P1 (9.6)) divided by the number of non-trivial eigenvalues",
                        "1"),
           "n_dynamical": ("number of eigenvalues of G with |log lambda| above the tolerance",
                           "1"),
           "mu2_dynamical": ("mu2 (P1 (9.5)) divided by the number of dynamical eigenvalues",
                             "1"),
           "mu3_dynamical": ("mu3 (P1 (9.6)) divided by the number of dynamical eigenvalues",
                             "1"),
           "c_20": ("complexity C_20 (P1 (10.5)) of the 20 largest eigenvalues of G", "1"),
           "c_834": ("complexity C_834 (P1 (10.5)) of the 834 largest eigenvalues of G", "1"),
           "gap_log_lambda": ("log lambda at the middle of the widest gap of the "
                              "log-spectrum of G (P1 section 10, Fig. 5)", "1"),
           "gap_width": ("width in log lambda of the widest gap of the log-spectrum of G", "1"),
           "gap_below": ("number of eigenvalues of G below the widest gap", "1"),
           "gap_beta": ("beta that P1 (9.4) assigns to the gap's log lambda", "1"),
       }.items()},
    "logged_epochs": Output("epochs at which the nets were analysed (log-spaced)"),
    **{f"{net}_w{i}": Output(f"weight matrix of layer {i + 1} of the trained {net} net "
                             f"{arch}, inputs x outputs")
       for net, arch, layers in (("deep", "784-40-20-10", 3), ("shallow", "784-60-10", 2))
       for i in range(layers)},
    **{f"{net}_b{i}": Output(f"bias vector of layer {i + 1} of the trained {net} net {arch}")
       for net, arch, layers in (("deep", "784-40-20-10", 3), ("shallow", "784-60-10", 2))
       for i in range(layers)},
    "data_source": Output("source of the digits (bundled set or full MNIST path)", ""),
    "effective_epochs": Output("training epochs after the preset"),
    "effective_samples": Output("training samples after the preset"),
    "effective_test_samples": Output("held-out test samples after the preset"),
    "effective_analysis_samples": Output(
        "training samples used for U_d, U, <x> and G after the preset"),
}


SIMULATION = register(Simulation(
    name="mnist-thermodynamics",
    summary="P1 §10: deep vs shallow tanh nets on MNIST; losses, spectrum of G, mu2, mu3, C_n",
    equations=("P1 2.11", "P1 3.2", "P1 3.4", "P1 5.6", "P1 7.8", "P1 9.4", "P1 9.5", "P1 9.6",
               "P1 10.5"),
    parameters=MnistParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"preset": "paper", "log_per_decade": 6},
    smoke={"epochs": 3, "samples": 100, "test_samples": 50, "analysis_samples": 50},
    outputs=OUTPUTS,
    precheck=precheck,
))
