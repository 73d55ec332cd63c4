"""P1 (3.2)-(3.3) through the compiled route (issue 17): the per-sample Newton kernel that
clamped_minimisation uses for the tachyonic V = -m x^2 / 2 alone (m != 0) reaches a stationary
point of the bulk loss (3.4) written out here, and BFGS from there finds nothing lower."""

import numpy as np
import pytest
from scipy.optimize import minimize

from emergent.septuple.losses import clamped_minimisation
from emergent.septuple.network import NeuralSeptuple


@pytest.mark.equations("P1 (3.2)", "P1 (3.3)")
@pytest.mark.parametrize("m", [0.3, -0.4])
def test_p1_eq3_2_3_3_compiled_route_is_a_minimum_of_the_written_out_loss(m):
    rng = np.random.default_rng(21)
    sizes = (6, 5, 4, 2)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * 1.4 / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.2 for n in sizes[1:]]
    sep = NeuralSeptuple.from_layers(w, b, activation="tanh")
    x_in = rng.uniform(-0.8, 0.8, size=(3, sizes[0]))
    y = rng.uniform(-0.7, 0.7, size=(3, sizes[-1]))
    xb, h = clamped_minimisation(sep, x_in, y, m=m, tol=1e-11)
    hid, wd = sep.hidden_index, sep.w.toarray()
    rows = np.setdiff1d(np.arange(sep.n), sep.input_index)
    for i in range(3):
        def phi(v, i=i):
            x = xb[i].copy()
            x[hid] = v
            r = x[rows] - np.tanh(wd[rows] @ x + sep.bias[rows])
            return 0.5 * r @ r - 0.5 * m * np.sum(x**2)

        assert phi(xb[i, hid]) == pytest.approx(h[i], rel=1e-12)
        eps = 1e-6
        grad = [(phi(xb[i, hid] + eps * e) - phi(xb[i, hid] - eps * e)) / (2 * eps)
                for e in np.eye(hid.size)]
        assert np.max(np.abs(grad)) < 1e-7
        near = minimize(phi, xb[i, hid] + 1e-3 * rng.normal(size=hid.size), method="BFGS",
                        options={"gtol": 1e-10})
        assert near.fun >= h[i] - 1e-10
