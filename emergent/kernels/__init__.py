"""Numba kernels, kept apart from the Python-level API. Kernels know nothing of files or configs."""
