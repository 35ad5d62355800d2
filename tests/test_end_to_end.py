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

from assets.currencies import round_money
from demo.generate import generate
from orchestration.cli import run_pipeline
from orchestration.settings import SpmPaths

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
    failed = [e.event_specific_data.asset_check_key for e in evaluations if not e.event_specific_data.passed]
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
    assert manifest["row_count"] == len(lines) == len(rows)
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
