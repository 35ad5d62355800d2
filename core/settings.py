"""Every setting of the pipeline, read from the environment in this module only.

Defaults live under ``./data/`` in the repository, so ``make run`` and
``make dev`` need no setup; tests point every variable at a temporary folder.
Settings are read when they are used (``Settings.from_env()``), not when a
module is imported, so a test or the CLI that sets a variable is heard. dbt
gets its part of them as environment variables from ``Settings.dbt_env()``
(profiles.yml, the raw-layer sources, the ledger macro and the capitalization
macro read those).

| variable                        | default                    | holds                                                       |
|---------------------------------|----------------------------|-------------------------------------------------------------|
| SPM_LANDING_DIR                 | data/landing               | CRM and HR extract batches (input)                          |
| SPM_CONFIG_DIR                  | data/config                | plans (YAML), quotas, plan assignments, planning files      |
| SPM_WAREHOUSE                   | data/warehouse/spm.duckdb  | the DuckDB warehouse file (dbt writes)                      |
| SPM_RAW_DIR                     | <warehouse folder>/raw     | raw layer Parquet and quarantine                            |
| SPM_EXPORT_DIR                  | data/exports               | payout files and manifests for finance, statements, BI      |
| SPM_QUARANTINE_MAX_SHARE        | 0.01                       | quarantined share of a dataset that stops the run           |
| SPM_QUARANTINE_MIN_ROWS         | 100                        | smaller datasets are not held to the share                  |
| SPM_MAX_BATCH_AGE_DAYS          | 3                          | the freshness check warns on an older newest batch          |
| SPM_PAYOUT_CHANGE_WARN_SHARE    | 0.5                        | publishing warns on a larger move from the previous period  |
| SPM_INQUIRY_WARN_DAYS           | 30                         | publishing warns on inquiries open longer (days)            |
| SPM_MONTH_CLOSE_BUSINESS_DAY    | 3                          | the month-close schedule's business day (1..20)             |
| SPM_RETRY_MAX                   | 2                          | retries of a step that failed for a transient reason        |
| SPM_RETRY_DELAY_SECONDS         | 15                         | first retry delay (exponential backoff)                     |
| SPM_DUCKDB_MEMORY_LIMIT         | 50%                        | DuckDB's buffer memory in dbt (a size or a share of RAM)    |
| SPM_CAPITALIZATION_BENEFIT_MONTHS | 36                       | benefit period of capitalized commission (journals)         |
| SPM_PAY_DAY                     | 15                         | day of the month payouts are paid (the month's last if shorter) |
| SPM_PAY_LAG_MONTHS              | 1                          | months between a period and its pay month (0: the same month) |
| SPM_ENGINE                      | duckdb                     | the warehouse engine: duckdb, or spark (docs/scale_out.md)  |
| SPM_SPARK_MASTER                | local[*]                   | Spark's master (SPM_ENGINE=spark): local, or a cluster's URL |
| SPM_SPARK_DRIVER_MEMORY         | 2g                         | the Spark driver's memory (SPM_ENGINE=spark)                |
| SPM_SPARK_SHUFFLE_PARTITIONS    | 4                          | spark.sql.shuffle.partitions (SPM_ENGINE=spark)             |
| SPM_PARALLEL_STEPS              | 0                          | steps of a run at once (multiprocess executor); 0: one per core |
| SPM_PLAN_ACCEPTANCE             | warn                       | publishing a payee without an accepted current plan document: warn, or refuse |

A pay date on a weekend or a public holiday of the payroll's country moves to
the business day before it (assets/payouts/pay_calendar.py).

On Spark the tables are Parquet files in the folder ``spark`` beside
SPM_WAREHOUSE (core/warehouse.py ``spark_warehouse``), with their catalog.

A value that does not parse is a user error: one line naming the variable,
what it must be and what it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.failures import user_error

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


# Not a setting: the pid of the process that started a dbt child, which the child
# checks before it starts dbt (core/dbt_child.py). Set by dbt_child.parent_env().
PARENT_PID_VARIABLE = "SPM_DBT_PARENT_PID"


def dbt_parent_pid() -> str | None:
    return os.environ.get(PARENT_PID_VARIABLE) or None


def _text(variable: str, default: str) -> str:
    value = os.environ.get(variable, "").strip()
    return value or default


def _share(variable: str, default: str, example: str, at_most: Decimal | None = Decimal(1)) -> Decimal:
    value = _text(variable, default)
    try:
        share = Decimal(value)
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or share < 0 or (at_most is not None and share > at_most):
        bounds = "between 0 and 1" if at_most is not None else "of at least 0"
        raise user_error(f"{variable} must be a share {bounds} (e.g. {example}), not {value!r}.")
    return share


def _whole(variable: str, default: str, unit: str, low: int = 0, high: int | None = None) -> int:
    value = _text(variable, default)
    number = int(value) if value.isdigit() else None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"{low}..{high}" if high is not None else f"at least {low}"
        raise user_error(f"{variable} must be a whole number of {unit} ({bounds}), not {value!r}.")
    return number


def _seconds(variable: str, default: str) -> float:
    value = _text(variable, default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise user_error(f"{variable} must be a number of seconds >= 0, not {value!r}.")
    return seconds


ENGINES = ("duckdb", "spark")
PLAN_ACCEPTANCE_MODES = ("warn", "refuse")


def plan_acceptance_mode() -> str:
    """SPM_PLAN_ACCEPTANCE: what publishing does when a paid payee has not accepted their current
    plan document (docs/payment_workflow.md): ``warn`` (default) or ``refuse``."""
    value = _text("SPM_PLAN_ACCEPTANCE", "warn").lower()
    if value not in PLAN_ACCEPTANCE_MODES:
        raise user_error(f"SPM_PLAN_ACCEPTANCE must be one of {', '.join(PLAN_ACCEPTANCE_MODES)}, not {value!r}.")
    return value


def engine() -> str:
    """SPM_ENGINE: the warehouse engine, ``duckdb`` (default) or ``spark``."""
    value = _text("SPM_ENGINE", "duckdb").lower()
    if value not in ENGINES:
        raise user_error(f"SPM_ENGINE must be one of {', '.join(ENGINES)}, not {value!r}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Every SPM_* setting, typed and checked (the table in this module's docstring)."""

    paths: SpmPaths
    quarantine_max_share: Decimal
    quarantine_min_rows: int
    max_batch_age_days: int
    payout_change_warn_share: Decimal
    month_close_business_day: int
    retry_max: int
    retry_delay_seconds: float
    duckdb_memory_limit: str
    capitalization_benefit_months: int
    engine: str = "duckdb"
    spark_master: str = "local[*]"
    spark_driver_memory: str = "2g"
    spark_shuffle_partitions: int = 4
    parallel_steps: int = 0
    render_processes: int = 0
    pay_day: int = 15
    pay_lag_months: int = 1
    inquiry_warn_days: int = 30
    plan_acceptance: str = "warn"

    @classmethod
    def from_env(cls, paths: SpmPaths | None = None) -> "Settings":
        return cls(
            paths=paths or SpmPaths.from_env(),
            quarantine_max_share=_share("SPM_QUARANTINE_MAX_SHARE", "0.01", "0.01 for 1%"),
            quarantine_min_rows=_whole("SPM_QUARANTINE_MIN_ROWS", "100", "rows, e.g. 100"),
            max_batch_age_days=_whole("SPM_MAX_BATCH_AGE_DAYS", "3", "days"),
            payout_change_warn_share=_share("SPM_PAYOUT_CHANGE_WARN_SHARE", "0.5", "0.5 for 50%", at_most=None),
            month_close_business_day=_whole("SPM_MONTH_CLOSE_BUSINESS_DAY", "3", "business days", 1, 20),
            retry_max=_whole("SPM_RETRY_MAX", "2", "retries"),
            retry_delay_seconds=_seconds("SPM_RETRY_DELAY_SECONDS", "15"),
            duckdb_memory_limit=_text("SPM_DUCKDB_MEMORY_LIMIT", "50%"),
            capitalization_benefit_months=_whole("SPM_CAPITALIZATION_BENEFIT_MONTHS", "36", "months", 1),
            engine=engine(),
            spark_master=_text("SPM_SPARK_MASTER", "local[*]"),
            spark_driver_memory=_text("SPM_SPARK_DRIVER_MEMORY", "2g"),
            spark_shuffle_partitions=_whole("SPM_SPARK_SHUFFLE_PARTITIONS", "4", "partitions", 1),
            parallel_steps=_whole("SPM_PARALLEL_STEPS", "0", "steps"),
            render_processes=_whole("SPM_RENDER_PROCESSES", "0", "processes"),
            pay_day=_whole("SPM_PAY_DAY", "15", "days of the month", 1, 31),
            pay_lag_months=_whole("SPM_PAY_LAG_MONTHS", "1", "months", 0, 12),
            inquiry_warn_days=_whole("SPM_INQUIRY_WARN_DAYS", "30", "days"),
            plan_acceptance=plan_acceptance_mode(),
        )

    def dbt_env(self) -> dict[str, str]:
        """What dbt reads of the settings, as environment variables for its process."""
        return {
            **self.paths.as_env(),
            "SPM_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "SPM_CAPITALIZATION_BENEFIT_MONTHS": str(self.capitalization_benefit_months),
            "SPM_ENGINE": self.engine,
            "SPM_SPARK_MASTER": self.spark_master,
            "SPM_SPARK_DRIVER_MEMORY": self.spark_driver_memory,
            "SPM_SPARK_SHUFFLE_PARTITIONS": str(self.spark_shuffle_partitions),
        }
