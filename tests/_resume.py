"""Shared by the simulation tests: a run interrupted at a recorded frame and resumed."""

import sys

import pytest


def interrupted_then_resumed(tmp_path, monkeypatch, name, params, stop_at):
    """Datasets of a run interrupted after recorded frame `stop_at` and resumed, and of an
    uninterrupted run (the checkpoint is written at every recorded frame)."""
    import h5py

    from emergent.runs import loop
    from emergent.runs.io import execute
    from emergent.runs.registry import get

    sim = get(name)
    values = sim.resolve(params)

    class Interrupt(loop.Tracker):
        def record(self, frame):
            if frame.index == stop_at:
                raise KeyboardInterrupt

    real = loop.evolve_run

    def stopping(run, stepper, initial, times, observe, *, trackers=(), desc=None):
        return real(run, stepper, initial, times, observe, desc=desc,
                    trackers=[*trackers, Interrupt()])

    monkeypatch.setattr(sys.modules[sim.run.__module__], "evolve_run", stopping)
    out = tmp_path / "r.h5"
    with pytest.raises(KeyboardInterrupt):
        execute(sim, values, 3, out, quiet=True, checkpoint_interval=0)
    monkeypatch.undo()
    execute(sim, values, 3, out, quiet=True, resume=True)
    with h5py.File(out) as f:
        assert "resumed" in f.attrs
    whole = execute(sim, values, 3, tmp_path / "w.h5", quiet=True)

    def datasets(path):
        got = {}
        with h5py.File(path) as f:
            f.visititems(lambda n, o: got.__setitem__(n, o[()])
                         if isinstance(o, h5py.Dataset) and "seconds" not in n else None)
        return got

    return datasets(out), datasets(whole)
