"""inquiries.csv (docs/payment_workflow.md, "Inquiries"): the row rules of the contract.

An inquiry has a known category and status; a resolved or rejected one says
when (resolved_at), never before it was opened. A row breaking a rule is
quarantined with one line naming the file, the row and the rule.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from assets.ingest import contract as c
from tests.support.landing import Folders, write_rows

RESOLVED = {
    "inquiry_id": "INQ-1",
    "employee_id": "E1",
    "period": "2026-02",
    "opportunity_id": "O2",
    "category": "Wrong_Split ",
    "text": "My split on O2 should be 50%",
    "opened_at": "2026-03-02T08:00:00Z",
    "status": "resolved",
    "resolution": "Split corrected by a manual adjustment",
    "resolved_at": "2026-03-20T09:30:00+01:00",
}


@pytest.fixture
def folders(tmp_path) -> Folders:
    return Folders(tmp_path)


def test_a_resolved_inquiry_is_loaded_exactly(folders):
    write_rows(folders.config / "inquiries.csv", [RESOLVED, RESOLVED | {"inquiry_id": "INQ-2", "status": "open",
                                                                       "resolution": None, "resolved_at": None}])

    result = folders.ingest(c.CONFIG_INQUIRIES)

    assert (result.rows_accepted, result.rows_quarantined) == (2, 0)
    row = folders.raw_rows(c.CONFIG_INQUIRIES).sort("inquiry_id").row(0, named=True)
    assert (row["period"], row["category"], row["resolved_at"]) == (
        "2026-02",
        "Wrong_Split ",  # as written; the staging model lower-cases and trims it
        datetime(2026, 3, 20, 8, 30, tzinfo=timezone.utc),
    )


@pytest.mark.parametrize(
    ("change", "rule", "column"),
    [
        ({"category": "commission"}, c.RULE_UNKNOWN_INQUIRY_CATEGORY, "category"),
        ({"status": "closed"}, c.RULE_UNKNOWN_INQUIRY_STATUS, "status"),
        ({"resolved_at": None}, c.RULE_INQUIRY_CLOSED_WITHOUT_RESOLVED_AT, "resolved_at"),
        ({"status": " Rejected", "resolved_at": None}, c.RULE_INQUIRY_CLOSED_WITHOUT_RESOLVED_AT, "resolved_at"),
        # 2026-03-02T08:30+01:00 is 07:30 UTC, half an hour before it was opened
        ({"resolved_at": "2026-03-02T08:30:00+01:00"}, c.RULE_INQUIRY_RESOLVED_BEFORE_OPENED, "resolved_at"),
        ({"period": "2026-2"}, c.RULE_BAD_PERIOD, "period"),
        ({"opened_at": "02/03/2026"}, c.RULE_BAD_DATETIME, "opened_at"),
        ({"text": " "}, c.RULE_MISSING_VALUE, "text"),
    ],
)
def test_a_row_breaking_an_inquiry_rule_is_quarantined_with_it(folders, change, rule, column):
    write_rows(folders.config / "inquiries.csv", [RESOLVED, RESOLVED | {"inquiry_id": "INQ-2"} | change])

    result = folders.ingest(c.CONFIG_INQUIRIES)

    quarantine = folders.quarantine(c.CONFIG_INQUIRIES)
    assert quarantine.select("source_row", "rule", "column_name").rows() == [(2, rule, column)]
    assert quarantine["message"][0].startswith("inquiries.csv row 2: ")
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)


def test_the_quarantine_line_says_why(folders):
    write_rows(folders.config / "inquiries.csv", [RESOLVED | {"resolved_at": "2026-03-01"}])

    folders.ingest(c.CONFIG_INQUIRIES)

    assert folders.quarantine(c.CONFIG_INQUIRIES)["message"].to_list() == [
        "inquiries.csv row 1: resolved_at '2026-03-01' is before opened_at '2026-03-02T08:00:00Z'"
    ]


def test_an_open_inquiry_needs_no_resolution(folders):
    write_rows(folders.config / "inquiries.csv", [RESOLVED | {"status": "OPEN", "resolution": None, "resolved_at": None}])

    result = folders.ingest(c.CONFIG_INQUIRIES)

    assert (result.rows_accepted, result.rows_rejected) == (1, 0)
