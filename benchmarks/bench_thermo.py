"""Benchmarks of emergent.septuple.thermodynamics and emergent.septuple.losses against their
peers, side by side.

1. Spectrum of G (P1 5.6): the exact low-rank route (emergent.septuple.thermodynamics.spectrum) vs
   numpy.linalg.eigvalsh on the dense N x N G, for 784-40-20-10-like nets widened at the
   input (N = 854, 5,000, 20,000); agreement of the full spectra (max relative difference).
2. The full thermodynamic summary (spectrum, log Z, F, U, S, C_20, mu2, mu3) of a net with
   10^5 input neurons, 100 hidden, 10 outputs: wall time and peak traced memory.
3. The clamped minimisation (P1 3.2; Numba route, and the batched numpy route) vs a per-sample
   scipy.optimize.least_squares loop on MNIST digits
   (the bundled subset; uniform random inputs if it is missing) for the 854-neuron
   deep net at equal tolerance (both converged to 1e-10; max relative difference of H shown).

Usage: .venv/bin/python benchmarks/bench_thermo.py [--sizes 854,5000,20000] [--dense-max N]
       [--samples 1000] [--scipy-samples 100] [--skip 1,2,3]
The scipy loop runs on the first --scipy-samples samples and its time is scaled to --samples
(per-sample cost is independent of the batch); pass --scipy-samples 1000 for the full loop.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from _timing import best, load, threads

from emergent.septuple import losses
from emergent.septuple import thermodynamics as thermo
from emergent.septuple.network import NeuralSeptuple


def deep_net(inputs: int, rng: np.random.Generator, hidden=(40, 20), outputs=10,
             scale: float = 1.5) -> NeuralSeptuple:
    sizes = [inputs, *hidden, outputs]
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.1 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b)


def bench_spectrum(sizes: list[int], dense_max: int) -> None:
    print("\n1. spectrum of G: low-rank route vs numpy.linalg.eigvalsh(dense G)")
    print(f"{'N':>7} {'lowrank s':>11} {'eigvalsh s':>11} {'ratio':>9} {'max rel diff':>13}")
    last = None
    for n in sizes:
        rng = np.random.default_rng(n)
        sep = deep_net(n - 70, rng)
        x = sep.fixed_point(rng.uniform(0, 1, size=(20, n - 70))).mean(axis=0)
        thermo.spectrum(sep, x, mean_coords=False)  # warm-up
        t_lr, spec = best(lambda sep=sep, x=x: thermo.spectrum(sep, x, mean_coords=False), 21)
        if n > dense_max:
            if last is None:
                print(f"{n:>7} {t_lr:>11.4f}  (dense peer skipped: N > --dense-max {dense_max})")
                continue
            t_de = last[1] * (n / last[0]) ** 3
            print(f"{n:>7} {t_lr:>11.4f} {t_de:>10.0f}* {t_de / t_lr:>9.0f} {'n/a':>13}"
                  f"   * extrapolated as N^3 from N = {last[0]}")
            continue
        g = thermo.dense_g(sep, x)
        t_de, dense = best(lambda g=g: np.linalg.eigvalsh(g), repeat=1 if n > 3000 else 3)
        del g
        last = (n, t_de)
        diff = float(np.max(np.abs(spec.full() - dense) / dense))
        print(f"{n:>7} {t_lr:>11.4f} {t_de:>11.3f} {t_de / t_lr:>9.0f} {diff:>13.1e}")


def bench_summary() -> None:
    print("\n2. thermo.summary of a 100000-100-10 tanh net (N = 100110)")
    rng = np.random.default_rng(1)
    sizes = [100_000, 100, 10]
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in pairs]
    sep = NeuralSeptuple.from_layers(w, [rng.normal(size=100) * 0.1, rng.normal(size=10) * 0.1])
    x = sep.fixed_point(rng.uniform(0, 1, size=(10, 100_000))).mean(axis=0)
    tracemalloc.start()

    def work():
        s = thermo.summary(sep, x, beta=1.0)
        return s, s.complexity_n(20)

    t_first, _ = best(work, 1)  # includes the cached first-layer Gram matrix W_0 W_0^T
    t, (s, c20) = best(work)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"   wall {t_first:.3f} s first call, {t:.3f} s repeated (cached W_0 W_0^T); "
          f"peak traced memory in summary {peak / 2**20:.0f} MiB; process max RSS {rss:.0f} MiB "
          f"(weights {w[0].nbytes / 2**20:.0f} MiB)")
    print(f"   K = {s.eigenvalues.size} non-trivial eigenvalues, log Z = {s.log_z:.6g}, "
          f"U = {s.energy:.6g}, S = {s.entropy:.6g}, C_20 = {c20:.6g}, "
          f"mu2 = {s.mu2:.4g}, mu3 = {s.mu3:.4g}")


def bench_clamped(samples: int, scipy_samples: int) -> None:
    from scipy.optimize import least_squares

    print(f"\n3. clamped minimisation (3.2), 784-40-20-10 tanh net, {samples} samples")
    rng = np.random.default_rng(2)
    sep = deep_net(784, rng)
    try:
        from emergent.learning.data import load_bundled

        images, labels = load_bundled()
        pick = rng.choice(images.shape[0], size=samples, replace=False)
        x_in, lab = images[pick].astype(float), labels[pick]
        source = "bundled MNIST digits"
    except Exception as exc:  # noqa: BLE001 - any failure: fall back to random inputs
        x_in, lab = rng.uniform(0, 1, size=(samples, 784)), rng.integers(0, 10, samples)
        source = f"uniform random inputs ({exc})"
    y = -0.8 + 1.6 * np.eye(10)[lab]
    print(f"   data: {source}; targets +-0.8 one-hot")
    tol = 1e-10
    losses.clamped_minimisation(sep, x_in[:2], y[:2], tol=tol)  # warm-up (Numba compile/load)
    t_ours, (xb, h) = best(lambda: losses.clamped_minimisation(sep, x_in, y, tol=tol), 3)
    # the batched numpy route (taken for a user Potential; V = 0 here): same iteration
    zero = losses.tachyonic(0.0)
    t_np, (_, h_np) = best(
        lambda: losses.clamped_minimisation(sep, x_in, y, tol=tol, potential=zero), 1)
    hid = sep.hidden_index
    rows = np.setdiff1d(np.arange(sep.n), sep.input_index)
    k = min(scipy_samples, samples)
    h_sp = np.empty(k)
    t0 = time.perf_counter()
    for i in range(k):
        base = sep.fixed_point(x_in[i])[0]
        base[sep.output_index] = y[i]

        def res(v, base=base):
            xx = base.copy()
            xx[hid] = v
            return (xx - np.tanh(sep.preactivation(xx)[0]))[rows]

        sol = least_squares(res, base[hid], xtol=tol, ftol=tol, gtol=tol)
        h_sp[i] = 0.5 * np.sum(sol.fun**2)
    t_sp = (time.perf_counter() - t0) * samples / k
    diff = float(np.max(np.abs(h_sp - h[:k]) / np.abs(h_sp)))
    lower = int(np.sum(h[:k] < h_sp * (1 - 1e-9)))
    print(f"   ours (Numba route, tol {tol:g}, best of 3): {t_ours:.2f} s; scipy "
          f"least_squares loop: {t_sp:.1f} s "
          f"({'measured' if k == samples else f'{k} samples measured, scaled'})")
    print(f"   batched numpy route: {t_np:.2f} s ({t_np / t_ours:.1f}x the Numba route; "
          f"max relative difference of H {np.max(np.abs(h_np - h) / np.abs(h)):.1e})")
    print(f"   ratio {t_sp / t_ours:.0f}x; max relative |H_ours - H_scipy| / H = {diff:.1e}; "
          f"ours lower in {lower} of {k}; mean H = {h.mean():.6g}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="854,5000,20000")
    ap.add_argument("--dense-max", type=int, default=20000,
                    help="largest N for the dense eigvalsh peer (larger: N^3 extrapolation)")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--scipy-samples", type=int, default=100)
    ap.add_argument("--skip", default="", help="comma list of parts to skip: 1,2,3")
    a = ap.parse_args()
    skip = set(a.skip.split(",")) - {""}
    print(f"numpy {np.__version__}")
    load("before")
    threads()
    if "1" not in skip:
        bench_spectrum([int(s) for s in a.sizes.split(",")], a.dense_max)
    if "2" not in skip:
        bench_summary()
    if "3" not in skip:
        bench_clamped(a.samples, a.scipy_samples)
    load("after")


if __name__ == "__main__":
    main()
