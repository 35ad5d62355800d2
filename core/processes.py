"""What Linux's /proc says about a process: alive since when, its parent, children, command, environment.

The crash-safety guard (:mod:`orchestration.run_guard`) and the dbt child
(:mod:`core.dbt_child`) read processes only through these functions.
"""

from __future__ import annotations

import os
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return 0.0


def started_at(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), or None when it is gone (a zombie has exited)."""
    fields = _stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def alive(pid: int, seen_at: float | None = None) -> bool:
    """Process ``pid`` runs and, when ``seen_at`` is given, is the one seen then: it started
    before that moment (a pid reused by a younger process does not count)."""
    started = started_at(pid)
    return started is not None and (seen_at is None or started <= seen_at + 1.0)


def parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    return sorted(int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and parent(int(p.name)) == pid)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def environment_value(pid: int, name: str) -> str | None:
    """The value of environment variable ``name`` in process ``pid`` (as it started), or None."""
    try:
        entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    prefix = name.encode() + b"="
    return next((e[len(prefix):].decode(errors="replace") for e in entries if e.startswith(prefix)), None)
