"""The demo company's adjustments and inquiries (demo/workflow.py) through the whole run
(the session's demo run, scale 0.05, as-of 2026-11-27): docs/payment_workflow.md."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.support.demo import demo_environment

pytestmark = pytest.mark.slow  # reads the session's demo run

D = Decimal


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result, root


def _query(paths, sql: str) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_demo_inquiries_are_tied_to_their_adjustments_and_aged_at_the_as_of_date(pipeline):
    paths, _, _ = pipeline
    rows = _query(paths, """
        select inquiry_id, status, as_of_date, age_days, adjustment_count, adjustment_amount, adjustment_periods
        from fct_inquiry order by inquiry_id
    """)
    as_of = rows[0][2]
    assert str(as_of) == "2026-11-27"
    assert [(i, s, a, n, amount, p) for i, s, _, a, n, amount, p in rows] == [
        ("INQ-0001", "resolved", 177, 1, D("420.00"), "2026-10"),  # opened 2026-06-03
        ("INQ-0002", "open", 56, 0, D(0), None),  # opened 2026-10-02: publishing 2026-10 warns
        ("INQ-0003", "open", 7, 0, D(0), None),
        ("INQ-0004", "rejected", 83, 0, D(0), None),
        ("INQ-0005", "resolved", 48, 1, D("250.00"), "2026-10"),
    ]


def test_the_demo_pays_its_approved_adjustments_and_quarantines_the_unapproved_one(pipeline):
    paths, _, _ = pipeline
    lines = _query(paths, """
        select amount, reason from fct_payout_file_line
        where period = '2026-10' and earning_code = 'MANUAL_ADJUSTMENT' and is_paid order by reason
    """)
    # the third payee's +250.00 SPIF and -75.00 deduction are one line of +175.00
    assert lines == [
        (D("175.00"), "Duplicate credit reversed;SPIF for a deal logged after the cut-off"),
        (D("420.00"), "Split on 006DM0000000000016 corrected to 60/40"),
    ]
    assert _query(paths, "select rule, column_name from fct_quarantine where dataset = 'adjustments' order by 2") == [
        ("adjustment_without_approver", "approved_at"), ("adjustment_without_approver", "approved_by")]
