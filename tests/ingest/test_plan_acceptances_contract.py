"""plan_acceptances.csv (docs/payment_workflow.md, "Plan documents and acceptance"): the row rules.

An acceptance names the payee, the plan and plan year and the SHA-256 of the plan
document accepted; a digest that is not 64 hexadecimal digits, or an acceptance
without a time, is quarantined with one line naming the file, the row and the rule.
"""

from __future__ import annotations

import pytest

from assets.ingest import contract as c
from tests.support.landing import Folders, write_rows

DIGEST = "0123456789abcdef" * 4
ACCEPTED = {
    "employee_id": "E1",
    "plan_id": "AE_2026",
    "plan_year": "2026",
    "document_sha256": DIGEST.upper(),
    "accepted_at": "2026-01-12T08:15:00Z",
}


@pytest.fixture
def folders(tmp_path) -> Folders:
    return Folders(tmp_path)


def test_an_acceptance_is_loaded_with_its_digest_lower_case(folders):
    write_rows(folders.config / "plan_acceptances.csv", [ACCEPTED])

    result = folders.ingest(c.CONFIG_PLAN_ACCEPTANCES)

    assert (result.rows_accepted, result.rows_quarantined) == (1, 0)
    row = folders.raw_rows(c.CONFIG_PLAN_ACCEPTANCES).row(0, named=True)
    assert (row["employee_id"], row["plan_id"], row["plan_year"], row["document_sha256"]) == (
        "E1", "AE_2026", 2026, DIGEST)


@pytest.mark.parametrize(
    ("change", "rule", "column"),
    [
        ({"document_sha256": DIGEST[:63]}, c.RULE_BAD_SHA256, "document_sha256"),
        ({"document_sha256": "g" + DIGEST[1:]}, c.RULE_BAD_SHA256, "document_sha256"),
        ({"document_sha256": None}, c.RULE_MISSING_VALUE, "document_sha256"),
        ({"accepted_at": None}, c.RULE_MISSING_VALUE, "accepted_at"),
        ({"accepted_at": "12.01.2026"}, c.RULE_BAD_DATETIME, "accepted_at"),
        ({"plan_year": "26th"}, c.RULE_BAD_INTEGER, "plan_year"),
    ],
)
def test_a_row_breaking_an_acceptance_rule_is_quarantined_with_it(folders, change, rule, column):
    write_rows(folders.config / "plan_acceptances.csv", [ACCEPTED | {"plan_id": "MGR_2026"}, ACCEPTED | change])

    result = folders.ingest(c.CONFIG_PLAN_ACCEPTANCES)

    quarantine = folders.quarantine(c.CONFIG_PLAN_ACCEPTANCES)
    assert quarantine.select("source_row", "rule", "column_name").rows() == [(2, rule, column)]
    assert quarantine["message"][0].startswith("plan_acceptances.csv row 2: ")
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)
