"""The registry: parameters, validation, and its wiring into the CLI (issue 2)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergent.cli import main
from emergent.runs.registry import Param, ParameterError, all_simulations, get


def test_every_simulation_is_listed_with_its_equations(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    sims = all_simulations()
    assert sims, "no simulation registered"
    for sim in sims:
        assert sim.name in out
        assert sim.summary in out
        assert ", ".join(sim.equations) in out


@pytest.mark.parametrize("sim", all_simulations(), ids=lambda s: s.name)
def test_run_help_lists_every_parameter_with_default_and_range(sim, capsys):
    assert main(["run", sim.name, "--help"]) == 0
    out = capsys.readouterr().out
    for p in sim.params:
        line = next(line for line in out.splitlines() if line.startswith(p.name + " "))
        assert repr(p.default) in line and p.allowed() in line and p.help in line


@pytest.mark.parametrize("sim", all_simulations(), ids=lambda s: s.name)
def test_simulation_metadata_is_complete(sim):
    assert sim.summary and len(sim.summary.splitlines()) == 1
    assert sim.equations and all(e.split()[0] in ("P1", "P2") for e in sim.equations)
    assert sim.resolve({}, full=True)  # the paper-scale overrides validate
    for p in sim.params:
        assert p.validate(p.default) == p.default


def test_every_simulation_has_a_runnable_script():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "simulations"
    scripts = {p.stem for p in root.glob("*.py")}
    names = {s.name for s in all_simulations()}
    assert scripts == names
    for name in names:
        assert f'run_script("{name}")' in (root / f"{name}.py").read_text()


def test_unknown_simulation_suggests_a_close_match():
    with pytest.raises(ParameterError, match="did you mean 'chains'"):
        get("chain")


def test_unknown_parameter_suggests_a_close_match():
    with pytest.raises(ParameterError, match="did you mean 'neurons'"):
        get("chains").param("neuron")


def test_param_rejects_non_finite_and_out_of_range():
    p = Param("beta", "float", 1.0, "inverse temperature", low=0, low_open=True, high=10)
    for bad in ("nan", "inf", "-inf", "0", "-1", "10.5", "abc", ""):
        with pytest.raises(ParameterError, match="'beta'.*0 < value <= 10"):
            p.parse(bad)
    assert p.parse("10") == 10.0
    assert p.parse(" 0.5 ") == 0.5


def test_param_types():
    assert Param("n", "int", 3, "n", low=1).parse("7") == 7
    with pytest.raises(ParameterError):
        Param("n", "int", 3, "n").parse("7.5")
    assert Param("flag", "bool", False, "f").parse("yes") is True
    assert Param("sizes", "ints", (1, 2), "s", low=1).parse("784,40,10") == (784, 40, 10)
    with pytest.raises(ParameterError, match="each value"):
        Param("sizes", "ints", (1, 2), "s", low=1).parse("784,0")
    assert Param("fs", "floats", (0.5,), "f").parse("0.25, 0.5") == (0.25, 0.5)
    with pytest.raises(ParameterError):
        Param("s", "str", "a", "s", choices=("a", "b")).parse("c")
    with pytest.raises(ParameterError):  # bools are not ints
        Param("n", "int", 3, "n").validate(True)
    with pytest.raises(ValueError):  # a default outside its own range is a programming error
        Param("n", "int", 0, "n", low=1)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([p for s in all_simulations() for p in s.params]),
       st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True).map(str),
                 st.integers(-10**12, 10**12).map(str)))
def test_fuzz_parameter_text_is_accepted_only_when_allowed(param, text):
    """Any text either parses to an allowed value or raises an error naming the parameter."""
    try:
        value = param.parse(text)
    except ParameterError as exc:
        assert repr(param.name) in str(exc)
        assert param.allowed() in str(exc)
        return
    assert param.validate(value) == value
    for v in value if isinstance(value, tuple) else (value,):
        if isinstance(v, float):
            assert math.isfinite(v)
        if param.low is not None and not isinstance(v, str):
            assert v >= param.low
        if param.high is not None and not isinstance(v, str):
            assert v <= param.high
        if param.choices is not None:
            assert v in param.choices
