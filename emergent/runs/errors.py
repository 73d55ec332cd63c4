"""Errors the command line reports in one line (no traceback)."""

__all__ = ["RunError", "UsageError"]


class UsageError(Exception):
    """Bad command-line input: reported in one line with exit status 2."""


class RunError(Exception):
    """A run cannot start, continue or be read (bad output path, foreign or corrupt file)."""
