"""The simulation registry: the one source the CLI, the docs and `reproduce` derive from.

A simulation module in :mod:`emergent.runs.simulations` calls :func:`register` at import time with a
:class:`Simulation`: its name, a one-line summary, the paper equations it exercises, its
parameters (each a :class:`Param` with type, default, allowed range or choices and meaning),
the function that runs it and the function that draws its standard figure.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import math
import pkgutil
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.runs.io import RunData, RunWriter

__all__ = [
    "Check",
    "Output",
    "Param",
    "ParameterError",
    "Simulation",
    "all_simulations",
    "get",
    "param",
    "parameters",
    "params_of",
    "register",
]

PARAM_TYPES = ("int", "float", "bool", "str", "ints", "floats")


class ParameterError(ValueError):
    """A parameter value (or name) that the simulation does not allow."""


@dataclass(frozen=True)
class Param:
    """One parameter of a simulation.

    type: one of "int", "float", "bool", "str", "ints", "floats" (the last two are
    comma-separated lists on the command line and arrays in TOML).
    low / high: allowed range (inclusive unless low_open / high_open), for numbers and for
    every element of a list. choices: the allowed values of a "str" (or "int") parameter.
    help: the meaning (its first clause is the parameter's long name). units: the unit as
    written in the files' ``units`` attributes (CF style; "1" for a dimensionless number, "" for
    text, flags and choices).
    """

    name: str
    type: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] | None = None
    units: str = "1"

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"Param {self.name!r}: type must be one of {PARAM_TYPES}")
        # the default must itself be allowed
        object.__setattr__(self, "default", self.validate(self.default))

    # -- description -------------------------------------------------------------------
    def allowed(self) -> str:
        """Human-readable allowed range, e.g. '0 < value <= 1' or 'one of a, b'.

        Returns
        -------
        str
            The range or choices, as the CLI and the docs print them.
        """
        if self.choices is not None:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.type == "bool":
            return "true or false"
        if self.type == "str":
            return "any text"
        kind = {"int": "an integer", "float": "a finite number",
                "ints": "comma-separated integers", "floats": "comma-separated finite numbers"}
        fmt = (lambda v: f"{int(v)}") if self.type in ("int", "ints") else (lambda v: f"{v:g}")
        lo = "" if self.low is None else f"{fmt(self.low)} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {fmt(self.high)}"
        if not lo and not hi:
            return kind[self.type]
        what = "value" if self.type in ("int", "float") else "each value"
        return f"{kind[self.type]}, {lo}{what}{hi}"

    # -- parsing and validation ----------------------------------------------------------
    def parse(self, text: str) -> Any:
        """Parse a command-line string (``--set name=text``) and validate it.

        Parameters
        ----------
        text : str
            The value as typed (lists comma-separated; booleans as true/false, yes/no, 1/0).

        Returns
        -------
        int, float, bool, str or list
            The validated value (see :meth:`validate`).

        Raises
        ------
        ParameterError
            Text that does not parse as the parameter's type, or a value outside its range.
        """
        text = text.strip()
        try:
            if self.type == "int":
                value: Any = int(text)
            elif self.type == "float":
                value = float(text)
            elif self.type == "bool":
                low = text.lower()
                if low in ("1", "true", "yes", "on"):
                    value = True
                elif low in ("0", "false", "no", "off"):
                    value = False
                else:
                    raise ValueError(text)
            elif self.type == "str":
                value = text
            elif self.type == "ints":
                value = tuple(int(t) for t in text.split(",") if t.strip())
            else:
                value = tuple(float(t) for t in text.split(",") if t.strip())
        except ValueError:
            raise ParameterError(
                f"parameter {self.name!r}: cannot read {text!r}; expected {self.allowed()}"
            ) from None
        return self.validate(value)

    def validate(self, value: Any) -> Any:
        """Check type and range of a Python value (from TOML or code); return it normalised.

        Parameters
        ----------
        value : Any
            The value (a list or tuple for "ints" / "floats").

        Returns
        -------
        int, float, bool, str or list
            `value` normalised: ints as int, floats as float, lists as lists.

        Raises
        ------
        ParameterError
            A value of the wrong type, outside the range or not among the choices.
        """
        bad = ParameterError(
            f"parameter {self.name!r}: {value!r} is not allowed; expected {self.allowed()}"
        )
        if self.type == "bool":
            if not isinstance(value, bool):
                raise bad
            return value
        if self.type == "str":
            if not isinstance(value, str):
                raise bad
            if self.choices is not None and value not in self.choices:
                raise bad
            return value
        if self.type in ("int", "float"):
            value = self._scalar(value, bad)
            if self.choices is not None and value not in self.choices:
                raise bad
            return value
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            raise bad
        items = tuple(self._scalar(v, bad, self.type[:-1]) for v in value)
        if not items:
            raise bad
        return items

    def _scalar(self, value: Any, bad: ParameterError, kind: str | None = None) -> Any:
        kind = kind or self.type
        if isinstance(value, bool):
            raise bad
        if kind == "int":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int):
                try:
                    import numpy as np

                    if isinstance(value, np.integer):
                        value = int(value)
                    else:
                        raise bad
                except ImportError:  # pragma: no cover
                    raise bad from None
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise bad from None
            if not math.isfinite(value):
                raise bad
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise bad
        if self.high is not None and (
            value > self.high or (self.high_open and value == self.high)
        ):
            raise bad
        return value


_META = "emergent.param"
P = TypeVar("P")


def param(
    default: Any,
    help: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    choices: tuple[Any, ...] | None = None,
    units: str = "1",
) -> Any:
    """One field of a simulation's parameter dataclass (see :func:`parameters`).

    Parameters
    ----------
    default : value
        The default (a tuple for list parameters).
    help : str
        The meaning and the unit.
    low, high : float, optional
        The allowed range (inclusive unless `low_open` / `high_open`).
    low_open, high_open : bool
        Exclude the bound itself.
    choices : tuple, optional
        The allowed values (a ``Literal`` annotation gives them too).
    units : str
        The unit written to the files (CF style: "1" dimensionless; "" for text and flags).

    Returns
    -------
    dataclasses.Field
        A field carrying the :class:`Param` facts in its metadata.
    """
    if isinstance(default, list):
        default = tuple(default)
    facts = dict(help=help, low=low, high=high, low_open=low_open, high_open=high_open,
                 choices=choices, units=units)
    return dataclasses.field(default=default, metadata={_META: facts})


def _param_type(hint: Any) -> tuple[str, tuple[Any, ...] | None]:
    """The registry type name (and choices, for a Literal) of a field annotation."""
    simple = {int: "int", float: "float", bool: "bool", str: "str"}
    if hint in simple:
        return simple[hint], None
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        kinds = {type(a) for a in args}
        if len(kinds) != 1 or next(iter(kinds)) not in (int, str):
            raise TypeError(f"Literal parameters must be all int or all str, got {hint!r}")
        return simple[next(iter(kinds))], tuple(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] in (int, float):
        return {int: "ints", float: "floats"}[args[0]], None
    raise TypeError(f"unsupported parameter annotation {hint!r} (int, float, bool, str, "
                    "Literal[...], tuple[int, ...], tuple[float, ...])")


def params_of(cls: type) -> tuple[Param, ...]:
    """The :class:`Param` declarations of a parameter dataclass made with :func:`parameters`.

    Parameters
    ----------
    cls : type
        A dataclass whose fields are declared with :func:`param`.

    Returns
    -------
    tuple of Param
        One per field, in declaration order; ``Literal[...]`` annotations become choices.

    Raises
    ------
    TypeError
        A field not declared with :func:`param`, or an annotation outside the supported types.
    """
    hints = typing.get_type_hints(cls, include_extras=False)
    out = []
    for f in dataclasses.fields(cls):
        if _META not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name}: declare it with registry.param()")
        kind, literal = _param_type(hints[f.name])
        facts = dict(f.metadata[_META])
        if literal is not None and facts["choices"] is None:
            facts["choices"] = literal
        out.append(Param(f.name, kind, f.default, **facts))
    return tuple(out)


def parameters(cls: type[P]) -> type[P]:
    """Class decorator: a frozen, keyword-only dataclass of a simulation's parameters.

    Each field is annotated with its type (``int``, ``float``, ``bool``, ``str``,
    ``Literal[...]``, ``tuple[int, ...]``, ``tuple[float, ...]``) and declared with
    :func:`param`; the registry derives the :class:`Param` tuple (ranges, help, CLI parsing)
    from it, so a parameter can be followed with its type from the command line to a kernel.

    Parameters
    ----------
    cls : type
        The class body: annotated fields, each ``= param(default, help, ...)``.

    Returns
    -------
    type
        `cls` as a frozen, keyword-only dataclass.

    Raises
    ------
    TypeError
        A bad declaration (checked at import time).
    """
    made = dataclass(frozen=True, kw_only=True)(cls)
    params_of(made)  # fail at import time on a bad declaration
    return made


@dataclass(frozen=True)
class Output:
    """What a dataset of a simulation's run files means: its long name and unit.

    Parameters
    ----------
    long_name : str
        The quantity, in words (CF ``long_name``), e.g. "probability density p(t, q)".
    units : str
        Its unit (CF ``units``): "1" for a dimensionless number; the papers' quantities are in
        the units of their equations, e.g. "1" for t and q.
    """

    long_name: str
    units: str = "1"


@dataclass(frozen=True)
class Check:
    """One comparison of a run's result with a paper's claim (for `reproduce`'s table).

    claim: the paper result, e.g. "P2 (61): x(t, i) = x(0, i - t)"; ours: our value or
    verdict as text; agrees: whether it agrees (within the stated tolerance); correction: when
    the claim as printed fails, the corrected statement that the run found to hold ("" when
    there is none); finding: when the claim does not hold and we do not reproduce it, the
    documented finding that explains why (the README's P1 §10 section, for instance). A "NO"
    with a finding is what the software is expected to report; `reproduce` fails only when a
    verdict differs from what is recorded this way. decides: the equations this row decides,
    e.g. ("P2 (19)", "P2 (20)"); an equation the claim names only as context is left out.
    """

    claim: str
    paper: str
    ours: str
    agrees: bool
    correction: str = ""
    finding: str = ""
    decides: tuple[str, ...] = ()


RunFn = Callable[["RunWriter[Any]"], None]  # run(run: RunWriter[SimParams]) -> None
PlotFn = Callable[["RunData", "Figure"], None]  # plot(data, fig) draws the standard figure
ChecksFn = Callable[["RunData"], list[Check]]  # checks(data) -> comparisons with the papers
ReduceFn = Callable[["RunData"], dict[str, float]]  # reduce(data) -> {name: number}


@dataclass(frozen=True)
class Simulation:
    """A registered simulation.

    parameters is the simulation's ``@parameters`` dataclass (typed fields declared with
    :func:`param`); ``params``, derived from it, is the tuple of :class:`Param` that the command
    line, configs and sweeps read. run(run) does the work through the
    :class:`emergent.runs.io.RunWriter` it is given;
    plot(data, fig) draws the standard figure from a finished :class:`emergent.runs.io.RunData`;
    full holds the parameter overrides for paper scale (`reproduce --full`); smoke holds
    overrides for a seconds-long run that exercises everything (tests, notebooks on small data);
    checks(data), optional, compares the finished run with the papers' claims;
    reduce(data), optional, gives the scalars a parameter sweep gathers per point (default:
    the run's numeric scalar results, see :meth:`reduction`); outputs maps the name of every
    dataset the run writes (series, fields and their axes, array and scalar results) to its
    :class:`Output` (long name and unit), which the files carry as ``long_name`` and ``units``;
    precheck(p), optional, refuses (ParameterError) typed parameters that are valid one by one but
    cannot run here (a missing optional dependency, for instance) before anything is written.
    """

    name: str
    summary: str
    equations: tuple[str, ...]
    parameters: type
    run: RunFn
    plot: PlotFn
    full: Mapping[str, Any] = field(default_factory=dict)
    smoke: Mapping[str, Any] = field(default_factory=dict)
    checks: ChecksFn | None = None
    reduce: ReduceFn | None = None
    stochastic: bool = True
    outputs: Mapping[str, Output] = field(default_factory=dict)
    precheck: Callable[[Any], None] | None = None
    params: tuple[Param, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", params_of(self.parameters))
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"simulation {self.name!r}: duplicate parameter names")
        for key, value in (*self.full.items(), *self.smoke.items()):
            self.param(key).validate(value)

    def param(self, name: str) -> Param:
        """The declaration of parameter `name`.

        Parameters
        ----------
        name : str
            A parameter name.

        Returns
        -------
        Param

        Raises
        ------
        ParameterError
            No such parameter (with the closest match as a hint).
        """
        for p in self.params:
            if p.name == name:
                return p
        known = [p.name for p in self.params]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ParameterError(
            f"simulation {self.name!r} has no parameter {name!r}{hint} "
            f"(parameters: {', '.join(known) or 'none'})"
        )

    def typed(self, values: Mapping[str, Any]) -> Any:
        """Validated parameter values as the simulation's frozen parameter dataclass.

        Parameters
        ----------
        values : mapping of str to Any
            Validated values by name (lists become tuples); unknown names are ignored.

        Returns
        -------
        parameter dataclass
            ``run.p``.
        """
        names = {p.name for p in self.params}
        return self.parameters(**{k: tuple(v) if isinstance(v, list) else v
                                   for k, v in values.items() if k in names})

    def reduction(self, data: Any) -> dict[str, float]:
        """The scalars a sweep gathers from a finished run (`reduce`, else numeric results).

        Parameters
        ----------
        data : emergent.runs.io.RunData
            A finished run of this simulation.

        Returns
        -------
        dict of str to float
        """
        if self.reduce is not None:
            return {k: float(v) for k, v in self.reduce(data).items()}
        return {
            k: float(v) for k, v in data.results.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }

    def defaults(self, full: bool = False, smoke: bool = False) -> dict[str, Any]:
        """Default values; with `full` the paper scale, with `smoke` the seconds-long scale.

        Parameters
        ----------
        full : bool
            Apply the paper-scale overrides.
        smoke : bool
            Apply the smoke-test overrides (after `full`).

        Returns
        -------
        dict of str to Any
            Every parameter's value by name.
        """
        values = {p.name: p.default for p in self.params}
        if full:
            values.update(self.full)
        if smoke:
            values.update(self.smoke)
        return values

    def parse_assignments(self, items: Sequence[str]) -> dict[str, Any]:
        """Parameter values from command-line ``KEY=VALUE`` texts (``--set``), validated.

        Parameters
        ----------
        items : sequence of str
            The texts, e.g. ``["neurons=4096", "activation=tanh"]``.

        Returns
        -------
        dict of str to value
            The parsed values by name.

        Raises
        ------
        ParameterError
            A text without ``=``, an unknown name or a value outside its range.
        """
        values: dict[str, Any] = {}
        for item in items:
            key, eq, text = item.partition("=")
            if not eq or not key.strip():
                raise ParameterError(f"--set expects key=value, got {item!r}")
            values[key.strip()] = self.param(key.strip()).parse(text)
        return values

    def resolve(
        self, overrides: Mapping[str, Any], full: bool = False, smoke: bool = False
    ) -> dict[str, Any]:
        """Defaults (or paper / smoke scale) updated with validated overrides (not text).

        Parameters
        ----------
        overrides : mapping of str to Any
            Python values by parameter name (use :meth:`Param.parse` for command-line text).
        full, smoke : bool
            As for :meth:`defaults`.

        Returns
        -------
        dict of str to Any
            The run's parameters.

        Raises
        ------
        ParameterError
            An unknown name or a value that is not allowed.
        """
        values = self.defaults(full, smoke)
        for key, value in overrides.items():
            values[key] = self.param(key).validate(value)
        return values


_REGISTRY: dict[str, Simulation] = {}
_LOADED = False


def register(sim: Simulation) -> Simulation:
    """Add a simulation to the registry (called by the modules of
    :mod:`emergent.runs.simulations`).

    Parameters
    ----------
    sim : Simulation
        The simulation.

    Returns
    -------
    Simulation
        `sim` (so that a module can write ``SIM = register(Simulation(...))``).

    Raises
    ------
    ValueError
        Another simulation of the same name is registered.
    """
    if sim.name in _REGISTRY and _REGISTRY[sim.name] is not sim:
        raise ValueError(f"simulation {sim.name!r} registered twice")
    _REGISTRY[sim.name] = sim
    return sim


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    import emergent.runs.simulations as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"emergent.runs.simulations.{info.name}")
    _LOADED = True


def all_simulations() -> list[Simulation]:
    """Every registered simulation, sorted by name.

    Returns
    -------
    list of Simulation
        Imports every module of :mod:`emergent.runs.simulations` on first use.
    """
    _load()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get(name: str) -> Simulation:
    """The simulation called `name`.

    Parameters
    ----------
    name : str
        A registered name (``emergent list``).

    Returns
    -------
    Simulation

    Raises
    ------
    ParameterError
        No such simulation (with the closest match as a hint).
    """
    _load()
    if name in _REGISTRY:
        return _REGISTRY[name]
    close = difflib.get_close_matches(name, list(_REGISTRY), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ParameterError(
        f"unknown simulation {name!r}{hint} (known: {', '.join(sorted(_REGISTRY))})"
    )
