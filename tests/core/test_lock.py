"""The dependency lock: every package pinned with its hashes, and pyproject's pins the same as the lock's.

`make` installs requirements.lock with ``--require-hashes --no-deps`` (Makefile), so a package missing from
the lock, or a pin of pyproject.toml that the lock does not hold, would install a different set than the
one tested; `make lock` regenerates the file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(text: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of a pip requirements file with hashes."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            current = _canonical(match.group(1))
            entries[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
        elif line and not line[0].isspace():
            current = None
    return entries


def test_lock_entries_reads_pins_and_hashes():
    text = "a-b==1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via x\nC_d==2 \\\n    --hash=sha256:cc\n"
    assert lock_entries(text) == {"a-b": ("1.0", 2), "c-d": ("2", 1)}


def test_every_locked_package_has_a_hash():
    entries = lock_entries((ROOT / "requirements.lock").read_text())
    assert len(entries) > 100
    assert [name for name, (_, hashes) in entries.items() if hashes == 0] == []


def test_pyproject_pins_are_the_locked_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + [d for ds in project["optional-dependencies"].values() for d in ds]
    locked = lock_entries((ROOT / "requirements.lock").read_text())
    mismatched = []
    for requirement in wanted:
        match = _PIN.match(requirement)
        assert match, f"pyproject.toml pins every direct dependency exactly: {requirement}"
        name, version = _canonical(match.group(1)), match.group(2)
        if locked.get(name, (None,))[0] != version:
            mismatched.append(f"{name}: pyproject {version}, lock {locked.get(name, ('missing',))[0]}")
    assert mismatched == [], "run `make lock`"
