"""`holography`: chain lengths of a bulk network read off its boundary weight matrix (P2 97-100)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy.sparse.csgraph import shortest_path

from emergent.chains.holography import boundary_weights, bulk_chains, chain_lengths
from emergent.runs.registry import Check, Param, ParameterError, Simulation, register

__all__ = ["SIMULATION", "random_crossings"]


def random_crossings(lengths: np.ndarray, count: int,
                     rng: np.random.Generator) -> list[tuple[int, int, int, int]]:
    """`count` crossings (c1, k1, c2, k2) between random pairs of chains.

    Crossing m sits at the same fraction f_m of both chains (k = floor(f_m L)), with distinct
    f_m, so that every path moves monotonically in f: the bulk stays free of cycles. A bulk
    neuron takes part in at most one crossing.
    """
    c = lengths.size
    out: list[tuple[int, int, int, int]] = []
    used: set[tuple[int, int]] = set()
    if c < 2:
        return out
    fracs = np.sort(rng.uniform(0, 1, 4 * count))
    rng.shuffle(fracs)
    for f in fracs:
        if len(out) == count:
            break
        c1, c2 = rng.choice(c, 2, replace=False)
        k1, k2 = int(f * lengths[c1]), int(f * lengths[c2])
        if (c1, k1) in used or (c2, k2) in used:
            continue
        used.update({(c1, k1), (c2, k2)})
        out.append((int(c1), k1, int(c2), k2))
    return out


def run(run: Any) -> None:
    p = run.params
    lo, hi = p["min_length"], p["max_length"]
    if hi < lo:
        raise ParameterError(f"parameter 'max_length': {hi} must be >= min_length = {lo}")
    rng = run.rng(0)
    lengths = rng.integers(lo, hi + 1, p["chains"])
    crossings = random_crossings(lengths, p["crossings"], run.rng(1))
    t0 = time.perf_counter()
    bulk = bulk_chains(lengths, crossings=crossings)
    build = time.perf_counter() - t0
    nb = bulk.n_boundary
    # independent reference: shortest bulk path (BFS) between boundary neurons
    hops = shortest_path(bulk.w.T.tocsr(), unweighted=True, indices=np.arange(nb))[:, :nb].T
    shortest = hops - 1.0  # bulk neurons on the shortest path j -> i
    crossed = {c for cr in crossings for c in (cr[0], cr[2])}
    clean = np.array([c not in crossed for c in range(lengths.size)])
    expected = bulk.expected_lengths()
    run.set_result("bulk_neurons", int(bulk.n - nb))
    run.set_result("boundary_neurons", int(nb))
    run.set_result("crossings_made", len(crossings))
    run.set_result("build_seconds", build)
    first = None
    for eps in run.progress(p["eps"], total=len(p["eps"])):
        if (hi + 2) * abs(np.log10(eps)) > 290:
            raise ParameterError(f"parameter 'eps': eps^(max_length + 1) = {eps}^{hi + 1} "
                                 f"underflows double precision; take eps closer to 1")
        t0 = time.perf_counter()
        w_d = boundary_weights(bulk.w, nb, eps)
        seconds = time.perf_counter() - t0
        d = chain_lengths(w_d, eps)
        tgt, src = bulk.targets[clean], bulk.sources[clean]
        err = float(np.abs(d[tgt, src] - expected[tgt, src]).max()) if clean.any() else 0.0
        found = np.isfinite(d)
        extra = found & ~np.isfinite(expected)
        multi = found & (d < shortest - 1e-6)
        run.append(eps=eps, solve_seconds=seconds, disjoint_max_error=err,
                   connected_pairs=int(found.sum()), new_pairs=int(extra.sum()),
                   multipath_pairs=int(multi.sum()),
                   max_excess=float(np.max(d[found] - shortest[found], initial=0.0)))
        if first is None:
            first = (w_d, d)
    w_d, d = first
    axes = {"i": np.arange(nb), "j": np.arange(nb)}
    run.write_field("w_boundary", w_d, axes=axes)
    run.write_field("d", d, axes=axes)
    run.write_field("d_shortest", shortest, axes=axes)
    run.write_array("lengths", lengths)
    run.write_array("crossings", np.array(crossings, dtype=np.int64).reshape(-1, 4))


def plot(data: Any, fig: Any) -> None:
    d, _ = data.field("d")
    short, _ = data.field("d_shortest")
    ax = fig.subplots(1, 2)
    show = np.where(np.isfinite(d), d, np.nan)
    im = ax[0].imshow(show, origin="lower", cmap="viridis")
    fig.colorbar(im, ax=ax[0], label="d(i, j) = log_eps w_d - 1")
    ax[0].set_xlabel("source j")
    ax[0].set_ylabel("target i")
    ax[0].set_title(f"eps = {data.params['eps'][0]:g}")
    fin = np.isfinite(d)
    ax[1].plot(short[fin], d[fin], ".", ms=3)
    m = np.nanmax(short[fin]) if fin.any() else 1
    ax[1].plot([0, m], [0, m], "k-", lw=0.5)
    ax[1].set_xlabel("shortest bulk path (BFS)")
    ax[1].set_ylabel("recovered d(i, j)")
    ax[1].set_title(f"{data.results['crossings_made']} crossings")


def checks(data: Any) -> list[Check]:
    err = data.series("disjoint_max_error")
    excess = data.series("max_excess")
    secs = data.series("solve_seconds")
    nb = data.results["bulk_neurons"]
    out = [
        Check("P2 (100): d(i, j) = log_eps w_d_ij - 1 recovers disjoint chain lengths",
              "exact", f"max error {err.max():.1e} over eps = {data.params['eps']}",
              bool(err.max() <= 1e-6)),
        Check("P2 (99): w_d never exceeds the shortest path (sum over bulk paths)",
              "d(i, j) <= shortest path", f"max excess {excess.max():.1e}",
              bool(excess.max() <= 1e-6)),
    ]
    if nb >= 10**5:
        out.append(Check("issue 6: w_d(eps) for 1e5 bulk neurons in < 5 s", "< 5 s",
                         f"{secs.max():.2f} s for {nb} bulk neurons", bool(secs.max() < 5)))
    return out


SIMULATION = register(Simulation(
    name="holography",
    summary="Bulk of (crossing) chains -> boundary weights w_d(eps) -> recovered chain lengths",
    equations=("P2 97", "P2 98", "P2 99", "P2 100"),
    params=(
        Param("chains", "int", 100, "chains joining pairs of boundary neurons", low=1,
              high=10**6),
        Param("min_length", "int", 500, "fewest bulk neurons in a chain", low=1, high=10**7),
        Param("max_length", "int", 1500, "most bulk neurons in a chain", low=1, high=10**7),
        Param("crossings", "int", 10, "pairs of chains that share a bulk neuron", low=0,
              high=10**6),
        Param("eps", "floats", (0.99, 0.995), "eps of (99)-(100), each in (0, 1)", low=0.0,
              high=1.0, low_open=True, high_open=True),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"chains": 400, "crossings": 100},
    smoke={"chains": 20, "min_length": 20, "max_length": 100, "crossings": 4},
))
