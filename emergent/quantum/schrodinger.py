"""Split-step Fourier solver for the Schrödinger equation of learning, P2 (34) (P1 (11.9)).

    i hbar_eff dPsi/dt = (-4 D lap + mu V(t, q)) Psi,  hbar_eff = sqrt(4 D mu / gamma)

on a periodic grid in K = 1, 2, 3 dimensions (constants derived in
:mod:`emergent.quantum.constants`). The equation is given once as a model,
:class:`Schrodinger` (grid, constants, potential, splitting, absorbing layer);
:class:`SchrodingerStepper` advances it (advance / save / load, the
:class:`emergent.evolution.Stepper` protocol) and :func:`solve_schrodinger` drives that stepper
with :func:`emergent.evolution.evolve`, as the registered simulation ``schrodinger`` does with
:func:`emergent.runs.loop.evolve_run`.

The propagator exp(-i H dt / hbar_eff) is split into the potential flow A (diagonal in q) and
the kinetic flow B (diagonal in k, exact through scipy.fft); compositions: Strang (order 2),
Yoshida's triple jump (order 4) and the 6-stage Blanes-Moan PRK method (order 4, smaller error
constant). Adjacent A sub-steps of consecutive steps are merged (one FFT pair per B stage). A
time-dependent V is evaluated at the clock that the B flows advance, which keeps the order of
the composition. An optional absorbing layer adds the imaginary potential -i W(q) (W >= 0 only
within `absorb_width` of the box edges).

Cost beside the steps: the phase arrays are built once per step size and kept on the model
(up to :data:`PHASE_CACHE_BYTES`; the kinetic ones from the k >= 0 block of |k|^2), the
recorded <H> takes one FFT (Parseval) and the resolution check of psi0 shares it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.fft as sfft

from emergent.evolution import Frame, Recorder, Result, Tracker, evolve
from emergent.quantum.constants import MadelungConstants
from emergent.quantum.grid import PeriodicGrid
from emergent.quantum.stepping import plan_times, step_count

__all__ = [
    "DEFAULT_ERROR_TARGET",
    "PHASE_CACHE_BYTES",
    "RESOLUTION_TOL",
    "SPLITTINGS",
    "Potential",
    "Schrodinger",
    "SchrodingerStepper",
    "absorbing_rate",
    "check_resolved",
    "coherent_state",
    "default_dt",
    "energy",
    "estimate_step_error",
    "gaussian_packet",
    "hamiltonian_apply",
    "norm",
    "solve_schrodinger",
]

_W1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
_W0 = 1.0 - 2.0 * _W1
# Blanes & Moan (2002), J. Comput. Appl. Math. 142, 313, Table 2: PRK order 4, s = 6
_BA = (0.0792036964311957, 0.353172906049774, -0.0420650803577195)
_BA4 = 1.0 - 2.0 * sum(_BA)
_BB = (0.209515106613362, -0.143851773179818)
_BB3 = 0.5 - sum(_BB)

SPLITTINGS: dict[str, tuple[int, tuple[tuple[str, float], ...]]] = {
    "strang": (2, (("A", 0.5), ("B", 1.0), ("A", 0.5))),
    "yoshida4": (4, (("A", _W1 / 2), ("B", _W1), ("A", (_W1 + _W0) / 2), ("B", _W0),
                     ("A", (_W1 + _W0) / 2), ("B", _W1), ("A", _W1 / 2))),
    "blanes-moan4": (4, (("A", _BA[0]), ("B", _BB[0]), ("A", _BA[1]), ("B", _BB[1]),
                         ("A", _BA[2]), ("B", _BB3), ("A", _BA4), ("B", _BB3), ("A", _BA[2]),
                         ("B", _BB[1]), ("A", _BA[1]), ("B", _BB[0]), ("A", _BA[0]))),
}
"""The split-step schemes for the Schrödinger equation P2 (34): name -> (order, ((flow,
coefficient), ...)), flow "A" the potential step, "B" the kinetic step (exact in Fourier
space), each for coefficient * dt: Strang (order 2), Yoshida (order 4) and Blanes & Moan
(order 4)."""

PHASE_CACHE_BYTES = 1 << 29
"""Bytes of split-step phase arrays a :class:`Schrodinger` model keeps between steppers (the
phases of its most recent steps, reused by a later solve with the same step; 512 MiB)."""
RESOLUTION_TOL = 1e-14
"""Largest share of an initial state's spectral power allowed in the outer 10% of wave numbers."""
DEFAULT_ERROR_TARGET = 1e-8
"""Estimated global error (relative L2) that the default step of :func:`solve_schrodinger`
meets."""

Potential = np.ndarray | Callable[[float], np.ndarray] | None
"""A potential V(q): an array on the grid, a function of time giving one, or None (V = 0)."""


def norm(psi: np.ndarray, grid: PeriodicGrid) -> float:
    """Total probability int |Psi|^2 d^K q, conserved by P2 (34).

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The wave function.
    grid : PeriodicGrid
        Its grid.

    Returns
    -------
    float
        The norm.
    """
    return float(grid.integrate(np.abs(psi) ** 2))


def hamiltonian_apply(psi: np.ndarray, grid: PeriodicGrid, consts: MadelungConstants,
                      v: np.ndarray | None) -> np.ndarray:
    """H Psi = (-4 D lap + mu V) Psi, the right side of P2 (34), with the spectral Laplacian.

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The wave function.
    grid : PeriodicGrid
        Its grid.
    consts : MadelungConstants
        D, gamma, mu.
    v : ndarray or None
        V on the grid (None: V = 0).

    Returns
    -------
    ndarray(shape=grid.shape), complex
        H Psi.
    """
    out = grid.ifft(4 * consts.diffusion * grid.k2 * grid.fft(psi))
    if v is not None:
        out = out + consts.mu * v * psi
    return out


def energy(psi: np.ndarray, grid: PeriodicGrid, consts: MadelungConstants,
           v: np.ndarray | None) -> float:
    """<H> = int Psi* (-4 D lap + mu V) Psi, conserved by P2 (34) for a static V (P2 (36)).

    One FFT: the kinetic term by Parseval, 4 D sum_k |k|^2 |Psi_k|^2 dV / N, the potential term
    mu int V |Psi|^2 (equal to int Psi* H Psi with :func:`hamiltonian_apply` to round-off).

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The wave function.
    grid : PeriodicGrid
        Its grid.
    consts : MadelungConstants
        D, gamma, mu.
    v : ndarray or None
        V on the grid (None: V = 0).

    Returns
    -------
    float
        The energy.
    """
    dens = None if v is None else np.abs(psi) ** 2
    return _energy(_power(psi, grid), dens, grid, consts, v)


def _power(psi: np.ndarray, grid: PeriodicGrid) -> np.ndarray:
    """|Psi_k|^2, the power spectrum in the layout of ``grid.fft`` (one FFT, no temporaries)."""
    power = np.abs(grid.fft(psi))
    return np.square(power, out=power)


def _energy(power: np.ndarray, dens: np.ndarray | None, grid: PeriodicGrid,
            consts: MadelungConstants, v: np.ndarray | None) -> float:
    """<H> of P2 (34) from the power spectrum |Psi_k|^2 and the density |Psi|^2 (Parseval)."""
    # einsum: one pass, no temporary, and no BLAS (whose sums depend on its threads)
    kin = 4 * consts.diffusion * float(np.einsum("i,i->", grid.k2.ravel(), power.ravel()))
    out = kin * grid.cell_volume / power.size
    if v is not None and dens is not None:
        if v.shape != dens.shape:
            v = np.broadcast_to(v, dens.shape)
        pot = float(np.einsum("i,i->", np.ravel(v), dens.ravel()))
        out += consts.mu * pot * grid.cell_volume
    return float(out)


def absorbing_rate(grid: PeriodicGrid, *, width: float, strength: float) -> np.ndarray:
    """The absorbing layer's rate W(q) >= 0, added to P2 (34) as the imaginary potential -i W.

    W(q) = strength * sum_k s_k^2, s_k = max(0, (|q_k| - (L_k/2 - width)) / width): zero away
    from the box edges, `strength` at them.

    Parameters
    ----------
    grid : PeriodicGrid
        The grid.
    width : float
        Width of the layer (absolute, 0 < width < L/2).
    strength : float
        Rate at the box edge (> 0).

    Returns
    -------
    ndarray(shape=grid.shape)
        W on the grid.

    Raises
    ------
    ValueError
        `width` or `strength` out of range.
    """
    if not 0 < width < min(grid.length) / 2:
        raise ValueError(f"absorb_width must be in (0, L/2), got {width}")
    if not np.isfinite(strength) or strength <= 0:
        raise ValueError(f"absorb_strength must be > 0, got {strength}")
    w = np.zeros(grid.shape)
    for q, L in zip(grid.q, grid.length, strict=True):
        s = np.clip((np.abs(q) - (L / 2 - width)) / width, 0, None)
        w = w + s**2
    return strength * w


def check_resolved(psi: np.ndarray, grid: PeriodicGrid, *, tol: float = RESOLUTION_TOL,
                   name: str = "psi0") -> float:
    """Refuse a field the grid does not resolve (the initial state of P2 (34)).

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The field.
    grid : PeriodicGrid
        Its grid.
    tol : float
        Largest allowed share of its spectral power in the outer 10% of wave numbers.
    name : str
        What to call it in the message.

    Returns
    -------
    float
        The share (the spectral tail).

    Raises
    ------
    ValueError
        The tail exceeds `tol` ("... is not resolved by the grid (cells=...)").
    """
    return _refuse_unresolved(grid.tail_fraction(psi), grid, tol=tol, name=name)


def _refuse_unresolved(tail: float, grid: PeriodicGrid, *, tol: float, name: str) -> float:
    if tail > tol:
        raise ValueError(f"{name} is not resolved by the grid (cells={grid.cells}): "
                         f"{tail:.1e} of its spectral power lies in the outer 10% of wave "
                         f"numbers (allowed {tol:.0e}); use more cells")
    return tail


@dataclass(frozen=True, eq=False)
class Schrodinger:
    """The Schrödinger equation of learning P2 (34) on a periodic grid: the model, given once.

    Parameters
    ----------
    grid : PeriodicGrid
        The periodic box (K = 1, 2, 3).
    constants : MadelungConstants
        D, gamma, mu (hbar_eff and the kinetic coefficient derived from them, corrected P2
        (34)-(35)).
    potential : ndarray, callable(t) -> ndarray, or None
        V(q) (broadcastable to the grid), or V(t, q) as a function of time, or None (V = 0).
    method : str
        The splitting, one of :data:`SPLITTINGS` ("strang", "yoshida4", "blanes-moan4").
    absorb_width : float
        Width of the absorbing layer at the box edges (absolute; 0 = no layer).
    absorb_strength : float
        Its rate at the box edge (> 0 when `absorb_width` > 0).

    Raises
    ------
    ValueError
        Unknown `method`, or an absorbing layer out of range.
    """

    grid: PeriodicGrid
    constants: MadelungConstants
    potential: Potential = None
    method: str = "yoshida4"
    absorb_width: float = 0.0
    absorb_strength: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in SPLITTINGS:
            raise ValueError(f"method must be one of {tuple(SPLITTINGS)}, got {self.method!r}")
        if self.absorb_width < 0:
            raise ValueError(f"absorb_width must be >= 0, got {self.absorb_width}")
        _ = self.absorb  # validate the layer now

    @property
    def order(self) -> int:
        """The order of the splitting."""
        return SPLITTINGS[self.method][0]

    @cached_property
    def absorb(self) -> np.ndarray | None:
        """W(q) of the absorbing layer (:func:`absorbing_rate`), or None without one."""
        if self.absorb_width > 0:
            return absorbing_rate(self.grid, width=self.absorb_width,
                                  strength=self.absorb_strength)
        return None

    @cached_property
    def _phases(self) -> _PhaseCache:
        return _PhaseCache(PHASE_CACHE_BYTES)

    @cached_property
    def _kinetic_exponent(self) -> np.ndarray:
        # -i (kinetic coefficient) |k|^2 on the wave numbers k_j >= 0 of every axis (j <= n/2):
        # the B flow's phase per unit time; |k|^2 is even in each k (fftfreq gives k_(n-j) =
        # -k_j exactly), so the rest of the grid repeats these values bit for bit
        sub = tuple(slice(0, n // 2 + 1) for n in self.grid.shape)
        return -1j * (self.constants.kinetic * self.grid.k2[sub])

    @cached_property
    def _kinetic_unfold(self) -> tuple[np.ndarray, ...]:
        # index j -> min(j, n - j) per axis: the full grid from the k_j >= 0 block
        return np.ix_(*(np.minimum(np.arange(n), n - np.arange(n)) for n in self.grid.shape))

    def _potential_exponent(self, v: np.ndarray | None) -> np.ndarray:
        # -i phase V - W: the A flow's exponent per unit time
        absorb = self.absorb
        expo = (np.zeros(self.grid.shape, dtype=complex) if v is None
                else -1j * self.constants.phase * v)
        if absorb is not None:
            expo = expo - absorb
        return expo

    @cached_property
    def _static_exponent(self) -> np.ndarray | None:
        # the A exponent of a static V (None when there is no A flow)
        v = self.potential_at(0.0)
        if v is None and self.absorb is None:
            return None
        return self._potential_exponent(v)

    def __getstate__(self) -> dict[str, Any]:
        # a pickled model leaves its cached phases behind
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def potential_at(self, t: float) -> np.ndarray | None:
        """V on the grid at time `t` (None for V = 0).

        Parameters
        ----------
        t : float
            The time (ignored for a static V).

        Returns
        -------
        ndarray(shape=grid.shape) or None
            V(t, q).
        """
        if self.potential is None:
            return None
        if callable(self.potential):
            return self._on_grid(self.potential(t))
        return self._static_potential

    @cached_property
    def _static_potential(self) -> np.ndarray:
        return self._on_grid(self.potential)

    def _on_grid(self, v: Any) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        if v.shape != self.grid.shape:
            v = np.broadcast_to(v, self.grid.shape)
        return v

    def energy(self, psi: np.ndarray, t: float = 0.0) -> float:
        """<H> of P2 (34) at time `t` (:func:`energy` with this model's V).

        Parameters
        ----------
        psi : ndarray(shape=grid.shape)
            The wave function.
        t : float
            The time (for a time-dependent V).

        Returns
        -------
        float
            The energy.
        """
        return energy(psi, self.grid, self.constants, self.potential_at(t))

    def norm(self, psi: np.ndarray) -> float:
        """int |Psi|^2 (:func:`norm`), conserved by P2 (34) without an absorbing layer.

        Parameters
        ----------
        psi : ndarray(shape=grid.shape)
            The wave function.

        Returns
        -------
        float
            The norm.
        """
        return norm(psi, self.grid)

    def default_dt(self, psi0: np.ndarray, t_final: float, *,
                   error_target: float = DEFAULT_ERROR_TARGET) -> float:
        """The default step of :func:`solve_schrodinger` (the rule of :func:`default_dt`).

        Parameters
        ----------
        psi0 : ndarray(shape=grid.shape)
            The initial state.
        t_final : float
            The duration.
        error_target : float
            The global relative L2 error to stay below.

        Returns
        -------
        float
            The step.
        """
        return default_dt(psi0, self, t_final, error_target=error_target)


class _PhaseCache:
    """The split-step phases of one model, one table per step h, newest h last.

    Tables live as long as a stepper holds them; the model keeps them for later steppers
    (a later solve with the same step) while they take at most `budget` bytes, evicting the
    oldest step's table first.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.tables: dict[float, dict[tuple[str, float], Any]] = {}
        self.nbytes: dict[float, int] = {}

    def table(self, h: float) -> dict[tuple[str, float], Any]:
        tab = self.tables.pop(h, None)
        if tab is None:
            tab, self.nbytes[h] = {}, 0
        else:
            self.nbytes[h] = self.nbytes.pop(h)
        self.tables[h] = tab  # newest last
        return tab

    def add(self, h: float, tab: dict[tuple[str, float], Any],
            key: tuple[str, float], phase: np.ndarray | None) -> np.ndarray | None:
        tab[key] = phase
        if self.tables.get(h) is tab and phase is not None:
            self.nbytes[h] += phase.nbytes
            for old in list(self.tables):
                if sum(self.nbytes.values()) <= self.budget:
                    break
                del self.tables[old], self.nbytes[old]  # the oldest first, h itself last
        return phase


class SchrodingerStepper:
    """Advances P2 (34) by split-step Fourier with a fixed step (the Stepper protocol).

    An interval that is a whole number of steps is advanced with exactly `dt` per step; any
    other interval with the fewest equal steps of at most `dt`. The phase arrays exp(-i c h H_A)
    and exp(-i c h H_B) are computed once per sub-step coefficient c and step h and kept on the
    model (up to :data:`PHASE_CACHE_BYTES`), so a later stepper of the same model and step
    reuses them (V is read once: a static potential array must not change after the model is
    made).

    Parameters
    ----------
    model : Schrodinger
        The equation.
    dt : float
        The step (> 0).

    Raises
    ------
    ValueError
        `dt` not a finite number > 0.
    """

    def __init__(self, model: Schrodinger, dt: float) -> None:
        if not np.isfinite(dt) or dt <= 0:
            raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
        self.model = model
        self.dt = float(dt)
        self._static = not callable(model.potential)
        self._tables: dict[float, dict[tuple[str, float], Any]] = {}
        self._programs: dict[float, tuple[Any, ...]] = {}

    def _table(self, h: float) -> dict[tuple[str, float], Any]:
        tab = self._tables.get(h)
        if tab is None:
            if len(self._tables) > 1:  # advance() with odd intervals: keep dt's and the last
                for old in [x for x in self._tables if x != self.dt]:
                    del self._tables[old]
                    self._programs.pop(old, None)
            tab = self._tables[h] = self.model._phases.table(h)
        return tab

    def _b_phase(self, c: float, h: float) -> np.ndarray:
        tab = self._table(h)
        ph = tab.get(("B", c))
        if ph is None:
            half = np.multiply(self.model._kinetic_exponent, c * h)
            ph = np.exp(half, out=half)[self.model._kinetic_unfold]
            self.model._phases.add(h, tab, ("B", c), ph)
        return ph

    def _a_phase(self, c: float, h: float, t: float) -> np.ndarray | None:
        m = self.model
        if self._static:
            tab = self._table(h)
            if ("A", c) in tab:
                return tab["A", c]
            expo = m._static_exponent
        else:
            v = m.potential_at(t)
            expo = None if (v is None and m.absorb is None) else m._potential_exponent(v)
        ph = None
        if expo is not None:
            ph = np.multiply(expo, c * h)
            np.exp(ph, out=ph)
        if self._static:
            m._phases.add(h, tab, ("A", c), ph)
        return ph

    def _program(self, h: float) -> tuple[Any, ...]:
        """The static-potential step as phases: (first step's [(A or None, B)], a later
        step's, the closing A): adjacent A sub-steps of consecutive steps merged."""
        prog = self._programs.get(h)
        if prog is None:
            prog = self._programs[h] = self._table(h).get(("program", h))
        if prog is None:
            _, stages = SPLITTINGS[self.model.method]
            runs = []
            pending = 0.0
            for _ in range(2):
                ops = []
                for flow, c in stages:
                    if flow == "A":
                        pending += c
                        continue
                    ops.append((self._a_phase(pending, h, 0.0) if pending != 0.0 else None,
                                self._b_phase(c, h)))
                    pending = 0.0
                runs.append(ops)
            tail = self._a_phase(pending, h, 0.0) if pending != 0.0 else None
            prog = self._programs[h] = self._table(h)["program", h] = (runs[0], runs[1], tail)
        return prog

    def steps(self, psi: np.ndarray, t0: float, steps: int, h: float | None = None
              ) -> np.ndarray:
        """Psi after `steps` steps of `h` (default: `dt`) from time `t0`; `psi` is not modified.

        Parameters
        ----------
        psi : ndarray(shape=grid.shape)
            The wave function at `t0`.
        t0 : float
            Its time.
        steps : int
            The number of steps.
        h : float, optional
            The step (default `dt`).

        Returns
        -------
        ndarray(shape=grid.shape), complex
            The wave function at ``t0 + steps h``.
        """
        h = self.dt if h is None else h
        grid = self.model.grid
        workers = grid.workers
        if grid.ndim == 1:  # the 1D transforms: same pocketfft plan, less call overhead
            def fft(x: np.ndarray) -> np.ndarray:
                return sfft.fft(x, workers=workers, overwrite_x=True)

            def ifft(x: np.ndarray) -> np.ndarray:
                return sfft.ifft(x, workers=workers, overwrite_x=True)
        else:
            axes = tuple(range(-grid.ndim, 0))

            def fft(x: np.ndarray) -> np.ndarray:
                return sfft.fftn(x, axes=axes, workers=workers, overwrite_x=True)

            def ifft(x: np.ndarray) -> np.ndarray:
                return sfft.ifftn(x, axes=axes, workers=workers, overwrite_x=True)

        psi = np.array(psi, dtype=complex, copy=True)
        if steps <= 0:
            return psi
        if self._static:
            first, later, tail = self._program(h)
            ops = first
            for _ in range(steps):
                for a, b in ops:
                    if a is not None:
                        psi *= a
                    psi = fft(psi)
                    psi *= b
                    psi = ifft(psi)
                ops = later
            if tail is not None:
                psi *= tail
            return psi
        _, stages = SPLITTINGS[self.model.method]
        pending = 0.0
        clock = t0
        for _ in range(steps):
            for flow, c in stages:
                if flow == "A":
                    pending += c
                    continue
                if pending != 0.0:
                    ph = self._a_phase(pending, h, clock)
                    if ph is not None:
                        psi *= ph
                    pending = 0.0
                psi = fft(psi)
                psi *= self._b_phase(c, h)
                psi = ifft(psi)
                clock += c * h
        if pending != 0.0:
            ph = self._a_phase(pending, h, clock)
            if ph is not None:
                psi *= ph
        return psi

    def advance(self, state: np.ndarray, t0: float, t1: float) -> np.ndarray:
        """Psi at `t1` from Psi at `t0` (a new array).

        Parameters
        ----------
        state : ndarray(shape=grid.shape)
            Psi at `t0`.
        t0, t1 : float
            The interval.

        Returns
        -------
        ndarray(shape=grid.shape), complex
            Psi at `t1`.
        """
        n, h, _ = step_count(t0, t1, self.dt)
        return self.steps(state, t0, n, h)

    def save(self, state: np.ndarray) -> Mapping[str, Any]:
        """The checkpoint of a state.

        Parameters
        ----------
        state : ndarray(shape=grid.shape)
            Psi.

        Returns
        -------
        mapping
            ``{"psi": psi}``.
        """
        return {"psi": np.asarray(state)}

    def load(self, saved: Mapping[str, Any]) -> np.ndarray:
        """The state from a checkpoint.

        Parameters
        ----------
        saved : mapping
            What :meth:`save` returned.

        Returns
        -------
        ndarray(shape=grid.shape), complex
            Psi.
        """
        return np.asarray(saved["psi"], dtype=complex)


def estimate_step_error(psi: np.ndarray, model: Schrodinger, *, dt: float,
                        t0: float = 0.0) -> float:
    """Local relative error of one step of P2 (34), estimated by step doubling.

    ||S(dt) psi - S(dt/2)^2 psi|| / (1 - 2^-p) / ||psi||, p = the order of the splitting.

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The state.
    model : Schrodinger
        The equation.
    dt : float
        The step.
    t0 : float
        The time of `psi`.

    Returns
    -------
    float
        The estimated local error.
    """
    grid = model.grid
    one = SchrodingerStepper(model, dt).steps(psi, t0, 1)
    two = SchrodingerStepper(model, dt / 2).steps(psi, t0, 2)
    d = np.sqrt(grid.integrate(np.abs(one - two) ** 2))
    return float(d / (1 - 2.0**-model.order) / np.sqrt(norm(psi, grid)))


def default_dt(psi0: np.ndarray, model: Schrodinger, t_final: float, *,
               error_target: float = DEFAULT_ERROR_TARGET) -> float:
    """The default step of :func:`solve_schrodinger`: from accuracy (split-step is unitary,
    hence stable for every dt).

    Rule: the local error of one step of a trial size h = min(t_final / 8, 0.05) is measured by
    step doubling (:func:`estimate_step_error`), err(h) = C h^(p+1) with p the order of the
    splitting; the global error of steps dt over t_final is then C t_final dt^p, and the step is
    half the dt at which it equals `error_target`:

        dt = min(t_final, 0.5 (error_target / (t_final C))^(1/p)).

    Parameters
    ----------
    psi0 : ndarray(shape=grid.shape)
        The initial state.
    model : Schrodinger
        The equation.
    t_final : float
        The duration.
    error_target : float
        The global relative L2 error to stay below.

    Returns
    -------
    float
        The step.
    """
    trial = min(t_final / 8, 0.05)
    loc = estimate_step_error(psi0, model, dt=trial)
    const = max(loc, 1e-300) / trial ** (model.order + 1)
    dt = 0.5 * (error_target / (t_final * const)) ** (1.0 / model.order)
    return float(min(dt, t_final))


def solve_schrodinger(psi0: np.ndarray, model: Schrodinger, t_final: float, *,
                      dt: float | None = None, saves: int | Sequence[float] | np.ndarray = 2,
                      trackers: Sequence[Tracker] = (),
                      observe: Callable[[Frame[np.ndarray]], Mapping[str, Any]] | None = None,
                      keep_states: bool = False, error_target: float | None = None,
                      resolution_tol: float = RESOLUTION_TOL) -> Result:
    """Integrate P2 (34) from `psi0` to `t_final` with :class:`SchrodingerStepper`.

    Parameters
    ----------
    psi0 : ndarray(shape=grid.shape)
        The initial wave function (resolved by the grid, see :func:`check_resolved`).
    model : Schrodinger
        The equation: grid, constants, potential, splitting, absorbing layer.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The largest step. None picks :func:`default_dt`: half the step at which the estimated
        global error equals `error_target` (default :data:`DEFAULT_ERROR_TARGET`); split-step
        Fourier is unitary, hence stable for every step, so only accuracy limits it. With
        equally spaced `saves` the step used is the largest one <= dt that divides the save
        interval.
    saves : int or sequence of float
        The recorded times: their number, equally spaced from 0 to `t_final` (default 2: start
        and end), or the times themselves.
    trackers : sequence of Tracker
        More trackers, told at every recorded time after the built-in recorder.
    observe : callable(Frame) -> mapping, optional
        More series to record (numbers or arrays) at every recorded time.
    keep_states : bool
        Keep a copy of Psi at every recorded time (``Result.states``).
    error_target : float, optional
        With `dt` None: the global error the default step meets. With `dt` given: refuse a dt
        whose estimated global error exceeds it.
    resolution_tol : float
        The resolution check of `psi0` (1.0 switches it off).

    Returns
    -------
    Result
        ``t`` (recorded times), ``final`` (Psi at `t_final`), ``states`` (or None), ``series``
        (``norm``, ``energy`` and those of `observe`), ``info`` (``dt``, ``steps``, ``method``,
        ``error_target``).

    Raises
    ------
    ValueError
        A bad `psi0` (shape, non-finite, not resolved), `t_final`, `dt`, `saves` or
        `error_target`; a `dt` too large for `error_target`.
    """
    grid = model.grid
    psi0 = np.asarray(psi0, dtype=complex)
    if psi0.shape != grid.shape:
        raise ValueError(f"psi0 must have shape {grid.shape}, got {psi0.shape}")
    if not np.all(np.isfinite(psi0)):
        raise ValueError("psi0 must be finite")
    if not np.isfinite(t_final) or t_final <= 0:
        raise ValueError(f"t_final must be > 0, got {t_final!r}")
    power0 = _power(psi0, grid)  # one FFT for the resolution check and the first energy
    _refuse_unresolved(grid.power_tail(power0), grid, tol=resolution_tol, name="psi0")
    if error_target is not None and (not np.isfinite(error_target) or error_target <= 0):
        raise ValueError(f"error_target must be > 0, got {error_target!r}")
    if dt is None:
        error_target = DEFAULT_ERROR_TARGET if error_target is None else error_target
        dt = default_dt(psi0, model, t_final, error_target=error_target)
    elif error_target is not None:
        if not np.isfinite(dt) or dt <= 0:
            raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
        est = estimate_step_error(psi0, model, dt=dt) * t_final / dt
        if est > error_target:
            dt_ok = dt * (error_target / est) ** (1.0 / model.order)
            raise ValueError(f"dt={dt:g} too large for error_target={error_target:g} with "
                             f"{model.method}: estimated global error {est:.1e}; use "
                             f"dt <= {dt_ok:.3g}")
    times, step = plan_times(t_final, saves, dt)
    stepper = SchrodingerStepper(model, step)

    def series(frame: Frame[np.ndarray]) -> dict[str, Any]:
        psi = frame.state
        power = power0 if psi is psi0 else _power(psi, grid)
        dens = np.abs(psi)
        np.square(dens, out=dens)  # |psi|^2 bit for bit as norm() has it, no temporary
        v = model.potential_at(frame.t)
        out: dict[str, Any] = {"norm": float(grid.integrate(dens)),
                               "energy": _energy(power, dens, grid, model.constants, v)}
        if observe is not None:
            out.update(observe(frame))
        return out

    rec = Recorder(series, keep_states=keep_states)
    evolve(stepper, psi0, times, [rec, *trackers])
    steps = sum(step_count(a, b, step)[0] for a, b in zip(times[:-1], times[1:], strict=True))
    return rec.result(dt=step, steps=steps, method=model.method, error_target=error_target)


def gaussian_packet(grid: PeriodicGrid, constants: MadelungConstants, *,
                    center: tuple[float, ...] | float = 0.0,
                    wavenumber: tuple[float, ...] | float = 0.0, sigma: float = 1.0,
                    t: float = 0.0) -> np.ndarray:
    """Analytic free Gaussian packet of P2 (34) with V = 0 (on the infinite line), a product
    over axes.

    |Psi(0)|^2 is a normal density of std sigma around `center`, times exp(i k0 (q - center)).
    With c = sqrt(4 D gamma / mu): Psi(t) = (2 pi sigma^2)^(-1/4) (1 + i tau)^(-1/2)
    exp(-(q - q0 - 2 c k0 t)^2 / (4 sigma^2 (1 + i tau)) + i k0 (q - q0) - i c k0^2 t),
    tau = c t / sigma^2.

    Parameters
    ----------
    grid : PeriodicGrid
        The grid.
    constants : MadelungConstants
        D, gamma, mu.
    center, wavenumber : float or tuple of float
        q0 and k0 (one value for every axis, or one per axis).
    sigma : float
        The initial width.
    t : float
        The time.

    Returns
    -------
    ndarray(shape=grid.shape), complex
        Psi(t).
    """
    c = constants.kinetic
    K = grid.ndim
    q0 = np.broadcast_to(np.asarray(center, dtype=float), (K,))
    k0 = np.broadcast_to(np.asarray(wavenumber, dtype=float), (K,))
    tau = c * t / sigma**2
    psi = np.ones(grid.shape, dtype=complex)
    for ax in range(K):
        q = grid.q[ax]
        psi = psi * ((2 * np.pi * sigma**2) ** -0.25 / np.sqrt(1 + 1j * tau)
                     * np.exp(-(q - q0[ax] - 2 * c * k0[ax] * t) ** 2
                              / (4 * sigma**2 * (1 + 1j * tau))
                              + 1j * k0[ax] * (q - q0[ax]) - 1j * c * k0[ax] ** 2 * t))
    return psi


def coherent_state(grid: PeriodicGrid, constants: MadelungConstants, *, stiffness: float,
                   displacement: tuple[float, ...] | float, t: float = 0.0) -> np.ndarray:
    """Analytic coherent state of P2 (34) in V = stiffness |q|^2 / 2, a product over axes.

    m = 1 / (2 c) (hbar = 1 units, c = sqrt(4 D gamma / mu)), omega = sqrt(2 gamma stiffness);
    centre x_c = d cos(omega t), momentum p_c = -m omega d sin(omega t): Psi = (m omega / pi)^(1/4)
    exp(-i omega t / 2) exp(-m omega (q - x_c)^2 / 2 + i p_c q - i x_c p_c / 2) per axis. It
    depends on mu and gamma only through the corrected constants of (34)-(35).

    Parameters
    ----------
    grid : PeriodicGrid
        The grid.
    constants : MadelungConstants
        D, gamma, mu.
    stiffness : float
        kappa of V = kappa |q|^2 / 2.
    displacement : float or tuple of float
        The initial centre d (one value for every axis, or one per axis).
    t : float
        The time.

    Returns
    -------
    ndarray(shape=grid.shape), complex
        Psi(t).
    """
    m = constants.mass
    w = constants.omega(stiffness)
    K = grid.ndim
    d = np.broadcast_to(np.asarray(displacement, dtype=float), (K,))
    psi = np.ones(grid.shape, dtype=complex)
    for ax in range(K):
        q = grid.q[ax]
        xc = d[ax] * np.cos(w * t)
        pc = -m * w * d[ax] * np.sin(w * t)
        psi = psi * ((m * w / np.pi) ** 0.25 * np.exp(-0.5j * w * t)
                     * np.exp(-m * w * (q - xc) ** 2 / 2 + 1j * pc * q - 0.5j * xc * pc))
    return psi
