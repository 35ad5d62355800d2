"""A calculation id: the fingerprint of everything a run's numbers depend on.

Every run is a pure function of the landing data and the configuration, so
the id is a hash of exactly those files (their paths and contents). Two runs on
the same inputs get the same id and write the same bytes; any change to a
landing batch or to the plans, quotas, assignments or manual adjustments gives
a new id. The workflow's own records (``WORKFLOW_CONFIG_FILES``) are not inputs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20

# Configuration files that record the workflow around a payment, not its amounts: who approves
# a period (approvals.yaml), the payees' inquiries and their plan acceptances
# (docs/payment_workflow.md). No number depends on them, so they are not inputs of the
# calculation: an acceptance or an inquiry that lands after a period was approved leaves the
# approved content (its lines carry the calculation id) as it was. Manual adjustments change
# amounts and stay in.
WORKFLOW_CONFIG_FILES = frozenset({
    "approvals.yaml",
    "inquiries.csv", "inquiries.parquet",
    "plan_acceptances.csv", "plan_acceptances.parquet",
})


def _files(root: Path, skipped: frozenset[str] = frozenset()) -> list[Path]:
    if not root.exists():
        return []
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.relative_to(root).as_posix() not in skipped
    )


def inputs_fingerprint(landing_dir: Path, config_dir: Path) -> str:
    """``calc-`` followed by 16 hex digits of a SHA-256 over the input files."""
    digest = hashlib.sha256()
    for label, root, skipped in (("landing", Path(landing_dir), frozenset()),
                                 ("config", Path(config_dir), WORKFLOW_CONFIG_FILES)):
        for path in _files(root, skipped):
            digest.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
            file_digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    file_digest.update(chunk)
            digest.update(file_digest.digest())
    return "calc-" + digest.hexdigest()[:16]
