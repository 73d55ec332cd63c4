"""Numba's kernel cache on a read-only install (issue 19 item 5).

With the package's folder read-only and no writable user cache, Numba raised "cannot cache
function ...: no locator available" at the first ``njit(cache=True)`` kernel, so every command,
``emergent list`` included, failed. :mod:`emergent.kernels.cache` now chooses a writable cache
folder before any kernel is compiled, or compiles in memory.

A folder is made unwritable by a regular *file* in its way (``os.makedirs`` fails even for root)
and, where the tests do not run as root, by ``chmod a-w`` as well.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import emergent.kernels.cache as cache

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "neurons=128", "--set", "steps=32", "--set", "record_every=8", "--set", "show=16"]


@pytest.fixture
def restore(monkeypatch):
    """configure() sets module globals: give them back after the test."""
    monkeypatch.setattr(cache, "CACHING", cache.CACHING)
    monkeypatch.setattr(cache, "CACHE_DIR", cache.CACHE_DIR)


def _blocked(tmp_path: Path) -> Path:
    """A folder that cannot be created: a regular file is in its way."""
    (tmp_path / "a-file").write_text("")
    return tmp_path / "a-file" / "cache"


def test_configure_chooses_the_first_writable_folder(tmp_path, restore):
    blocked = _blocked(tmp_path)
    assert cache.writable(tmp_path / "new" / "folder") and not cache.writable(blocked)
    # an ordinary install: Numba's __pycache__ beside the sources
    env = {"HOME": str(tmp_path / "home")}
    assert cache.configure(env, in_tree=tmp_path / "pycache") == (True, None)
    assert "NUMBA_CACHE_DIR" not in env
    # the user's NUMBA_CACHE_DIR, when it is writable, comes first
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "mine")}
    assert cache.configure(env, in_tree=blocked) == (True, str(tmp_path / "mine"))
    # a read-only install: the user cache folder (XDG first, then ~/.cache) becomes the cache
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    want = str(tmp_path / "xdg" / "emergent" / "numba")
    assert cache.configure(env, in_tree=blocked) == (True, want)
    assert env["NUMBA_CACHE_DIR"] == want and Path(want).is_dir()
    env = {"HOME": str(tmp_path / "home"), "NUMBA_CACHE_DIR": str(blocked)}
    want = str(tmp_path / "home" / ".cache" / "emergent" / "numba")
    assert cache.configure(env, in_tree=blocked) == (True, want)
    assert env["NUMBA_CACHE_DIR"] == want
    # nothing writable: no cache, and njit compiles in memory
    env = {"HOME": str(blocked)}
    assert cache.configure(env, in_tree=blocked) == (False, None)
    assert cache.CACHING is False and "NUMBA_CACHE_DIR" not in env

    @cache.njit(cache=True)
    def twice(x):
        return 2 * x

    assert twice(21) == 42 and twice._cache.__class__.__name__ == "NullCache"


def _read_only_copy(tmp_path: Path) -> Path:
    """A copy of the package whose folders cannot take a cache (read-only, __pycache__ a file)."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "emergent", site / "emergent",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for folder in [p for p in (site / "emergent").rglob("*") if p.is_dir()]:
        (folder / "__pycache__").write_text("")  # no cache folder, even for root
    for path in [site, *site.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return site


def _emergent(site: Path, home: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME", "PYTHONPATH")}
    env.update(HOME=str(home), PYTHONPATH=str(site), MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "emergent", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def _unlock(site: Path) -> None:
    for path in [site, *site.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_read_only_install_without_a_writable_cache(tmp_path):
    """`emergent list` and a tiny run work from a read-only copy with no writable home."""
    site = _read_only_copy(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    try:
        home = _blocked(tmp_path)
        listed = _emergent(site, home, work, "list")
        assert listed.returncode == 0, listed.stderr
        assert "chains" in listed.stdout and listed.stderr == ""
        ran = _emergent(site, home, work, "run", "chains", "-o", "c.h5", "--quiet", *TINY)
        assert ran.returncode == 0, ran.stderr
        assert ran.stderr == "" and (work / "c.h5").is_file()
        # with a writable home, the kernels are cached in ~/.cache/emergent/numba
        home = tmp_path / "home"
        ran = _emergent(site, home, work, "run", "chains", "-o", "d.h5", "--quiet", *TINY)
        assert ran.returncode == 0 and ran.stderr == "", ran.stderr
        cached = list((home / ".cache" / "emergent" / "numba").rglob("*.nbi"))
        assert cached, "no kernel was cached in the user cache folder"
    finally:
        _unlock(site)
