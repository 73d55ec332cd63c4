"""The `emergent` command: run, show, plot, reproduce, and every bad-input case (issue 2)."""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emergent.cli import main
from emergent.runs.io import read_run

SMALL = ["--set", "neurons=128", "--set", "steps=32", "--set", "record_every=8",
         "--set", "show=16", "--quiet"]


def _bad(capsys, argv, *needles):
    """Bad input: exit status 2, a one-line error naming what is wrong, no traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("emergent: error:")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_run_show_plot(tmp_path, capsys):
    out = tmp_path / "c.h5"
    assert main(["run", "chains", "-o", str(out), "--seed", "3", *SMALL]) == 0
    data = read_run(out)
    assert data.params["neurons"] == 128 and data.seed == 3
    assert main(["show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "neurons = 128" in shown and "/series/x" in shown and "seed              3" in shown
    assert main(["plot", str(out), "-o", str(tmp_path / "fig.png")]) == 0
    assert (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["plot", str(out)]) == 0
    assert (tmp_path / "c.png").exists()


def test_config_file_and_set_precedence(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('seed = 9\nneurons = 64\nsteps = 16\nactivation = "tanh"\n')
    out = tmp_path / "c.h5"
    assert main(["run", "chains", "-o", str(out), "--config", str(cfg), "--set", "steps=24",
                 "--quiet"]) == 0
    data = read_run(out)
    assert (data.seed, data.params["neurons"], data.params["steps"]) == (9, 64, 24)
    assert data.params["activation"] == "tanh"


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "emergent", "list"], capture_output=True,
                         text=True, check=True)
    assert "chains" in out.stdout


def test_reproduce_only_writes_files_and_table(tmp_path, capsys):
    """issue 9: `reproduce --only` on two cheap simulations gives their files and the table."""
    assert main(["reproduce", "--only", "chains", "random-nets", "--out", str(tmp_path),
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    for name in ("chains", "random-nets"):
        assert (tmp_path / f"{name}.h5").exists() and (tmp_path / f"{name}.png").exists()
    assert "P2 (61)-(63)" in out and "P1 (7.8)" in out and "| NO" not in out
    assert "random-nets" in (tmp_path / "summary.md").read_text()


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["run", "chain", "-o", "x.h5"], ["unknown simulation 'chain'", "did you mean 'chains'"]),
        (["run", "chains", "-o", "x.h5", "--set", "neuron=5"], ["'neuron'", "'neurons'"]),
        (["run", "chains", "-o", "x.h5", "--set", "neurons=abc"], ["'neurons'", "integer"]),
        (["run", "chains", "-o", "x.h5", "--set", "neurons=1"], ["'neurons'", "2 <= value"]),
        (["run", "chains", "-o", "x.h5", "--set", "noise=nan"], ["'noise'", "finite"]),
        (["run", "chains", "-o", "x.h5", "--set", "amplitude=inf"], ["'amplitude'", "finite"]),
        (["run", "chains", "-o", "x.h5", "--set", "activation=relu"],
         ["'activation'", "linear, tanh"]),
        (["run", "chains", "-o", "x.h5", "--set", "neurons"], ["key=value"]),
        (["run", "chains", "-o", "x.h5", "--seed", "-1"], ["seed"]),
        (["run", "chains", "-o", "x.h5", "--seed", "x"], ["--seed"]),
        (["run", "chains", "-o", "x.txt"], [".h5"]),
        (["run", "chains", "-o", "nodir/x.h5"], ["does not exist"]),
        (["frobnicate"], ["invalid choice"]),
        (["show", "missing.h5"], ["no such run file"]),
        (["reproduce", "--only", "chainz"], ["did you mean 'chains'"]),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_file(tmp_path, capsys, monkeypatch, argv, needles):
    monkeypatch.chdir(tmp_path)
    _bad(capsys, argv, *needles)
    assert [p for p in os.listdir(tmp_path) if p != "nodir"] == []


def test_unwritable_output_directory(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # root ignores permissions: use read-only sysfs instead
            _bad(capsys, ["run", "chains", "-o", "/sys/x.h5", *SMALL], "/sys/x.h5",
                 "cannot be written")
        else:
            _bad(capsys, ["run", "chains", "-o", str(ro / "x.h5"), *SMALL], "not writable")
        assert os.listdir(ro) == []
    finally:
        ro.chmod(0o700)


def test_existing_output_without_force(tmp_path, capsys):
    out = tmp_path / "x.h5"
    out.write_bytes(b"precious")
    _bad(capsys, ["run", "chains", "-o", str(out), *SMALL], "exists", "--force")
    assert out.read_bytes() == b"precious"
    assert main(["run", "chains", "-o", str(out), "--force", *SMALL]) == 0
    assert read_run(out).simulation == "chains"


def test_bad_config_file(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text("neurons = 'many'\n")
    _bad(capsys, ["run", "chains", "-o", str(tmp_path / "x.h5"), "--config", str(cfg)],
         "'neurons'")
    cfg.write_text("neurons = [\n")
    _bad(capsys, ["run", "chains", "-o", str(tmp_path / "x.h5"), "--config", str(cfg)],
         "not valid TOML")
    _bad(capsys, ["run", "chains", "-o", str(tmp_path / "x.h5"), "--config",
                  str(tmp_path / "none.toml")], "cannot read")
    assert not (tmp_path / "x.h5").exists()


def test_show_foreign_file(tmp_path, capsys):
    (tmp_path / "f.h5").write_bytes(b"not hdf5 at all")
    _bad(capsys, ["show", str(tmp_path / "f.h5")], "not a readable HDF5 run")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["neurons", "steps", "noise", "amplitude", "modes", "activation"]),
       value=st.one_of(st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e400", "", "1.5",
                                        "10000000000000", "tanh", "true"]),
                       st.text(max_size=6)))
def test_fuzz_cli_values_never_traceback(tmp_path_factory, capsys, key, value):
    tmp = tmp_path_factory.mktemp("fuzz")
    out = tmp / "x.h5"
    argv = ["run", "chains", "-o", str(out), *SMALL, "--set", f"{key}={value}"]
    # keep accepted runs small: cap the sizes the fuzzer may pick
    if (key in ("neurons", "steps") and value.strip().isascii() and value.strip().isdigit()
            and int(value) > 4096):
        return
    status = main(argv)
    err = capsys.readouterr().err
    if status == 0:
        assert out.exists()
    else:
        assert status == 2 and f"'{key}'" in err and len(err.strip().splitlines()) == 1
        assert not out.exists()
