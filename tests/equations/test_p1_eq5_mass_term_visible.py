"""P1 (5.11)-(5.14) with the local objective V = -m x^2 / 2 switched on (issue 17: m != 0, so
the factor c = 1 - beta m of the corrected mean term is visible).

log Z = log int exp(-beta/2 (x - <x>)^T G (x - <x>) - c/2 x^T x) d^N x, written out here with
dense matrices (A = beta G + c I, b = beta G <x>):
    log Z = N/2 log 2 pi - 1/2 log det A + 1/2 b^T A^-1 b - beta/2 <x>^T G <x>.
"""

import numpy as np
import pytest

from emergent.septuple import thermodynamics as thermo


def _case(seed=0, n=5):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    g = a @ a.T / n + 0.2 * np.eye(n)
    x = rng.normal(size=n)
    return g, x


@pytest.mark.equations("P1 (5.14)", "P1 (5.10)")
@pytest.mark.parametrize("beta, m", [(1.2, 0.3), (0.7, -0.8)])
def test_p1_eq5_14_log_partition_with_mean_term_and_mass(beta, m):
    """thermo.log_partition(mean_term=True) on the spectrum of G (5.10) with coords a_i = v_i.<x>
    equals the dense Gaussian integral above; dropping the factor c = 1 - beta m in the mean
    term (the printed form) changes it."""
    g, x = _case()
    n = g.shape[0]
    c = 1 - beta * m
    big_a = beta * g + c * np.eye(n)
    b = beta * g @ x
    dense = (0.5 * n * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(big_a)[1]
             + 0.5 * b @ np.linalg.solve(big_a, b) - 0.5 * beta * x @ g @ x)
    lam, vec = np.linalg.eigh(g)
    spec = thermo.Spectrum(lam, 0, vec.T @ x, 0.0)
    assert thermo.log_partition(spec, beta=beta, m=m, mean_term=True) == pytest.approx(
        dense, rel=1e-12)
    a2 = (vec.T @ x) ** 2
    printed = (0.5 * n * np.log(2 * np.pi) - 0.5 * np.sum(np.log(c + beta * lam))
               - 0.5 * np.sum(beta * lam * a2 / (c + beta * lam)))
    assert abs(printed - dense) > 1e-3
    # (5.14), the large-N form without the mean term, at m != 0
    assert thermo.log_partition(lam, beta=beta, m=m) == pytest.approx(
        0.5 * n * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(big_a)[1], rel=1e-12)
