"""The command line as a user meets it (issue 15 item 4): a default output name, help for every
shared option, results and paper checks after a run, `show --checks`, TensorFlow backends refused
up front, and `reproduce` judged by recorded expectations."""

from __future__ import annotations

import sys

import pytest

from emergent.cli import RUN_OPTIONS, main
from emergent.runs.registry import Check
from emergent.runs.reproduce import Row, all_agree

SMALL = ["--set", "neurons=512", "--set", "steps=32", "--set", "record_every=8"]


def test_run_writes_name_h5_in_the_current_folder_and_refuses_to_overwrite(tmp_path,
                                                                           monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "chains", *SMALL]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "chains.h5").is_file()
    assert "wrote chains.h5" in out and "results:" in out and "paper checks:" in out
    assert "[yes] P2 (61)-(63), (68)" in out
    assert main(["run", "chains", *SMALL]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["run", "chains", *SMALL, "--force", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_run_help_explains_every_shared_option(capsys):
    assert main(["run", "chains", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("-o, --output", "--set", "--config", "--seed", "--full", "--resume",
                   "--force", "--quiet", "--checkpoint-interval"):
        assert option in RUN_OPTIONS and option in text, option
    assert "neurons" in text  # and the parameter table
    assert main(["run", "--help"]) == 0
    assert "--resume" in capsys.readouterr().out


def test_show_checks(tmp_path, capsys):
    out = tmp_path / "c.h5"
    assert main(["run", "chains", "-o", str(out), "--quiet", *SMALL]) == 0
    assert main(["show", str(out), "--checks"]) == 0
    text = capsys.readouterr().out
    assert "paper checks:" in text and "[yes]" in text
    assert "_dim" not in text  # netCDF dimension placeholders are not datasets
    with pytest.raises(SystemExit) as done:  # argparse's --help
        main(["show", "--help"])
    assert done.value.code == 0 and "--checks" in capsys.readouterr().out


def test_tensorflow_backend_refused_before_any_file_without_tensorflow(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # `import tensorflow` fails
    out = tmp_path / "m.h5"
    assert main(["run", "mnist-thermodynamics", "-o", str(out), "--set", "backend=tf-function",
                 "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("emergent: error: parameter 'backend'") and "TensorFlow" in err
    assert len(err.splitlines()) == 1 and list(tmp_path.iterdir()) == []


def test_reproduce_status_follows_recorded_expectations():
    """A NO that is a documented finding (NO*) does not fail reproduce; a plain NO or a failed
    run does; the MNIST Fig. 2 claim carries its finding."""
    from emergent.runs.simulations.mnist import FIG2_FINDING

    row = Row("s", "claim", "paper", "ours", "yes", 0.0)
    assert all_agree([row, Row("s", "c", "p", "o", "NO*", 0.0),
                      Row("s", "c", "p", "o", "corrected", 0.0)])
    assert not all_agree([row, Row("s", "c", "p", "o", "NO", 0.0)])
    assert not all_agree([Row("s", "(run)", "-", "boom", "FAILED", 0.0)])
    assert "U <= U_d" in FIG2_FINDING
    check = Check("claim", "paper", "ours", False, finding=FIG2_FINDING)
    assert check.finding and not check.agrees


@pytest.mark.parametrize("argv", [["plot", "--help"], ["show", "--help"]])
def test_file_arguments_have_help(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0 and "run file" in capsys.readouterr().out
