"""Progress lines inside the forecast steps: what is done, counted, with the time since the step began.

A long step (the payout forecast's engine build takes minutes under load) says what it is doing
through the step's log (``context.log.info``), one short line per phase:

    payout forecast: scenario P50 deals written (2/3) (0.8 s)

The functions that do the work take a ``Progress`` (any ``callable(str)``) and default to
``silent``; the time is the log's, never part of what the forecast writes (a rerun, same bytes).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[str], None]


def silent(message: str) -> None:
    """No progress lines (plain function calls, tests)."""


def step_progress(log: Callable[[str], None], label: str, clock: Callable[[], float] = time.monotonic) -> Progress:
    """``log``: e.g. ``context.log.info``; each line is ``<label>: <message> (<seconds> s)``,
    the seconds since this call."""
    start = clock()

    def say(message: str) -> None:
        log(f"{label}: {message} ({clock() - start:.1f} s)")

    return say
