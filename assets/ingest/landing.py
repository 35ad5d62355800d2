"""Which landing files belong to which dataset (SPEC §2: the landing layout).

CRM and HR files arrive in extract batches::

    <landing>/<system>/<YYYY-MM-DD>/<file>

Configuration (quotas, plan assignments) is ours and has one current version::

    <config>/<file>

A file belongs to a dataset when its name is ``<file_stem>.csv``,
``<file_stem>.parquet`` or a chunk ``<file_stem>-<anything>.csv|.parquet``, so
``OpportunityLineItem.csv`` never counts as an ``Opportunity`` file. The
extension is matched case-insensitively, the stem exactly (Salesforce object
names are case-sensitive). Hidden files and folders (``.something``) are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assets.ingest.contract import DatasetContract
from assets.ingest.raw_layout import CONFIG_BATCH

BATCHED_SYSTEMS = ("crm", "hr")
CONFIG_SYSTEM = "config"
LANDING_EXTENSIONS = (".csv", ".parquet")

_BATCH_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LandingLayoutError(ValueError):
    """The landing folder does not follow the layout (e.g. a batch folder that is not a date)."""


@dataclass(frozen=True)
class LandingFile:
    """One landing file of one dataset, in one batch."""

    contract: DatasetContract
    path: Path
    batch: str  # the extract date folder, or ``current`` for configuration
    batch_date: date | None  # None for configuration
    relative_path: str  # path relative to the landing (or config) root, with ``/``

    @property
    def format(self) -> str:
        return self.path.suffix.lower().lstrip(".")


def belongs_to(contract: DatasetContract, file_name: str) -> bool:
    """True if ``file_name`` is a landing file of ``contract`` (whole object or a chunk)."""
    stem, dot, extension = file_name.rpartition(".")
    if not dot or f".{extension.lower()}" not in LANDING_EXTENSIONS or file_name.startswith("."):
        return False
    if stem == contract.file_stem:
        return True
    prefix = f"{contract.file_stem}-"
    return stem.startswith(prefix) and len(stem) > len(prefix)


def parse_batch_name(folder: Path) -> date:
    """The extract date a batch folder is named by; a clear error for anything else."""
    name = folder.name
    if _BATCH_NAME.match(name):
        try:
            return date.fromisoformat(name)
        except ValueError:
            pass
    raise LandingLayoutError(
        f"Landing batch folder {folder} is not named by an extract date (YYYY-MM-DD, e.g. 2026-11-27)."
    )


def list_batches(landing_dir: Path, system: str) -> list[tuple[str, date, Path]]:
    """The batch folders of a CRM/HR system, oldest first: ``(name, date, folder)``."""
    root = Path(landing_dir) / system
    if not root.is_dir():
        return []
    batches = []
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        batches.append((folder.name, parse_batch_name(folder), folder))
    return sorted(batches, key=lambda b: b[1])


def discover(contract: DatasetContract, landing_dir: Path, config_dir: Path) -> list[LandingFile]:
    """Every landing file of ``contract``: batches oldest first, files by name within a batch."""
    if contract.system == CONFIG_SYSTEM:
        return _discover_config(contract, Path(config_dir))
    if contract.system not in BATCHED_SYSTEMS:
        raise LandingLayoutError(f"Dataset {contract.name} has unknown system {contract.system!r}.")
    landing_dir = Path(landing_dir)
    files = []
    for batch, batch_date, folder in list_batches(landing_dir, contract.system):
        for path in sorted(p for p in folder.iterdir() if p.is_file() and belongs_to(contract, p.name)):
            files.append(
                LandingFile(
                    contract=contract,
                    path=path,
                    batch=batch,
                    batch_date=batch_date,
                    relative_path=path.relative_to(landing_dir).as_posix(),
                )
            )
    return files


def _discover_config(contract: DatasetContract, config_dir: Path) -> list[LandingFile]:
    if not config_dir.is_dir():
        return []
    return [
        LandingFile(
            contract=contract,
            path=path,
            batch=CONFIG_BATCH,
            batch_date=None,
            relative_path=path.relative_to(config_dir).as_posix(),
        )
        for path in sorted(p for p in config_dir.iterdir() if p.is_file() and belongs_to(contract, p.name))
    ]
