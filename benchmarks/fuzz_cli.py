"""A standing fuzz of the `emergent` command (issue 19, item 6).

Hypothesis generates hostile invocations of every command (``run``, ``show``, ``plot``,
``list``, ``reproduce --only``, ``equations``, ``verify``, ``sweep``) and of every registered
simulation's parameters (values in and out of range, wrong types, huge and tiny sizes, NaN/inf
text, very long strings, unicode), output paths (missing folders, directories, unwritable
folders, 300-character names, existing files with and without ``--force``), TOML configs
(invalid TOML, non-UTF-8 bytes, wrong types, unknown keys, a seed that is not an integer) and
crafted HDF5 files for ``show`` / ``plot`` (missing attributes, wrong types, a non-integer seed,
non-dict or deeply nested ``params_json``, external links, external storage, virtual datasets,
a declared-huge dataset in a tiny file).

Each case runs ``emergent.cli.main(argv)`` in a forked child of this process (the simulations'
kernels are compiled once, here, before the fuzz starts), in a fresh working folder, with stdout
and stderr captured at the file-descriptor level, a time limit and an address-space limit;
signal cases (SIGINT, SIGTERM, a reader that closes the pipe) run ``python -m emergent`` in a
subprocess. The oracle, for every case:

* no Python traceback on stderr, and no ``internal error`` (the last guard of ``cli.main``);
* the exit status is a documented one: 0, 2 (bad input), 3 (numerical failure), 130
  (interrupted), and 1 only for the commands that report failed checks (``reproduce``,
  ``verify``, ``sweep``); input the registry itself rejects must give 2;
* on failure, stderr is one line starting with ``emergent: ``;
* no stray files: a refused or failed command leaves the working folder as it found it (no
  new file, no ``.*.partial`` / ``.*.ckpt`` / ``.*.lock``, pre-existing files unchanged); an
  interrupted run may leave its checkpoint, and ``--resume`` must then finish cleanly; a
  successful command leaves only what it was asked to write;
* no raw allocation failure (``Unable to allocate``: a size was not estimated before
  allocating), no time-out, no crash by a signal; ``show`` prints no raw control characters.

Usage::

    python benchmarks/fuzz_cli.py                      # 1000 cases, seed 0
    python benchmarks/fuzz_cli.py --cases 200 --only run,show --seed 3 --verbose

It prints a table of cases per command and every distinct failure with a reduced reproducer,
and exits with status 1 when anything failed. ``tests/runs/test_fuzz.py`` runs a sample of the
same properties in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import types
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")
# An unreachable --scheduler gives up after this instead of Dask's 30 s default.
os.environ.setdefault("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "3s")
# The cases are forked from this process after it has run every simulation once; GNU OpenMP
# (Numba's default parallel layer here) aborts a forked child, the workqueue layer does not.
# The subprocess cases (signals, pipes) run with the user's default layer.
_USER_LAYER = os.environ.get("NUMBA_THREADING_LAYER")
os.environ["NUMBA_THREADING_LAYER"] = "workqueue"

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

__all__ = [
    "COMMANDS",
    "Case",
    "Outcome",
    "Runner",
    "case_strategy",
    "check",
    "main",
]

COMMANDS = ("run", "config", "path", "show", "plot", "list", "reproduce", "equations", "verify",
            "sweep", "signal")
"""The case families (``--only``): ``config`` is ``run --config``, ``path`` the output paths of
every command, ``signal`` the subprocess cases (SIGINT, SIGTERM, a closed pipe)."""

AREAS = {
    "run": "cli.py/simulations", "config": "cli.py/simulations", "list": "cli.py/simulations",
    "equations": "cli.py/simulations", "verify": "cli.py/simulations",
    "reproduce": "cli.py/simulations", "show": "io.py readers", "plot": "io.py readers",
    "path": "io.py writers", "signal": "io.py writers", "sweep": "sweep",
}
STRAY = re.compile(r"\.(partial|ckpt|lock|tmp)\b|\.partial|\.ckpt|\.lock")
CHEAP_VERIFY = "p2-34"  # one symbolic check of about a second
SPEED_SIMS = ("chains", "holography", "random-nets", "schrodinger", "strings")  # < 0.1 s warm


# -- cases -------------------------------------------------------------------------------------
@dataclass
class Case:
    """One invocation: argv (in removable chunks), the files to create first, what to expect.

    family: the case family (see COMMANDS); chunks: argv as tuples of tokens, the first
    `fixed` of which are never removed when reducing; setup: (kind, path, payload) files made
    in the fresh working folder before the run; expect: "bad" (exit 2 required), "ok" (exit 0
    required) or "any"; outputs: paths a success may create (a folder allows anything below
    it); mode: "fork", "signal" (SIGINT/SIGTERM after `delay` s, then --resume) or "pipe";
    sim: the simulation, if any; label: what was varied, for the report.
    """

    family: str
    chunks: list[tuple[str, ...]]
    fixed: int = 1
    setup: list[tuple[str, str, Any]] = field(default_factory=list)
    expect: str = "any"
    outputs: tuple[str, ...] = ()
    mode: str = "fork"
    sim: str = ""
    label: str = ""
    sig: int = 0
    delay: float = 0.0
    quiet: bool = True

    @property
    def argv(self) -> list[str]:
        return [t for c in self.chunks for t in c]

    def show(self) -> str:
        text = "emergent " + shlex.join(self.argv)
        if self.mode == "signal":
            text += f"  (signal {signal.Signals(self.sig).name} after {self.delay:.1f} s, " \
                    "then --resume)"
        if self.mode == "pipe":
            text += " | head -c 1"
        for kind, path, payload in self.setup:
            text += f"\n      with {kind} {path!r}" + _describe(payload)
        return text


def _describe(payload: Any) -> str:
    if payload is None:
        return ""
    text = repr(payload)
    return ": " + (text if len(text) <= 160 else text[:150] + f"... ({len(text)} chars)")


@dataclass
class Outcome:
    """What a case did: exit status, captured output, time, and whether it was killed."""

    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    signal: int = 0
    note: str = ""


# -- strategies --------------------------------------------------------------------------------
WEIRD_TEXT = [
    "", " ", "abc", "1.5", "1e3", "true", "1,2", "[1]", "{}", "nan", "NaN", "inf", "-inf",
    "1e309", "-1e309", "0x1f", "\u0661\u0662", "5_0", "\x00", "\u202e1", "\U0001f600", "-0",
    "+3", "9" * 5000, "a" * 10000, "1" + "0" * 400, "0.0000000001", "1e-320", "--force",
    "\x1b[31m5", "5\n6", "é", ",", ",,,", "1,,2",
]


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _num_text(p: Any, v: Any) -> str:
    if isinstance(v, tuple | list):
        return ",".join(_num_text(p, x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def _inrange(p: Any, base: Any) -> st.SearchStrategy[str]:
    """Small in-range values (a valid run stays seconds long)."""
    if p.choices is not None:
        return st.sampled_from([str(c) for c in p.choices])
    if p.type == "bool":
        return st.sampled_from(["true", "false", "yes", "0", "on", "OFF"])
    if p.type == "str":
        return st.sampled_from(["", "missing.bin", "junk.bin", "folder", "\u00fc\U0001f600.bin"])
    if p.type in ("ints", "floats"):
        elem = p.type[:-1]
        b = base[0] if base else 1
        one = _scalar_inrange(p, b, elem)
        return st.lists(one, min_size=1, max_size=3).map(lambda xs: ",".join(xs))
    return _scalar_inrange(p, base, p.type)


def _scalar_inrange(p: Any, b: Any, kind: str) -> st.SearchStrategy[str]:
    lo = p.low if p.low is not None else None
    hi = p.high if p.high is not None else None
    if kind == "int":
        b = int(b)
        lo_i = int(lo) + (1 if p.low_open else 0) if lo is not None else b - 10
        if b >= 8:  # a size: stay at most twice the smoke / default value
            top = max(lo_i, 2 * b)
        else:
            top = max(lo_i, b + 3)
        if hi is not None:
            top = min(top, int(hi) - (1 if p.high_open else 0))
        return st.integers(lo_i, max(lo_i, top)).map(str)
    b = float(b)
    lo_f = lo if lo is not None else (b - 2 * abs(b) - 1)
    hi_f = hi if hi is not None else (b + 2 * abs(b) + 1)
    near = _floats(max(lo_f, b / 2 if b > 0 else lo_f), min(hi_f, 2 * b if b > 0 else hi_f))
    edges = [v for v in (lo, hi) if v is not None]
    edges = [v for v, op in zip(edges, (p.low_open, p.high_open), strict=False) if not op]
    parts = [near.map(repr)]
    if edges:
        parts.append(st.sampled_from([repr(float(e)) for e in edges]))
    return st.one_of(*parts)


def _extreme(p: Any) -> st.SearchStrategy[str] | None:
    """In-range values at the edges of the declared range (huge and tiny sizes)."""
    if p.choices is not None or p.type in ("bool", "str"):
        return None
    kind = p.type[:-1] if p.type.endswith("s") else p.type
    cands: list[Any]
    if kind == "int":
        cands = [10**6, 10**9, 2**31, 10**12, 1, 2]
        if p.high is not None:
            cands.append(int(p.high))
        if p.low is not None:
            cands.append(int(p.low))
    else:
        cands = [1e-300, 5e-324, 1e300, 1e12, 1e-12, -1e300, 1.7976931348623157e308]
    good = []
    for c in cands:
        try:
            p.validate((c,) if p.type.endswith("s") else c)
        except ValueError:
            continue
        good.append(str(c))
    return st.sampled_from(good) if good else None


def _outside(p: Any) -> st.SearchStrategy[str] | None:
    """Numbers of the right type outside the declared range."""
    if p.type in ("bool", "str"):
        return None
    kind = p.type[:-1] if p.type.endswith("s") else p.type
    cands: list[str] = []
    if p.low is not None:
        cands += [str(int(p.low) - 1) if kind == "int" else repr(p.low - 1.0),
                  "-1000000000000" if kind == "int" else "-1e300"]
        if p.low_open:
            cands.append(str(int(p.low)) if kind == "int" else repr(float(p.low)))
    if p.high is not None:
        cands += [str(int(p.high) + 1) if kind == "int" else repr(p.high * 2 + 1),
                  str(10**30) if kind == "int" else "1e300"]
        if p.high_open:
            cands.append(str(int(p.high)) if kind == "int" else repr(float(p.high)))
    if p.choices is not None:
        cands += ["none", "LINEAR", str(p.choices[0]).upper() + "x", "0"]
    if kind == "float":
        cands += ["nan", "inf", "-inf", "1e999"]
    return st.sampled_from(cands) if cands else None


def _value(p: Any, base: Any) -> st.SearchStrategy[tuple[str, str]]:
    kinds: list[st.SearchStrategy[tuple[str, str]]] = [
        _inrange(p, base).map(lambda v: ("inrange", v)),
        _inrange(p, base).map(lambda v: ("inrange", v)),
        st.sampled_from(WEIRD_TEXT).map(lambda v: ("weird", v)),
        st.text(max_size=30).map(lambda v: ("text", v)),
    ]
    for kind, strat in (("extreme", _extreme(p)), ("outside", _outside(p))):
        if strat is not None:
            kinds.append(strat.map(lambda v, k=kind: (k, v)))
    return st.one_of(*kinds)


def _registry_rejects(sim: Any, key: str, text: str) -> bool:
    try:
        sim.param(key).parse(text)
    except ValueError:
        return True
    return False


def _smoke_sets(sim: Any, skip: Iterable[str] = ()) -> list[tuple[str, ...]]:
    skip = set(skip)
    return [("--set", f"{k}={_num_text(None, v)}") for k, v in sim.smoke.items() if k not in skip]


@st.composite
def run_cases(draw: Any, sims: dict[str, Any], names: list[str]) -> Case:
    """`emergent run NAME` from the smoke scale with 0-3 parameters fuzzed."""
    name = draw(st.sampled_from(names))
    sim = sims[name]
    params = list(sim.params)
    chosen = draw(st.lists(st.sampled_from(params), max_size=3, unique_by=lambda p: p.name))
    expect, setup, labels = "any", [], []
    muts: list[tuple[str, ...]] = []
    for p in chosen:
        base = sim.smoke.get(p.name, p.default)
        kind, text = draw(_value(p, base))
        muts.append(("--set", f"{p.name}={text}"))
        labels.append(f"{p.name}:{kind}")
        if _registry_rejects(sim, p.name, text):
            expect = "bad"
        if p.name == "mnist_path" and text in ("junk.bin", "folder"):
            setup.append(("bytes", "junk.bin", b"not mnist" * 10) if text == "junk.bin"
                         else ("dir", "folder", None))
    extra = draw(st.sampled_from(["", "", "", "", "unknown", "noeq", "emptykey", "seed",
                                  "interval", "resume", "full"]))
    if extra == "unknown":
        key = draw(st.sampled_from(["nuerons", "Neurons", "x", "seed", "\u00fc", "a" * 300]))
        muts.append(("--set", f"{key}=1"))
        expect = "bad"
    elif extra == "noeq":
        muts.append(("--set", draw(st.sampled_from(["neurons", "", "=5", " =1"]))))
        expect = "bad"
    elif extra == "emptykey":
        muts.append(("--set", "=3"))
        expect = "bad"
    elif extra == "seed":
        s = draw(st.one_of(st.integers(-(2**70), 2**70).map(str),
                           st.sampled_from(["abc", "1.5", "", "nan", "-0", "9" * 400])))
        muts.append(("--seed", s))
        try:
            if not 0 <= int(s) < 2**63:
                expect = "bad"
        except ValueError:
            expect = "bad"
    elif extra == "interval":
        muts.append(("--checkpoint-interval", draw(st.sampled_from(
            ["0", "-1", "nan", "inf", "1e-9", "abc", "1e308"]))))
    elif extra == "resume":
        muts.append(("--resume",))
    elif extra == "full" and expect == "bad":
        muts.append(("--full",))
    labels.append(extra) if extra else None
    quiet = draw(st.integers(0, 9)) > 0
    chunks = [("run", name, "-o", "out.h5", *(("--quiet",) if quiet else ()))]
    chunks += _smoke_sets(sim, {p.name for p in chosen})
    fixed = len(chunks)
    chunks += muts
    return Case("run", chunks, fixed=fixed, setup=setup, expect=expect, outputs=("out.h5",),
                sim=name, label=",".join(labels), quiet=quiet)


TOML_BAD_VALUES = [
    '"abc"', "1.5", "true", "[1, 2]", "{a = 1}", "1979-05-27T07:32:00Z", "nan", "inf", "-inf",
    "99999999999999999999999", "-1", "0", '""', "[[1], [2]]", "'''multi\nline'''",
    "[" * 200 + "]" * 200, "[" * 5000 + "]" * 5000, '"' + "x" * 100000 + '"',
]


@st.composite
def config_cases(draw: Any, sims: dict[str, Any], names: list[str]) -> Case:
    """`emergent run NAME --config FILE.toml` with a hostile config file."""
    name = draw(st.sampled_from(names))
    sim = sims[name]
    kind = draw(st.sampled_from(["valid", "badvalue", "unknown", "seed", "invalid", "bytes",
                                 "nonutf8", "params-not-table", "nested", "path"]))
    keys = [p.name for p in sim.params]
    key = draw(st.sampled_from(keys))
    table = "params" if draw(st.booleans()) else ""
    head = f"[{table}]\n" if table else ""
    cfg_path, setup, expect, mentioned = "c.toml", [], "any", set()
    if kind == "valid":
        seed = draw(st.integers(0, 2**63 - 1))
        body = head + "".join(f"{k} = {json.dumps(list(v) if isinstance(v, tuple) else v)}\n"
                              for k, v in sim.smoke.items()) + f"seed = {seed}\n"
        mentioned = set(sim.smoke)
        expect = "ok"
        data = body.encode()
    elif kind == "badvalue":
        val = draw(st.sampled_from(TOML_BAD_VALUES))
        data = (head + f"{key} = {val}\n").encode()
        mentioned = {key}
        try:
            import tomllib
            parsed = tomllib.loads(data.decode())
            parsed = parsed.get("params", parsed)
            sim.param(key).validate(parsed[key])
        except Exception:  # noqa: BLE001 - any rejection: the CLI must say so with exit 2
            expect = "bad"
    elif kind == "unknown":
        bad_key = draw(st.sampled_from(["nuerons", "Seed", "x.y", '"\u00fc"', "a" * 300]))
        data = (head + f"{bad_key} = 1\n").encode()
        expect = "bad"
    elif kind == "seed":
        val = draw(st.sampled_from(['"abc"', "1.5", "true", "-1", "[1]", "{a=1}", "nan",
                                    str(2**63), str(2**64 + 5), "1979-05-27", '"7"']))
        data = (head + f"seed = {val}\n").encode()
        expect = "bad"
    elif kind == "invalid":
        data = draw(st.sampled_from(["neurons = ", "[params", "= 5", "a = 1\na = 2",
                                     "neurons = 1 2", "[[params]]\n", "x = [1,\n",
                                     "\x00", "k = \"\\q\""])).encode()
        expect = "bad"
    elif kind == "bytes":
        data = draw(st.binary(max_size=64))
        try:
            import tomllib
            tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            expect = "bad"
    elif kind == "nonutf8":
        data = draw(st.sampled_from([b"\xff\xfe\x00n", b"neurons = 5 # \xe9\n",
                                     b"\x80abc = 1", "seed = 1\n".encode("utf-16")]))
        expect = "bad"
    elif kind == "params-not-table":
        data = draw(st.sampled_from([b"params = 3\n", b"params = [1, 2]\n",
                                     b'params = "x"\n'])).decode().encode()
        expect = "bad"
    elif kind == "nested":
        depth = draw(st.sampled_from([50, 500, 5000]))
        data = (f"{key} = " + "[" * depth + "]" * depth + "\n").encode()
        mentioned = {key}
        expect = "bad"
    else:  # path
        which = draw(st.sampled_from(["missing", "dir", "empty-name", "long"]))
        cfg_path = {"missing": "nope/c.toml", "dir": "cdir", "empty-name": "",
                    "long": "c" * 300 + ".toml"}[which]
        if which == "dir":
            setup.append(("dir", "cdir", None))
        data = None
        expect = "bad"
    if data is not None:
        setup.append(("bytes", cfg_path, data))
    chunks = [("run", name, "-o", "out.h5", "--quiet", "--config", cfg_path)]
    chunks += _smoke_sets(sim, mentioned)
    return Case("config", chunks, fixed=len(chunks), setup=setup, expect=expect,
                outputs=("out.h5",), sim=name, label=kind)


PATH_KINDS = ["missing-dir", "is-dir", "is-dir-force", "unwritable", "long-name", "exists",
              "exists-force", "file-as-dir", "wrong-suffix", "unicode", "control", "empty",
              "stale-partial", "stale-partial-force", "trailing-slash", "dash"]


def _unwritable() -> str:
    return "/proc/emergent-fuzz" if os.geteuid() == 0 else "ro"


@st.composite
def path_cases(draw: Any, sims: dict[str, Any], base_runs: dict[str, Path],
               light: bool = False) -> Case:
    """Output paths of every command that writes: run -o, plot -o, equations --write,
    verify --report/--json, reproduce --out, sweep -o."""
    cmds = ["run"] * 4 + ["plot"] * 3 + ["verify", "reproduce"]
    cmd = draw(st.sampled_from(cmds if light else cmds + ["equations", "sweep"]))
    kind = draw(st.sampled_from(PATH_KINDS))
    suffix = {"run": ".h5", "sweep": ".h5", "plot": ".png", "equations": ".md",
              "verify": ".md", "reproduce": ""}[cmd]
    setup: list[tuple[str, str, Any]] = []
    target, expect, force = "out" + suffix, "ok", False
    if kind == "missing-dir":
        target, expect = "nope/deeper/out" + suffix, "bad"
        if cmd == "reproduce":
            expect = "ok"  # --out makes its folder
    elif kind in ("is-dir", "is-dir-force"):
        target, expect, force = "d" + suffix, "bad", kind.endswith("force")
        setup.append(("dir", target, None))
        if cmd == "reproduce":
            expect = "ok"
    elif kind == "unwritable":
        ro = _unwritable()
        if ro == "ro":
            setup.append(("readonly", "ro", None))
        target, expect = f"{ro}/out{suffix}", "bad"
    elif kind == "long-name":
        target, expect = "x" * 300 + suffix, "bad"
    elif kind in ("exists", "exists-force"):
        force = kind.endswith("force")
        setup.append(("bytes", target, b"precious data\n"))
        expect = "ok" if (force or cmd in ("equations", "verify", "reproduce", "plot")) \
            else "bad"
        if cmd == "reproduce":
            setup[-1] = ("dir", target, None)
    elif kind == "file-as-dir":
        setup.append(("bytes", "f", b"x"))
        target, expect = "f/out" + suffix, "bad"
    elif kind == "wrong-suffix":
        target = "out.txt" if cmd != "plot" else "out.h5"
        expect = "bad" if cmd in ("run", "sweep", "plot") else "ok"
    elif kind == "unicode":
        target = "\u00fc\u540d\U0001f600" + suffix
    elif kind == "control":
        target = "a\nb\x1b[31m\x07" + suffix
    elif kind == "empty":
        target, expect = "", "bad" if cmd != "reproduce" else "any"
    elif kind.startswith("stale-partial"):
        force = kind.endswith("force")
        if cmd in ("run", "sweep"):
            setup.append(("bytes", f".out{suffix}.partial", b"half a file"))
        expect = "any"
    elif kind == "trailing-slash":
        target, expect = "out" + suffix + "/", "any"
    elif kind == "dash":
        target, expect = "-x" + suffix, "any"
    fixed = 1
    if cmd == "run":
        sim = sims["chains"]
        chunks = [("run", "chains", "-o", target, "--quiet")] + _smoke_sets(sim)
        fixed = len(chunks)
        if force:
            chunks.append(("--force",))
    elif cmd == "sweep":
        sim = sims["holography"]
        chunks = [("sweep", "holography", "-o", target, "--quiet", "--workers", "1",
                   "--grid", "crossings=1,2")] + _smoke_sets(sim, {"crossings"})
        fixed = len(chunks)
        if force:
            chunks.append(("--force",))
    elif cmd == "plot":
        setup.append(("copy", "run.h5", str(base_runs["chains"])))
        chunks = [("plot", "run.h5", "-o", target)]
    elif cmd == "equations":
        chunks = [("equations", "--write", target)]
    elif cmd == "verify":
        opt = draw(st.sampled_from(["--report", "--json"]))
        chunks = [("verify", "--only", CHEAP_VERIFY, opt, target)]
    else:
        chunks = [("reproduce", "--only", "holography", "--smoke", "--no-verify", "--quiet",
                   "--out", target)]
    outputs = (target.rstrip("/"),) if target else ((".",) if cmd == "reproduce" else ())
    if cmd == "sweep" and target:
        outputs += (target[:-3] + ".runs", target + ".runs", Path(target).stem + ".runs")
    if cmd == "plot" and kind == "exists":
        expect = "ok"
    if kind in ("exists", "exists-force") and expect == "ok" and cmd == "run":
        pass
    return Case("path", chunks, fixed=fixed, setup=setup, expect=expect, outputs=outputs,
                sim=cmd, label=f"{cmd}:{kind}")


# crafted HDF5 files: (kind, details) mutations applied to a copy of a finished run
H5_ATTR_MUTATIONS: list[tuple[str, str, Any]] = [
    ("del", "format", None), ("del", "simulation", None), ("del", "seed", None),
    ("del", "params_json", None), ("del", "completed", None), ("del", "equations", None),
    ("del", "summary", None),
    ("set", "simulation", "nope"), ("set", "simulation", 5), ("set", "simulation", ""),
    ("set", "simulation", ["a", "b"]), ("set", "seed", "abc"), ("set", "seed", 1.5),
    ("set", "seed", -1), ("set", "seed", "1e400"), ("set", "seed", [1, 2]),
    ("set", "seed", float("nan")), ("set", "params_json", "[1, 2]"),
    ("set", "params_json", "3"), ("set", "params_json", '"x"'), ("set", "params_json", "{"),
    ("set", "params_json", "null"), ("set", "params_json", "{}"),
    ("set", "params_json", "[" * 100 + "]" * 100),
    ("set", "params_json", "[" * 100000 + "]" * 100000),
    ("set", "params_json", '{"a":' * 5000 + "1" + "}" * 5000),
    ("set", "params_json", b"\xff\xfe{}"), ("set", "params_json", 7),
    ("set", "format", "emergent-run/2"), ("set", "format", 5),
    ("set", "summary", "\x1b[2J\x1b[31mred\x07"), ("set", "equations", 5),
    ("set", "equations", "one string"), ("set", "created", "\r\x1b]0;title\x07"),
    ("set", "emergent_version", "\x1b[1A\x1b[2K"), ("set", "param.neurons", "\x1b[31m"),
]
H5_DATA_MUTATIONS = ["strings", "2d", "empty", "delete", "group", "ext-link", "ext-link-self",
                     "ext-storage", "virtual", "huge", "huge-2d", "soft-loop", "results-attr",
                     "nan"]
H5_FILE_MUTATIONS = ["truncated", "random", "empty", "text", "directory", "missing"]


@st.composite
def h5_cases(draw: Any, family: str, base_runs: dict[str, Path],
             datasets: dict[str, list[str]]) -> Case:
    """`emergent show` / `emergent plot` on a crafted copy of a finished run."""
    name = draw(st.sampled_from(sorted(base_runs)))
    level = draw(st.sampled_from(["attr", "attr", "data", "data", "file"]))
    muts: list[Any] = []
    expect = "any"
    if level == "attr":
        muts = draw(st.lists(st.sampled_from(H5_ATTR_MUTATIONS), min_size=1, max_size=2))
        if any(_malformed(m, family) for m in muts):
            expect = "bad"
    elif level == "data":
        kind = draw(st.sampled_from(H5_DATA_MUTATIONS))
        target = draw(st.sampled_from(datasets[name]))
        muts = [("data", kind, target)]
        if kind in ("ext-link", "ext-link-self", "ext-storage", "virtual"):
            expect = "bad"
    else:
        kind = draw(st.sampled_from(H5_FILE_MUTATIONS))
        cut = draw(st.integers(0, 4096)) if kind == "truncated" else 0
        muts = [("file", kind, cut)]
        expect = "bad"
    setup = [("crafted", "run.h5", (str(base_runs[name]), tuple(muts)))]
    chunks: list[tuple[str, ...]] = [(family, "run.h5")]
    outputs: tuple[str, ...] = ()
    if family == "plot":
        out = draw(st.sampled_from(["", "fig.png", "fig.svg", "fig.pdf"]))
        if out:
            chunks.append(("-o", out))
        outputs = (out or "run.png",)
    label = "+".join(f"{m[0]}:{m[1]}" for m in muts)
    return Case(family, chunks, fixed=1, setup=setup, expect=expect, outputs=outputs, sim=name,
                label=label)


def _malformed(mut: tuple[str, str, Any], family: str) -> bool:
    """Whether an attribute mutation makes the file one that `family` must refuse (exit 2)."""
    level, name, value = mut
    if name not in ("format", "simulation", "seed", "params_json", "completed"):
        return False
    if level == "del":
        return True
    if name == "params_json" and value == "{}":
        return False
    if name == "simulation" and isinstance(value, str) and family == "show":
        return False  # show can print a run of a simulation this version does not know
    return True


ARG_WORDS = ["list", "lst", "RUN", "show", "plot", "--version", "-h", "--help", "-o", "--set",
             "--force", "--only", "--write", "--", "-", "\u00fc", "x" * 300, "equations"]


@st.composite
def list_cases(draw: Any) -> Case:
    """`emergent list`, top-level garbage, --version, --help."""
    kind = draw(st.sampled_from(["list", "list-extra", "top", "top", "empty"]))
    if kind == "list":
        return Case("list", [("list",)], expect="ok", label="list")
    if kind == "list-extra":
        extra = draw(st.lists(st.one_of(st.sampled_from(ARG_WORDS), st.text(max_size=10)),
                              min_size=1, max_size=3))
        exp = "any" if any(e in ("-h", "--help") for e in extra) else "bad"
        return Case("list", [("list",), *[(e,) for e in extra]], expect=exp, label="list-extra")
    if kind == "empty":
        return Case("list", [()], fixed=1, expect="bad", label="no-args")
    first = draw(st.one_of(st.sampled_from(["lst", "RUN", "--version", "-h", "--help", "",
                                            "\x1b[31m", "x" * 300, "--", "-"]),
                           st.text(min_size=1, max_size=12).filter(
                               lambda t: t not in ("run", "show", "plot", "list", "reproduce",
                                                   "equations", "verify", "sweep"))))
    rest = draw(st.lists(st.sampled_from(ARG_WORDS), max_size=3))
    return Case("list", [(first,), *[(r,) for r in rest]], expect="any", label="top-level")


@st.composite
def reproduce_cases(draw: Any, names: list[str]) -> Case:
    """`emergent reproduce --only ...` (smoke scale, cheap simulations)."""
    kind = draw(st.sampled_from(["valid", "unknown", "seed", "full-smoke", "empty-only",
                                 "mixed", "flags"]))
    expect = "any"
    if kind == "valid":
        only = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        chunks = [("reproduce", "--only", *only, "--smoke", "--no-verify", "--quiet")]
        return Case("reproduce", chunks, expect="any", outputs=("data",), label="valid")
    if kind == "unknown":
        bad = draw(st.sampled_from(["nope", "", "\u00fc", "x" * 300, "Chains", "-x", "\x1b[1m"]))
        chunks = [("reproduce", "--only", bad, "--smoke", "--quiet")]
        expect = "bad"
    elif kind == "seed":
        seed = draw(st.sampled_from(["-1", str(2**64), "abc", "1.5", "", str(-(2**70))]))
        chunks = [("reproduce", "--only", "holography", "--smoke", "--no-verify", "--quiet"),
                  ("--seed", seed)]
        expect = "bad"
    elif kind == "full-smoke":
        chunks = [("reproduce", "--only", "holography", "--smoke", "--full", "--quiet")]
        expect = "bad"
    elif kind == "empty-only":
        chunks = [("reproduce", "--only")]
        expect = "bad"
    elif kind == "mixed":
        chunks = [("reproduce", "--only", "holography", "nope", "--smoke", "--no-verify",
                   "--quiet")]
        expect = "bad"
    else:
        chunks = [("reproduce", "--only", "holography", "--smoke", "--no-verify", "--quiet",
                   draw(st.sampled_from(["--bogus", "--out", "--seed"])))]
        expect = "bad"
    return Case("reproduce", chunks, expect=expect, outputs=("data",), label=kind)


@st.composite
def equations_cases(draw: Any) -> Case:
    kind = draw(st.sampled_from(["print", "extra", "write-no-arg", "unknown-opt"]))
    if kind == "print":
        return Case("equations", [("equations",)], expect="ok", label=kind)
    if kind == "extra":
        return Case("equations", [("equations", draw(st.sampled_from(["x", "-x", "\u00fc"])))],
                    expect="bad", label=kind)
    if kind == "write-no-arg":
        return Case("equations", [("equations", "--write")], expect="bad", label=kind)
    return Case("equations", [("equations", "--bogus")], expect="bad", label=kind)


@st.composite
def verify_cases(draw: Any) -> Case:
    kind = draw(st.sampled_from(["cheap", "nomatch", "dim", "bad-opt", "report-missing"]))
    if kind == "cheap":
        return Case("verify", [("verify", "--only", CHEAP_VERIFY)], expect="ok", label=kind)
    if kind == "nomatch":
        pat = draw(st.one_of(st.sampled_from(["zzz-none", "\u00fc\u00fc\u00fc", "x" * 300,
                                              "\x1b[31m", "p9-99"]),
                             st.text(alphabet="qwxzQWXZ", min_size=6, max_size=10)))
        return Case("verify", [("verify", "--only", pat)], expect="bad", label=kind)
    if kind == "dim":
        dim = draw(st.sampled_from(["1", "5", "x", "", "3.0", "-3"]))
        return Case("verify", [("verify", "--only", CHEAP_VERIFY, "--dim", dim)], expect="bad",
                    label=kind)
    if kind == "bad-opt":
        return Case("verify", [("verify", draw(st.sampled_from(["--bogus", "--only", "x y"])))],
                    expect="bad", label=kind)
    return Case("verify", [("verify", "--only", CHEAP_VERIFY, "--json", "nope/v.json")],
                expect="bad", label=kind)


GRID_BAD = ["crossings=1:2", "crossings=a:b:3", "crossings=1:2:0", "crossings=1:2:-1",
            "crossings=0:100:1000000000", "crossings=1,2,nan", "crossings=", "=1,2",
            "nope=1,2", "eps=0.9,0.95", "crossings=1:2:3:lin", "crossings=0:10:5:log",
            "crossings=1:1e400:3", "crossings=1,1,1", "crossings=\u00fc", "crossings",
            "chains=1:1000000:1000000", "crossings=-5,-1", "min_length=1:2:2.5"]


@st.composite
def sweep_cases(draw: Any, sims: dict[str, Any], light: bool = False) -> Case:
    """`emergent sweep` (mostly bad input; rarely a tiny valid sweep on one worker)."""
    sim = sims["holography"]
    kinds = ["grid", "grid", "grid", "seeds", "workers", "no-grid", "twice", "fixed-and-swept"]
    kind = draw(st.sampled_from(kinds if light else kinds + ["scheduler", "valid"]))
    base = [("sweep", "holography", "-o", "s.h5", "--quiet")]
    sets = _smoke_sets(sim, {"crossings"})
    expect = "bad"
    if kind == "grid":
        grids = draw(st.lists(st.one_of(st.sampled_from(GRID_BAD),
                                        st.text(max_size=20).map(lambda t: "crossings=" + t)),
                              min_size=1, max_size=2))
        extra = [("--grid", g) for g in grids]
        expect = "any"
    elif kind == "seeds":
        extra = [("--grid", "crossings=1,2"),
                 ("--seeds", draw(st.sampled_from(["0", "-1", "1000000000", "abc", "1.5"])))]
        expect = "bad"
    elif kind == "workers":
        extra = [("--grid", "crossings=1,2"),
                 ("--workers", draw(st.sampled_from(["0", "-1", "abc", "1e9"])))]
    elif kind == "scheduler":
        sched = draw(st.sampled_from(["tcp://127.0.0.1:1", "garbage://", "nope.json",
                                      "sched.json", "", "\u00fc"]))
        extra = [("--grid", "crossings=1,2"), ("--scheduler", sched)]
        if not sched:  # an empty --scheduler means a local cluster: keep it to one worker
            extra.append(("--workers", "1"))
        expect = "bad"
    elif kind == "no-grid":
        extra = []
    elif kind == "twice":
        extra = [("--grid", "crossings=1,2"), ("--grid", "crossings=3,4")]
    elif kind == "fixed-and-swept":
        extra = [("--grid", "crossings=1,2"), ("--set", "crossings=3")]
    else:
        extra = [("--grid", "crossings=1,2"), ("--workers", "1")]
        expect = "ok"
        if draw(st.booleans()):
            extra[0] = ("--grid", "crossings=1")
    setup = [("bytes", "sched.json", b"{not json")] if kind == "scheduler" else []
    return Case("sweep", base + sets + extra, fixed=1 + len(sets), setup=setup, expect=expect,
                outputs=("s.h5", "s.runs"), sim="holography", label=kind)


@st.composite
def signal_cases(draw: Any, sims: dict[str, Any], base_runs: dict[str, Path]) -> Case:
    """SIGINT / SIGTERM during a run (then --resume), and readers that close the pipe."""
    kind = draw(st.sampled_from(["run", "run", "pipe"]))
    if kind == "pipe":
        cmd = draw(st.sampled_from(["show", "list", "equations"]))
        setup = [("copy", "run.h5", str(base_runs["chains"]))] if cmd == "show" else []
        chunks = [(cmd, "run.h5")] if cmd == "show" else [(cmd,)]
        return Case("signal", chunks, setup=setup, mode="pipe", expect="ok", label=f"pipe:{cmd}")
    sig = draw(st.sampled_from([signal.SIGINT, signal.SIGTERM]))
    delay = draw(st.sampled_from([0.5, 1.5, 2.5, 3.5]))
    chunks = [("run", "chains", "-o", "out.h5", "--quiet", "--checkpoint-interval", "0.2",
               "--set", "neurons=16384", "--set", "steps=2048", "--set", "record_every=64",
               "--set", "show=64")]
    return Case("signal", chunks, mode="signal", sig=int(sig), delay=delay,
                outputs=("out.h5",), sim="chains", label=f"{signal.Signals(sig).name}")


def case_strategy(only: Iterable[str], sims: dict[str, Any], base_runs: dict[str, Path],
                  datasets: dict[str, list[str]], weights: dict[str, int] | None = None,
                  light: bool = False) -> st.SearchStrategy[Case]:
    """The strategy of cases of the families in `only`, weighted.

    Parameters
    ----------
    only : iterable of str
        Case families (see COMMANDS).
    sims : dict
        ``emergent.simulations()``.
    base_runs : dict of str to Path
        A finished smoke run per simulation (the seeds of the crafted files).
    datasets : dict of str to list of str
        The dataset paths of each base run.
    weights : dict of str to int, optional
        Relative frequency of each family.
    light : bool
        Only the cheap variants (for CI): simulations that run in well under a second, no
        local Dask cluster, no unreachable scheduler, no ledger rebuilds.

    Returns
    -------
    SearchStrategy of Case
    """
    names = sorted(sims) if not light else [n for n in SPEED_SIMS if n in sims]
    cheap = [n for n in SPEED_SIMS if n in sims]
    w = {"run": 30, "config": 10, "path": 12, "show": 10, "plot": 10, "list": 4,
         "reproduce": 4, "equations": 2, "verify": 4, "sweep": 6, "signal": 2}
    w.update(weights or {})
    makers: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
        "run": lambda: run_cases(sims, names),
        "config": lambda: config_cases(sims, cheap),
        "path": lambda: path_cases(sims, base_runs, light),
        "show": lambda: h5_cases("show", base_runs, datasets),
        "plot": lambda: h5_cases("plot", base_runs, datasets),
        "list": lambda: list_cases(),
        "reproduce": lambda: reproduce_cases(cheap),
        "equations": lambda: equations_cases(),
        "verify": lambda: verify_cases(),
        "sweep": lambda: sweep_cases(sims, light),
        "signal": lambda: signal_cases(sims, base_runs),
    }
    pool = [makers[f]() for f in only for _ in range(w.get(f, 1))]
    return st.one_of(*pool)


# -- preparing files ---------------------------------------------------------------------------
def prepare_base_runs(names: Iterable[str], folder: Path) -> tuple[dict[str, Path],
                                                                  dict[str, list[str]]]:
    """Run each simulation once at smoke scale (this also compiles its kernels in this process,
    so the forked cases start warm) and draw its figure once.

    Parameters
    ----------
    names : iterable of str
        Simulations.
    folder : Path
        Where the files go.

    Returns
    -------
    base_runs : dict of str to Path
        The finished run files.
    datasets : dict of str to list of str
        Their dataset paths.
    """
    import h5py

    from emergent.cli import main as cli_main

    sims = _sims()
    folder.mkdir(parents=True, exist_ok=True)
    runs, datasets = {}, {}
    for name in names:
        out = folder / f"{name}.h5"
        if not out.exists():
            argv = ["run", name, "-o", str(out), "--quiet"]
            for chunk in _smoke_sets(sims[name]):
                argv += chunk
            with contextlib.redirect_stdout(None):
                rc = cli_main(argv)
            if rc != 0:
                raise RuntimeError(f"the smoke run of {name} failed (exit {rc}): the fuzz "
                                   "needs it as a base")
            with contextlib.redirect_stdout(None):
                cli_main(["plot", str(out), "-o", str(folder / f"{name}.png")])
        runs[name] = out
        found: list[str] = []
        with h5py.File(out, "r") as f:
            f.visititems(lambda n, o, found=found: found.append(n)
                         if isinstance(o, h5py.Dataset) else None)
        datasets[name] = sorted(found)
    _warm()
    return runs, datasets


def _warm() -> None:
    """Import (and run once) what the other commands load, so that forked cases start warm."""
    import importlib

    for module in ("emergent.runs.reproduce", "emergent.runs.figures", "emergent.runs.ledger",
                   "emergent.runs.sweep", "emergent.runs.sweep.driver", "distributed"):
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    with contextlib.suppress(ImportError), contextlib.redirect_stdout(None):
        from emergent.symbolic.verify import main as verify_main

        verify_main(["--only", CHEAP_VERIFY])


def _sims() -> dict[str, Any]:
    import emergent

    return dict(emergent.simulations())


def _craft(path: Path, base: str, muts: tuple[Any, ...]) -> None:
    import h5py
    import numpy as np

    for level, kind, arg in muts:
        if level == "file":
            if kind == "truncated":
                path.write_bytes(Path(base).read_bytes()[:arg])
            elif kind == "random":
                path.write_bytes(hashlib.sha256(b"fuzz").digest() * 64)
            elif kind == "empty":
                path.write_bytes(b"")
            elif kind == "text":
                path.write_text("this is not HDF5\n")
            elif kind == "directory":
                path.mkdir()
            return
    shutil.copyfile(base, path)
    with h5py.File(path, "a") as f:
        for level, kind, arg in muts:
            if level == "del":
                if kind in f.attrs:
                    del f.attrs[kind]
            elif level == "set":
                if isinstance(arg, bytes):
                    f.attrs[kind] = np.void(arg)
                elif isinstance(arg, list) and arg and isinstance(arg[0], str):
                    f.attrs[kind] = np.array(arg, dtype=h5py.string_dtype())
                else:
                    f.attrs[kind] = arg
            elif level == "data":
                _craft_data(f, path, kind, arg)


def _craft_data(f: Any, path: Path, kind: str, target: str) -> None:
    import h5py
    import numpy as np

    def drop() -> None:
        if target in f:
            del f[target]

    if kind == "strings":
        drop()
        f.create_dataset(target, data=np.array(["a", "b\x1b[31m"], dtype=h5py.string_dtype()))
    elif kind == "2d":
        drop()
        f.create_dataset(target, data=np.zeros((3, 5, 2)))
    elif kind == "empty":
        drop()
        f.create_dataset(target, shape=(0,), dtype="f8")
    elif kind == "delete":
        drop()
    elif kind == "group":
        drop()
        f.create_group(target)
    elif kind == "ext-link":
        secret = path.with_name("secret.h5")
        with h5py.File(secret, "w") as g:
            g["x"] = np.arange(100.0)
        drop()
        f[target] = h5py.ExternalLink(secret.name, "/x")
    elif kind == "ext-link-self":
        drop()
        f[target] = h5py.ExternalLink("/etc/passwd", "/x")
    elif kind == "ext-storage":
        secret = path.with_name("secret.bin")
        secret.write_bytes(b"SECRET" * 200)
        drop()
        f.create_dataset(target, shape=(100,), dtype="f8", external=[(secret.name, 0, 800)])
    elif kind == "virtual":
        other = path.with_name("other.h5")
        with h5py.File(other, "w") as g:
            g["x"] = np.arange(10.0)
        layout = h5py.VirtualLayout(shape=(10,), dtype="f8")
        layout[:] = h5py.VirtualSource(other.name, "x", shape=(10,))
        drop()
        f.create_virtual_dataset(target, layout)
    elif kind == "huge":
        drop()
        f.create_dataset(target, shape=(10**12,), dtype="f8", chunks=(4096,))
    elif kind == "huge-2d":
        drop()
        f.create_dataset(target, shape=(10**6, 10**6), dtype="f8", chunks=(64, 64))
    elif kind == "soft-loop":
        drop()
        f[target] = h5py.SoftLink("/" + target)
    elif kind == "results-attr":
        grp = f.require_group("results")
        grp.attrs["evil\x1b[31m"] = "\x1b]52;c;ZXZpbA==\x07"
    elif kind == "nan":
        ds = f[target]
        if ds.dtype.kind == "f" and ds.size:
            data = ds[()]
            data.flat[0] = np.nan
            ds[...] = data


def make_setup(case: Case, work: Path) -> None:
    """Create the files `case.setup` names inside `work`.

    Parameters
    ----------
    case : Case
        The case.
    work : Path
        Its fresh working folder.
    """
    for kind, rel, payload in case.setup:
        path = work / rel
        if kind == "bytes":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
        elif kind == "dir":
            path.mkdir(parents=True, exist_ok=True)
        elif kind == "readonly":
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o555)
        elif kind == "copy":
            shutil.copyfile(payload, path)
        elif kind == "crafted":
            _craft(path, payload[0], payload[1])


# -- running -----------------------------------------------------------------------------------
class Runner:
    """Runs cases in forked children (or subprocesses), each in a fresh folder under `root`.

    Parameters
    ----------
    root : Path
        A scratch folder.
    timeout : float
        Seconds before a case is killed (a time-out is a failure).
    memory : int
        Address-space limit of a case, bytes (a huge allocation fails instead of swapping).
    """

    def __init__(self, root: Path, timeout: float = 20.0, memory: int = 8 << 30) -> None:
        self.root = root
        self.timeout = timeout
        self.memory = memory
        self.count = 0

    def fresh(self) -> Path:
        self.count += 1
        work = self.root / f"case{self.count}"
        work.mkdir(parents=True)
        return work

    def run(self, case: Case, work: Path, timeout: float | None = None) -> Outcome:
        timeout = self.timeout if timeout is None else timeout
        if case.mode == "fork":
            return self._fork(case.argv, work, timeout)
        if case.mode == "pipe":
            return self._pipe(case.argv, work, timeout)
        return self._signal(case, work, timeout)

    def _fork(self, argv: list[str], work: Path, timeout: float) -> Outcome:
        out_path, err_path = work.parent / (work.name + ".out"), work.parent / (work.name + ".err")
        sys.stdout.flush()
        sys.stderr.flush()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            rc = 1
            try:
                os.setpgid(0, 0)
                os.chdir(work)
                if self.memory:
                    resource.setrlimit(resource.RLIMIT_AS, (self.memory, self.memory))
                fo = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                fe = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(fo, 1)
                os.dup2(fe, 2)
                # new text streams on fds 1 and 2 (pytest replaces sys.stdout / sys.stderr)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                                  buffering=1, closefd=False)
                sys.stdin = open(os.devnull)  # noqa: SIM115
                # as under `python -m emergent`: processes spawned by the case (Dask workers)
                # must not re-import this script or pytest as their __main__
                sys.modules["__main__"] = types.ModuleType("__main__")
                from emergent.cli import main as cli_main

                try:
                    rc = cli_main(argv)
                except SystemExit as exc:  # what `python -m emergent` would do with it
                    rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None
                                                                     else 1)
                    if exc.code is not None and not isinstance(exc.code, int):
                        print(exc.code, file=sys.stderr)
                except BaseException:  # noqa: BLE001 - the interpreter would print this
                    traceback.print_exc()
                    rc = 1
                try:
                    sys.stdout.flush()
                except BaseException:  # noqa: BLE001
                    traceback.print_exc()
                    rc = 120
                sys.stderr.flush()
            finally:
                os._exit(rc if isinstance(rc, int) else 1)
        rc, sig, timed_out = self._wait(pid, t0, timeout)
        seconds = time.monotonic() - t0
        return Outcome(rc, _read(out_path), _read(err_path), seconds, timed_out, sig)

    @staticmethod
    def _wait(pid: int, t0: float, timeout: float) -> tuple[int | None, int, bool]:
        delay = 0.002
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - t0 > timeout:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                return None, 0, True
            time.sleep(delay)
            delay = min(delay * 1.5, 0.05)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # leftovers of the case (Dask workers, ...)
        if os.WIFSIGNALED(status):
            return None, os.WTERMSIG(status), False
        return os.WEXITSTATUS(status), 0, False

    @staticmethod
    def _env() -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        env.pop("EMERGENT_DEBUG", None)
        env.pop("NUMBA_THREADING_LAYER", None)
        if _USER_LAYER:
            env["NUMBA_THREADING_LAYER"] = _USER_LAYER
        return env

    def _pipe(self, argv: list[str], work: Path, timeout: float) -> Outcome:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "emergent", *argv], cwd=work,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self._env(), start_new_session=True)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.read(1)
        proc.stdout.close()  # `| head -c 1`
        try:
            err = proc.stderr.read()
            proc.wait(timeout=max(1.0, timeout - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return Outcome(None, "", "", time.monotonic() - t0, True)
        rc = proc.returncode
        return Outcome(rc if rc >= 0 else None, first.decode(errors="replace"),
                       err.decode(errors="replace"), time.monotonic() - t0, False,
                       -rc if rc < 0 else 0)

    def _signal(self, case: Case, work: Path, timeout: float) -> Outcome:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "emergent", *case.argv], cwd=work,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self._env(), start_new_session=True)
        time.sleep(case.delay)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(case.sig)
        try:
            out, err = proc.communicate(timeout=max(5.0, timeout))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return Outcome(None, out.decode(errors="replace"), err.decode(errors="replace"),
                           time.monotonic() - t0, True)
        rc = proc.returncode
        return Outcome(rc if rc >= 0 else None, out.decode(errors="replace"),
                       err.decode(errors="replace"), time.monotonic() - t0, False,
                       -rc if rc < 0 else 0)


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    with contextlib.suppress(OSError):
        path.unlink()
    return data.decode("utf-8", errors="replace")


def snapshot(work: Path) -> dict[str, tuple[int, str]]:
    """Every file and folder below `work`: relative path -> (size, digest of the content).

    Parameters
    ----------
    work : Path
        A case's working folder.

    Returns
    -------
    dict of str to (int, str)
    """
    found: dict[str, tuple[int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(work):
        rel_dir = os.path.relpath(dirpath, work)
        for d in dirnames:
            found[os.path.normpath(os.path.join(rel_dir, d)) + "/"] = (0, "dir")
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            try:
                st_ = os.lstat(full)
                if stat.S_ISREG(st_.st_mode) and st_.st_size <= 64 << 20:
                    with open(full, "rb") as fh:
                        digest = hashlib.blake2b(fh.read(), digest_size=8).hexdigest()
                else:
                    digest = f"size:{st_.st_size}"
                found[rel] = (st_.st_size, digest)
            except OSError:
                found[rel] = (-1, "unreadable")
    return found


# -- the oracle --------------------------------------------------------------------------------
ALLOWED = {"run": {0, 2, 3}, "config": {0, 2, 3}, "path": {0, 1, 2, 3}, "show": {0, 2},
           "plot": {0, 2}, "list": {0, 2}, "equations": {0, 2}, "verify": {0, 1, 2},
           "reproduce": {0, 1, 2, 3}, "sweep": {0, 1, 2, 3}, "signal": {0, 2, 3, 130}}


def _lines(text: str) -> list[str]:
    return [line for line in re.split(r"[\r\n]+", text) if line.strip()]


def _norm(text: str) -> str:
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "Q", text)
    text = re.sub(r"\d+(\.\d+)?(e[+-]?\d+)?", "N", text)
    return text[:90]


def check(case: Case, out: Outcome, before: dict[str, tuple[int, str]],
          after: dict[str, tuple[int, str]]) -> list[tuple[str, str]]:
    """The oracle: the problems of one case, each as (kind, normalised detail).

    Parameters
    ----------
    case : Case
        The case.
    out : Outcome
        What it did.
    before, after : dict
        :func:`snapshot` of its working folder before and after.

    Returns
    -------
    list of (str, str)
        Empty when the case passed.
    """
    problems: list[tuple[str, str]] = []
    err = out.stderr
    lines = _lines(err)
    if out.timed_out:
        problems.append(("timeout", f"still running after the time limit ({out.seconds:.0f} s)"))
    if out.signal and case.mode == "signal" and out.signal == case.sig == signal.SIGINT:
        out = Outcome(130, out.stdout, out.stderr, out.seconds)  # a shell shows 130 too
    if out.signal:
        problems.append(("crash", f"killed by signal {signal.Signals(out.signal).name}"))
    if "Traceback (most recent call last)" in err:
        tb = [ln for ln in err.splitlines() if ln.strip()]
        where = [ln.strip() for ln in tb if ln.strip().startswith("File ")]
        last_emergent = next((w for w in reversed(where) if "emergent" in w), where[-1]
                             if where else "")
        frame = re.sub(r'File ".*?/(emergent/[^"]+)", line (\d+), in (\S+)', r"\1:\2 \3",
                       last_emergent)
        exc = next((ln for ln in reversed(tb) if re.match(r"^[\w.]+(Error|Exception|Warning|"
                                                          r"Interrupt|Exit)\b", ln)), tb[-1])
        problems.append(("traceback", f"{exc.split(':')[0]} at {frame}"))
    m = re.search(r"internal error: (\w+)", err)
    if m:
        problems.append(("internal-error", m.group(1)))
    if "Unable to allocate" in err:
        problems.append(("raw-allocation", "a raw numpy MemoryError (no estimate before "
                                           "allocating)"))
    rc = out.rc
    if rc is not None and not out.timed_out:
        allowed = set(ALLOWED[case.family])
        if case.mode == "signal":
            allowed = {0, 130}
        if rc not in allowed:
            problems.append(("exit-status", f"exit {rc}"))
        elif case.expect == "bad" and rc != 2:
            problems.append(("not-refused", f"exit {rc} where bad input must give 2"))
        elif case.expect == "ok" and rc != 0:
            problems.append(("refused-valid", f"exit {rc}: {_norm(lines[-1] if lines else '')}"))
        if rc != 0 and case.quiet and not m and "Traceback" not in err:
            if not lines:
                if rc != 1:
                    problems.append(("silent-failure", f"exit {rc} with nothing on stderr"))
            elif len(lines) == 1 and not lines[0].startswith("emergent: "):
                problems.append(("wrong-prefix", _norm(lines[0])[:60]))
            elif len(lines) > 1 or not lines[0].startswith("emergent: "):
                first = next((ln for ln in lines if not ln.startswith("emergent: ")), lines[0])
                problems.append(("not-one-line", f"{len(lines)} line(s), e.g. "
                                                 f"{_norm(first)[:70]!r}"))
        if rc == 0 and case.quiet and lines and case.mode == "fork" and \
                "Traceback" not in err:
            problems.append(("stderr-on-success", _norm(lines[0])[:70]))
    if case.family == "show" and rc == 0:
        bad = {c for c in out.stdout if unicodedata.category(c) == "Cc" and c not in "\n\t"}
        if bad:
            problems.append(("raw-control-chars", "show printed " + ", ".join(
                sorted(repr(c) for c in bad))))
    if any(k in ("traceback", "internal-error", "crash", "timeout") for k, _ in problems):
        problems = [(k, d) for k, d in problems
                    if k not in ("exit-status", "not-refused", "refused-valid", "not-one-line")]
    problems += _file_problems(case, out, before, after)
    return problems


def _file_problems(case: Case, out: Outcome, before: dict[str, tuple[int, str]],
                   after: dict[str, tuple[int, str]]) -> list[tuple[str, str]]:
    problems = []
    new = sorted(set(after) - set(before))
    gone = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k]
                     and not k.endswith("/"))
    success = out.rc == 0 and not out.timed_out
    if out.rc == 1 and case.family in ("reproduce", "verify", "sweep"):
        success = True  # failed checks or points: the summary / sweep file is still written

    def allowed_output(entry: str) -> bool:
        rel = entry.rstrip("/")
        for o in case.outputs:
            o = os.path.normpath(o) if o else o
            if o == "." or (entry.endswith("/") and (o + "/").startswith(rel + "/")):
                return True  # anything in the current folder, or a folder made for an output
            if o and (rel == o or rel.startswith(o + "/")):
                return True
        return False

    strays = [p for p in new if STRAY.search(os.path.basename(p.rstrip("/")))]
    if case.mode == "signal" and out.rc == 130:
        strays = [p for p in strays if ".ckpt" not in p]
    for p in strays:
        problems.append(("stray-file", _pattern(p)))
    if success:
        extra = [p for p in new if p not in strays and not allowed_output(p)]
        for p in extra:
            problems.append(("unexpected-file", _pattern(p)))
    else:
        if case.mode == "signal" and out.rc == 130:
            new = [p for p in new if ".ckpt" not in p and p not in strays]
        else:
            new = [p for p in new if p not in strays]
        for p in new:
            problems.append(("left-behind", _pattern(p)))
        for p in gone + changed:
            problems.append(("touched-existing", f"{_pattern(p)} "
                                                 f"{'removed' if p in gone else 'modified'} by a "
                                                 f"failed command"))
    return problems


def _pattern(rel: str) -> str:
    name = rel.rstrip("/")
    name = re.sub(r"x{20,}", "x...x", name)
    name = re.sub(r"[0-9a-f]{6,}", "H", name)
    name = re.sub(r"\d+", "N", name)
    return name + ("/" if rel.endswith("/") else "")


# -- one case, end to end ----------------------------------------------------------------------
def _cleanup(work: Path) -> None:
    for dirpath, dirnames, _ in os.walk(work):
        for d in dirnames:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(dirpath, d), 0o755)
    shutil.rmtree(work, ignore_errors=True)


def run_case(case: Case, runner: Runner, timeout: float | None = None
             ) -> tuple[Outcome, list[tuple[str, str]]]:
    """Set up, run and judge one case in a fresh folder (removed afterwards).

    Parameters
    ----------
    case : Case
        The case.
    runner : Runner
        Where and how it runs.
    timeout : float, optional
        Overrides the runner's time limit.

    Returns
    -------
    outcome : Outcome
    problems : list of (str, str)
        See :func:`check`.
    """
    work = runner.fresh()
    try:
        make_setup(case, work)
        before = snapshot(work)
        out = runner.run(case, work, timeout)
        after = snapshot(work)
        problems = check(case, out, before, after)
        if case.mode == "signal" and out.rc == 130 and not problems:
            resume = Case("signal", [case.argv + ["--resume"]], outputs=case.outputs,
                          sim=case.sim, label="resume")
            before2 = after
            out2 = runner.run(resume, work, timeout)
            after2 = snapshot(work)
            for kind, detail in check(resume, out2, before2, after2):
                problems.append((f"resume:{kind}", detail))
            if out2.rc == 0 and not (work / "out.h5").exists():
                problems.append(("resume:no-output", "resume exited 0 without out.h5"))
    finally:
        _cleanup(work)
    return out, problems


# -- the fuzz ----------------------------------------------------------------------------------
@dataclass
class Failure:
    """Every case of one distinct failure (same family, simulation and problem)."""

    key: tuple[str, str, str, str]
    cases: list[tuple[Case, Outcome]] = field(default_factory=list)
    reduced: Case | None = None
    reduced_out: Outcome | None = None


def signature(case: Case, problem: tuple[str, str]) -> tuple[str, str, str, str]:
    """The deduplication key of a failure: area, family/simulation, kind, detail.

    Parameters
    ----------
    case : Case
    problem : (str, str)

    Returns
    -------
    tuple of str
    """
    who = case.sim if case.family in ("run", "config", "path") else case.family
    fam = case.family if case.family != "path" else f"path:{case.sim}"
    area = AREAS[case.family]
    if case.family == "path" and case.sim in ("plot", "equations", "verify", "reproduce"):
        area = "cli.py/simulations"
    if case.family == "path" and case.sim == "sweep":
        area = "sweep"
    return (area, f"{fam} {who}" if who != case.family else fam, problem[0], problem[1])


class Fuzz:
    """Drives the cases, records the failures, reduces and reports them.

    Parameters
    ----------
    runner : Runner
    verbose : bool
        Print every case as it runs.
    """

    def __init__(self, runner: Runner, verbose: bool = False) -> None:
        self.runner = runner
        self.verbose = verbose
        self.cases: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.exits: dict[str, Counter[str]] = defaultdict(Counter)
        self.failures: dict[tuple[str, str, str, str], Failure] = {}
        self.timeouts: Counter[str] = Counter()
        self.seconds = 0.0

    def timeout_for(self, case: Case) -> float:
        # once a simulation has timed out twice, later cases of it get less time
        slow = self.timeouts[case.sim or case.family] >= 2
        if case.family == "sweep" or (case.family == "path" and case.sim == "sweep"):
            return max(self.runner.timeout, 60.0)  # a local Dask cluster starts in 5-20 s
        return min(self.runner.timeout, 6.0) if slow else self.runner.timeout

    def __call__(self, case: Case) -> list[tuple[str, str]]:
        t0 = time.monotonic()
        out, problems = run_case(case, self.runner, self.timeout_for(case))
        self.seconds += time.monotonic() - t0
        self.cases[case.family] += 1
        self.exits[case.family]["timeout" if out.timed_out else str(out.rc)] += 1
        if out.timed_out:
            self.timeouts[case.sim or case.family] += 1
        if problems:
            self.failed[case.family] += 1
        for p in problems:
            key = signature(case, p)
            self.failures.setdefault(key, Failure(key)).cases.append((case, out))
        if self.verbose:
            mark = "FAIL " + "; ".join(f"{k}: {d}" for k, d in problems) if problems else "ok"
            print(f"[{sum(self.cases.values()):5d}] {out.seconds:5.1f}s rc={out.rc} "
                  f"{shlex.join(case.argv)[:110]}  {mark}", flush=True)
        return problems

    def reduce(self, budget: float) -> None:
        """Shorten one reproducer per distinct failure by dropping argv chunks.

        Parameters
        ----------
        budget : float
            Seconds to spend in all.
        """
        t_end = time.monotonic() + budget
        for key, failure in sorted(self.failures.items()):
            best, best_out = min(failure.cases, key=lambda co: (len(co[0].chunks),
                                                                len(" ".join(co[0].argv))))
            failure.reduced, failure.reduced_out = best, best_out
            if best.mode != "fork" or key[2] == "timeout":
                continue
            i = best.fixed
            tries = 0
            while i < len(best.chunks) and tries < 12 and time.monotonic() < t_end:
                trial = Case(**{**best.__dict__, "chunks": best.chunks[:i] + best.chunks[i + 1:]})
                if _recompute_expect(trial) is None:
                    i += 1
                    continue
                tries += 1
                out, problems = run_case(trial, self.runner, self.runner.timeout)
                if any(signature(trial, p) == key for p in problems):
                    best, best_out = trial, out
                else:
                    i += 1
            failure.reduced, failure.reduced_out = best, best_out

    def report(self) -> str:
        lines = ["", "cases per family:", "",
                 f"{'family':<11}{'cases':>7}{'failed':>8}  exit statuses"]
        for fam in COMMANDS:
            if self.cases[fam]:
                ex = ", ".join(f"{k}: {v}" for k, v in sorted(self.exits[fam].items()))
                lines.append(f"{fam:<11}{self.cases[fam]:>7}{self.failed[fam]:>8}  {ex}")
        total = sum(self.cases.values())
        lines.append(f"{'total':<11}{total:>7}{sum(self.failed.values()):>8}  "
                     f"({self.seconds:.0f} s in the cases)")
        if not self.failures:
            lines.append("\nno failures")
            return "\n".join(lines)
        lines.append(f"\n{len(self.failures)} distinct failures "
                     "(area | family | problem | cases):")
        by_area: dict[str, list[Failure]] = defaultdict(list)
        for f in self.failures.values():
            by_area[f.key[0]].append(f)
        for area in sorted(by_area):
            lines.append(f"\n== {area} ==")
            for f in sorted(by_area[area], key=lambda f: f.key):
                _, fam, kind, detail = f.key
                case = f.reduced or f.cases[0][0]
                out = f.reduced_out or f.cases[0][1]
                lines.append(f"- [{fam}] {kind}: {detail}  ({len(f.cases)} case(s))")
                lines.append(f"    $ {case.show()}")
                last = _lines(out.stderr)
                if last:
                    lines.append(f"    stderr: {last[-1][:200]}")
        return "\n".join(lines)


def _recompute_expect(case: Case) -> Case | None:
    """A reduced case keeps the family's expectation only where it still holds; None when the
    reduction removed something the case cannot do without (e.g. the value of an option)."""
    argv = case.argv
    for i, tok in enumerate(argv):
        if tok in ("--set", "--seed", "--config", "--grid", "--only", "--out", "--write",
                   "-o", "--workers", "--scheduler", "--seeds", "--dim", "--report", "--json",
                   "--checkpoint-interval") and i == len(argv) - 1:
            return None
    return case


def fuzz(cases: int, only: Iterable[str], seed: int | None, runner: Runner,
         base_runs: dict[str, Path], datasets: dict[str, list[str]], verbose: bool = False,
         weights: dict[str, int] | None = None, light: bool = False) -> Fuzz:
    """Run `cases` hypothesis-generated cases and collect the failures (no early stop).

    Parameters
    ----------
    cases : int
        How many.
    only : iterable of str
        The families.
    seed : int or None
        Hypothesis' seed (the same seed gives the same cases); None: derandomize (a seed
        derived from the test itself, as in CI).
    runner : Runner
    base_runs, datasets : dict
        See :func:`prepare_base_runs`.
    verbose : bool
        Print every case.
    weights : dict, optional
        See :func:`case_strategy`.
    light : bool
        See :func:`case_strategy`.

    Returns
    -------
    Fuzz
        The tallies and failures.
    """
    state = Fuzz(runner, verbose)
    sims = {k: v for k, v in _sims().items() if k in base_runs} if light else _sims()
    strategy = case_strategy(list(only), sims, base_runs, datasets, weights, light)

    @settings(max_examples=cases, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=seed is None)
    @given(strategy)
    def one(case: Case) -> None:
        state(case)

    (one if seed is None else hypothesis_seed(seed)(one))()
    return state


def main(argv: list[str] | None = None) -> int:
    """The command line of the fuzz.

    Parameters
    ----------
    argv : list of str, optional
        ``--cases N``, ``--only FAMILY[,FAMILY]``, ``--seed S``, ``--timeout T``,
        ``--memory GiB``, ``--verbose``.

    Returns
    -------
    int
        0 when no case failed, 1 otherwise.
    """
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--only", default=",".join(COMMANDS),
                   help="comma-separated families: " + ", ".join(COMMANDS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    p.add_argument("--memory", type=float, default=8.0, help="GiB of address space per case")
    p.add_argument("--reduce-budget", type=float, default=60.0,
                   help="seconds for shortening the reproducers")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    only = [f.strip() for f in args.only.split(",") if f.strip()]
    unknown = sorted(set(only) - set(COMMANDS))
    if unknown:
        p.error(f"--only: unknown families {unknown}; choose from {', '.join(COMMANDS)}")
    t0 = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="emergent-fuzz-"))
    state = None
    try:
        base_runs, datasets = prepare_base_runs(sorted(_sims()), scratch / "base")
        print(f"prepared the base runs in {time.monotonic() - t0:.0f} s; fuzzing "
              f"{args.cases} cases of {', '.join(only)} (seed {args.seed})", flush=True)
        runner = Runner(scratch / "cases", timeout=args.timeout,
                        memory=int(args.memory * (1 << 30)))
        state = fuzz(args.cases, only, args.seed, runner, base_runs, datasets, args.verbose)
        state.reduce(args.reduce_budget)
        print(state.report())
    finally:
        _cleanup(scratch)
    print(f"\n{time.monotonic() - t0:.0f} s in all")
    return 1 if state is None or state.failures else 0


if __name__ == "__main__":
    sys.exit(main())
