"""The analysis notebooks run on the smoke-scale output of `reproduce` (issue 9)."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_one_notebook_per_paper():
    assert [p.name[:2] for p in NOTEBOOKS] == ["p1", "p2"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, smoke_runs, monkeypatch):
    out, _ = smoke_runs
    monkeypatch.setenv("EMERGENT_DATA", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    shown = sum('show("' in c.source for c in nb.cells if c.cell_type == "code")
    assert len(images) == shown > 0
    assert os.environ["EMERGENT_DATA"] == str(out)
