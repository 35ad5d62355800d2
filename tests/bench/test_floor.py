"""The two floors of the benchmark agree to the cent, and their credit is the landing rows' arithmetic."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench.floor import disagreements, read_result, run_floor, source_files
from demo.generate import generate

SCALE = 0.05  # ten payees in three currencies, ~10,000 deals
CENT = Decimal("0.01")


def _records(landing: Path, config: Path, stem: str) -> list[dict]:
    """Every row of one object, oldest batch first, with its batch."""
    rows: list[dict] = []
    for source in source_files(landing, config, stem):
        if source.path.suffix == ".csv":
            with open(source.path, newline="", encoding="utf-8") as handle:
                batch_rows = [{k: (v or None) for k, v in r.items()} for r in csv.DictReader(handle)]
        else:
            batch_rows = pq.read_table(source.path).to_pylist()
        rows += [{**r, "_batch": source.batch} for r in batch_rows]
    return rows


def _newest(rows: list[dict], key: str, version: str | None = None) -> dict[str, dict]:
    """Newest row per key. The demo writes every datetime in one format, so text order is time order."""
    newest: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: ((r[version] or "") if version else "", r["_batch"])):
        newest[row[key]] = row
    return newest


def _hand_credit(landing: Path, config: Path, employee_id: str) -> tuple[dict[str, Decimal], int, int]:
    """One payee's own credit per month, straight from the landing rows in Decimal; also how many
    of the credits came from splits and how many were converted from another currency."""
    opportunities = _newest(_records(landing, config, "Opportunity"), "Id", "LastModifiedDate")
    splits = _newest(_records(landing, config, "OpportunitySplit"), "Id", "LastModifiedDate").values()
    users = {u["Id"] for u in _newest(_records(landing, config, "User"), "Id").values()
             if u["EmployeeNumber"] == employee_id}
    currency = _newest(_records(landing, config, "workers"), "employee_id")[employee_id]["currency"]
    rates = _records(landing, config, "DatedConversionRate")

    def rate(code: str, day: str) -> Decimal:
        return next(Decimal(r["ConversionRate"]) for r in rates
                    if r["IsoCode"] == code and r["StartDate"] <= day < r["NextStartDate"])

    split_pct: dict[str, dict[str, tuple[str, Decimal]]] = defaultdict(dict)  # deal -> split Id -> (owner, %)
    for s in splits:
        split_pct[s["OpportunityId"]][s["Id"]] = (s["SplitOwnerId"], Decimal(s["SplitPercentage"]))
    credit: dict[str, Decimal] = defaultdict(Decimal)
    from_splits = converted = 0
    for deal in opportunities.values():
        if deal["IsWon"] != "true" or deal["IsDeleted"] == "true":
            continue
        try:
            amount = Decimal(deal["Amount"])
        except Exception:  # the planted unparseable amounts
            continue
        close = deal["CloseDate"] or ""
        if len(close) != 10 or close[4] != "-":
            continue
        if deal["Id"] in split_pct:
            pct = sum((p for owner, p in split_pct[deal["Id"]].values() if owner in users), Decimal(0))
            from_splits += pct > 0
        else:
            pct = Decimal(100) if deal["OwnerId"] in users else Decimal(0)
        if pct == 0:
            continue
        share = amount * pct / 100
        if deal["CurrencyIsoCode"] != currency:
            share = share * rate(currency, close) / rate(deal["CurrencyIsoCode"], close)
            converted += 1
        credit[close[:7]] += share
    return {period: c.quantize(CENT, ROUND_HALF_UP) for period, c in credit.items()}, from_splits, converted


@pytest.fixture(scope="module")
def floors(tmp_path_factory):
    root = tmp_path_factory.mktemp("floor")
    generate(root, scale=SCALE)
    landing, config = root / "landing", root / "config"
    duckdb_report = run_floor("bench.floor", landing, config, root / "duckdb.csv")
    pandas_report = run_floor("bench.pandas_floor", landing, config, root / "pandas.csv")
    return root, duckdb_report, pandas_report


def test_the_duckdb_and_pandas_floors_agree_to_the_cent(floors):
    root, duckdb_report, pandas_report = floors
    assert duckdb_report["rows"] == pandas_report["rows"] > 0
    assert disagreements(root / "duckdb.csv", root / "pandas.csv") == []
    for report in (duckdb_report, pandas_report):
        assert report["seconds"] >= 0 and report["wall_seconds"] >= report["seconds"]
        assert report["peak_rss_mb"] > 0


def test_a_foreign_currency_payees_credit_is_the_landing_rows_sum(floors):
    root, _, _ = floors
    result = read_result(root / "duckdb.csv")
    # the first payee paid in a currency other than USD: their deals include conversions
    employee_id = min(e for (e, _), row in result.items() if row["currency"] != "USD")
    hand, from_splits, converted = _hand_credit(root / "landing", root / "config", employee_id)
    assert from_splits > 0 and converted > 0, "the hand-picked payee should have split and converted credits"
    floor_credit = {p: Decimal(r["own_credit"]) for (e, p), r in result.items()
                    if e == employee_id and r["own_credit"] != "0.00"}
    assert floor_credit == hand and sum(hand.values()) > 0


def test_quota_attainment_and_commission_follow_from_the_credit(floors):
    root, _, _ = floors
    result = read_result(root / "duckdb.csv")
    with open(root / "config" / "quotas.csv", newline="", encoding="utf-8") as handle:
        quotas = {(r["employee_id"], r["plan_year"]): Decimal(r["annual_quota"]) for r in csv.DictReader(handle)}
    assert sum(Decimal(r["own_credit"]) for r in result.values()) > 0
    for (employee_id, period), row in result.items():
        credit = Decimal(row["own_credit"])  # rounded to the cent; the commission is 10% of the unrounded credit
        assert abs(Decimal(row["commission"]) - credit * Decimal("0.10")) <= CENT
        annual = quotas.get((employee_id, period[:4]))
        if annual is None:
            assert row["quota"] == "" and row["attainment"] == ""
            continue
        assert Decimal(row["quota"]) == (annual / 12).quantize(CENT, ROUND_HALF_UP)
        if annual:
            assert abs(Decimal(row["attainment"]) * annual / 12 - credit) <= CENT
