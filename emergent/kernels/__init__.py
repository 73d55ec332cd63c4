"""Numba kernels, kept apart from the Python-level API. Kernels know nothing of files or configs.

Importing this package first chooses where the compiled kernels are cached
(:func:`emergent.kernels.cache.configure`): a read-only install compiles them into a user cache
folder, or in memory, instead of failing.
"""

from emergent.kernels.cache import configure as _configure

_configure()
