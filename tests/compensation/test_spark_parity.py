"""The same models on Spark (SPM_ENGINE=spark, docs/scale_out.md): every mart and the payout file as on DuckDB.

A small demo company goes through the daily job on DuckDB, which lands its raw
layer and publishes to its payout ledger. The engine (dbt: the seeds and every
model) is then built from those same inputs twice, into a fresh DuckDB file and
into a local Spark warehouse (one pyspark session for the whole build), and

* every mart has the same columns of the same types, and the same rows: keys
  equal, money equal to the 10th decimal (DECIMAL(38,10) on both), counts equal;
* the payout file of every period (CSV and Parquet) has the same bytes, written
  by the payout asset's own reader and writer from either warehouse.

Both builds run the territory fit with 5 rounds instead of 25 (``FIT_ROUNDS``):
every round is the same SQL, and 25 cost a minute of Spark's analyzer.

The Python side reads Spark's marts as it reads DuckDB's (core/warehouse.py
``read_only``: the Spark tables' Parquet files), so a difference is the SQL's.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.settings import DBT_PROJECT_DIR
from tests.support.demo import WITHOUT_FORECASTS, demo_environment, paths_under
from tests.support.warehouse import env_without_spm, run_dbt

pytestmark = pytest.mark.slow

SCALE = 0.02
# The territory fit's rounds are the same SQL each (dbt var territory_fit_rounds, 25 in the pipeline); Spark's
# analyzer time grows with the square of the rounds (25: ~70 s of the Spark build, 5: ~10 s), so both engines
# run 5 here. (The 25 rounds' depth needs spark.sql.analyzer.maxIterations above its default: profiles.yml.)
FIT_ROUNDS = 5
ENGINE_BUILD = ("--resource-type", "seed", "--resource-type", "model", "--vars", f"{{territory_fit_rounds: {FIT_ROUNDS}}}")


def _build(tmp: Path, paths, engine: str) -> Path:
    """dbt build of the seeds and models on ``engine`` from the run's raw layer and ledger; the warehouse path."""
    warehouse = tmp / "spm.duckdb"
    env = env_without_spm() | {
        "SPM_ENGINE": engine,
        "SPM_RAW_DIR": str(paths.raw_dir),
        "SPM_EXPORT_DIR": str(paths.export_dir),
        "SPM_WAREHOUSE": str(warehouse),
        "SPM_SPARK_MASTER": "local[2]",
        "SPM_SPARK_SHUFFLE_PARTITIONS": "1",  # a small company: one task per shuffle
    }
    completed = run_dbt("build", tmp, env, *ENGINE_BUILD)
    results = json.loads((tmp / "target" / "run_results.json").read_text())
    failures = [f"{r['unique_id']}: {r['status']} {r.get('message')}" for r in results["results"]
                if r["status"] not in ("success", "pass") and not r["unique_id"].startswith("exposure.")]  # an exposure is a no-op
    assert completed.returncode == 0 and not failures, f"{engine}: " + ("\n".join(failures) or completed.stdout[-5000:])
    return warehouse


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """(paths, duckdb warehouse, spark warehouse): one company, the engine built on both."""
    from demo.generate import generate
    from orchestration.cli import run_pipeline

    root = tmp_path_factory.mktemp("spark_parity")
    paths = paths_under(root)
    with demo_environment(paths, root):
        generate(root, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=SCALE)
        # the run lands the raw layer the two builds read: no forecast is compared
        result = run_pipeline(paths, log_level="WARNING", leave_out=WITHOUT_FORECASTS)
    assert result.success
    duck = _build(root / "duckdb", paths, "duckdb")
    spark = _build(root / "spark", paths, "spark")
    return paths, duck, spark


def marts() -> list[str]:
    """Every mart of the project (models under models/marts/), by name."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return sorted(
        node["name"] for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    )


def _sort_key(row: tuple) -> tuple:
    return tuple((value is None, str(value)) for value in row)


def read_mart(warehouse: Path, engine: str, mart: str, monkeypatch) -> tuple[list[tuple], list[tuple]]:
    """(columns as (name, type), rows in a total order) of ``mart``, read as the Python assets read."""
    from core.warehouse import read_only

    monkeypatch.setenv("SPM_ENGINE", engine)
    with read_only(warehouse) as con:
        columns = [(name, kind) for name, kind, *_ in con.execute(f'describe "{mart}"').fetchall()]
        rows = con.execute(f'select * from "{mart}"').fetchall()
    return columns, sorted(rows, key=_sort_key)


def test_every_mart_has_the_same_columns_and_rows_on_spark(company, monkeypatch):
    _, duck, spark = company
    differences = []
    compared = 0
    for mart in marts():
        duck_columns, duck_rows = read_mart(duck, "duckdb", mart, monkeypatch)
        spark_columns, spark_rows = read_mart(spark, "spark", mart, monkeypatch)
        if duck_columns != spark_columns:
            differences.append(f"{mart}: columns {duck_columns} on DuckDB, {spark_columns} on Spark")
            continue
        if len(duck_rows) != len(spark_rows):
            differences.append(f"{mart}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark")
            continue
        unequal = [(d, s) for d, s in zip(duck_rows, spark_rows) if d != s]
        if unequal:
            d, s = unequal[0]
            differences.append(f"{mart}: {len(unequal)} rows differ, e.g.\n  DuckDB {d}\n  Spark  {s}")
        compared += len(duck_rows)
    assert not differences, "\n".join(differences)
    assert compared > 1000  # a company, not empty marts


def test_money_keeps_ten_decimals_on_spark(company, monkeypatch):
    """Money that needs the 7th-10th decimals is there on Spark (which cuts to 6 by default)."""
    _, _, spark = company
    columns, rows = read_mart(spark, "spark", "fct_commission_detail", monkeypatch)
    money_positions = [i for i, (_, kind) in enumerate(columns) if kind == "DECIMAL(38,10)"]
    fine = [row[i] for row in rows for i in money_positions
            if row[i] is not None and row[i] != row[i].quantize(Decimal("1e-6"))]
    assert fine, "no amount with a 7th-10th decimal: the company does not exercise the precision"


def test_the_payout_file_has_the_same_bytes_on_spark(company, monkeypatch):
    from assets.payouts.extract import extract_files
    from assets.payouts.warehouse import read_period_payouts
    from core.warehouse import read_only

    _, duck, spark = company
    monkeypatch.setenv("SPM_ENGINE", "duckdb")
    with read_only(duck) as con:
        periods = [p for (p,) in con.execute("select distinct period from fct_payout_file_line order by 1").fetchall()]
    assert periods
    for period in periods:
        monkeypatch.setenv("SPM_ENGINE", "duckdb")
        on_duckdb = extract_files(read_period_payouts(duck, period, calculation_id="parity").lines, period)
        monkeypatch.setenv("SPM_ENGINE", "spark")
        on_spark = extract_files(read_period_payouts(spark, period, calculation_id="parity").lines, period)
        assert on_spark == on_duckdb, period
