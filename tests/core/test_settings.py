"""Every SPM_* setting is read in core/settings.py: defaults, parsing, one-line user errors, what dbt gets."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from core.settings import REPO_ROOT, Settings

VARIABLES = [
    "SPM_LANDING_DIR", "SPM_CONFIG_DIR", "SPM_WAREHOUSE", "SPM_RAW_DIR", "SPM_EXPORT_DIR",
    "SPM_QUARANTINE_MAX_SHARE", "SPM_QUARANTINE_MIN_ROWS", "SPM_MAX_BATCH_AGE_DAYS",
    "SPM_PAYOUT_CHANGE_WARN_SHARE", "SPM_MONTH_CLOSE_BUSINESS_DAY", "SPM_RETRY_MAX",
    "SPM_RETRY_DELAY_SECONDS", "SPM_DUCKDB_MEMORY_LIMIT", "SPM_CAPITALIZATION_BENEFIT_MONTHS",
    "SPM_ENGINE", "SPM_SPARK_MASTER", "SPM_SPARK_DRIVER_MEMORY", "SPM_SPARK_SHUFFLE_PARTITIONS",
    "SPM_PLAN_ACCEPTANCE",
]


@pytest.fixture
def clean_env(monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_defaults(clean_env):
    settings = Settings.from_env()
    data = REPO_ROOT / "data"
    assert settings.paths.landing_dir == data / "landing"
    assert settings.paths.raw_dir == data / "warehouse" / "raw"
    assert (settings.quarantine_max_share, settings.quarantine_min_rows, settings.max_batch_age_days) == (
        Decimal("0.01"), 100, 3)
    assert settings.payout_change_warn_share == Decimal("0.5")
    assert (settings.month_close_business_day, settings.retry_max, settings.retry_delay_seconds) == (3, 2, 15.0)
    assert (settings.duckdb_memory_limit, settings.capitalization_benefit_months) == ("50%", 36)
    assert settings.plan_acceptance == "warn"


def test_values_are_parsed_and_the_raw_layer_follows_the_warehouse(clean_env, tmp_path):
    clean_env.setenv("SPM_WAREHOUSE", str(tmp_path / "w" / "spm.duckdb"))
    clean_env.setenv("SPM_PAYOUT_CHANGE_WARN_SHARE", "2.5")  # a move of 250% may warn: no upper bound
    clean_env.setenv("SPM_RETRY_DELAY_SECONDS", "0.5")
    clean_env.setenv("SPM_CAPITALIZATION_BENEFIT_MONTHS", "48")
    settings = Settings.from_env()
    assert settings.paths.raw_dir == tmp_path / "w" / "raw"
    assert settings.payout_change_warn_share == Decimal("2.5")
    assert settings.retry_delay_seconds == 0.5
    assert settings.capitalization_benefit_months == 48


@pytest.mark.parametrize(
    "variable, value",
    [
        ("SPM_QUARANTINE_MAX_SHARE", "1%"),
        ("SPM_QUARANTINE_MAX_SHARE", "2"),
        ("SPM_QUARANTINE_MIN_ROWS", "-5"),
        ("SPM_MAX_BATCH_AGE_DAYS", "three"),
        ("SPM_PAYOUT_CHANGE_WARN_SHARE", "-0.1"),
        ("SPM_MONTH_CLOSE_BUSINESS_DAY", "0"),
        ("SPM_MONTH_CLOSE_BUSINESS_DAY", "21"),
        ("SPM_RETRY_MAX", "2.5"),
        ("SPM_RETRY_DELAY_SECONDS", "soon"),
        ("SPM_CAPITALIZATION_BENEFIT_MONTHS", "0"),
        ("SPM_ENGINE", "postgres"),
        ("SPM_SPARK_SHUFFLE_PARTITIONS", "0"),
        ("SPM_PLAN_ACCEPTANCE", "block"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable_and_never_retried(clean_env, variable, value):
    clean_env.setenv(variable, value)
    with pytest.raises(dg.Failure) as raised:
        Settings.from_env()
    message = raised.value.description
    assert message.startswith(f"{variable} must be") and repr(value) in message and "\n" not in message
    assert not raised.value.allow_retries


def test_dbt_gets_the_paths_memory_limit_and_benefit_months(clean_env, tmp_path):
    clean_env.setenv("SPM_EXPORT_DIR", str(tmp_path / "exports"))
    clean_env.setenv("SPM_DUCKDB_MEMORY_LIMIT", "2GB")
    env = Settings.from_env().dbt_env()
    assert env["SPM_EXPORT_DIR"] == str(tmp_path / "exports")
    assert env["SPM_DUCKDB_MEMORY_LIMIT"] == "2GB" and env["SPM_CAPITALIZATION_BENEFIT_MONTHS"] == "36"
    assert set(env) == {v for v in VARIABLES if v in (
        "SPM_LANDING_DIR", "SPM_CONFIG_DIR", "SPM_WAREHOUSE", "SPM_RAW_DIR", "SPM_EXPORT_DIR",
        "SPM_DUCKDB_MEMORY_LIMIT", "SPM_CAPITALIZATION_BENEFIT_MONTHS", "SPM_ENGINE", "SPM_SPARK_MASTER",
        "SPM_SPARK_DRIVER_MEMORY", "SPM_SPARK_SHUFFLE_PARTITIONS")}
    assert env["SPM_ENGINE"] == "duckdb"


def test_the_engine_is_duckdb_or_spark(clean_env):
    clean_env.setenv("SPM_ENGINE", " Spark ")
    settings = Settings.from_env()
    assert settings.engine == "spark" and settings.dbt_env()["SPM_ENGINE"] == "spark"
    assert settings.spark_master == "local[*]" and settings.spark_shuffle_partitions == 4


def test_no_python_module_but_the_settings_reads_an_spm_variable():
    """The rule of this module, on the tree: SPM_ names are read in core/settings.py only."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    readers = []
    for name in listed.stdout.split():
        if name.startswith("tests/") or name == "core/settings.py":
            continue
        text = (REPO_ROOT / name).read_text()
        for line in text.splitlines():
            assigned = re.search(r"environ\[[^\]]+\]\s*=[^=]", line)
            if "SPM_" in line and ("environ.get" in line or "getenv" in line or ("environ[" in line and not assigned)):
                readers.append(f"{name}: {line.strip()}")
    assert not readers, "SPM_* read outside core/settings.py:\n" + "\n".join(readers)
    assert Path(REPO_ROOT / "core" / "settings.py").exists()
