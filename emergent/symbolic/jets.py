"""Exact jet polynomials for a generic metric: the engine behind the gravity checks.

A generic metric g_ab(x) in n = D+1 dimensions is represented at a point by independent symbols:
sqrt|g| (``s``), the inverse metric h^ab (a <= b), and the jets g_ab,m, g_ab,mn, g_ab,mnp.
Every expression used by the curvature checks is a polynomial in these symbols with exact
rational coefficients and no undifferentiated g_ab. The exact rules

    d_m h^ab = -h^ac h^bd g_cd,m,      d_m s = s h^ab g_ab,m / 2,
    d h^cd / d g_ab = -h^ca h^db (symmetrised),   d s / d g_ab = s h^ab / 2 (symmetrised),

make total derivatives D_m and partial derivatives by g_ab exact derivations. Because h ranges over
an open set of symmetric matrices and the jets are free, two such polynomials agree for every
metric if and only if they are equal coefficient by coefficient: a zero difference is a proof and a
non-zero coefficient is a disproof (evaluate it at a concrete metric for a counterexample).
Nothing is ever passed to ``sympy.simplify``.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations_with_replacement

__all__ = ["Jet", "Poly"]

Poly = dict
"""A jet polynomial: a dict from monomial (sorted tuple of variable ids) to Fraction."""


def _mul_mono(a: tuple, b: tuple) -> tuple:
    return tuple(sorted(a + b))


class Jet:
    """Variable bookkeeping and exact calculus on jet polynomials in ``dim`` dimensions."""

    def __init__(self, dim: int, order: int = 3):
        if dim not in (2, 3, 4, 5):
            raise ValueError(f"dim must be 2, 3, 4 or 5, got {dim}")
        self.dim = dim
        self.names: list[str] = []
        self.kind: list[tuple] = []
        self._id: dict[tuple, int] = {}
        self._add(("s",), "s")
        pairs = [(a, b) for a in range(dim) for b in range(a, dim)]
        self.pairs = pairs
        for a, b in pairs:
            self._add(("h", a, b), f"h{a}{b}")
        for k in range(1, order + 1):
            for a, b in pairs:
                for idx in combinations_with_replacement(range(dim), k):
                    self._add(("g", a, b, idx), f"g{a}{b}_" + "".join(map(str, idx)))

    def _add(self, key: tuple, name: str) -> None:
        self._id[key] = len(self.names)
        self.names.append(name)
        self.kind.append(key)

    # -- variables ---------------------------------------------------------------------------
    def var(self, key: tuple) -> Poly:
        """The jet variable `key` as a polynomial (the monomial of degree one).

        Parameters
        ----------
        key : tuple
            ``("s",)``, ``("h", a, b)`` with a <= b, or ``("g", a, b, derivative indices)``.

        Returns
        -------
        Poly
        """
        return {(self._id[key],): Fraction(1)}

    def s(self) -> Poly:
        """sqrt|g| as a polynomial.

        Returns
        -------
        Poly
        """
        return self.var(("s",))

    def h(self, a: int, b: int) -> Poly:
        """The inverse metric h^ab as a polynomial (symmetric in a, b).

        Parameters
        ----------
        a, b : int
            Indices, 0 <= a, b < dim.

        Returns
        -------
        Poly
        """
        return self.var(("h", min(a, b), max(a, b)))

    def dg(self, a: int, b: int, *idx: int) -> Poly:
        """g_ab,idx (derivative indices sorted: partial derivatives commute).

        Parameters
        ----------
        a, b : int
            Metric indices.
        *idx : int
            Derivative indices (one to `order` of them).

        Returns
        -------
        Poly
        """
        return self.var(("g", min(a, b), max(a, b), tuple(sorted(idx))))

    def vid(self, key: tuple) -> int:
        """The integer id of jet variable `key`.

        Parameters
        ----------
        key : tuple
            As for :meth:`var`.

        Returns
        -------
        int
        """
        return self._id[key]

    # -- ring operations ---------------------------------------------------------------------
    @staticmethod
    def add(*ps: Poly) -> Poly:
        """The sum of polynomials (zero coefficients dropped).

        Parameters
        ----------
        *ps : Poly
            The terms.

        Returns
        -------
        Poly
        """
        out: Poly = {}
        for p in ps:
            for m, c in p.items():
                v = out.get(m, 0) + c
                if v:
                    out[m] = v
                else:
                    out.pop(m, None)
        return out

    @staticmethod
    def addto(out: Poly, p: Poly, scale: Fraction | int = 1) -> Poly:
        """out += scale * p, in place.

        Parameters
        ----------
        out : Poly
            Accumulated into.
        p : Poly
            The term.
        scale : Fraction or int
            Its factor.

        Returns
        -------
        Poly
            `out`.
        """
        for m, c in p.items():
            v = out.get(m, 0) + scale * c
            if v:
                out[m] = v
            else:
                out.pop(m, None)
        return out

    @staticmethod
    def scale(p: Poly, k: Fraction | int) -> Poly:
        """k * p.

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        k : Fraction or int
            The factor.

        Returns
        -------
        Poly
        """
        if k == 0:
            return {}
        return {m: c * k for m, c in p.items()}

    @staticmethod
    def mul(p: Poly, q: Poly) -> Poly:
        """The product p * q.

        Parameters
        ----------
        p, q : Poly
            The factors.

        Returns
        -------
        Poly
        """
        out: Poly = {}
        for m1, c1 in p.items():
            for m2, c2 in q.items():
                m = _mul_mono(m1, m2)
                v = out.get(m, 0) + c1 * c2
                if v:
                    out[m] = v
                else:
                    out.pop(m, None)
        return out

    def prod(self, *ps: Poly) -> Poly:
        """The product of polynomials (1 for none).

        Parameters
        ----------
        *ps : Poly
            The factors.

        Returns
        -------
        Poly
        """
        out: Poly = {(): Fraction(1)}
        for p in ps:
            out = self.mul(out, p)
        return out

    # -- derivations -------------------------------------------------------------------------
    def _apply(self, p: Poly, rule) -> Poly:
        """Extend a rule var_id -> Poly (or None for zero) to p by the Leibniz rule."""
        out: Poly = {}
        cache: dict[int, Poly | None] = {}
        for mono, c in p.items():
            for i, v in enumerate(mono):
                if i > 0 and mono[i - 1] == v:
                    continue
                if v not in cache:
                    cache[v] = rule(v)
                dv = cache[v]
                if not dv:
                    continue
                mult = mono.count(v)
                rest = mono[:i] + mono[i + 1 :]
                for m2, c2 in dv.items():
                    m = _mul_mono(rest, m2)
                    val = out.get(m, 0) + c * mult * c2
                    if val:
                        out[m] = val
                    else:
                        out.pop(m, None)
        return out

    def total_derivative(self, p: Poly, m: int) -> Poly:
        """D_m p: the total derivative along x^m (chain rule through every jet).

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        m : int
            The coordinate, 0 <= m < dim.

        Returns
        -------
        Poly
        """
        n = self.dim

        def rule(v: int) -> Poly | None:
            k = self.kind[v]
            if k[0] == "s":
                out: Poly = {}
                for a in range(n):
                    for b in range(n):
                        self.addto(
                            out, self.prod(self.s(), self.h(a, b), self.dg(a, b, m)), Fraction(1, 2)
                        )
                return out
            if k[0] == "h":
                a, b = k[1], k[2]
                out = {}
                for c in range(n):
                    for d in range(n):
                        self.addto(out, self.prod(self.h(a, c), self.h(b, d), self.dg(c, d, m)), -1)
                return out
            _, a, b, idx = k
            key = ("g", a, b, tuple(sorted(idx + (m,))))
            if key not in self._id:
                raise ValueError("jet order too low for this derivative; raise `order`")
            return self.var(key)

        return self._apply(p, rule)

    def partial_metric(self, p: Poly, a: int, b: int) -> Poly:
        """dp/dg_ab at fixed jets, with g_ab (a <= b) an independent component.

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        a, b : int
            The metric component.

        Returns
        -------
        Poly
        """
        a, b = min(a, b), max(a, b)

        def rule(v: int) -> Poly | None:
            k = self.kind[v]
            if k[0] == "s":
                f = Fraction(1, 2) if a == b else Fraction(1)
                return self.scale(self.mul(self.s(), self.h(a, b)), f)
            if k[0] == "h":
                c, d = k[1], k[2]
                out = self.scale(self.mul(self.h(c, a), self.h(b, d)), -1)
                if a != b:
                    self.addto(out, self.mul(self.h(c, b), self.h(a, d)), -1)
                return out
            return None

        return self._apply(p, rule)

    def partial_var(self, p: Poly, key: tuple) -> Poly:
        """dp/d(variable `key`), the other jet variables held fixed.

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        key : tuple
            As for :meth:`var`.

        Returns
        -------
        Poly
        """
        vid = self._id[key]
        return self._apply(p, lambda v: {(): Fraction(1)} if v == vid else None)

    def euler_lagrange(self, p: Poly, a: int, b: int, order: int = 1) -> Poly:
        """E^ab(p) = dp/dg_ab - D_m dp/dg_ab,m + sum_{m<=n} D_m D_n dp/dg_ab,mn.

        Components are with respect to the independent g_ab (a <= b); for a != b this is twice
        the symmetric tensor density E^ab of delta S = int E^ab delta g_ab.

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        a, b : int
            The metric component varied.
        order : int
            Highest derivative order of g in `p` (1 or 2).

        Returns
        -------
        Poly
        """
        a, b = min(a, b), max(a, b)
        out = self.partial_metric(p, a, b)
        for m in range(self.dim):
            dp = self.partial_var(p, ("g", a, b, (m,)))
            if dp:
                self.addto(out, self.total_derivative(dp, m), -1)
        if order >= 2:
            for m in range(self.dim):
                for n in range(m, self.dim):
                    dp = self.partial_var(p, ("g", a, b, (m, n)))
                    if dp:
                        dd = self.total_derivative(self.total_derivative(dp, m), n)
                        self.addto(out, dd)
        return out

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self, p: Poly, values: dict[int, object]) -> object:
        """Substitute values (var id -> number or sympy expression); missing ids count as 0.

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        values : dict of int to number or sympy.Expr
            Variable id to value.

        Returns
        -------
        number or sympy.Expr
        """
        total = 0
        for mono, c in p.items():
            term = c
            for v in mono:
                x = values.get(v, 0)
                if x == 0:
                    term = 0
                    break
                term = term * x
            total = total + term
        return total

    def to_str(self, p: Poly, limit: int = 6) -> str:
        """A short readable form of `p` (for messages), the first `limit` terms.

        Parameters
        ----------
        p : Poly
            A jet polynomial.
        limit : int
            Terms shown.

        Returns
        -------
        str
        """
        items = sorted(p.items(), key=lambda kv: (len(kv[0]), kv[0]))[:limit]
        txt = " + ".join(f"({c})*" + "*".join(self.names[v] for v in m) for m, c in items)
        return txt + (" + ..." if len(p) > limit else "")
