"""Time to relative L2 error <= 1e-6 for the Schrödinger equation of learning (P2 34).

Problem: coherent state of V = q^2 / 2 (D = 1/4, gamma = mu = 1: i dPsi/dt = (-lap + V) Psi,
omega = sqrt(2)), displaced by 2, box [-10, 10)^K, to t = 1, error against the analytic
solution. Solvers, side by side in one process:
  ours   emergent.quantum split-step Fourier (Blanes-Moan order 4 and Strang), the largest dt
         (from a ladder) that reaches the target;
  QuTiP  sesolve with a 4th-order finite-difference Hamiltonian (periodic), tolerances swept,
         normalize_output=False so the norm drift is the solver's own;
  py-pde adaptive Runge-Kutta on the same problem with its 2nd-order Laplacian.
A peer that is not importable is skipped with a message.

Usage: python benchmarks/bench_quantum.py [--sizes 1024,2048,8192] [--two-d 512]
       [--qutip-max 2048] [--pypde-max 1024]
       (peers from a separate venv: /tmp/bench-quantum/bin/python benchmarks/bench_quantum.py)
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best

from emergent.quantum import (
    MadelungConstants,
    Schrodinger,
    coherent_state,
    make_grid,
    norm,
    solve_schrodinger,
)

C = MadelungConstants(diffusion=0.25, gamma=1.0, mu=1.0)
TARGET = 1e-6
L, T, D0 = 20.0, 1.0, 2.0


def problem(n, K):
    g = make_grid(n, L, ndim=K)
    v = 0.5 * sum(x**2 for x in g.q)
    v = np.broadcast_to(v, g.shape).copy()
    d = (D0,) + (1.0,) * (K - 1)
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=d)
    exact = coherent_state(g, C, stiffness=1.0, displacement=d, t=T)
    return g, v, psi0, exact


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def bench_ours(n, K, method):
    g, v, psi0, exact = problem(n, K)
    model = Schrodinger(g, C, potential=v, method=method)
    for steps in (5, 10, 20, 40, 80, 160, 320, 640, 1280):
        run = lambda s=steps: solve_schrodinger(psi0, model, T, dt=T / s)  # noqa: E731
        r = run()
        err = rel(r.final, exact)
        if err <= TARGET:
            sec, r = best(run, 5 if n**K <= 1 << 14 else 3)
            return dict(solver=f"ours {method}", setting=f"dt=1/{steps}", seconds=sec,
                        error=err, drift=abs(norm(r.final, g) - 1.0))
    return dict(solver=f"ours {method}", setting="dt=1/1280", seconds=np.nan, error=err,
                drift=abs(norm(r.final, g) - 1.0))


def fd4_laplacian_1d(n, h):
    import scipy.sparse as sps
    c = np.array([-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12]) / h**2
    offs = [-2, -1, 0, 1, 2]
    diags = [np.full(n, ci) for ci in c]
    lap = sps.diags(diags, offs, shape=(n, n), format="lil")
    lap[0, n - 2] = lap[1, n - 1] = c[0]
    lap[0, n - 1] = c[1]
    lap[n - 2, 0] = lap[n - 1, 1] = c[4]
    lap[n - 1, 0] = c[3]
    return lap.tocsr()


def bench_qutip(n, K):
    try:
        import qutip
    except ImportError:
        return [dict(solver="QuTiP sesolve", setting="not importable (pip install qutip)",
                     seconds=np.nan, error=np.nan, drift=np.nan)]
    import scipy.sparse as sps
    g, v, psi0, exact = problem(n, K)
    h = L / n
    l1 = fd4_laplacian_1d(n, h)
    eye = sps.identity(n, format="csr")
    if K == 1:
        lap = l1
    else:
        lap = sps.kron(l1, eye, format="csr") + sps.kron(eye, l1, format="csr")
    H = qutip.Qobj(-lap + sps.diags(v.ravel()), dims=[[n**K], [n**K]])
    s = np.sqrt(h**K)
    p0 = qutip.Qobj((psi0 * s).reshape(-1, 1), dims=[[n**K], [1]])
    rows = []
    for tol in (1e-8, 1e-10, 1e-12):
        opts = {"atol": tol, "rtol": tol, "normalize_output": False, "nsteps": 10**7,
                "store_final_state": True, "store_states": False}

        def run(opts=opts):
            return qutip.sesolve(H, p0, [0.0, T], options=opts).final_state

        sec, fin = best(run, 1)
        psi = fin.full().reshape(g.shape) / s
        rows.append(dict(solver="QuTiP sesolve (FD4)", setting=f"atol=rtol={tol:g}",
                         seconds=sec, error=rel(psi, exact), drift=abs(norm(psi, g) - 1.0)))
        if rows[-1]["error"] <= TARGET:
            break
    return rows


def bench_pypde(n, K):
    try:
        import pde
    except ImportError:
        return [dict(solver="py-pde", setting="not importable (pip install py-pde)",
                     seconds=np.nan, error=np.nan, drift=np.nan)]
    g, v, psi0, exact = problem(n, K)
    grid = pde.CartesianGrid([(-L / 2, L / 2)] * K, [n] * K, periodic=True)
    # cell centres of py-pde are at -L/2 + (j + 1/2) h: shift our grid by h/2
    gg = make_grid(n, L, ndim=K)
    h = L / n
    shift = tuple(x + h / 2 for x in gg.q)
    d = (D0,) + (1.0,) * (K - 1)

    def coh(t):
        m, w = 0.5, np.sqrt(2.0)
        psi = np.ones(gg.shape, dtype=complex)
        for ax in range(K):
            xc, pc = d[ax] * np.cos(w * t), -m * w * d[ax] * np.sin(w * t)
            psi = psi * ((m * w / np.pi) ** 0.25 * np.exp(-0.5j * w * t)
                         * np.exp(-m * w * (shift[ax] - xc) ** 2 / 2 + 1j * pc * shift[ax]
                                  - 0.5j * xc * pc))
        return psi

    vv = np.broadcast_to(0.5 * sum(x**2 for x in shift), gg.shape).copy()
    field0 = pde.ScalarField(grid, coh(0.0), dtype=complex)
    vfield = pde.ScalarField(grid, vv)
    eq = pde.PDE({"u": "I * laplace(u) - I * V * u"}, consts={"V": vfield})
    ex = coh(T)
    rows = []
    # runge-kutta (adaptive RK45) is py-pde's fastest accurate choice here; its "scipy" DOP853
    # reaches the same 2nd-order-Laplacian error floor in ~9x the time (70 s at 1,024 points)
    for solver, kw in (("runge-kutta", dict(tolerance=1e-10)),):
        try:
            eq.solve(field0.copy(), t_range=T / 100, solver=solver, tracker=None, **kw)  # jit

            def run(solver=solver, kw=kw):
                return eq.solve(field0.copy(), t_range=T, solver=solver, tracker=None, **kw)

            sec, res = best(run, 1)
            psi = res.data
            rows.append(dict(solver=f"py-pde {solver}", setting=str(kw), seconds=sec,
                             error=rel(psi, ex), drift=abs(norm(psi, gg) - 1.0)))
        except Exception as exc:  # a peer failing is a result, not a crash of the benchmark
            rows.append(dict(solver=f"py-pde {solver}", setting=f"failed: {exc!r}"[:60],
                             seconds=np.nan, error=np.nan, drift=np.nan))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024,2048,8192")
    ap.add_argument("--two-d", type=int, default=512)
    ap.add_argument("--qutip-max", type=int, default=2048,
                    help="largest 1D grid given to QuTiP (8,192 did not finish in 80 s)")
    ap.add_argument("--pypde-max", type=int, default=1024,
                    help="largest 1D grid given to py-pde (explicit steps grow as cells^2)")
    a = ap.parse_args()
    cases = [(int(s), 1) for s in a.sizes.split(",") if s] + ([(a.two_d, 2)] if a.two_d else [])
    print(f"target relative L2 error {TARGET:g} at t = {T:g}; times are best of repeats (s)")
    hdr = f"{'grid':>9} {'solver':<26} {'setting':<34} {'time s':>9} {'L2 err':>9} " \
          f"{'norm drift':>10} {'peer/ours':>9}"
    print(hdr)
    print("-" * len(hdr))
    for n, K in cases:
        rows = [bench_ours(n, K, "blanes-moan4"), bench_ours(n, K, "strang")]
        peers = []
        if K == 1 and n <= a.qutip_max:
            peers += bench_qutip(n, K)
        else:
            peers.append(dict(solver="QuTiP sesolve (FD4)", setting=f"skipped: {n}^{K} > "
                              f"--qutip-max {a.qutip_max}", seconds=np.nan, error=np.nan,
                              drift=np.nan))
        if K == 1 and n <= a.pypde_max:
            peers += bench_pypde(n, K)
        else:
            peers.append(dict(solver="py-pde runge-kutta", setting=f"skipped: {n}^{K} > "
                              f"--pypde-max {a.pypde_max}", seconds=np.nan, error=np.nan,
                              drift=np.nan))
        ours = min(r["seconds"] for r in rows if np.isfinite(r["seconds"]))
        for r in rows + peers:
            ok = np.isfinite(r["error"]) and r["error"] <= TARGET
            ratio = f"{r['seconds'] / ours:9.1f}" if ok and r in peers else (
                "  no-reach" if r in peers and np.isfinite(r["error"]) else "")
            print(f"{str(n) + ('^2' if K == 2 else ''):>9} {r['solver']:<26} "
                  f"{r['setting'][:34]:<34} {r['seconds']:9.4f} {r['error']:9.1e} "
                  f"{r['drift']:10.1e} {ratio:>9}")
        print()


if __name__ == "__main__":
    main()
