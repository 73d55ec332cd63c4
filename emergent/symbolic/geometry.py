"""Curvature of a generic metric as exact jet polynomials (P1 12.11-12.13, P2 93-96).

All objects are built from the inverse metric h^ab, sqrt|g| and the jets g_ab,m, g_ab,mn of
:class:`~emergent.symbolic.jets.Jet`; nothing is simplified, everything is exact.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cached_property

from emergent.symbolic.jets import Jet, Poly

__all__ = ["Geometry"]

HALF = Fraction(1, 2)


class Geometry:
    """Christoffel symbols, Ricci tensor (two routes), Ricci scalar, Einstein tensor density,
    the Landau-Lifshitz Gamma-Gamma Lagrangian and the quadratic invariants in g_ab,m g_cd,n."""

    def __init__(self, dim: int):
        self.J = Jet(dim, order=3)
        self.n = dim

    # Gamma^a_bc = 1/2 h^ad (g_db,c + g_dc,b - g_bc,d)      (P1 12.11, P2 93)
    @cached_property
    def christoffel(self) -> dict[tuple[int, int, int], Poly]:
        J, n = self.J, self.n
        out = {}
        for a in range(n):
            for b in range(n):
                for c in range(b, n):
                    p: Poly = {}
                    for d in range(n):
                        inner = J.add(J.dg(d, b, c), J.dg(d, c, b), J.scale(J.dg(b, c, d), -1))
                        J.addto(p, J.mul(J.h(a, d), inner), HALF)
                    out[(a, b, c)] = p
                    out[(a, c, b)] = p
        return out

    @cached_property
    def dchristoffel(self) -> dict[tuple[int, int, int, int], Poly]:
        """Gamma^a_bc,m (P1 12.11 second definition, P2 94)."""
        J, n, G = self.J, self.n, self.christoffel
        out = {}
        for a in range(n):
            for b in range(n):
                for c in range(b, n):
                    for m in range(n):
                        p = J.total_derivative(G[(a, b, c)], m)
                        out[(a, b, c, m)] = p
                        out[(a, c, b, m)] = p
        return out

    @cached_property
    def ricci_paper(self) -> dict[tuple[int, int], Poly]:
        """R_mn = 2 (Gamma^a_n[m,a] + Gamma^b_n[m Gamma^a_a]b)   (P1 12.13, P2 96)."""
        J, n, G, dG = self.J, self.n, self.christoffel, self.dchristoffel
        out = {}
        for mu in range(n):
            for nu in range(mu, n):
                p: Poly = {}
                for a in range(n):
                    J.addto(p, dG[(a, nu, mu, a)])
                    J.addto(p, dG[(a, nu, a, mu)], -1)
                    for b in range(n):
                        J.addto(p, J.mul(G[(b, nu, mu)], G[(a, a, b)]))
                        J.addto(p, J.mul(G[(b, nu, a)], G[(a, mu, b)]), -1)
                out[(mu, nu)] = p
                out[(nu, mu)] = p
        return out

    @cached_property
    def ricci_riemann(self) -> dict[tuple[int, int], Poly]:
        """R_sn = R^r_srn with R^r_smn = d_m G^r_ns - d_n G^r_ms + G^r_ml G^l_ns - G^r_nl G^l_ms."""
        J, n, G, dG = self.J, self.n, self.christoffel, self.dchristoffel
        out = {}
        for s_ in range(n):
            for nu in range(s_, n):
                p: Poly = {}
                for r in range(n):
                    m = r  # contraction R^r_{s r nu}
                    J.addto(p, dG[(r, nu, s_, m)])
                    J.addto(p, dG[(r, m, s_, nu)], -1)
                    for lam in range(n):
                        J.addto(p, J.mul(G[(r, m, lam)], G[(lam, nu, s_)]))
                        J.addto(p, J.mul(G[(r, nu, lam)], G[(lam, m, s_)]), -1)
                out[(s_, nu)] = p
                out[(nu, s_)] = p
        return out

    @cached_property
    def ricci_scalar(self) -> Poly:
        J, n, R = self.J, self.n, self.ricci_paper
        p: Poly = {}
        for a in range(n):
            for b in range(n):
                J.addto(p, J.mul(J.h(a, b), R[(a, b)]))
        return p

    def einstein_density(self, a: int, b: int) -> Poly:
        """-s G^ab with G^ab = h^ac h^bd R_cd - R h^ab / 2: the metric Euler-Lagrange derivative
        of s R (component for the independent g_ab, so doubled when a != b).

        Parameters
        ----------
        a, b : int
            The metric component, 0 <= a, b < dim.

        Returns
        -------
        Poly
        """
        J, n, R = self.J, self.n, self.ricci_paper
        g: Poly = {}
        for c in range(n):
            for d in range(n):
                J.addto(g, J.prod(J.h(a, c), J.h(b, d), R[(c, d)]))
        J.addto(g, J.mul(J.h(a, b), self.ricci_scalar), -HALF)
        factor = -1 if a == b else -2
        return J.scale(J.mul(J.s(), g), factor)

    @cached_property
    def gamma_gamma(self) -> Poly:
        """Landau-Lifshitz: G = h^mn (Gamma^a_mb Gamma^b_na - Gamma^a_mn Gamma^b_ab)."""
        J, n, G = self.J, self.n, self.christoffel
        p: Poly = {}
        for mu in range(n):
            for nu in range(n):
                inner: Poly = {}
                for a in range(n):
                    for b in range(n):
                        J.addto(inner, J.mul(G[(a, mu, b)], G[(b, nu, a)]))
                        J.addto(inner, J.mul(G[(a, mu, nu)], G[(b, a, b)]), -1)
                J.addto(p, J.mul(J.h(mu, nu), inner))
        return p

    def ll_current(self, m: int) -> Poly:
        """V^m = s (h^ab Gamma^m_ab - h^ma Gamma^b_ab), so that s R = s G + D_m V^m.

        Parameters
        ----------
        m : int
            The coordinate index.

        Returns
        -------
        Poly
        """
        J, n, G = self.J, self.n, self.christoffel
        p: Poly = {}
        for a in range(n):
            for b in range(n):
                J.addto(p, J.mul(J.h(a, b), G[(m, a, b)]))
                J.addto(p, J.mul(J.h(m, a), G[(b, a, b)]), -1)
        return J.mul(J.s(), p)

    def contract(self, tensor) -> Poly:
        """L^{mu nu a b c d} g_ab,mu g_cd,nu for tensor(mu, nu, a, b, c, d) -> Poly.

        Parameters
        ----------
        tensor : callable(mu, nu, a, b, c, d) -> Poly
            An Onsager-type tensor (e.g. :data:`emergent.symbolic.gravity.onsager_p2_paper` built
            on this geometry's jet).

        Returns
        -------
        Poly
            The quadratic form in the first derivatives of the metric.
        """
        J, n = self.J, self.n
        p: Poly = {}
        rng = range(n)
        for mu in rng:
            for nu in rng:
                for a in rng:
                    for b in rng:
                        gab = J.dg(a, b, mu)
                        for c in rng:
                            for d in rng:
                                t = tensor(mu, nu, a, b, c, d)
                                if t:
                                    J.addto(p, J.prod(t, gab, J.dg(c, d, nu)))
        return p

    @cached_property
    def invariants(self) -> list[Poly]:
        """The five independent contractions of g_ab,m g_cd,n with three inverse metrics:

        I1 = h^mn h^ac h^bd g_ab,m g_cd,n     I2 = h^mn h^ab h^cd g_ab,m g_cd,n
        I3 = h^mc h^an h^bd g_ab,m g_cd,n     I4 = h^ma h^nc h^bd g_ab,m g_cd,n
        I5 = h^ma h^bn h^cd g_ab,m g_cd,n
        """
        J = self.J
        h = J.h
        forms = [
            lambda m, n, a, b, c, d: J.prod(h(m, n), h(a, c), h(b, d)),
            lambda m, n, a, b, c, d: J.prod(h(m, n), h(a, b), h(c, d)),
            lambda m, n, a, b, c, d: J.prod(h(m, c), h(a, n), h(b, d)),
            lambda m, n, a, b, c, d: J.prod(h(m, a), h(n, c), h(b, d)),
            lambda m, n, a, b, c, d: J.prod(h(m, a), h(b, n), h(c, d)),
        ]
        return [self.contract(f) for f in forms]
