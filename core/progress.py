"""Progress lines of a long step: "statements: 120/186", logged every N items or every few seconds.

A step that works through many items (statements, forecast scenarios, a dbt
build's nodes) says how far it is in one format, ``<label>: <done>/<total>``
and an optional detail, so the console of a run (orchestration/run_console.py)
can tell a progress line from any other message: it shows the latest one of
the step that runs (a progress bar on a terminal, a line every
``orchestration.run_console.PROGRESS_EVERY_SECONDS`` otherwise); the Dagster
event log keeps them all.

    progress = ProgressReporter(context.log.info, "statements", len(payees))
    for payee in payees:
        ...
        progress.advance()

``advance`` is thread-safe (forecast scenarios finish on worker threads).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

# What the console recognises as a progress line: a label, a colon, done/total.
PROGRESS_LINE = re.compile(r"^(?P<label>[A-Za-z][\w .()-]*): (?P<done>\d+)/(?P<total>\d+)(?:\b|$)")

# Defaults of ``ProgressReporter``: a line every tenth of the items, or every 5 s, whichever comes first.
STEPS_PER_TOTAL = 10
EVERY_SECONDS = 5.0


def progress_message(label: str, done: int, total: int, detail: str = "") -> str:
    """``label: done/total`` and the detail: the one format of a progress line."""
    return f"{label}: {done}/{total}" + (f" {detail}" if detail else "")


def parse_progress(message: str) -> tuple[str, int, int] | None:
    """(label, done, total) of a progress line, None for any other message."""
    match = PROGRESS_LINE.match(message)
    return (match["label"], int(match["done"]), int(match["total"])) if match else None


class ProgressReporter:
    """Counts items done and logs a progress line (``progress_message``) through ``log``.

    A line is logged at the first item, every ``every`` items (default: a tenth of
    ``total``), when ``seconds`` have passed since the last line, and at the last
    item, never twice for one count. ``clock`` is for tests.
    """

    def __init__(
        self,
        log: Callable[[str], object],
        label: str,
        total: int,
        every: int | None = None,
        seconds: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.log, self.label, self.total = log, label, max(int(total), 0)
        self.every = every or max(1, -(-self.total // STEPS_PER_TOTAL))
        self.seconds, self.clock = seconds, clock
        self.done = 0
        self._next = 1
        self._last_time = clock()
        self._lock = threading.Lock()

    def advance(self, count: int = 1, detail: str = "") -> None:
        with self._lock:
            self.done += count
            now = self.clock()
            due = self.done >= self._next or self.done >= self.total or now - self._last_time >= self.seconds
            if not due:
                return
            self._next = self.done + self.every
            self._last_time = now
            message = progress_message(self.label, self.done, self.total, detail)
        self.log(message)


Progress = Callable[..., None]


def silent(message: str, done: int | None = None, total: int | None = None) -> None:
    """No progress lines (plain function calls, tests)."""


def step_progress(log: Callable[[str], object], label: str, clock: Callable[[], float] = time.monotonic) -> Progress:
    """Phase lines of a step through ``log`` (e.g. ``context.log.info``), each with the seconds since
    this call: ``progress("engine build done")`` logs ``<label>: engine build done (63.0 s)``;
    ``progress("scenario P50 deals written", 2, 3)`` logs the counted line
    ``<label>: 2/3 scenario P50 deals written (1.2 s)`` (``progress_message``, which the console reads
    as progress). The time is the log's, never part of what a step writes (a rerun, same bytes)."""
    start = clock()

    def say(message: str, done: int | None = None, total: int | None = None) -> None:
        seconds = f"({clock() - start:.1f} s)"
        if done is None:
            log(f"{label}: {message} {seconds}")
        else:
            log(progress_message(label, done, total, f"{message} {seconds}"))

    return say
