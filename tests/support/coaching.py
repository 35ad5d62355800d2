"""The small company of ``tests/support/raw.py`` plus a hand-made 2025-Q4 funnel for the coaching marts.

Team E003 (job family Sales): E001, E002, E004, ten closed deals each, all USD, every deal a
Platform line; E003 (the manager, no manager above) has two. Stages are reached in the
OpportunityHistory (0 Prospecting, 1 Qualification, 2 Proposal, 3 Negotiation, then Closed Won or
Closed Lost):

* E001: 10 deals of 10000 (one line 1 x 10000): furthest stage 0 0 0 0 0 1 3 (lost), 3 3 3 (won);
  so 10 reached Prospecting, 5 Qualification, 4 Proposal, 4 Negotiation, 3 won. Qualification comes
  16 days after Prospecting, every other step 10 days.
* E002: 10 deals of 10000 (the first, lost, 1 x 12500: the list price of the product, so every
  10000 line is 20% off): furthest 0 1 2 2 3 (lost), 5 won: 10, 9, 8, 6 reached, 5 won.
* E004: 10 deals of 20000 (2 x 10000): the same funnel as E002, steps of 10 days.
* E003: 2 deals (1 won): not enough data (var coaching_min_deals 4 in the tests).

Checked in ``tests/insights/test_coaching_dbt.py``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from tests.support.raw import _ts, build_small_company, write_batch

BATCH = "2026-03-05"
CREATED = date(2025, 10, 1)
STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
TEST_VARS = "{coaching_min_deals: 4, coaching_min_peer_payees: 2, coaching_interval_z: 1.96}"

# owner user -> (furthest open stage of each lost deal, number of won deals, amount, quantity, days per step)
FUNNELS = {
    "U001": ((0, 0, 0, 0, 0, 1, 3), 3, "10000", 1, (16, 10, 10, 10)),
    "U002": ((0, 1, 2, 2, 3), 5, "10000", 1, (10, 10, 10, 10)),
    "U004": ((0, 1, 2, 2, 3), 5, "20000", 2, (10, 10, 10, 10)),
    "U003": ((0,), 1, "10000", 1, (10, 10, 10, 10)),
}


def coaching_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """Opportunity, OpportunityHistory and OpportunityLineItem rows of the hand-made funnel."""
    deals, history, lines = [], [], []
    for owner, (lost_at, won, amount, quantity, steps) in FUNNELS.items():
        outcomes = [(stage, False) for stage in lost_at] + [(3, True)] * won
        for k, (furthest, is_won) in enumerate(outcomes, start=1):
            deal = f"C{owner[1:]}-{k:02d}"
            entered = [CREATED]
            for step in steps:
                entered.append(entered[-1] + timedelta(days=step))
            close = entered[furthest + 1]
            unit = "12500" if (owner == "U002" and k == 1) else "10000"
            deal_amount = Decimal(unit) * quantity if unit == "12500" else Decimal(amount)
            deals.append({
                "Id": deal, "AccountId": "A1", "OwnerId": owner, "Name": f"Deal {deal}",
                "StageName": "Closed Won" if is_won else "Closed Lost", "Amount": deal_amount,
                "CurrencyIsoCode": "USD", "CloseDate": close, "IsClosed": True, "IsWon": is_won,
                "Type": "New Business", "Probability": Decimal(100 if is_won else 0),
                "CreatedDate": _ts(f"{CREATED.isoformat()}T09:00:00"),
                "LastModifiedDate": _ts(f"{close.isoformat()}T17:00:00"), "IsDeleted": False,
            })
            for stage in range(furthest + 1):
                history.append({
                    "Id": f"{deal}-H{stage}", "OpportunityId": deal, "StageName": STAGES[stage],
                    "Amount": deal_amount, "CloseDate": close,
                    "CreatedDate": _ts(f"{entered[stage].isoformat()}T10:00:00"),
                })
            history.append({
                "Id": f"{deal}-H9", "OpportunityId": deal, "StageName": "Closed Won" if is_won else "Closed Lost",
                "Amount": deal_amount, "CloseDate": close, "CreatedDate": _ts(f"{close.isoformat()}T16:00:00"),
            })
            lines.append({
                "Id": f"{deal}-L1", "OpportunityId": deal, "Product2Id": "CP1", "Quantity": Decimal(quantity),
                "UnitPrice": Decimal(unit), "TotalPrice": Decimal(quantity) * Decimal(unit), "LastModifiedDate": None,
            })
    return deals, history, lines


def build_coaching_company(raw_dir: Path) -> None:
    raw_dir = Path(raw_dir)
    build_small_company(raw_dir)
    deals, history, lines = coaching_rows()
    write_batch(raw_dir, "crm", "product", BATCH, [
        {"Id": "CP1", "Name": "Platform", "ProductCode": "PLT", "Family": "Platform", "IsActive": True},
    ])
    write_batch(raw_dir, "crm", "opportunity", BATCH, deals)
    write_batch(raw_dir, "crm", "opportunity_history", BATCH, history)
    write_batch(raw_dir, "crm", "opportunity_line_item", BATCH, lines)


@lru_cache(maxsize=1)
def coaching_warehouse() -> Path:
    """``dbt build`` of the coaching company with the test thresholds, once per test session."""
    from tests.support.warehouse import build_warehouse

    folder = Path(tempfile.mkdtemp(prefix="spm_coaching_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    warehouse, _ = build_warehouse(folder, build_coaching_company, "--vars", TEST_VARS)
    return warehouse
