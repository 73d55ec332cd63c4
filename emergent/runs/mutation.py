"""The mutation check of the equation ledger (issue 17): would the tests catch a wrong equation?

For every ledger row labelled "holds (numerical test)" or "holds with correction" the table
:data:`MUTATIONS` holds at least one targeted mutation of the code that implements the equation:
an exact source snippet and what it becomes (a flipped sign, a doubled factor, a dropped term, mu
ignored, the printed constants restored). :func:`run` applies each mutation to a temporary copy of
the source tree (never to the tree itself), runs only the tests bound to the mutated equations by
the marker ``@pytest.mark.equations(...)``, and calls the mutation *killed* when one of them
fails (or the run exceeds its time limit) and *survived* when they all pass. Mutations run in
parallel, each worker on its own copy, with the copy's file restored after each mutant.

The result (one row per mutation and a score per paper section) is written as Markdown
(docs/mutations.md) and JSON (docs/mutations.json, whose per-section scores the ledger shows).
``emergent mutate --sample 5 --seed 0`` runs a random sample.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NoReturn

from emergent.runs.errors import UsageError

__all__ = [
    "KINDS",
    "MUTATIONS",
    "Mutation",
    "Outcome",
    "bound_tests",
    "main",
    "render",
    "run",
    "select",
    "target_rows",
]

ROOT = Path(__file__).resolve().parents[2]
TARGET = 0.95
"""The score to reach: the share of mutations that the bound tests kill."""
KINDS = ("sign", "factor", "drop", "ignore-mu", "printed", "swap", "constant")
"""The kinds of mutation: flip a sign, change a factor, drop a term, ignore mu, restore the
papers' printed (uncorrected) form, swap two things (branches, indices), change a constant."""


@dataclass(frozen=True)
class Mutation:
    """One targeted mutation of the implementation of one or more paper equations.

    Parameters
    ----------
    equations : tuple of str
        The equations whose implementation it breaks, as the marker names them ("P2 (34)").
    path : str
        The source file, relative to the repository root.
    original : str
        An exact snippet of that file, occurring exactly once.
    mutated : str
        What the snippet becomes.
    kind : str
        One of :data:`KINDS`.
    """

    equations: tuple[str, ...]
    path: str
    original: str
    mutated: str
    kind: str

    @property
    def name(self) -> str:
        """A short stable label: file stem, kind and the start of the mutated snippet."""
        return f"{Path(self.path).stem}:{self.kind}:{' '.join(self.mutated.split())[:40]}"


def _m(equations: str, path: str, original: str, mutated: str, kind: str) -> Mutation:
    return Mutation(tuple(e.strip() for e in equations.split(";")), path, original, mutated,
                    kind)


_Q = "emergent/quantum/"
_C = "emergent/chains/"
_S = "emergent/septuple/"

MUTATIONS: tuple[Mutation, ...] = (
    # -- P2 §5 quantum mechanics: (22), (28), (31)-(36) ------------------------------------
    _m("P2 (34); P2 (35)", _Q + "constants.py",
       "return float(np.sqrt(4 * self.diffusion * self.mu / self.gamma))",
       "return float(4 * self.diffusion / self.gamma)", "printed"),
    _m("P2 (35)", _Q + "constants.py",
       "return float(np.sqrt(self.gamma * self.mu / (4 * self.diffusion)))",
       "return float(self.gamma / (4 * self.diffusion))", "printed"),
    _m("P2 (34)", _Q + "constants.py",
       "return float(np.sqrt(4 * self.diffusion * self.gamma / self.mu))",
       "return float(np.sqrt(4 * self.diffusion * self.gamma))", "ignore-mu"),
    _m("P2 (34)", _Q + "constants.py",
       "return float(np.sqrt(2 * self.gamma * stiffness))",
       "return float(np.sqrt(self.gamma * stiffness))", "factor"),
    _m("P2 (34)", _Q + "schrodinger.py",
       "out = out + consts.mu * v * psi", "out = out + v * psi", "ignore-mu"),
    _m("P2 (34)", _Q + "schrodinger.py",
       "out += consts.mu * pot * grid.cell_volume", "out += pot * grid.cell_volume",
       "ignore-mu"),
    _m("P2 (34)", _Q + "schrodinger.py",
       "else -1j * self.constants.phase * v)", "else 1j * self.constants.phase * v)", "sign"),
    _m("P2 (34)", _Q + "schrodinger.py",
       "return -1j * (self.constants.kinetic * self.grid.k2[sub])",
       "return 1j * (self.constants.kinetic * self.grid.k2[sub])", "sign"),
    _m("P2 (35)", _Q + "madelung.py",
       "np.sqrt(p) * np.exp(1j * constants.phase * np.asarray(free_energy, dtype=float))",
       "np.sqrt(p) * np.exp(1j * np.asarray(free_energy, dtype=float))", "ignore-mu"),
    _m("P2 (22)", _Q + "action.py",
       "dens = dens - gamma * sum(a * b for a, b in zip(gp, grad_f, strict=True))",
       "dens = dens + gamma * sum(a * b for a, b in zip(gp, grad_f, strict=True))", "sign"),
    _m("P2 (28)", _Q + "action.py",
       '"free_energy_x": float(c.mu * grid.integrate(p * dfdt)),',
       '"free_energy_x": float(grid.integrate(p * dfdt)),', "ignore-mu"),
    _m("P2 (28)", _Q + "action.py",
       '"potential": float(c.mu * grid.integrate(p * v)),',
       '"potential": float(grid.integrate(p * v)),', "ignore-mu"),
    _m("P2 (28)", _Q + "action.py",
       '"stochastic_entropy": float(4 * c.diffusion * grid.integrate(',
       '"stochastic_entropy": float(2 * c.diffusion * grid.integrate(', "factor"),
    _m("P2 (28); P2 (36)", _Q + "action.py",
       "dfdt = -np.real(conj * hamiltonian_apply(psi, grid, c, potential)) * inv / c.mu",
       "dfdt = -np.real(conj * hamiltonian_apply(psi, grid, c, potential)) * inv", "ignore-mu"),
    # -- P1 §2-3 the septuple, its dynamics and losses -----------------------------------------
    _m("P1 (2.1)", _S + "network.py",
       '"2.1": layers is not None,', '"2.1": True,', "constant"),
    _m("P1 (2.4)", _S + "network.py",
       "x0[:, self.input_index] = x_in", "x0[:, self.input_index] = 0.5 * x_in", "factor"),
    _m("P1 (2.5); P2 (1)", _S + "network.py",
       "return np.asarray(self.w @ x.T).T + self.bias",
       "return np.asarray(self.w @ x.T).T - self.bias", "sign"),
    _m("P1 (2.5); P1 (2.9); P1 (2.7); P1 (2.8)", _S + "network.py",
       "y = x[:, offs[k] : offs[k + 1]] @ blk.T + self.bias[offs[k + 1] : offs[k + 2]]",
       "y = x[:, offs[k] : offs[k + 1]] @ blk.T", "drop"),
    _m("P1 (2.7); P1 (2.8)", _S + "network.py",
       "new[:, self.input_index] = x[:, self.input_index]",
       "new[:, self.input_index] = new[:, self.input_index]", "drop"),
    _m("P1 (2.6); P2 (2)", _S + "activations.py",
       '"tanh": Activation("tanh", np.tanh, _tanh_df,',
       '"tanh": Activation("tanh", np.sin, _tanh_df,', "swap"),
    _m("P1 (2.8)", _S + "network.py",
       "return np.max(np.abs(self.activation.f(self.bias[self.input_index]) - x_in), axis=1)",
       "return np.max(np.abs(self.bias[self.input_index] - x_in), axis=1)", "drop"),
    _m("P1 (2.10); P1 (2.11); P2 (4)", _S + "losses.py",
       "    return 0.5 * np.sum(d * d, axis=1)", "    return np.sum(d * d, axis=1)", "factor"),
    _m("P1 (2.11)", "emergent/learning/numpy_backend.py",
       "return float(0.5 * np.mean(np.sum((out.astype(np.float64) - y) ** 2, axis=1)))",
       "return float(np.mean(np.sum((out.astype(np.float64) - y) ** 2, axis=1)))", "factor"),
    _m("P1 (2.10); P2 (4)", _S + "losses.py",
       "    d = xb[:, sep.output_index] - y\n", "    d = xb[:, sep.output_index] + y\n", "sign"),
    _m("P1 (3.1); P1 (3.3); P1 (3.4); P2 (3)", _S + "losses.py",
       "h = 0.5 * np.sum(r * r, axis=1)", "h = np.sum(r * r, axis=1)", "factor"),
    _m("P1 (3.3); P1 (3.4); P2 (3)", _S + "losses.py",
       "lambda x: -0.5 * m * np.square(x),", "lambda x: 0.5 * m * np.square(x),", "sign"),
    _m("P1 (3.2); P1 (3.3)", "emergent/kernels/loss_kernels.py",
       "g[k] = r[prow[k]] - m * h[k]", "g[k] = r[prow[k]] + m * h[k]", "sign"),
    _m("P1 (4.1); P1 (3.2)", _S + "losses.py",
       "phi = 0.5 * np.sum(r * r, axis=1)", "phi = np.sum(r * r, axis=1)", "factor"),
    # -- P1 §5-7 partition function, equilibrium, thermodynamics --------------------------------
    _m("P1 (5.4); P2 (9)", _S + "thermodynamics.py",
       "return sep.activation.df(sep.preactivation(x[None, :])[0])",
       "return sep.activation.df(sep.preactivation(x[None, :])[0] - sep.bias)", "drop"),
    _m("P1 (5.2); P1 (5.4); P2 (9); P1 (10.4)", _S + "activations.py",
       "    c = np.cosh(np.clip(y, -350.0, 350.0))\n    return 1.0 / (c * c)",
       "    c = np.cosh(np.clip(y, -350.0, 350.0))\n    return 1.0 / c", "drop"),
    _m("P1 (5.6)", _S + "thermodynamics.py",
       "k[:n_r, :n_r] = np.eye(n_r) - m_rr", "k[:n_r, :n_r] = np.eye(n_r) + m_rr", "sign"),
    _m("P1 (5.6); P1 (5.10)", _S + "thermodynamics.py",
       "    ia = np.eye(sep.n) - a.toarray()\n    return ia.T @ ia",
       "    ia = np.eye(sep.n) + a.toarray()\n    return ia.T @ ia", "sign"),
    _m("P1 (5.10); P1 (5.14)", _S + "thermodynamics.py",
       "out = 0.5 * s.n * LOG_2PI - 0.5 * np.sum(np.log(c + beta * lam))",
       "out = 0.5 * s.n * LOG_2PI - 0.5 * np.sum(np.log(1.0 + beta * lam))", "drop"),
    _m("P1 (5.14)", _S + "thermodynamics.py",
       "out -= 0.5 * np.sum(c * beta * lam * a2 / (c + beta * lam))",
       "out -= 0.5 * np.sum(beta * lam * a2 / (c + beta * lam))", "printed"),
    _m("P1 (6.1); P1 (7.1); P2 (10)", _S + "thermodynamics.py",
       "u = 0.5 * np.sum((lam - m) / (c + beta * lam))",
       "u = 0.5 * np.sum(lam / (c + beta * lam))",
       "drop"),
    _m("P1 (7.1)", _S + "thermodynamics.py",
       "return log_partition(spec, beta=beta, m=m, mean_term=mean_term) + float(beta) * energy(",
       "return log_partition(spec, beta=beta, m=m, mean_term=mean_term) - float(beta) * energy(",
       "sign"),
    _m("P1 (10.2)", _S + "thermodynamics.py",
       "return float(-0.5 * np.sum(np.log(lam[big])) + 0.5 * s.n * LOG_2PI)",
       "return float(-0.5 * np.sum(np.log(lam)) + 0.5 * s.n * LOG_2PI)", "drop"),
    _m("P1 (10.2)", _S + "thermodynamics.py",
       "return 0.5 * k * (1.0 - np.log(beta))", "return 0.5 * k * (1.0 + np.log(beta))", "sign"),
    # -- P1 §8-10 architecture, deep vs shallow, experiments ------------------------------------
    _m("P1 (8.10); P1 (8.12); P1 (9.1)", _S + "thermodynamics.py",
       "return float(-0.5 * beta * tot)", "return float(-0.5 * tot)", "printed"),
    _m("P1 (8.10)", _S + "entropy_density.py",
       "return -0.5 * beta * np.sum((1.0 + beta * lam) ** -2, axis=-1)",
       "return -0.5 * beta * np.sum((1.0 + beta * lam) ** -1, axis=-1)", "factor"),
    _m("P1 (8.8); P1 (8.11)", _S + "entropy_density.py",
       "return -0.5 * alpha * np.sum(np.where(small, series, exact), axis=-1)",
       "return -alpha * np.sum(np.where(small, series, exact), axis=-1)", "factor"),
    _m("P1 (8.2); P1 (8.1)", _S + "entropy_density.py",
       "logj = logj + h / 6.0 * (l1 + 2 * l2 + 2 * l3 + l4)",
       "logj = logj - h / 6.0 * (l1 + 2 * l2 + 2 * l3 + l4)", "sign"),
    _m("P1 (9.5); P1 (9.6); P1 (9.8)", _S + "thermodynamics.py",
       "return float(np.sum(np.log(s.eigenvalues) ** int(k)))",
       "return float(np.sum(np.log(s.eigenvalues) ** int(k)) * 2)", "factor"),
    _m("P1 (9.7); P1 (5.6)", _S + "thermodynamics.py",
       "    a = sp.diags(fp) @ sep.w\n", "    a = sep.w @ sp.diags(fp)\n", "swap"),
    _m("P1 (9.2); P1 (9.3)", _S + "thermodynamics.py",
       "return 0.5 * n * beta * (gamma * a + (1.0 - gamma) * b)",
       "return 0.5 * n * beta * (gamma * a + gamma * b)", "factor"),
    _m("P1 (9.3); P1 (9.4)", _S + "thermodynamics.py",
       "out = lam / (1.0 + beta * lam) ** 3", "out = lam / (1.0 + beta * lam) ** 2", "factor"),
    _m("P1 (9.4)", "emergent/learning/callback.py",
       "return 1.0 / (s * s + s)", "return 1.0 / (s * s - s)", "sign"),
    _m("P1 (9.4)", _S + "phases.py",
       "return float(3.0 * np.log(-0.5 + np.sqrt(0.25 + 1.0 / beta)))",
       "return float(2.0 * np.log(-0.5 + np.sqrt(0.25 + 1.0 / beta)))", "factor"),
    _m("P1 (10.5)", _S + "thermodynamics.py",
       "pos = np.sort(logs[logs > 0])[::-1]", "pos = np.sort(logs[logs > 0])", "swap"),
    # -- P1 §11 entropic mechanics ------------------------------------------------------------
    _m("P1 (11.5); P2 (18); P2 (20)", "emergent/stochastic/fokker_planck.py",
       "        a = diffusion / h**2 * flush_tiny(K.bernoulli(-x))",
       "        a = 0.5 * diffusion / h**2 * flush_tiny(K.bernoulli(-x))", "factor"),
    # -- P2 §2-4 networks, thermodynamics, entropic mechanics -----------------------------------
    _m("P2 (8); P2 (67)", _C + "interactions.py",
       "a = sp.identity(n, format=\"csr\") - sp.diags(fp) @ w",
       "a = sp.identity(n, format=\"csr\") + sp.diags(fp) @ w", "sign"),
    _m("P2 (10)", "emergent/septuple/canonical.py",
       "return 0.5 * np.sum((q - mass) / ((1.0 - beta * mass) + beta * q), axis=-1)",
       "return 0.5 * np.sum(q / ((1.0 - beta * mass) + beta * q), axis=-1)", "drop"),
    _m("P2 (18); P2 (20)", "emergent/stochastic/fokker_planck.py",
       "x = gamma * (np.roll(f, -1, axis=k) - f) / diffusion",
       "x = -gamma * (np.roll(f, -1, axis=k) - f) / diffusion", "sign"),
    _m("P2 (19)", "emergent/kernels/langevin_kernels.py",
       "amp = np.sqrt(2.0 * diffusion * dt)", "amp = np.sqrt(diffusion * dt)", "factor"),
    _m("P2 (19)", "emergent/kernels/langevin_kernels.py",
       "x[k] += gamma * gradient(kind, x, k, par) * dt + amp * z",
       "x[k] -= gamma * gradient(kind, x, k, par) * dt - amp * z", "sign"),
    # -- P2 §6 Hamiltonian mechanics -----------------------------------------------------------
    _m("P2 (42)", _Q + "hamilton_jacobi.py",
       "return np.concatenate((2 * gamma * P, -np.asarray(grad_potential(q), float),",
       "return np.concatenate((gamma * P, -np.asarray(grad_potential(q), float),", "printed"),
    _m("P2 (47); P2 (48)", "emergent/septuple/canonical.py",
       "return 0.5 / ((1.0 - beta * mass) + beta * q)",
       "return 0.5 * beta / ((1.0 - beta * mass) + beta * q)", "factor"),
    # -- P2 §7 hidden variables: chains, continuum --------------------------------------------
    _m("P2 (49); P2 (52)", _S + "thermodynamics.py",
       "return sep.activation.df(sep.preactivation(x[None, :])[0])",
       "return sep.activation.f(sep.preactivation(x[None, :])[0])", "swap"),
    _m("P2 (53); P2 (61); P2 (62)", _C + "continuum.py",
       "return _check_n(n) / _check_length(length)",
       "return 2 * _check_n(n) / _check_length(length)", "factor"),
    _m("P2 (57); P2 (60); P2 (61)", _C + "permutation.py",
       "return (np.arange(n, dtype=np.int64) - shift) % n",
       "return (np.arange(n, dtype=np.int64) + shift) % n", "sign"),
    _m("P2 (57); P2 (61); P2 (63)", _C + "permutation.py",
       "        return np.roll(x0, shift * t, axis=-1)",
       "        return np.roll(x0, -shift * t, axis=-1)", "sign"),
    _m("P2 (58); P2 (61)", _C + "continuum.py",
       "factor = np.exp(alpha * tau * (np.exp(-1j * q * direction) - 1.0))",
       "factor = np.exp(alpha * tau * (np.exp(1j * q * direction) - 1.0))", "sign"),
    _m("P2 (53); P2 (62)", _C + "continuum.py",
       "        return alpha * (x - np.roll(x, 1, axis=-1))",
       "        return alpha * (x - np.roll(x, -1, axis=-1))", "sign"),
    _m("P2 (62); P2 (75)", _C + "continuum.py",
       "return 0.5 * alpha * (np.roll(x, -1, axis=-1) - np.roll(x, 1, axis=-1))",
       "return alpha * (np.roll(x, -1, axis=-1) - np.roll(x, 1, axis=-1))", "factor"),
    _m("P2 (63); P2 (64)", _C + "continuum.py",
       "return profile(np.asarray(sigma) - direction * tau)",
       "return profile(np.asarray(sigma) + direction * tau)", "sign"),
    _m("P2 (64); P2 (65); P2 (75)", _C + "strings.py",
       "    dp = 0.5 * (dtau + dsigma)\n    dm = 0.5 * (dtau - dsigma)",
       "    dp = 0.5 * (dtau + dsigma)\n    dm = 0.5 * (dtau + dsigma)", "sign"),
    _m("P2 (64); P2 (65); P2 (76)", _C + "strings.py",
       "return -u[0] * v[0] + np.sum(u[1:] * v[1:], axis=0)",
       "return u[0] * v[0] + np.sum(u[1:] * v[1:], axis=0)", "sign"),
    _m("P2 (55); P2 (56)", _C + "interactions.py",
       'return np.einsum("ni,ni->i", xdot, _gx(g, xdot))',
       'return np.einsum("ni,ni->i", xdot, xdot)', "drop"),
    # -- P2 §8 relativistic strings: the pi / pi^T ensemble ------------------------------------
    _m("P2 (66); P2 (68); P2 (70)", _C + "permutation.py",
       "return np.stack([self.chain.apply(x[0], steps), self.transposed.apply(x[1], steps)])",
       "return np.stack([self.chain.apply(x[0], steps), self.chain.apply(x[1], steps)])",
       "swap"),
    _m("P2 (66); P2 (67); P2 (69); P2 (70)", _C + "permutation.py",
       "    inv[perm] = np.arange(perm.size)\n",
       "    inv[:] = perm\n", "swap"),
    _m("P2 (67)", _C + "permutation.py",
       "return inv, (None if weights is None else np.asarray(weights, dtype=float)[inv])",
       "return inv, (None if weights is None else np.asarray(weights, dtype=float))", "drop"),
    _m("P2 (68); P2 (70)", _C + "permutation.py",
       "+ evolve(x_plus, inv, steps, weights=w_t, **kw))",
       "+ evolve(x_plus, perm, steps, weights=weights, **kw))", "swap"),
    _m("P2 (68)", _C + "permutation.py",
       "        return 0.5 * (x[0] + x[1])", "        return 0.5 * (x[0] + x[0])", "drop"),
    _m("P2 (68); P2 (69); P2 (70); P2 (73)", _C + "strings.py",
       "p = kern(plus, self.perm_t, self.weights_t, self.bias, self.offset, steps, self.code)",
       "p = kern(plus, self.perm, self.weights, self.bias, self.offset, steps, self.code)",
       "swap"),
    _m("P2 (71); P2 (72); P2 (73)", _C + "continuum.py",
       "    return u0 - big_v, u0 + big_v, drift", "    return u0 + big_v, u0 - big_v, drift",
       "swap"),
    _m("P2 (73); P2 (74)", _C + "continuum.py",
       "return np.real(np.fft.ifft(uk * np.cos(k * tau) + vk * sinc, axis=-1))",
       "return np.real(np.fft.ifft(uk * np.cos(k * tau) - vk * sinc, axis=-1))", "sign"),
    _m("P2 (76)", _C + "strings.py",
       "    sq = np.sqrt(-np.linalg.det(h))\n", "    sq = 1.0\n", "drop"),
    _m("P2 (76)", _C + "strings.py",
       "return float(polyakov_density(dtau, dsigma, worldsheet).sum() / alpha)",
       "return float(polyakov_density(dtau, dsigma, worldsheet).sum())", "drop"),
    # -- P2 §9 emergent gravity ----------------------------------------------------------------
    _m("P2 (78)", _C + "interactions.py",
       'return -np.einsum("inm,mi->ni", self.__dict__["ginv"], kx)',
       'return np.einsum("inm,mi->ni", self.__dict__["ginv"], kx)', "sign"),
    _m("P2 (78)", _C + "interactions.py",
       "return 0.5 * alpha**2 * (_gx(g, gxt) + (G @ _gx(g, x).T).T)",
       "return alpha**2 * (_gx(g, gxt) + (G @ _gx(g, x).T).T)", "factor"),
    # -- P2 §10 holography ---------------------------------------------------------------------
    _m("P2 (97); P2 (98)", _C + "holography.py",
       "    return boundary_projection(n_boundary, x.shape[-1]).dot(x.T).T",
       "    return 2 * boundary_projection(n_boundary, x.shape[-1]).dot(x.T).T", "factor"),
    _m("P2 (99)", _C + "holography.py",
       "    w_rows = eps * sp.csr_matrix(w)[:n_boundary]",
       "    w_rows = sp.csr_matrix(w)[:n_boundary]", "drop"),
    _m("P2 (99); P2 (100)", _C + "holography.py",
       "a = (sp.identity(n, format=\"csc\") - eps * w).tocsc()",
       "a = (sp.identity(n, format=\"csc\") + eps * w).tocsc()", "sign"),
    _m("P2 (100)", _C + "holography.py",
       "out[pos] = np.log(w_d[pos]) / np.log(eps) - 1.0",
       "out[pos] = np.log(w_d[pos]) / np.log(eps)", "drop"),
    # -- symbolic verdicts decided by bound tests -----------------------------------------------
    _m("P1 (8.4); P1 (8.5)", "emergent/symbolic/thermodynamics.py",
       "corrected = integral(-alpha * sp.diff(F, Q, 2) * p * logmp)",
       "corrected = integral(alpha * sp.diff(F, Q, 2) * p * logmp)", "sign"),
    _m("P1 (8.5); P1 (8.1)", _S + "entropy_density.py",
       "return np.mean(-(np.log(normalization) + np.asarray(logp0)) * np.exp(log_jacobian),",
       "return np.mean(-(np.log(normalization) + np.asarray(logp0)) * np.exp(-log_jacobian),",
       "sign"),
    _m("P1 (9.8); P1 (9.9)", "emergent/symbolic/equilibrium.py",
       "ok_closed = abs(at - float(2 * sp.log(golden) / sp.sqrt(5))) < 1e-12",
       "ok_closed = abs(at - float(sp.log(golden) / sp.sqrt(5))) < 1e-12", "factor"),
    _m("P1 (11.6); P1 (11.7); P1 (11.8); P1 (11.9)", "emergent/symbolic/entropic.py",
       "extra = 2 * Dd * p * sum(sp.diff(theta, qk) ** 2 for qk in q)",
       "extra = Dd * p * sum(sp.diff(theta, qk) ** 2 for qk in q)", "factor"),
    _m("P1 (12.10); P2 (92)", "emergent/symbolic/gravity.py",
       "    fixed = J.scale(fixed, Fraction(1, 4))", "    fixed = J.scale(fixed, Fraction(1, 2))",
       "factor"),
    _m("P1 (12.12); P2 (95)", "emergent/symbolic/gravity.py",
       "solved = sp.solve(big_g / (2 * kappa) + lam * g_ab / 2 + t_ab / 2, big_g)[0]",
       "solved = sp.solve(big_g / (2 * kappa) - lam * g_ab / 2 + t_ab / 2, big_g)[0]", "sign"),
    _m("P2 (87); P2 (88)", "emergent/symbolic/equilibrium.py",
       "s88 = r_ - 2 * lam_c + kappa * l_m", "s88 = r_ + 2 * lam_c + kappa * l_m", "sign"),
    # -- rows the reviewed ledger added ----------------------------------------------------------
    _m("P1 (5.11); P1 (5.12)", _S + "thermodynamics.py",
       "    a = vt @ y\n", "    a = 2 * (vt @ y)\n", "factor"),
    _m("P1 (5.12); P1 (5.11)", _S + "thermodynamics.py",
       "return Spectrum(lam, 0, vec.T @ x, 0.0)", "return Spectrum(lam, 0, vec @ x, 0.0)", "swap"),
    _m("P1 (6.5)", _S + "thermodynamics.py",
       "return -log_partition(spec, beta=beta, m=m, mean_term=mean_term) / float(beta)",
       "return -log_partition(spec, beta=beta, m=m, mean_term=mean_term) * float(beta)",
       "factor"),
    _m("P1 (8.6); P1 (8.8)", _S + "entropy_density.py",
       "return np.asarray(sigma0) * np.exp(beta * _check_alpha(alpha) * np.asarray(laplacian))",
       "return np.asarray(sigma0) * np.exp(-beta * _check_alpha(alpha) * np.asarray(laplacian))",
       "sign"),
    _m("P1 (8.6); P1 (8.2)", _S + "entropy_density.py",
       "return np.asarray(q0, dtype=float) @ m.T, float(alpha * beta * np.trace(h))",
       "return np.asarray(q0, dtype=float) @ m.T, float(-alpha * beta * np.trace(h))", "sign"),
    _m("P1 (12.9); P2 (91)", "emergent/symbolic/gravity.py",
       "    Fraction(1, 2),\n", "    Fraction(-1, 2),\n", "sign"),
    _m("P1 (12.10); P2 (92)", "emergent/symbolic/gravity.py",
       '        (1, "abcdmn"),\n', '        (-1, "abcdmn"),\n', "sign"),
    _m("P2 (31)", _Q + "madelung.py",
       "return [2 * constants.gamma / constants.phase",
       "return [constants.gamma / constants.phase", "factor"),
    _m("P2 (77); P2 (78)", "emergent/symbolic/interactions.py",
       "for sign, out in ((+1, ok_printed), (-1, ok_corrected)):",
       "for sign, out in ((-1, ok_printed), (+1, ok_corrected)):", "sign"),
)
"""The mutation table: at least one mutation per checked equation (see :func:`target_rows`)."""


# -- which tests decide which equation ---------------------------------------------------------
def bound_tests(root: Path) -> dict[str, set[str]]:
    """The tests bound to each equation by the marker ``@pytest.mark.equations(...)``.

    Parameters
    ----------
    root : Path
        The repository root.

    Returns
    -------
    dict of str to set of str
        "P2 (34)" to the pytest node ids (``tests/...py::test_name``) that decide it
        (:func:`emergent.runs.ledger.bound_tests`).
    """
    from emergent.runs.ledger import bound_tests as ledger_bound

    return {f"{paper} ({number})": set(tests)
            for (paper, number), tests in ledger_bound(root).items()}


def _normal(ref: str) -> str:
    """ "P2 (34)", "P2 34", "p2 (34)" -> "P2 (34)"."""
    parts = ref.replace("(", " ").replace(")", " ").split()
    if len(parts) != 2 or parts[0].upper() not in ("P1", "P2"):
        raise UsageError(f"--only: {ref!r} is not an equation like 'P2 (34)' or a section "
                         "like 'P2 §5'")
    return f"{parts[0].upper()} ({parts[1]})"


def _sections() -> dict[str, str]:
    """"P2 (34)" -> "P2 §5 Quantum Mechanics" (the ledger's section heads)."""
    from emergent.runs.ledger import EQUATIONS

    return {f"{p} ({n})": f"{p} {s}" for p, n, s in EQUATIONS}


def target_rows(root: Path) -> list[str]:
    """The ledger rows that need a mutation: verdict "holds (numerical test)" or "holds with
    correction".

    Parameters
    ----------
    root : Path
        The repository root.

    Returns
    -------
    list of str
        The equations, "P2 (34)", in ledger order.
    """
    from emergent.runs.ledger import build

    return [f"{e.paper} ({e.number})" for e in build(root)
            if e.verdict in ("holds (numerical test)", "holds with correction")]


def select(mutations: Sequence[Mutation], *, only: Sequence[str] = (), sample: int | None = None,
           seed: int = 0) -> list[Mutation]:
    """The mutations to run: those touching `only` (equations or sections), then a sample.

    Parameters
    ----------
    mutations : sequence of Mutation
        The table.
    only : sequence of str
        Equations ("P2 (34)") or section prefixes ("P2 §5", "P1"); empty: all.
    sample : int, optional
        Keep this many, drawn at random with `seed` (None: all).
    seed : int
        The seed of the draw.

    Returns
    -------
    list of Mutation
        In table order.
    """
    chosen = list(mutations)
    if only:
        sections = _sections()
        keep = []
        for m in chosen:
            for want in only:
                if "§" in want or want.upper() in ("P1", "P2"):
                    hit = any(sections.get(e, "").startswith(want) for e in m.equations)
                else:
                    hit = _normal(want) in m.equations
                if hit:
                    keep.append(m)
                    break
        chosen = keep
    if sample is not None and sample < len(chosen):
        picked = set(random.Random(seed).sample(range(len(chosen)), sample))
        chosen = [m for i, m in enumerate(chosen) if i in picked]
    return chosen


# -- running -----------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What happened to one mutation.

    Parameters
    ----------
    mutation : Mutation
        The mutation.
    status : str
        "killed" (a bound test failed), "timeout" (counted as killed), "survived" (every bound
        test passed), "no tests" (no test is bound to its equations), "stale" (the snippet is
        not in the source exactly once).
    seconds : float
        Run time of its tests.
    tests : int
        How many test functions ran.
    detail : str
        The first failing test, or why it could not run.
    """

    mutation: Mutation
    status: str
    seconds: float = 0.0
    tests: int = 0
    detail: str = ""

    @property
    def killed(self) -> bool:
        """True for "killed" and "timeout"."""
        return self.status in ("killed", "timeout")


_IGNORE = shutil.ignore_patterns(".git", ".venv", "*.h5", ".pytest_cache", ".ruff_cache",
                                 ".mypy_cache", ".hypothesis", "*.partial.*", "dask-worker-space")


def _copy_tree(root: Path, into: Path) -> Path:
    """A working copy of the repository for mutants (modification times kept, so the bytecode
    and Numba caches stay valid)."""
    dest = into / "tree"
    shutil.copytree(root, dest, ignore=_IGNORE, symlinks=True)
    return dest


def _pytest(tree: Path, nodeids: Sequence[str], timeout: float) -> tuple[str, float, str]:
    """Run the tests `nodeids` in `tree`: ("passed" | "failed" | "timeout" | "error", s, detail)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1", "EMERGENT_MUTANT": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header",
           "-rf", "--tb=no", *nodeids]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0, f"over {timeout:g} s"
    seconds = time.monotonic() - t0
    failed = [ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("FAILED ")]
    if proc.returncode == 0:
        return "passed", seconds, ""
    if proc.returncode == 1:
        return "failed", seconds, failed[0] if failed else "a test failed"
    tail = (proc.stdout + proc.stderr).strip().splitlines()
    return "error", seconds, f"pytest exit {proc.returncode}: {tail[-1] if tail else ''}"


def _apply(tree: Path, m: Mutation) -> tuple[Path, bytes, os.stat_result] | str:
    path = tree / m.path
    if not path.is_file():
        return f"{m.path} does not exist"
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    count = text.count(m.original)
    if count != 1:
        return f"the snippet occurs {count} times in {m.path}"
    st = path.stat()
    path.write_text(text.replace(m.original, m.mutated), encoding="utf-8")
    return path, raw, st


def _restore(path: Path, raw: bytes, st: os.stat_result) -> None:
    path.write_bytes(raw)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _mutant(tree: Path, m: Mutation, tests: Sequence[str], timeout: float) -> Outcome:
    if not tests:
        return Outcome(m, "no tests", detail="no test is bound to " + ", ".join(m.equations))
    applied = _apply(tree, m)
    if isinstance(applied, str):
        return Outcome(m, "stale", detail=applied)
    try:
        status, seconds, detail = _pytest(tree, tests, timeout)
    finally:
        _restore(*applied)
    kind = {"failed": "killed", "passed": "survived", "timeout": "timeout"}.get(status, "error")
    return Outcome(m, kind, seconds, len(tests), detail)


def run(mutations: Sequence[Mutation], *, root: Path | None = None, workers: int = 2,
        timeout: float = 600.0, baseline: bool = True,
        progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Apply each mutation to a temporary copy of `root` and run the tests bound to it.

    Parameters
    ----------
    mutations : sequence of Mutation
        What to run.
    root : Path, optional
        The repository root (default: the checkout this module lives in; never modified: every
        mutant runs in a copy under the system's temporary folder, removed afterwards).
    workers : int
        Mutants run at once (each on its own copy; >= 1).
    timeout : float
        Seconds one mutant's tests may take; a mutant that exceeds it counts as killed.
    baseline : bool
        First run every selected test on the unmutated copy; a failure there is an error (the
        mutation results would mean nothing).
    progress : callable(Outcome), optional
        Told about each finished mutant.

    Returns
    -------
    list of Outcome
        One per mutation, in the given order.

    Raises
    ------
    RuntimeError
        The unmutated tests fail (baseline).
    """
    root = ROOT if root is None else Path(root)
    bound = bound_tests(root)
    plan = [(m, sorted(set().union(*(bound.get(e, set()) for e in m.equations))))
            for m in mutations]
    workers = max(1, min(workers, len(plan) or 1))
    with tempfile.TemporaryDirectory(prefix="emergent-mutants-") as tmp:
        trees: queue.Queue[Path] = queue.Queue()
        for k in range(workers):
            (Path(tmp) / str(k)).mkdir()
            trees.put(_copy_tree(root, Path(tmp) / str(k)))
        if baseline:
            union = sorted(set().union(*(set(t) for _, t in plan)))
            if union:
                tree = trees.get()
                status, _, detail = _pytest(tree, union, timeout * 4)
                trees.put(tree)
                if status != "passed":
                    raise RuntimeError(f"the unmutated tests do not pass ({status}: {detail})")

        def job(item: tuple[Mutation, list[str]]) -> Outcome:
            tree = trees.get()
            try:
                out = _mutant(tree, item[0], item[1], timeout)
            finally:
                trees.put(tree)
            if progress is not None:
                progress(out)
            return out

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(job, plan))


# -- reporting ---------------------------------------------------------------------------------
@dataclass
class _Score:
    killed: int = 0
    total: int = 0
    rows: set[str] = field(default_factory=set)


def _scores(outcomes: Sequence[Outcome]) -> dict[str, _Score]:
    sections = _sections()
    out: dict[str, _Score] = defaultdict(_Score)
    for o in outcomes:
        for sec in sorted({sections.get(e, "?") for e in o.mutation.equations}):
            out[sec].total += 1
            out[sec].killed += o.killed
        for e in o.mutation.equations:
            out[sections.get(e, "?")].rows.add(e)
    return out


def render(outcomes: Sequence[Outcome], *, command: str, seconds: float,
           targets: Sequence[str] = (), date: str | None = None) -> str:
    """docs/mutations.md as text: the score per section, then one table per section.

    Parameters
    ----------
    outcomes : sequence of Outcome
        From :func:`run`.
    command : str
        The command that produced them.
    seconds : float
        Its run time.
    targets : sequence of str
        The ledger rows that need a mutation (:func:`target_rows`); those without one are listed.
    date : str, optional
        The date (default: today, UTC).

    Returns
    -------
    str
        The Markdown report.
    """
    date = date or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    scores = _scores(outcomes)
    killed = sum(o.killed for o in outcomes)
    total = len(outcomes)
    covered = {e for o in outcomes for e in o.mutation.equations}
    missing = [t for t in targets if t not in covered]
    lines = [
        "# Mutation check of the equation ledger",
        "",
        "Generated by `emergent mutate --write docs/mutations.md` (issue 17): each mutation",
        "breaks the implementation of a paper equation (flips a sign, changes a factor, drops a",
        "term, ignores mu, restores the printed form) in a temporary copy of the source tree and",
        "runs only the tests bound to that equation by `@pytest.mark.equations(...)`. *killed*:",
        "a bound test failed (or the tests ran out of time); *survived*: they all passed.",
        "",
        f"- date: {date}",
        f"- command: `{command}`",
        f"- run time: {seconds:.0f} s",
        f"- score: {killed}/{total} killed ({_pct(killed, total)}; target "
        f"{TARGET:.0%})",
    ]
    if targets:
        lines.append(f"- ledger rows needing a mutation (holds (numerical test) / holds with "
                     f"correction): {len(targets)}, with one: {len(targets) - len(missing)}")
    lines += ["", "| section | killed | mutations | score | equations |", "|---|---|---|---|---|"]
    for sec in sorted(scores, key=_section_key):
        s = scores[sec]
        lines.append(f"| {sec} | {s.killed} | {s.total} | {_pct(s.killed, s.total)} | "
                     f"{len(s.rows)} |")
    if missing:
        lines += ["", "Ledger rows without a mutation: " + ", ".join(missing) + "."]
    by_section: dict[str, list[Outcome]] = defaultdict(list)
    sections = _sections()
    for o in outcomes:
        by_section[sections.get(o.mutation.equations[0], "?")].append(o)
    for sec in sorted(by_section, key=_section_key):
        lines += ["", f"## {sec}", "", "| equations | file | kind | mutation | status | tests "
                  "| s | detail |", "|---|---|---|---|---|---|---|---|"]
        for o in by_section[sec]:
            m = o.mutation
            change = f"`{_short(m.original)}` -> `{_short(m.mutated)}`"
            lines.append(f"| {', '.join(m.equations)} | `{m.path}` | {m.kind} | {change} | "
                         f"{o.status} | {o.tests} | {o.seconds:.1f} | "
                         f"{o.detail.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _short(s: str, n: int = 70) -> str:
    s = " ".join(s.split()).replace("|", "\\|").replace("`", "'")
    return s if len(s) <= n else s[: n - 3] + "..."


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "-"


def _section_key(sec: str) -> tuple[str, int]:
    head = sec.split(" ")
    try:
        return head[0], int(head[1].lstrip("§"))
    except (IndexError, ValueError):
        return sec, 0


def to_json(outcomes: Sequence[Outcome], *, command: str, seconds: float, date: str) -> str:
    """The results as JSON (docs/mutations.json; the ledger shows its per-section scores).

    Parameters
    ----------
    outcomes : sequence of Outcome
        From :func:`run`.
    command : str
        The command.
    seconds : float
        Its run time.
    date : str
        Its date.

    Returns
    -------
    str
        ``{"date", "command", "seconds", "sections": {section: [killed, total]}, "mutations":
        [...]}``.
    """
    scores = _scores(outcomes)
    return json.dumps({
        "date": date, "command": command, "seconds": round(seconds, 1),
        "sections": {k: [v.killed, v.total] for k, v in sorted(scores.items())},
        "mutations": [{**asdict(o.mutation), "status": o.status,
                       "seconds": round(o.seconds, 2), "detail": o.detail} for o in outcomes],
    }, indent=1) + "\n"


# -- command line ------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _positive(name: str, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise UsageError(f"{name} must be an integer 1..{high}, got {text!r}") from None
        if not 1 <= value <= high:
            raise UsageError(f"{name} must be an integer 1..{high}, got {value}")
        return value
    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--seed must be an integer 0..{2**63 - 1}, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise UsageError(f"--seed must be an integer 0..{2**63 - 1}, got {value}")
    return value


def _parser() -> _Parser:
    p = _Parser(prog="emergent mutate", description="Mutation check of the equation ledger: "
                "break each checked equation in a temporary copy and run its bound tests.")
    p.add_argument("--sample", type=_positive("--sample", 10_000), metavar="N",
                   help="run N mutations drawn at random (default: all)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of --sample (default 0)")
    p.add_argument("--only", nargs="+", metavar="EQ", default=(),
                   help="only mutations of these equations ('P2 (34)') or sections ('P2 §5')")
    p.add_argument("--workers", type=_positive("--workers", 64), default=None, metavar="N",
                   help="mutants at once, each on its own copy (default: min(4, CPUs))")
    p.add_argument("--timeout", type=_positive("--timeout", 86_400), default=600, metavar="S",
                   help="seconds one mutant's tests may take; longer counts as killed "
                        "(default 600)")
    p.add_argument("--write", metavar="FILE.md",
                   help="write the report (and FILE.json beside it) instead of printing it")
    p.add_argument("--list", action="store_true", help="list the mutations and their tests")
    p.add_argument("--quiet", action="store_true", help="no line per finished mutant")
    return p


def main(argv: Sequence[str]) -> int:
    """``emergent mutate``: run the mutation check.

    Parameters
    ----------
    argv : sequence of str
        The options (``--sample N --seed S --only EQ... --workers N --timeout S --write FILE
        --list --quiet``).

    Returns
    -------
    int
        0 when the score reaches :data:`TARGET` and every mutation ran, 1 otherwise.

    Raises
    ------
    UsageError
        Bad options (exit status 2), or no source checkout (tests/ missing).
    """
    args = _parser().parse_args(list(argv))
    if not (ROOT / "tests").is_dir():
        raise UsageError("mutate needs a source checkout of emergent (with tests/)")
    if args.write is not None:
        if not args.write.endswith(".md"):
            raise UsageError(f"--write must name a .md file, got {args.write!r}")
        from emergent.runs.resources import check_writable_file

        check_writable_file(args.write, "--write")
    chosen = select(MUTATIONS, only=args.only, sample=args.sample, seed=args.seed)
    if not chosen:
        raise UsageError(f"--only: no mutation touches {' '.join(args.only)}")
    if args.list:
        bound = bound_tests(ROOT)
        for m in chosen:
            tests = sorted(set().union(*(bound.get(e, set()) for e in m.equations)))
            print(f"{', '.join(m.equations):24} {m.name}  ({len(tests)} tests)")
        return 0
    workers = args.workers or max(1, min(4, os.cpu_count() or 1))
    command = "emergent mutate " + " ".join(argv)
    t0 = time.monotonic()

    def tell(o: Outcome) -> None:
        if not args.quiet:
            print(f"{o.status:8} {o.seconds:6.1f} s  {', '.join(o.mutation.equations)}  "
                  f"{o.mutation.name}", flush=True)

    try:
        outcomes = run(chosen, workers=workers, timeout=args.timeout, progress=tell)
    except RuntimeError as exc:
        print(f"emergent mutate: {exc}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - t0
    date = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    full = not args.only and args.sample is None
    text = render(outcomes, command=command.strip(), seconds=seconds, date=date,
                  targets=target_rows(ROOT) if full else ())
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        Path(args.write).with_suffix(".json").write_text(
            to_json(outcomes, command=command.strip(), seconds=seconds, date=date),
            encoding="utf-8")
        print(f"wrote {args.write} and {Path(args.write).with_suffix('.json')}")
    else:
        print(text, end="")
    killed = sum(o.killed for o in outcomes)
    ran = all(o.status in ("killed", "timeout", "survived") for o in outcomes)
    return 0 if ran and killed >= TARGET * len(outcomes) else 1

