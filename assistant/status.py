"""Status lines for the waits a person notices (model loading, first-use conversion of a bundled
model, the stages of `assistant demo`): library code calls `status(...)`, which logs to the
`assistant.status` logger; the command line shows those lines on stderr by calling
`show_status_on_stderr()` once. A library user sees nothing unless they attach a handler.
Library code never prints: its warnings go to loggers under `assistant` (Python shows them on
stderr when no handler is configured), and `show_status_on_stderr()` shows them as "warning: ..."
lines.

    show_status_on_stderr(); status("loading the embedding model ...")   # prints to stderr, which doctest does not read
    # -> loading the embedding model ...
"""
from __future__ import annotations

import logging
import sys

LOGGER = "assistant.status"
log = logging.getLogger(LOGGER)


def status(message: str, *args) -> None:
    """One status line (printf-style args, as logging)."""
    log.info(message, *args)


class _Stderr(logging.Handler):
    """Writes to whatever sys.stderr is when the line is emitted (a redirect or pytest's capture
    swaps it after the handler was installed)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging's contract: never raise from a handler
            self.handleError(record)


class _LevelPrefix(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def show_status_on_stderr() -> None:
    """Status lines go to stderr as plain lines, and the library's warnings and errors as
    "warning: ..." / "error: ..." lines (idempotent; for the command line)."""
    library = logging.getLogger("assistant")
    if not any(isinstance(h, _Stderr) for h in library.handlers):
        h = _Stderr(logging.WARNING)
        h.setFormatter(_LevelPrefix())
        library.addHandler(h)
    if not any(isinstance(h, _Stderr) for h in log.handlers):
        h = _Stderr()
        h.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(h)
    log.setLevel(logging.INFO)
    log.propagate = False  # a root handler (uvicorn, an application) would print each line twice
