"""``dbt build`` on a raw layer in its own warehouse, target and log folders, then reading the warehouse.

Money is compared to the 10th decimal, the warehouse's precision (DECIMAL(38, 10)).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from unittest import mock

import duckdb

from assets.payouts.pay_calendar import write_pay_calendar
from core.dbt import share_project_parse
from core.settings import DBT_PROJECT_DIR, Settings

DBT = str(Path(sys.executable).with_name("dbt"))
D = Decimal
TENTH_DECIMAL = D("1e-10")


def money(value: Decimal) -> Decimal:
    return value.quantize(TENTH_DECIMAL, rounding=ROUND_HALF_UP)


def divide_money(numerator: Decimal, denominator: Decimal) -> Decimal:
    return money(money(numerator) / denominator)


def dbt_command(command: str, tmp: Path, *extra: str) -> list[str]:
    """The command line the tests run: the project's own profile, per-run target and logs."""
    return [
        DBT, command,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(tmp / "target"),
        "--log-path", str(tmp / "logs"),
        *extra,
    ]


def run_dbt(command: str, tmp: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    # the pipeline writes the pay calendar from the raw HR workers before dbt runs (asset
    # raw/reference/pay_calendar): so do the tests' builds, with the env's settings
    raw = env.get("SPM_RAW_DIR")
    if raw and Path(raw).is_dir():
        with mock.patch.dict(os.environ, env, clear=True):
            settings = Settings.from_env()
        write_pay_calendar(Path(raw), settings.pay_day, settings.pay_lag_months)
    # the project's parse, on this build's folders (core/dbt.py): no 10 s parse per build
    share_project_parse(tmp / "target", env)
    return subprocess.run(dbt_command(command, tmp, *extra), capture_output=True, text=True, env=env, check=False)


def env_without_spm() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SPM_")}


# ``build_warehouse(..., data_tests=False)``: the models only. A module that asserts hand-computed
# numbers on a company of its own does not need dbt's data tests (144) and unit tests run on
# it (about 40 % of a small build's CPU when they were 348, before row_rules): tests/compensation/test_dbt_build.py runs every one of
# them on the small company, and every company several modules share (``shared_warehouse``) is
# built once per session with them. Such a build makes only the money chain (``MONEY_CHAIN``: the
# marts of the compensation, payouts, finance and ingest domains and what they read, 122 of 168
# models; ``every_model=True`` for all): none of these modules reads a planning, insights or
# forecast mart.
MONEY_CHAIN = tuple(f"+path:models/marts/{domain}" for domain in ("compensation", "payouts", "finance", "ingest"))
MODELS_ONLY = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def build_warehouse(tmp: Path, write_raw_layer, *extra: str, data_tests: bool = True,
                    every_model: bool = False) -> tuple[Path, dict]:
    """Write a raw layer with ``write_raw_layer(raw_dir)``, ``dbt build`` on it (``extra``: more dbt
    arguments, e.g. ``--vars``); every node must pass. ``data_tests=False`` builds the models
    of the money chain (``MONEY_CHAIN``; every model with ``every_model=True``) without dbt's
    data and unit tests (``MODELS_ONLY``).

    Returns the warehouse file and dbt's run results.
    """
    if not data_tests:
        extra = (*extra, *MODELS_ONLY, *(() if every_model else ("--select", *MONEY_CHAIN)))
    raw = tmp / "raw"
    write_raw_layer(raw)
    env = env_without_spm() | {"SPM_RAW_DIR": str(raw), "SPM_WAREHOUSE": str(tmp / "spm.duckdb")}
    completed = run_dbt("build", tmp, env, *extra)
    results = json.loads((tmp / "target" / "run_results.json").read_text())
    failures = [
        f"{r['unique_id']}: {r['status']} {r.get('message')}"
        for r in results["results"]
        if r["status"] not in ("success", "pass")
        and not r["unique_id"].startswith("exposure.")  # an exposure (models/exposures.yml) is a no-op
    ]
    assert completed.returncode == 0 and not failures, "\n".join(failures) or completed.stdout[-5000:]
    return tmp / "spm.duckdb", results


def session_root(tmp_path_factory) -> Path:
    """The folder every process of the test session shares: the base temporary folder, or
    with pytest-xdist the parent of the workers' own (``<root>/popen-gwN``)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_warehouse(tmp_path_factory, write_raw_layer, *extra: str) -> Path:
    """``build_warehouse`` of a company several modules read, built once per test session
    with every data test, whichever xdist worker asks first; the others wait on a file lock
    and open the same file. Keyed by the builder (a module-level function) and ``extra``.
    Readers open it read-only; a test that must write copies it first."""
    name = f"{write_raw_layer.__module__}.{write_raw_layer.__qualname__}"
    assert "<" not in name, f"{name}: a shared company's builder is a module-level function (its key)"
    key = hashlib.sha256("\0".join((name, *extra)).encode()).hexdigest()[:16]
    root = session_root(tmp_path_factory)
    folder = root / f"shared_warehouse_{write_raw_layer.__name__}_{key}"
    with open(root / f"shared_warehouse_{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "built").exists():
                shutil.rmtree(folder, ignore_errors=True)  # a build that failed before
                folder.mkdir()
                build_warehouse(folder, write_raw_layer, *extra)
                (folder / "built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder / "spm.duckdb"


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
