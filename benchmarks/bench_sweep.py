"""Sweep overhead and parallel speed-up (issue 10).

1. Overhead per task: a sweep of 200 cheap `chains` points on Dask (LocalCluster, 1 and 2
   single-threaded workers) against the same 200 runs (`emergent.runs.io.execute`, one run file
   each) in a plain loop in one process. overhead/task = (sweep wall - loop wall) / 200 with
   one worker (the same single core of work, so the difference is Dask plus gathering).
2. Speed-up for a compute-bound sweep: 8 points of `chains` with a large tanh chain, a plain
   loop in one process on one thread against a sweep on 2 workers (1 thread each); also the
   loop with Numba's threads on both cores (the kernel is `parallel=True`), the competitor a
   user has without Dask.

Cluster start-up is timed separately and excluded. Run:
    .venv/bin/python benchmarks/bench_sweep.py [--points 200] [--heavy-neurons 262144]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numba

from emergent.runs.io import execute, read_run
from emergent.runs.registry import get
from emergent.runs.sweep import SweepSpec, read_sweep, run_sweep

CHEAP = {"neurons": 64, "steps": 8, "record_every": 8, "show": 8}


def loop(spec: SweepSpec, folder: Path) -> float:
    sim = get(spec.simulation)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    for point in spec.points():  # the same work as a sweep task: run, read back, reduce
        path = execute(sim, point.params, point.seed, folder / point.filename, quiet=True)
        sim.reduction(read_run(path))
    return time.perf_counter() - t0


class Cluster:
    """A LocalCluster of single-threaded workers, warmed up (imports, Numba cache)."""

    def __init__(self, workers: int, folder: Path) -> None:
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    dashboard_address=":0", env={"NUMBA_NUM_THREADS": "1"},
                                    silence_logs=40)
        self.client = Client(self.cluster)
        self.start = time.perf_counter() - t0
        warm = SweepSpec.build(get("chains"), ["noise=0.5"], fixed=CHEAP, seeds=workers,
                               seed=10**6)
        run_sweep(warm, folder / f"warm{workers}.h5", client=self.client, quiet=True)

    def sweep(self, spec: SweepSpec, out: Path) -> float:
        """Wall time of the sweep; the workers' own time per point is kept in self.inside."""
        out.parent.mkdir(parents=True)
        t0 = time.perf_counter()
        report = run_sweep(spec, out, client=self.client, quiet=True)
        wall = time.perf_counter() - t0
        assert len(report.ran) == spec.size and not report.failed
        self.inside = float(read_sweep(out).seconds.sum())
        return wall

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--points", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3, help="repetitions; the minimum is shown")
    p.add_argument("--heavy-neurons", type=int, default=1 << 17)
    p.add_argument("--heavy-steps", type=int, default=256)
    p.add_argument("--heavy-points", type=int, default=4)
    p.add_argument("--only", choices=("cheap", "heavy"), help="run one of the two parts")
    args = p.parse_args()
    sim = get("chains")
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    c1 = c2 = None
    try:
        numba.set_num_threads(1)
        execute(sim, sim.resolve(CHEAP), 0, tmp / "warm.h5", quiet=True)  # compile/load once
        c1, c2 = Cluster(1, tmp), Cluster(2, tmp)
        n = args.points
        cheap = SweepSpec.build(sim, [f"noise=0:0.5:{n // 2}"], fixed=CHEAP, seeds=2)
        heavy = {"neurons": args.heavy_neurons, "steps": args.heavy_steps,
                 "record_every": args.heavy_steps // 4, "show": 64, "activation": "tanh"}
        hp = args.heavy_points
        hspec = SweepSpec.build(sim, [f"noise=0:0.1:{hp}"], fixed=heavy, seeds=1)
        threads = min(2, numba.config.NUMBA_NUM_THREADS)
        times: dict[str, list[float]] = {}
        for r in range(args.rounds):  # interleaved rounds: load changes hit every method
            numba.set_num_threads(1)
            if args.only != "heavy":
                times.setdefault("loop", []).append(loop(cheap, tmp / f"loop{r}"))
                times.setdefault("s1", []).append(c1.sweep(cheap, tmp / f"s1-{r}" / "s.h5"))
                # Dask + gathering, excluding the runs themselves (same sweep, same load)
                times.setdefault("gap1", []).append(times["s1"][-1] - c1.inside)
                times.setdefault("s2", []).append(c2.sweep(cheap, tmp / f"s2-{r}" / "s.h5"))
            if args.only != "cheap":
                times.setdefault("hl1", []).append(loop(hspec, tmp / f"hl1-{r}"))
                numba.set_num_threads(threads)
                times.setdefault("hl2", []).append(loop(hspec, tmp / f"hl2-{r}"))
                times.setdefault("hs2", []).append(c2.sweep(hspec, tmp / f"hs2-{r}" / "s.h5"))
                # busy workers on average: sum of the points' run times / wall (2 = ideal)
                times.setdefault("busy", []).append(-c2.inside / times["hs2"][-1])
        best = {k: min(v) for k, v in times.items()}
        if args.only == "heavy":
            best.update(loop=1.0, s1=1.0, s2=1.0, gap1=0.0)
        t_loop, t_s1, t_s2 = best["loop"], best["s1"], best["s2"]
        if args.only != "heavy":
            print(f"\n## {cheap.size} cheap points (chains {CHEAP}; noise x 2 seeds), "
                  f"best of {args.rounds}")
            print("| method | wall [s] | per point [ms] | vs loop |")
            print("|---|---:|---:|---:|")
            for name, t in (("plain loop, 1 process", t_loop), ("sweep, 1 worker", t_s1),
                            ("sweep, 2 workers", t_s2)):
                print(f"| {name} | {t:.2f} | {1e3 * t / cheap.size:.1f} | {t / t_loop:.2f}x |")
            print(f"\noverhead per task, (sweep on 1 worker - loop) / points: "
                  f"{1e3 * (t_s1 - t_loop) / cheap.size:.1f} ms; (sweep wall on 1 worker - "
                  f"time inside the tasks) / points: {1e3 * best['gap1'] / cheap.size:.1f} ms; "
                  f"LocalCluster start (excluded): {c1.start:.1f} s (1 worker), "
                  f"{c2.start:.1f} s (2 workers)")
        if args.only == "cheap":
            return
        t_l1 = best["hl1"]
        print(f"\n## {hp} compute-bound points (chains {heavy}), best of {args.rounds}")
        print("| method | wall [s] | speed-up vs 1-thread loop |")
        print("|---|---:|---:|")
        for name, t in (("plain loop, 1 thread", t_l1),
                        (f"plain loop, Numba parallel kernel on {threads} threads", best["hl2"]),
                        ("sweep, 2 workers x 1 thread", best["hs2"])):
            print(f"| {name} | {t:.2f} | {t_l1 / t:.2f}x |")
        print(f"\nworkers busy on average during the 2-worker sweep (sum of the points' run "
              f"times / wall, best round): {-best['busy']:.2f} of 2")
        print(f"\ncores: {len(os.sched_getaffinity(0))}, load average after: "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        for c in (c1, c2):
            if c is not None:
                c.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("skipped: dask.distributed is not installed (pip install 'emergent[dist]')")
        raise SystemExit(0) from None
    main()
