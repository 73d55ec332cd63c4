"""Where Numba caches the compiled kernels, chosen once before any kernel is compiled.

Every kernel is compiled with ``njit(cache=True)``. Numba keeps the compiled code in the first
writable place of: ``NUMBA_CACHE_DIR``, the ``__pycache__`` folder beside the kernel's source,
its user-wide cache folder; when there is none (a read-only install, e.g. a system package or a
container image, and a read-only or missing home), it raises ``RuntimeError: cannot cache
function ...: no locator available`` at the first kernel, and every command fails.
:func:`configure` (run when :mod:`emergent.kernels` is imported, before any kernel module)
chooses instead:

1. ``NUMBA_CACHE_DIR`` when it is set and writable (the user's choice);
2. the ``__pycache__`` folder of the kernels when it is writable (an ordinary install);
3. a user cache folder, ``$XDG_CACHE_HOME/emergent/numba`` or ``~/.cache/emergent/numba``,
   when it is writable (it becomes ``NUMBA_CACHE_DIR``, so Dask workers started from this
   process use it too);
4. otherwise no cache: every process compiles its kernels in memory (slower start, same
   results), silently.

The kernel modules decorate with this module's :func:`njit`, which is Numba's with ``cache``
turned off in case 4.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["CACHE_DIR", "CACHING", "configure", "njit", "user_cache_dir", "writable"]

CACHING = True
"""Whether compiled kernels are cached on disk (False: compiled in memory by every process)."""
CACHE_DIR: str | None = None
"""The folder the kernels are cached in; None when Numba's own choice (``__pycache__``) is used
or when nothing is cached."""

_KERNELS = Path(__file__).resolve().parent


def writable(folder: str | os.PathLike[str]) -> bool:
    """Whether Numba can cache into `folder`: it exists or can be made, and takes a file.

    The same test as Numba's cache locators (``os.makedirs`` and a temporary file), so the
    answer agrees with theirs.

    Parameters
    ----------
    folder : path
        The candidate cache folder.

    Returns
    -------
    bool
        False for any OSError (read-only, missing permission, a file in the way, ...).
    """
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except (OSError, ValueError):
        return False
    return True


def user_cache_dir(environ: dict[str, str] | None = None) -> Path | None:
    """The user cache folder for compiled kernels: ``$XDG_CACHE_HOME/emergent/numba``, else
    ``~/.cache/emergent/numba``.

    Parameters
    ----------
    environ : dict, optional
        The environment to read (default: ``os.environ``).

    Returns
    -------
    Path or None
        None when neither ``XDG_CACHE_HOME`` (absolute) nor a home folder is known.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "emergent" / "numba"
    home = env.get("HOME", "")
    if not home:
        try:
            home = str(Path.home())
        except (RuntimeError, KeyError, OSError):
            return None
    return Path(home) / ".cache" / "emergent" / "numba"


def configure(environ: dict[str, str] | None = None,
              in_tree: str | os.PathLike[str] | None = None) -> tuple[bool, str | None]:
    """Choose where compiled kernels are cached (see the module's text); idempotent.

    Sets :data:`CACHING` and :data:`CACHE_DIR`, and ``NUMBA_CACHE_DIR`` in `environ` (and in
    ``numba.config`` if Numba is already imported) when a user cache folder is chosen.

    Parameters
    ----------
    environ : dict, optional
        The environment to read and update (default: ``os.environ``).
    in_tree : path, optional
        The folder Numba would cache in beside the sources (default: the kernels'
        ``__pycache__``).

    Returns
    -------
    caching : bool
        Whether kernels are cached on disk.
    folder : str or None
        The cache folder chosen here (None: Numba's in-tree ``__pycache__``, or no cache).
    """
    global CACHING, CACHE_DIR
    env = os.environ if environ is None else environ
    in_tree = _KERNELS / "__pycache__" if in_tree is None else Path(in_tree)
    given = env.get("NUMBA_CACHE_DIR", "")
    if given and writable(given):
        CACHING, CACHE_DIR = True, given
    elif writable(in_tree):  # Numba skips an unusable NUMBA_CACHE_DIR and takes this one
        CACHING, CACHE_DIR = True, None
    else:
        user = user_cache_dir(env)
        if user is not None and writable(user):
            CACHING, CACHE_DIR = True, str(user)
            env["NUMBA_CACHE_DIR"] = CACHE_DIR
            if env is os.environ and "numba" in sys.modules:  # it has read its environment
                sys.modules["numba"].config.CACHE_DIR = CACHE_DIR
        else:
            CACHING, CACHE_DIR = False, None
    return CACHING, CACHE_DIR


def njit(*args: Any, **kwargs: Any) -> Callable:
    """``numba.njit``, caching only when a writable cache exists (:data:`CACHING`).

    Parameters
    ----------
    *args, **kwargs
        As for ``numba.njit`` (e.g. ``cache=True, parallel=True``).

    Returns
    -------
    callable
        The dispatcher, or a decorator that makes one.
    """
    from numba import njit as numba_njit

    if not CACHING:
        kwargs["cache"] = False
    return numba_njit(*args, **kwargs)
