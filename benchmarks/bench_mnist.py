"""P1 §10 MNIST benchmarks (issue 8), side by side in one process.

1. Time per epoch of the deep (784-40-20-10) and shallow (784-60-10) nets on the 5,000 bundled
   digits at batch sizes 1, 10, 100: NumPy backend, Keras ``fit``, whole-epoch ``tf.function``
   with and without XLA (skipped with a message when TensorFlow is missing).
2. The clamped bulk-loss minimisation (P1 3.2) of the deep net for many samples:
   :func:`emergent.septuple.losses.clamped_minimisation` (batched, hidden neurons only) against a
   per-sample ``scipy.optimize.least_squares`` loop over the same unknowns at the same gradient
   tolerance (timed on a subset and scaled per sample).
3. The analysis callback against the training time at the default logging schedule: the
   defaults of ``emergent run mnist-thermodynamics`` (preset small), numpy backend.

Usage: .venv/bin/python benchmarks/bench_mnist.py [--quick] [--scipy-samples 200]
       [--skip epochs,bulk,callback] [--callback-epochs E]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _timing import interleaved, load, threads

from emergent.learning import callback, data, mapping, networks
from emergent.learning import numpy_backend as nb
from emergent.septuple import losses


def _timed(fn, repeat: int = 1) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_epochs(batches: tuple[int, ...], samples: int, repeat: int = 3) -> None:
    split = data.training_split(samples, 0, seed=0, use_full=False)
    x, y = split.x_train, data.encode_targets(split.y_train)
    try:
        import tensorflow  # noqa: F401

        backends = networks.BACKENDS
    except ImportError:
        print("TensorFlow not importable: timing the NumPy backend only")
        backends = ("numpy", "numba")
    networks.make_trainer("numba", *nb.init_layers((4, 3, 2), seed=0), learning_rate=0.1,
                          batch_size=1).epoch(x[:2, :4], y[:2, :2], np.arange(2))  # compile
    print(f"\n## seconds per epoch, {samples} samples (best of {repeat}, backends interleaved, "
          "after one warm-up epoch each)")
    print(f"{'net':8s} {'batch':>5s} " + " ".join(f"{b:>12s}" for b in backends)
          + "  best-TF/best-CPU")
    for net, sizes in nb.PAPER_ARCHITECTURES.items():
        w0, b0 = nb.init_layers(sizes, seed=0)
        for bs in batches:
            order = nb.epoch_order(samples, seed=0, epoch=0)
            fns = {}
            for backend in backends:
                tr = networks.make_trainer(backend, w0, b0, learning_rate=0.01, batch_size=bs)
                tr.epoch(x, y, order)  # warm-up (tracing / compilation), timed apart
                fns[backend] = lambda tr=tr, order=order: tr.epoch(x, y, order)
            times = interleaved(fns, repeat)
            tf_best = min((t for b, t in times.items() if b.startswith(("tf", "keras"))),
                          default=np.nan)
            print(f"{net:8s} {bs:5d} " + " ".join(f"{times[b]:12.3f}" for b in backends)
                  + f"  {tf_best / min(times['numpy'], times['numba']):8.1f}x")


def bench_bulk(samples: int, scipy_samples: int, tol: float) -> None:
    from scipy.optimize import least_squares

    split = data.training_split(samples, 0, seed=1, use_full=False)
    y = data.encode_targets(split.y_train)
    w, b = nb.init_layers(nb.PAPER_ARCHITECTURES["deep"], seed=1)
    for epoch in range(20):  # a partly trained net, as in a run
        nb.sgd_epoch(w, b, split.x_train, y, learning_rate=0.01, batch_size=10,
                     order=nb.epoch_order(samples, seed=1, epoch=epoch))
    sept = mapping.to_septuple(w, b)
    x_in = split.x_train.astype(float)
    losses.clamped_minimisation(sept, x_in[:2], y[:2], tol=tol)  # compile / load the kernel
    t_ours = _timed(lambda: losses.clamped_minimisation(sept, x_in, y, tol=tol), 3)
    xbar, h = losses.clamped_minimisation(sept, x_in, y, tol=tol)

    hid = sept.hidden_index
    rows = np.setdiff1d(np.arange(sept.n), sept.input_index)

    def one(k: int) -> float:
        base = sept.fixed_point(x_in[k:k + 1])[0]
        base[sept.output_index] = y[k]

        def resid(hv: np.ndarray) -> np.ndarray:
            s = base.copy()
            s[hid] = hv
            return s[rows] - np.tanh(sept.preactivation(s[None])[0][rows])

        sol = least_squares(resid, base[hid], method="lm", xtol=1e-15, ftol=1e-15, gtol=tol)
        return 0.5 * float(np.sum(sol.fun ** 2))

    m = min(scipy_samples, samples)
    t = time.perf_counter()
    hs = np.array([one(k) for k in range(m)])
    t_scipy = (time.perf_counter() - t) * samples / m
    rel = np.max(np.abs(hs - h[:m]) / np.maximum(hs, 1e-300))
    print(f"\n## clamped bulk-loss minimisation (P1 3.2), deep net, {samples} samples, "
          f"gradient tol {tol:g}")
    print(f"Newton-LM (emergent.septuple.losses, Numba):  {t_ours:8.2f} s  (best of 3)")
    print(f"scipy least_squares loop:            {t_scipy:8.2f} s  (timed on {m} samples, "
          f"scaled)")
    print(f"speed-up: {t_scipy / t_ours:.0f}x; max relative difference of H: {rel:.1e}; "
          f"ours <= scipy + 1e-12 on all: {bool(np.all(h[:m] <= hs + 1e-12))}")


def bench_callback(epochs: int, samples: int, analysis: int, per_decade: int,
                   test_samples: int) -> None:
    split = data.training_split(samples, test_samples, seed=2, use_full=False)
    y = data.encode_targets(split.y_train)
    schedule = callback.log_spaced_epochs(epochs, per_decade=per_decade)
    print(f"\n## analysis callback vs training, {samples} samples, {epochs} epochs, "
          f"{schedule.size} analysed epochs ({per_decade} per decade, {analysis} analysis "
          f"samples), numpy backend")
    w, b = nb.init_layers((4, 3, 2, 2), seed=0)  # compile / load the Numba kernel first
    losses.clamped_minimisation(mapping.to_septuple(w, b), np.zeros((1, 4)), np.zeros((1, 2)))
    for net, sizes in nb.PAPER_ARCHITECTURES.items():
        w, b = nb.init_layers(sizes, seed=2)
        tr = networks.make_trainer("numpy", w, b, learning_rate=0.01, batch_size=10)
        rec = callback.SeptupleRecorder(
            epochs=schedule, x_analysis=split.x_train[:analysis], y_analysis=y[:analysis],
            x_train=split.x_train, y_train=y, labels_train=split.y_train,
            x_test=split.x_test, labels_test=split.y_test)
        t_train = t_an = 0.0
        t = time.perf_counter()
        rec.record(0, w, b)
        t_an += time.perf_counter() - t
        for epoch in range(epochs):
            t = time.perf_counter()
            tr.epoch(split.x_train, y, nb.epoch_order(samples, seed=2, epoch=epoch))
            t_train += time.perf_counter() - t
            if rec.due(epoch + 1):
                t = time.perf_counter()
                rec.record(epoch + 1, *tr.layers())
                t_an += time.perf_counter() - t
        print(f"{net:8s} training {t_train:7.2f} s, analysis {t_an:6.2f} s "
              f"({1000 * t_an / schedule.size:.0f} ms per analysed epoch; "
              f"{100 * t_an / t_train:.1f}% of training)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="batch 10 only, fewer samples")
    ap.add_argument("--scipy-samples", type=int, default=200)
    ap.add_argument("--skip", default="", help="comma list of: epochs,bulk,callback")
    ap.add_argument("--callback-epochs", type=int, default=0,
                    help="epochs of the callback benchmark (default: the simulation's)")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    load("before")
    threads()
    if "epochs" not in skip:
        bench_epochs((10,) if args.quick else (1, 10, 100), 1000 if args.quick else 5000)
    if "bulk" not in skip:
        bench_bulk(1000 if args.quick else 4000, args.scipy_samples, 1e-8)
    if "callback" not in skip:
        # the simulation's own defaults (emergent run mnist-thermodynamics, preset small)
        from emergent.runs.registry import get

        d = get("mnist-thermodynamics").defaults()
        bench_callback(args.callback_epochs or d["epochs"], d["samples"],
                       d["analysis_samples"], d["log_per_decade"], d["test_samples"])
    load("after")


if __name__ == "__main__":
    main()
