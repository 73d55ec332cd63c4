"""The step count of a split-step solve of P2 (34) that reaches an error target, found from the
splitting's order (emergent.quantum.stepping.fewest_steps) instead of a ladder."""

from __future__ import annotations

import numpy as np
import pytest

from emergent.quantum import (
    MadelungConstants,
    Schrodinger,
    coherent_state,
    make_grid,
    solve_schrodinger,
)
from emergent.quantum.stepping import fewest_steps

C = MadelungConstants(diffusion=0.3, gamma=1.2, mu=0.8)


def test_fewest_steps_power_law_exact():
    """For error(n) = c n^-p exactly the answer is ceil((c / target)^(1/p)) (n - 1 fails), found
    in at most 3 runs."""
    for c, p, target in [(3.0, 2, 1e-6), (0.7, 4, 1e-9), (50.0, 2, 1e-3)]:
        want = int(np.ceil((c / target) ** (1.0 / p)))
        while c * (want - 1) ** -p <= target:
            want -= 1
        n, err, calls = fewest_steps(lambda m, c=c, p=p: c * m ** -p, target, p)
        assert n == want and err <= target and calls <= 3


def test_fewest_steps_not_a_pure_power_law():
    """Pre-asymptotic errors (c n^-2 (1 + 30 / n)): the measured order steers the search and
    the answer is still the exhaustive one."""
    def err(m):
        return 2.0 * m ** -2.0 * (1.0 + 30.0 / m)
    target = 1e-4
    want = next(m for m in range(1, 10**5) if err(m) <= target)
    n, e, calls = fewest_steps(err, target, 2)
    assert (n, e) == (want, err(want)) and calls <= 8


@pytest.mark.parametrize("method,order", [("strang", 2), ("blanes-moan4", 4), ("yoshida4", 4)])
def test_fewest_steps_schrodinger_matches_exhaustive_scan(method, order):
    """P2 (34), coherent state in V = q^2/2 (mu, gamma, D != 1): the step count found is the
    fewest that reaches relative L2 error 1e-5 at t = 1 against the analytic state, the same
    as an exhaustive scan (so within 1.1x of the minimal split-step at equal error), in at
    most 5 solves; n - 1 steps miss the target."""
    g = make_grid(64, 20.0, ndim=1)
    v = 0.5 * g.q[0] ** 2
    psi0 = coherent_state(g, C, stiffness=1.0, displacement=(2.0,))
    exact = coherent_state(g, C, stiffness=1.0, displacement=(2.0,), t=1.0)
    model = Schrodinger(g, C, potential=v, method=method)

    def err(n):
        psi = solve_schrodinger(psi0, model, 1.0, dt=1.0 / n).final
        return float(np.linalg.norm(psi - exact) / np.linalg.norm(exact))

    n, e, calls = fewest_steps(err, 1e-5, order)
    assert e <= 1e-5 < err(n - 1)
    assert calls <= 5
    lo = max(1, int(0.8 * n))  # the scan: no smaller count in [0.8 n, n) reaches it either
    assert all(err(m) > 1e-5 for m in range(lo, n))


def test_fewest_steps_rejects_bad_input():
    """Bad target, order or an unreachable target: one-line errors naming the parameter."""
    with pytest.raises(ValueError, match="target"):
        fewest_steps(lambda m: 1.0, 0.0, 2)
    with pytest.raises(ValueError, match="order"):
        fewest_steps(lambda m: 1.0, 1e-3, 0)
    with pytest.raises(ValueError, match="max_steps"):
        fewest_steps(lambda m: 1.0, 1e-3, 2, max_steps=100)
