"""The fingerprint of the compensation engine: what the dbt project computes with.

The deal-level models of the engine are incremental (docs/incremental.md):
they keep their rows between builds and recompute only the deals a new load
reaches. A build by a changed engine must recompute every deal, so each dbt
process gets the fingerprint of the project's models, macros, seeds and
project file in ``SPM_ENGINE_FINGERPRINT`` (set by the dbt child,
core/dbt_child.py); the engine records it with the loads it reflects
(int_engine_current_loads) and rebuilds every deal when it differs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.settings import DBT_PROJECT_DIR

ENGINE_FINGERPRINT_VARIABLE = "SPM_ENGINE_FINGERPRINT"
# What the engine's numbers depend on (tests and docs do not change a number).
ENGINE_PARTS = ("dbt_project.yml", "models", "macros", "seeds")


def update_with_files(digest, project_dir: Path, files) -> None:
    """Feed ``digest`` each of ``files`` as its path relative to ``project_dir`` and its bytes, in
    the order given (the engine's fingerprint here, the parse's inputs in core/dbt.py)."""
    for path in files:
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def engine_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """SHA-256 over the relative path and bytes of every file of ENGINE_PARTS, in path order."""
    project_dir = Path(project_dir)
    digest = hashlib.sha256()
    for part in ENGINE_PARTS:
        root = project_dir / part
        update_with_files(digest, project_dir,
                          [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()))
    return digest.hexdigest()[:16]
