"""Sweep grids: the axes of a parameter sweep and the points of their product.

A grid axis is written on the command line as ``key=start:stop:num`` (``num`` values evenly
spaced from start to stop inclusive, like :func:`numpy.linspace`), ``key=start:stop:num:log``
(evenly spaced in the logarithm, like :func:`numpy.geomspace`) or ``key=v1,v2,...`` (a list).
Every value is checked against the simulation's :class:`~emergent.runs.registry.Param` once, here,
so a bad grid fails before anything is scheduled. Values from a range are rounded to 12
significant digits, so that ``noise=0:1:11`` gives 0.3 (what a user types for ``emergent run
--set noise=0.3``), not 0.30000000000000004.

The seeds are the last axis of every sweep: ``seeds`` consecutive integers from ``seed``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emergent.runs.registry import ParameterError, Simulation

__all__ = ["MAX_POINTS", "Axis", "Point", "SweepSpec", "parse_axis", "point_filename"]

_SWEEPABLE = ("int", "float", "bool", "str")
_DIGITS = 12
MAX_POINTS = 100_000
"""The most points (grid values times seeds) one sweep may have: each point is a run file in one
folder and a Dask task, and the driver holds every point's parameters in memory."""


@dataclass(frozen=True)
class Axis:
    """One sweep axis: a parameter name and its values (validated, in grid order)."""

    name: str
    values: tuple[Any, ...]
    type: str

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its grid index (last entry: seed index), parameters and seed."""

    index: tuple[int, ...]
    params: dict[str, Any]
    seed: int
    filename: str


def _number(key: str, text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(
            f"--grid {key}: {what} {text!r} is not a number (expected {key}=start:stop:num, "
            f"{key}=start:stop:num:log or {key}=v1,v2,...)"
        ) from None
    if not math.isfinite(value):
        raise ParameterError(f"--grid {key}: {what} must be finite, got {text!r}")
    return value


def _round(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


def _range_values(sim: Simulation, key: str, spec: str) -> list[Any]:
    param = sim.param(key)
    parts = spec.split(":")
    log = len(parts) == 4 and parts[3].strip().lower() == "log"
    if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
        raise ParameterError(
            f"--grid {key}={spec}: a range is start:stop:num or start:stop:num:log"
        )
    if param.type not in ("int", "float"):
        raise ParameterError(
            f"--grid {key}: parameter {key!r} is of type {param.type}; a range "
            f"start:stop:num needs an int or float parameter (give a list {key}=v1,v2,...)"
        )
    start = _number(key, parts[0].strip(), "start")
    stop = _number(key, parts[1].strip(), "stop")
    try:
        num = int(parts[2].strip())
    except ValueError:
        num = 0
    if num < 1:
        raise ParameterError(
            f"--grid {key}={spec}: num must be an integer >= 1, got {parts[2].strip()!r}"
        )
    if num > MAX_POINTS:
        raise ParameterError(
            f"--grid {key}={spec}: num = {num:,} values; a sweep has at most "
            f"{MAX_POINTS:,} points"
        )
    if log and (start <= 0 or stop <= 0):
        raise ParameterError(f"--grid {key}={spec}: a log range needs start > 0 and stop > 0")
    with np.errstate(all="ignore"):  # an overflowing range is reported below, not warned
        raw = np.geomspace(start, stop, num) if log else np.linspace(start, stop, num)
    if not np.all(np.isfinite(raw)):
        raise ParameterError(
            f"--grid {key}={spec}: the range overflows (its values are not finite numbers); "
            "choose a smaller span"
        )
    if num == 1 and start != stop:
        raise ParameterError(
            f"--grid {key}={spec}: num = 1 needs start == stop (or give the value alone)"
        )
    if param.type == "int":
        ints = np.rint(raw)
        if not np.allclose(raw, ints, rtol=0, atol=1e-9 * max(1.0, float(np.abs(raw).max()))):
            shown = ", ".join(f"{v:g}" for v in raw[:6]) + (", ..." if num > 6 else "")
            raise ParameterError(
                f"--grid {key}={spec}: parameter {key!r} is an integer but the range gives "
                f"{shown}; choose start, stop and num so that every value is an integer, or "
                f"give a list {key}=v1,v2,..."
            )
        return [int(v) for v in ints]
    return [_round(float(v)) for v in raw]


def parse_axis(sim: Simulation, text: str) -> Axis:
    """Parse one ``--grid`` item (``key=start:stop:num[:log]`` or ``key=v1,v2,...``).

    Parameters
    ----------
    sim : Simulation
        The swept simulation.
    text : str
        ``key=start:stop:num`` (num values, linearly spaced; ``:log`` for log spacing) or
        ``key=v1,v2,...``.

    Returns
    -------
    Axis
        The parameter's name, its validated values and its type.

    Raises
    ------
    emergent.runs.registry.ParameterError
        Naming the key and what is allowed: unknown parameter, list-valued parameter,
        malformed range, a value outside the parameter's range, repeated values.
    """
    key, eq, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not eq or not key or not spec:
        raise ParameterError(
            f"--grid expects key=start:stop:num, key=start:stop:num:log or key=v1,v2,..., "
            f"got {text!r}"
        )
    param = sim.param(key)
    if param.type not in _SWEEPABLE:
        raise ParameterError(
            f"--grid {key}: parameter {key!r} holds a list ({param.type}); only int, float, "
            f"bool and str parameters can be swept (set it with --set)"
        )
    if ":" in spec:
        values = _range_values(sim, key, spec)
    else:
        items = [t.strip() for t in spec.split(",")]
        if any(not t for t in items):
            raise ParameterError(f"--grid {key}={spec}: empty value in the list")
        values = [param.parse(t) for t in items]
    checked = []
    for v in values:
        try:
            checked.append(param.validate(v))
        except ParameterError as exc:
            raise ParameterError(f"--grid {key}: {exc}") from None
    seen: set[Any] = set()
    for v in checked:
        if v in seen:
            raise ParameterError(
                f"--grid {key}={spec}: value {v!r} appears twice; every grid value must be "
                "distinct"
            )
        seen.add(v)
    return Axis(key, tuple(checked), param.type)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def point_filename(assignment: Mapping[str, Any], seed: int) -> str:
    """The run file name of a point, e.g. ``noise=0.1,activation=tanh,seed=3.h5``.

    Names are readable and unique per (parameter values, seed); characters outside
    ``[A-Za-z0-9._=+-]`` become ``_`` and a long name is shortened with a hash.

    Parameters
    ----------
    assignment : mapping of str to Any
        The swept parameters' values at the point.
    seed : int
        The point's seed.

    Returns
    -------
    str
        The file name (``.h5``).
    """
    parts = [f"{k}={_fmt(v)}" for k, v in assignment.items()] + [f"seed={seed}"]
    name = ",".join(re.sub(r"[^A-Za-z0-9._=+\-]", "_", p) for p in parts)
    exact = ",".join(parts)
    if len(name) > 180 or name != exact:
        digest = hashlib.sha1(exact.encode()).hexdigest()[:12]
        name = f"{name[:160]}~{digest}"
    return name + ".h5"


@dataclass(frozen=True)
class SweepSpec:
    """A sweep: the simulation, its fixed parameters, the grid axes and the seeds.

    Points are the product of the axes (in the given order) and the seeds (last, fastest).
    """

    simulation: str
    params: dict[str, Any]
    axes: tuple[Axis, ...]
    seeds: tuple[int, ...]

    @classmethod
    def build(
        cls, sim: Simulation, grid: Sequence[str | Axis], *, fixed: Mapping[str, Any] | None = None,
        seeds: int = 1, seed: int = 0, full: bool = False,
    ) -> SweepSpec:
        """Validate a sweep of `sim` over `grid` (``--grid`` texts or Axis) with `seeds` seeds.

        Parameters
        ----------
        sim : Simulation
            The swept simulation.
        grid : sequence of str or Axis
            The axes, as ``--grid`` texts (see :func:`parse_axis`) or Axis objects.
        fixed : mapping of str to Any, optional
            Values (not text) of the parameters that do not vary (``--set``).
        seeds : int
            Number of seeds per grid point.
        seed : int
            The first seed (the seeds are ``seed, seed + 1, ...``).
        full : bool
            Start from the simulation's paper-scale overrides.

        Returns
        -------
        SweepSpec

        Raises
        ------
        emergent.runs.registry.ParameterError
            No axis, an axis swept twice or also fixed, a bad value, or fewer than one seed.
        """
        axes = tuple(a if isinstance(a, Axis) else parse_axis(sim, a) for a in grid)
        if not axes:
            raise ParameterError("--grid: give at least one sweep axis, e.g. --grid key=v1,v2")
        names = [a.name for a in axes]
        for name in names:
            if names.count(name) > 1:
                raise ParameterError(f"--grid {name}: parameter {name!r} is swept twice")
        fixed = dict(fixed or {})
        for name in names:
            if name in fixed:
                raise ParameterError(
                    f"--set {name}: parameter {name!r} is also a --grid axis; give it once"
                )
        if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 10**6:
            raise ParameterError(
                f"--seeds must be an integer with 1 <= K <= 1000000, got {seeds!r}"
            )
        if isinstance(seed, bool) or not isinstance(seed, int) or not (
            0 <= seed and seed + seeds - 1 <= 2**63 - 1
        ):
            raise ParameterError(f"--seed must be an integer >= 0, got {seed!r}")
        if seeds > 1 and not sim.stochastic:
            raise ParameterError(
                f"--seeds: simulation {sim.name!r} is deterministic; one seed is all it needs"
            )
        size = math.prod(len(a) for a in axes) * seeds
        if size > MAX_POINTS:
            dims = " x ".join(f"{len(a):,} {a.name}" for a in axes)
            raise ParameterError(
                f"--grid: the sweep has {size:,} points ({dims} x {seeds:,} seeds); at most "
                f"{MAX_POINTS:,} are allowed: use fewer values or seeds, or several sweeps"
            )
        params = sim.resolve(fixed, full=full)
        for axis in axes:
            params.pop(axis.name)
        return cls(sim.name, params, axes, tuple(range(seed, seed + seeds)))

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape: one entry per axis, then the number of seeds."""
        return (*(len(a) for a in self.axes), len(self.seeds))

    @property
    def size(self) -> int:
        """The number of points (runs)."""
        return math.prod(self.shape)

    def points(self) -> Iterator[Point]:
        """Every point, in C order of :attr:`shape` (seeds fastest).

        Returns
        -------
        iterator of Point
            Grid index, parameters, seed and run file name of each point.
        """
        ranges = [range(n) for n in self.shape]
        for index in itertools.product(*ranges):
            assignment = {a.name: a.values[i] for a, i in zip(self.axes, index, strict=False)}
            seed = self.seeds[index[-1]]
            params = {**self.params, **assignment}
            yield Point(index, params, seed, point_filename(assignment, seed))
