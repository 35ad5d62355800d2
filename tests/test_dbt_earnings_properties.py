"""Properties of the earnings SQL on seeded random credit sets (one dbt build, many payees).

Random deals (seeded, so a failure reproduces) for payees on the period-basis
marginal plan (P_MARG) and the ytd marginal plan (P_YTD); the properties are
checked on what the warehouse computed, not on a Python re-implementation:
* marginal earnings on basis period are monotone in the month's credit (every
  month has the same quota 10,000);
* a plan year's ytd true-ups add up to earned(C_year, Q_year) at December;
* payable is never negative, and without draws what was paid plus the balance
  still owed equals what was earned.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from tests.fixtures_earnings import build_earnings_company
from tests.test_dbt_build import _env_without_spm, query, run_dbt

SEED = 20260101
PAYEES_PER_PLAN = 6


def _random_deals(rng: random.Random, prefix: str) -> list[tuple[str, str, str, str]]:
    deals = []
    for month in range(1, 13):
        for n in range(rng.randint(0, 3)):
            amount = Decimal(rng.randint(1, 2_000_000)) / 100
            deals.append((f"{prefix}-{month:02d}-{n}", str(amount), f"2026-{month:02d}-{rng.randint(1, 28):02d}",
                          "New Business"))
    return deals


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    rng = random.Random(SEED)
    plan_of = {f"EP{p}{i}": plan for p, plan in enumerate(("P_MARG", "P_YTD")) for i in range(PAYEES_PER_PLAN)}
    deals = {e: _random_deals(rng, e) for e in plan_of}
    tmp = tmp_path_factory.mktemp("dbt_earnings_properties")
    raw = tmp / "raw"
    build_earnings_company(raw, extra_deals=deals, extra_plan_of=plan_of)
    env = _env_without_spm() | {"SPM_RAW_DIR": str(raw), "SPM_WAREHOUSE": str(tmp / "spm.duckdb")}
    completed = run_dbt("build", tmp, env)
    results = json.loads((tmp / "target" / "run_results.json").read_text())
    failures = [f"{r['unique_id']}: {r['status']}" for r in results["results"] if r["status"] not in ("success", "pass")]
    assert completed.returncode == 0 and not failures, "\n".join(failures) or completed.stdout[-5000:]
    return tmp / "spm.duckdb"


def test_marginal_earnings_are_monotone_in_credit(warehouse):
    rows = query(
        warehouse,
        """
        select credit_amount, commission_amount from fct_commission
        where plan_id = 'P_MARG' and employee_id like 'EP%' order by credit_amount, commission_amount
        """,
    )
    assert len(rows) > 20
    earnings = [e for _, e in rows]
    assert earnings == sorted(earnings)
    # and strictly more credit never earns the same unless both are at or below zero
    for (c1, e1), (c2, e2) in zip(rows, rows[1:]):
        if c2 > c1 and c2 > 0:
            assert e2 > e1


def test_ytd_true_ups_add_up_to_the_years_earned(warehouse):
    rows = query(
        warehouse,
        """
        select p.employee_id, sum(p.earnings_amount), max(case when p.period = '2026-12' then p.earned_to_date end)
        from int_earnings_periodized as p
        where p.plan_id = 'P_YTD' and p.employee_id like 'EP%' and p.plan_year = 2026
        group by 1
        """,
    )
    assert len(rows) == PAYEES_PER_PLAN
    for employee_id, year_sum, december_to_date in rows:
        assert year_sum == december_to_date, employee_id


def test_payable_never_negative_and_paid_plus_owed_is_earned(warehouse):
    assert query(warehouse, "select count(*) from fct_payee_balance where payable_amount < 0") == [(0,)]
    rows = query(
        warehouse,
        """
        select employee_id, sum(earnings_amount), sum(payable_amount),
               max(case when period = '2026-12' then balance_out end)
        from fct_payee_balance
        where employee_id like 'EP%' and period like '2026-%'
        group by 1
        """,
    )
    # balance_out <= 0 is what the payee still owes (negative earnings not yet recovered)
    for employee_id, earned, paid, balance_out in rows:
        assert paid + balance_out == earned, employee_id
