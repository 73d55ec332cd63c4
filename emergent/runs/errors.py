"""Errors the command line reports in one line (no traceback)."""

__all__ = ["UsageError"]


class UsageError(Exception):
    """Bad command-line input: reported in one line with exit status 2."""
