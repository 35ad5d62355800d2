"""Bad planning inputs are quarantined in ``fct_quarantine`` (file, row, rule, message) and the good rows still flow.

The planning company of ``tests/support/planning.py`` has two bad territory
assignments already (row 8: E999 without an HR record, row 9: E003 on the
undeclared T-XX; row 7 is E006 on T-FINS, usable); this module adds, in its own warehouse:

* territory_assignments.csv row 10: E002 on T-US 2026-09-01..2026-08-31 (ends before it starts);
* row 11: E005 (hired 2026-07-01) on T-EU 2025-01-01..2025-12-31 (no day employed);
* row 12: E007 (2025-01-01..2026-03-31, a worker added here) on T-US from 2026-05-01 (no day employed);
* company_targets.csv row 2: the 2027 target with new hires on PLAN_XX, which no plan file defines;
* row 3: the 2028 target in CHF, which has no DatedConversionRate.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from assets.ingest.raw_layout import LOAD_COLUMNS
from tests.support.planning import B4, CURRENT, TARGET_2026, build_planning_company, planning_warehouse
from tests.support.raw import _worker, write_batch
from tests.support.warehouse import build_warehouse, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


def _append(raw_dir: Path, system: str, name: str, batch: str, rows: list[dict]) -> None:
    """Rewrite one raw batch file with ``rows`` after the rows it has (their row numbers kept)."""
    (path,) = (raw_dir / system / name / f"batch={batch}").glob("*.parquet")
    existing = pl.read_parquet(path).sort("_source_row").drop(LOAD_COLUMNS).to_dicts()
    write_batch(raw_dir, system, name, batch, existing + rows)


def build_planning_company_with_bad_inputs(raw_dir: Path) -> None:
    build_planning_company(raw_dir)
    _append(raw_dir, "hr", "workers", B4, [
        {**_worker("E007", "Gil Frost", "USD", "2025-01-01"), "termination_date": date(2026, 3, 31)},
    ])
    _append(raw_dir, "config", "territory_assignments", CURRENT, [
        {"territory_id": "T-US", "employee_id": "E002", "start_date": date(2026, 9, 1), "end_date": date(2026, 8, 31)},
        {"territory_id": "T-EU", "employee_id": "E005", "start_date": date(2025, 1, 1), "end_date": date(2025, 12, 31)},
        {"territory_id": "T-US", "employee_id": "E007", "start_date": date(2026, 5, 1), "end_date": None},
    ])
    _append(raw_dir, "config", "company_targets", CURRENT, [
        {"plan_year": 2027, "target_amount": D("3000000"), "currency": "USD", "new_hire_plan_id": "PLAN_XX"},
        {"plan_year": 2028, "target_amount": D("3000000"), "currency": "CHF", "new_hire_plan_id": None},
    ])


@pytest.fixture(scope="module")
def warehouse():
    folder = Path(tempfile.mkdtemp(prefix="spm_planning_quarantine_"))
    try:
        yield build_warehouse(folder, build_planning_company_with_bad_inputs)[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_every_bad_territory_assignment_is_in_fct_quarantine_with_file_row_rule_and_message(warehouse):
    rows = query(warehouse, """
        select stage, system, batch, source_file, source_row, rule, column_name, value, message
        from fct_quarantine where dataset = 'territory_assignments' order by source_row""")
    file = "territory_assignments.csv"
    assert rows == [
        ("warehouse", "config", "current", file, 8, "territory_assignment_without_hr_worker", "employee_id", "E999",
         f"{file} row 8: territory assignment of E999 to T-US from 2026-01-01: E999 has no HR worker record: "
         "assignment not used"),
        ("warehouse", "config", "current", file, 9, "unknown_territory_id", "territory_id", "T-XX",
         f"{file} row 9: territory assignment of E003 to T-XX from 2026-01-01 names territory T-XX, "
         "which territories.yaml does not declare: assignment not used"),
        ("warehouse", "config", "current", file, 10, "end_date_before_start_date", "end_date", "2026-08-31",
         f"{file} row 10: territory assignment of E002 to T-US from 2026-09-01 ends on 2026-08-31, before it starts: "
         "assignment not used"),
        ("warehouse", "config", "current", file, 11, "territory_assignment_outside_employment", "start_date",
         "2025-01-01..2025-12-31",
         f"{file} row 11: territory assignment of E005 to T-EU from 2025-01-01 to 2025-12-31 has no day in the "
         "employment of E005 (hired 2026-07-01, still employed): assignment not used"),
        ("warehouse", "config", "current", file, 12, "territory_assignment_outside_employment", "start_date",
         "2026-05-01..open",
         f"{file} row 12: territory assignment of E007 to T-US from 2026-05-01 to the open end has no day in the "
         "employment of E007 (hired 2025-01-01, left 2026-03-31): assignment not used"),
    ]
    (record,) = query(warehouse, "select record_json from fct_quarantine where dataset = 'territory_assignments' "
                                 "and source_row = 10")[0]
    assert json.loads(record) == {"territory_id": "T-US", "employee_id": "E002", "start_date": "2026-09-01",
                                  "end_date": "2026-08-31"}


def test_the_same_rows_are_unusable_in_fct_territory_assignment(warehouse):
    rows = query(warehouse, "select source_row, employee_id, quarantine_rule from fct_territory_assignment "
                            "where not is_usable order by source_row")
    assert [(r, rule) for r, _, rule in rows] == [
        (8, "territory_assignment_without_hr_worker"),
        (9, "unknown_territory_id"),
        (10, "end_date_before_start_date"),
        (11, "territory_assignment_outside_employment"),
        (12, "territory_assignment_outside_employment"),
    ]
    held_back = {e for _, e, _ in rows}
    assert query(warehouse, "select count(*) from fct_territory_assignment where is_usable") == [(7,)]
    # E002 and E005 keep their good rows; nothing of a held-back row reaches the capacity months
    assert query(warehouse, "select count(*) from int_territory_assignment_months "
                            "where employee_id in ('E003', 'E007', 'E999')") == [(0,)]
    assert held_back == {"E002", "E003", "E005", "E007", "E999"}


def test_the_good_assignments_still_flow_with_the_numbers_of_the_clean_company(warehouse, tmp_path_factory):
    # the clean planning company (tests/planning/test_planning_dbt.py checks its numbers by hand): the bad
    # rows change no capacity month and no proposal (e.g. E002 keeps T-EU all 2026: the reversed
    # T-US row from 09-01 does not take Sep-Dec)
    clean = planning_warehouse(tmp_path_factory)
    for sql in (
        "select employee_id, territory_id, period, assigned_days, capacity_months from int_territory_assignment_months "
        "order by employee_id, territory_id, period",
        "select plan_year, territory_id, employee_id, capacity_months, proposed_quota from fct_quota_proposal "
        "order by plan_year, territory_id, employee_id",
    ):
        rows = query(warehouse, sql)
        assert rows and rows == query(clean, sql), sql
    assert {r[0] for r in query(warehouse, "select distinct employee_id from int_territory_assignment_months")} == {
        "E001", "E002", "E004", "E005", "E006"
    }
    assert query(warehouse, "select sum(proposed_quota) from fct_quota_proposal where plan_year = 2026") == [(TARGET_2026,)]


def test_a_company_target_naming_an_unknown_plan_or_without_an_fx_rate_is_quarantined_and_not_planned(warehouse):
    rows = query(warehouse, """
        select stage, system, batch, source_file, source_row, rule, column_name, value, message, record_json
        from fct_quarantine where dataset = 'company_targets' order by source_row""")
    assert len(rows) == 2
    *columns, record = rows[0]
    assert columns == [
        "warehouse", "config", "current", "company_targets.csv", 2, "unknown_new_hire_plan_id", "new_hire_plan_id",
        "PLAN_XX",
        "company_targets.csv row 2: the company target of 2027 names new_hire_plan_id PLAN_XX, which no plan file "
        "defines: target not planned",
    ]
    assert json.loads(record)["plan_year"] == 2027
    assert rows[1][:-1] == (
        "warehouse", "config", "current", "company_targets.csv", 3, "missing_fx_rate", "currency", "CHF",
        "company_targets.csv row 3: the company target of 2028 is in CHF, which has no DatedConversionRate on "
        "2028-01-01: target not planned",
    )
    # 2027 and 2028 are held back from every planning mart; 2026 is planned as before
    assert query(warehouse, "select distinct plan_year from fct_territory_potential") == [(2026,)]
    assert query(warehouse, "select plan_year from fct_capacity_plan") == [(2026,)]
