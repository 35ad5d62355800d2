"""Where the pipeline reads and writes, from environment variables.

Everything that touches the environment is here. Defaults live under
``./data/`` in the repository, so ``make run`` and ``make dev`` need no setup;
tests point every variable at a temporary folder.

| variable          | default                        | holds                                   |
|-------------------|--------------------------------|-----------------------------------------|
| SPM_LANDING_DIR   | data/landing                   | CRM and HR extract batches (input)      |
| SPM_CONFIG_DIR    | data/config                    | plans (YAML), quotas, plan assignments  |
| SPM_WAREHOUSE     | data/warehouse/spm.duckdb      | the DuckDB warehouse file (dbt writes)  |
| SPM_RAW_DIR       | <warehouse folder>/raw         | raw layer Parquet and quarantine        |
| SPM_EXPORT_DIR    | data/exports                   | payout files and manifests for finance  |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default.resolve()


@dataclass(frozen=True)
class SpmPaths:
    landing_dir: Path
    config_dir: Path
    warehouse: Path
    raw_dir: Path
    export_dir: Path

    @classmethod
    def from_env(cls) -> "SpmPaths":
        data = REPO_ROOT / "data"
        warehouse = _path("SPM_WAREHOUSE", data / "warehouse" / "spm.duckdb")
        return cls(
            landing_dir=_path("SPM_LANDING_DIR", data / "landing"),
            config_dir=_path("SPM_CONFIG_DIR", data / "config"),
            warehouse=warehouse,
            raw_dir=_path("SPM_RAW_DIR", warehouse.parent / "raw"),
            export_dir=_path("SPM_EXPORT_DIR", data / "exports"),
        )

    def as_env(self) -> dict[str, str]:
        """The same settings as environment variables (dbt reads them in profiles and sources)."""
        return {
            "SPM_LANDING_DIR": str(self.landing_dir),
            "SPM_CONFIG_DIR": str(self.config_dir),
            "SPM_WAREHOUSE": str(self.warehouse),
            "SPM_RAW_DIR": str(self.raw_dir),
            "SPM_EXPORT_DIR": str(self.export_dir),
        }
