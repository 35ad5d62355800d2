"""What a person reads on the console of a CLI run (issue #17; orchestration/run_console.py)."""

from __future__ import annotations

import re
from pathlib import Path

ANSI = re.compile(r"\x1b\[")
MAX_CONSOLE_LINES = 60


def assert_readable_console(stdout: str) -> Path:
    """What issue #17 asks of a CLI run's stdout: under 60 lines, no ANSI escape, a line per
    stage with its time, the dbt log named, and that file there. Returns the log's path."""
    lines = stdout.splitlines()
    assert len(lines) < MAX_CONSOLE_LINES, stdout
    assert not ANSI.search(stdout), stdout
    assert not [line for line in lines if " - DEBUG - " in line or " - INFO - " in line], stdout  # no Dagster event lines
    assert not [line for line in lines if re.search(r"\bSTART\b.*\[RUN\]", line)], stdout  # no dbt START/PASS lines
    assert any(line.startswith("dbt build ") and re.search(r"\d+ assets, \d+ checks passed", line) for line in lines), stdout
    assert any(line.startswith("ingest ") for line in lines), stdout
    (dbt_log,) = [line.split(None, 2)[2] for line in lines if line.startswith("dbt log ")]
    path = Path(dbt_log)
    assert path.is_file(), dbt_log
    text = path.read_text()
    assert not ANSI.search(text) and not text.lstrip().startswith("{"), text[:500]  # text, no colour codes
    assert "Running with dbt=" in text
    return path
