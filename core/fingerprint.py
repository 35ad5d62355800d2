"""A calculation id: the fingerprint of everything a run's numbers depend on.

Every run is a pure function of the landing data and the configuration, so
the id is a hash of exactly those files (their paths and contents). Two runs on
the same inputs get the same id and write the same bytes; any change to a
landing batch or to the plans, quotas or assignments gives a new id.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def _files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def inputs_fingerprint(landing_dir: Path, config_dir: Path) -> str:
    """``calc-`` followed by 16 hex digits of a SHA-256 over the input files."""
    digest = hashlib.sha256()
    for label, root in (("landing", Path(landing_dir)), ("config", Path(config_dir))):
        for path in _files(root):
            digest.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
            file_digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    file_digest.update(chunk)
            digest.update(file_digest.digest())
    return "calc-" + digest.hexdigest()[:16]
