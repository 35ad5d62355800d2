"""End to end: generated landing data -> the whole Dagster graph -> the payout files.

One small demo company is generated and the pipeline job materialized once per
module; the tests then read what came out, as finance would.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from core.money import round_money
from core.settings import SpmPaths
from demo.generate import generate
from orchestration.cli import run_pipeline

pytestmark = pytest.mark.slow  # runs the pipeline job

SCALE = 0.05


def _paths(root: Path) -> SpmPaths:
    return SpmPaths(
        landing_dir=root / "landing",
        config_dir=root / "config",
        warehouse=root / "warehouse" / "spm.duckdb",
        raw_dir=root / "warehouse" / "raw",
        export_dir=root / "exports",
    )


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    paths = _paths(root)
    saved = dict(os.environ)
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    try:
        generated = generate(root, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=SCALE)
        result = run_pipeline(paths)
        yield paths, result, generated
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _query(paths: SpmPaths, sql: str, params=None):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _manifest(paths: SpmPaths) -> tuple[Path, dict]:
    manifests = sorted((paths.export_dir / "payouts").glob("*/manifest.json"))
    assert len(manifests) == 1, manifests
    return manifests[0].parent, json.loads(manifests[0].read_text())


def test_run_succeeds_with_every_check_passing(pipeline):
    _, result, _ = pipeline
    assert result.success
    evaluations = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert evaluations, "no asset check ran"
    failed = [
        e.event_specific_data.asset_check_key
        for e in evaluations
        if not e.event_specific_data.passed and e.event_specific_data.severity.value == "ERROR"
    ]
    assert failed == []


def test_payout_file_total_equals_warehouse_commission_total(pipeline):
    paths, _, _ = pipeline
    out_dir, manifest = _manifest(paths)
    period = manifest["period"]
    # The warehouse's payable per payee, code and currency, each rounded once.
    rows = _query(
        paths,
        "select employee_id, earning_code, currency, sum(payable_amount) from fct_payable "
        "where period = ? group by all",
        [period],
    )
    assert rows, f"nothing payable in {period}"
    expected: dict[str, Decimal] = {}
    for _, _, currency, amount in rows:
        expected[currency] = expected.get(currency, Decimal(0)) + round_money(Decimal(amount), currency)

    with (out_dir / f"payout_{period}.csv").open(newline="") as handle:
        lines = list(csv.DictReader(handle))
    in_file: dict[str, Decimal] = {}
    for line in lines:
        in_file[line["currency"]] = in_file.get(line["currency"], Decimal(0)) + Decimal(line["amount"])

    assert in_file == expected
    # one line per payee, code and currency, but none of 0.00 (a gated commission, a bonus not reached)
    assert manifest["row_count"] == len(lines) == len([r for r in rows if round_money(Decimal(r[3]), r[2]) != 0])
    assert all(Decimal(line["amount"]) != 0 for line in lines)
    assert {c: Decimal(v) for c, v in manifest["totals"]["by_currency"].items()} == expected


def test_manifest_hashes_match_the_files(pipeline):
    paths, _, _ = pipeline
    out_dir, manifest = _manifest(paths)
    assert len(manifest["files"]) == 2
    for name, meta in manifest["files"].items():
        content = (out_dir / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == meta["sha256"]
        assert len(content) == meta["bytes"]


def test_planted_bad_rows_are_quarantined_not_lost(pipeline):
    paths, _, generated = pipeline
    rules = {rule for (rule,) in _query(paths, "select distinct rule from fct_quarantine")}
    assert {"unparseable_decimal", "unknown_currency", "missing_required_value"} <= rules
    # Deals whose splits do not add up to 100 are held back with their deal id.
    assert "split_percentages_not_100" in rules or any("split" in r for r in rules)
    quarantined = _query(paths, "select count(*) from fct_quarantine where stage = 'ingest'")[0][0]
    assert quarantined >= len(generated["planted_bad_rows"])


def test_rerun_is_a_no_op_on_raw_and_gives_the_same_bytes(pipeline):
    paths, _, _ = pipeline
    out_dir, manifest = _manifest(paths)
    before = {p: p.read_bytes() for p in out_dir.iterdir()}
    raw_before = sorted(p.relative_to(paths.raw_dir) for p in paths.raw_dir.rglob("*.parquet"))
    credit_before = _query(paths, "select count(*), sum(credit_amount) from fct_credit")

    result = run_pipeline(paths)

    assert result.success
    raw_after = sorted(p.relative_to(paths.raw_dir) for p in paths.raw_dir.rglob("*.parquet"))
    assert raw_after == raw_before
    assert _query(paths, "select count(*), sum(credit_amount) from fct_credit") == credit_before
    assert {p: p.read_bytes() for p in out_dir.iterdir()} == before


def test_bi_snapshot_holds_every_mart_and_opens_while_the_warehouse_is_free(pipeline):
    paths, _, _ = pipeline
    current = paths.export_dir / "bi" / "current"
    assert current.is_symlink()
    con = duckdb.connect(str(current / "spm_bi.duckdb"), read_only=True)
    try:
        tables = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
        snapshot_commission = con.execute("select count(*), sum(commission_amount) from fct_commission").fetchall()
    finally:
        con.close()
    assert {"dim_payee", "fct_credit", "fct_commission", "fct_quarantine"} <= tables
    assert snapshot_commission == _query(paths, "select count(*), sum(commission_amount) from fct_commission")
    assert (current / "fct_commission.parquet").exists()


def _materializations(result, key: str):
    return [
        e.event_specific_data.materialization
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and e.event_specific_data.materialization.asset_key.to_user_string() == key
    ]


def test_dbt_models_report_rows_totals_and_a_preview(pipeline):
    # Before the sensor test below, which lands a new batch and rebuilds the warehouse.
    paths, result, _ = pipeline
    (payable,) = _materializations(result, "fct_payable")
    metadata = payable.metadata
    ((count, total),) = _query(paths, "select count(*), sum(payable_amount) from fct_payable")
    assert metadata["dagster/row_count"].value == count
    assert Decimal(metadata["total__payable_amount"].value) == total
    assert metadata["preview"].value.startswith("| ")
    (staging,) = _materializations(result, "stg_salesforce__opportunities")
    assert "preview" not in staging.metadata  # views: neither previewed nor counted (see core/dbt.py)
    assert "dagster/row_count" not in staging.metadata


def test_sensor_starts_one_run_for_a_new_batch_whose_deal_is_then_credited(pipeline):
    import dagster as dg
    import polars as pl

    from core.resources import SpmPathsResource
    from orchestration.definitions import defs

    paths, _, _ = pipeline
    sensor = defs.resolve_sensor_def("new_landing_batch")
    resources = {"paths": SpmPathsResource(landing_dir=str(paths.landing_dir))}
    seen = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, resources=resources)).cursor

    # A later CRM extract with one new won deal, copied from an existing one.
    newest = paths.landing_dir / "crm" / "2026-11-27"
    source = next(p for p in sorted(newest.glob("Opportunity*")) if p.stem == "Opportunity" or p.stem.startswith("Opportunity-"))
    deals = pl.read_parquet(source) if source.suffix == ".parquet" else pl.read_csv(source, infer_schema=False)
    new_deal = deals.filter(pl.col("IsWon") == "true").head(1).with_columns(
        Id=pl.lit("006TESTNEWBATCH0001"),
        CloseDate=pl.lit("2026-11-28"),
        LastModifiedDate=pl.lit("2026-11-28T09:00:00.000+0000"),
    )
    (paths.landing_dir / "crm" / "2026-11-28").mkdir()
    new_deal.write_csv(paths.landing_dir / "crm" / "2026-11-28" / "Opportunity.csv")

    tick = sensor.evaluate_tick(dg.build_sensor_context(cursor=seen, resources=resources))
    assert [r.run_key for r in tick.run_requests] == ["batches:crm/2026-11-28"]
    again = sensor.evaluate_tick(dg.build_sensor_context(cursor=tick.cursor, resources=resources))
    assert again.run_requests == []

    assert run_pipeline(paths).success
    credited = _query(paths, "select count(*) from fct_credit where opportunity_id = '006TESTNEWBATCH0001'")
    assert credited[0][0] >= 1


def test_managers_are_paid_on_their_teams_rollup_credit(pipeline):
    paths, _, _ = pipeline
    # Each row of a quarterly roll-up component holds, as its quarter-to-date
    # credit, the sum of the manager's roll-up credit rows in that quarter up
    # to the period.
    (rows, matching, paid) = _query(
        paths,
        """
        with manager_rows as (
            select c.employee_id, c.period, c.credit_to_date, c.commission_amount
            from fct_commission as c
            join stg_config__plan_components as p using (plan_id, component_id)
            where p.measure = 'rollup_credit' and p.basis = 'quarter'
        ), rollup as (
            select employee_id, period, sum(credit_amount) as credit
            from fct_credit where credit_type = 'rollup' group by all
        )
        select count(*),
               count(*) filter (where credit_to_date = (
                   select sum(r.credit) from rollup as r
                   where r.employee_id = m.employee_id and r.period <= m.period
                     and left(r.period, 4) = left(m.period, 4)
                     and (cast(right(r.period, 2) as int) - 1) // 3 = (cast(right(m.period, 2) as int) - 1) // 3)),
               count(*) filter (where commission_amount > 0)
        from manager_rows as m
        """,
    )[0]
    assert rows > 0 and matching == rows and paid > 0

