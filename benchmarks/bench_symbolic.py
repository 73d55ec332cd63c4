"""Ricci scalar and Einstein-tensor checks of a *generic* metric: emergent.symbolic vs EinsteinPy.

Generic metric: every component g_ab(x) an arbitrary function of all D+1 coordinates.
emergent.symbolic works on exact jet polynomials (inverse metric, sqrt|g| and the derivatives of g
as independent symbols with exact derivation rules); EinsteinPy works on SymPy expressions in the
metric functions (Matrix.inv of the symbolic metric). Each peer runs in a child process with a
time limit, so a peer that does not finish is reported as "> LIMIT s".

Usage: python benchmarks/bench_symbolic.py [--dims 2 3 4] [--limit 120]
Peers that are not importable are skipped with a message.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time


def _ours(dim: int, out) -> None:
    from emergent.symbolic.geometry import Geometry

    t0 = time.perf_counter()  # after the imports, as for the peer
    geo = Geometry(dim)
    r = geo.ricci_scalar
    t1 = time.perf_counter()
    J = geo.J
    lag = J.mul(J.s(), r)
    ok = all(
        not J.add(J.euler_lagrange(lag, a, b, order=2), J.scale(geo.einstein_density(a, b), -1))
        for a, b in J.pairs
    )
    out.put((t1 - t0, time.perf_counter() - t0, len(r), ok))


def _einsteinpy(dim: int, out) -> None:
    import sympy as sp
    from einsteinpy.symbolic import MetricTensor, RicciScalar

    xs = sp.symbols(f"x0:{dim}")
    g = [[None] * dim for _ in range(dim)]
    for a in range(dim):
        for b in range(a, dim):
            g[a][b] = g[b][a] = sp.Function(f"g{a}{b}")(*xs)
    t0 = time.perf_counter()
    metric = MetricTensor(g, xs)
    r = RicciScalar.from_metric(metric).expr
    elapsed = time.perf_counter() - t0
    # cross-check on a concrete metric at a point (value of R there)
    conc, _, point = _concrete(dim, xs)
    subs = {g[a][b]: conc[a, b] for a in range(dim) for b in range(a, dim)}
    value = sp.nsimplify(sp.simplify(r.subs(subs).doit().subs(point)))
    out.put((elapsed, None, sp.count_ops(r), value))


def _concrete(dim: int, xs):
    """A non-diagonal, coordinate-dependent test metric and a rational point."""
    import sympy as sp

    m = sp.eye(dim) * 2
    for a in range(dim):
        m[a, a] += xs[a] ** 2 + xs[(a + 1) % dim]
        for b in range(a + 1, dim):
            m[a, b] = m[b, a] = xs[a] * xs[b] / 3
    if dim > 1:
        m[0, 0] = -m[0, 0]
    point = {x: sp.Rational(k + 1, 3) for k, x in enumerate(xs)}
    return m, xs, point


def _ours_value(dim: int):
    import sympy as sp

    from emergent.symbolic.gravity import curvature_at

    xs = sp.symbols(f"x0:{dim}")
    m, _, point = _concrete(dim, xs)
    return curvature_at(m, xs, point)["scalar"]


def _run(target, dim: int, limit: float):
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=target, args=(dim, q))
    t0 = time.perf_counter()
    p.start()
    p.join(limit)
    if p.is_alive():
        p.terminate()
        p.join()
        return None, time.perf_counter() - t0
    return (q.get() if not q.empty() else None), time.perf_counter() - t0


def main() -> None:
    import sympy as sp

    ap = argparse.ArgumentParser()
    ap.add_argument("--dims", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--limit", type=float, default=120.0)
    args = ap.parse_args()
    try:
        import einsteinpy  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        print("EinsteinPy not importable: peer skipped (pip install einsteinpy in a separate venv)")
    print(
        f"{'D+1':>3} | {'ours: R [s]':>11} | {'ours: R + EL(sqrt g R) = G check [s]':>36} | "
        f"{'EinsteinPy: R [s]':>17} | ratio (peer/ours, R)"
    )
    for dim in args.dims:
        res, _ = _run(_ours, dim, args.limit)
        ours_r = f"{res[0]:.2f}" if res else f"> {args.limit:.0f}"
        ours_all = f"{res[1]:.2f} ({'ok' if res[3] else 'MISMATCH'})" if res else "-"
        if have_peer:
            peer, wall = _run(_einsteinpy, dim, args.limit)
            peer_t = f"{peer[0]:.2f}" if peer else f"> {args.limit:.0f}"
            if peer:
                same = sp.simplify(peer[3] - _ours_value(dim)) == 0
                peer_t += " (R agrees)" if same else " (R DIFFERS)"
            if res and peer:
                ratio = f"{peer[0] / res[0]:.0f}x"
            elif res:
                ratio = f"> {args.limit / res[0]:.0f}x (peer did not finish)"
            else:
                ratio = "-"
        else:
            peer_t, ratio = "skipped", "-"
        print(f"{dim:>3} | {ours_r:>11} | {ours_all:>36} | {peer_t:>17} | {ratio}")


if __name__ == "__main__":
    main()
