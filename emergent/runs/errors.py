"""The failures the command line reports in one line (no traceback), and their exit statuses.

========================  ======  ==================================================
failure                   status  raised as
========================  ======  ==================================================
bad input                 2       :class:`UsageError`, :class:`RunError`,
                                  :class:`emergent.runs.registry.ParameterError`
numerical failure         3       :class:`NumericalError` (a blow-up, non-finite
                                  values, a failed decomposition)
interrupted               130     ``KeyboardInterrupt`` (Ctrl-C, SIGTERM)
========================  ======  ==================================================
"""

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NUMERICAL",
    "EXIT_USAGE",
    "NumericalError",
    "RunError",
    "UsageError",
]

EXIT_USAGE = 2
"""Exit status for bad input (usage, parameters, paths, files)."""
EXIT_NUMERICAL = 3
"""Exit status for a numerical failure of a run."""
EXIT_INTERRUPTED = 130
"""Exit status for an interrupted command (Ctrl-C or SIGTERM)."""
EXIT_INTERNAL = 1
"""Exit status for an unexpected error (a bug): one line, the traceback only on request."""


class UsageError(Exception):
    """Bad command-line input: reported in one line with exit status 2."""


class RunError(Exception):
    """A run cannot start, continue or be read (bad output path, foreign or corrupt file)."""


class NumericalError(Exception):
    """A run failed numerically (a blow-up, a non-finite value, a failed decomposition):
    reported in one line with exit status 3, and no file is published."""
