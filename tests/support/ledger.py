"""The two-payee company of the ledger scenarios (tests/payouts/test_ledger_scenario.py,
tests/payouts/test_ledger_never_negative.py): payees E1 Alice and E2 Bob (USD, US, cost
center CC-100), CRM users U1 and U2, plan AE-2026 (flat rate of own credit per
month, clawback window 90 days) from 2026-01-01, quota 120,000 each; the first
CRM and HR batch is 2026-02-01.
"""

from __future__ import annotations

import duckdb

from core.settings import SpmPaths
from tests.support.demo import LEFT_OUT, WITHOUT_FORECASTS
from tests.support.landing import opportunity, write_rows

PLAN = """\
plan_id: AE-2026
name: Account Executive 2026
effective_start: 2026-01-01
effective_end: 2026-12-31
clawback_window_days: 90
clawback_policy: {clawback_policy}
components:
  - component_id: commission
    name: Commission on own bookings
    earning_code: COMMISSION
    measure: own_credit
    basis: period
    rule:
      type: flat_rate
      rate: "{rate}"
"""


def deal(id_, owner, amount, close, won=True, modified=None, stage=None):
    return opportunity(
        Id=id_,
        OwnerId=owner,
        Name=f"Deal {id_}",
        Amount=amount,
        CloseDate=close,
        IsWon="true" if won else "false",
        IsClosed="true",
        StageName=stage or ("Closed Won" if won else "Closed Lost"),
        Type="New Business",
        CreatedDate="2026-01-02T09:00:00.000+0000",
        LastModifiedDate=modified or f"{close}T12:00:00.000+0000",
    )


def write_company(
    paths: SpmPaths, deals: list[dict], rate: str = "0.10", terminations: dict | None = None,
    clawback_policy: str = "reverse_credit",
) -> None:
    """The two payees, their plan at ``rate`` and the first CRM batch with ``deals``;
    ``terminations``: employee id -> termination date."""
    crm1 = paths.landing_dir / "crm" / "2026-02-01"
    write_rows(
        crm1 / "User.csv",
        [
            {"Id": "U1", "Name": "Alice", "Email": "alice@example.com", "EmployeeNumber": "E1", "ManagerId": "", "IsActive": "true"},
            {"Id": "U2", "Name": "Bob", "Email": "bob@example.com", "EmployeeNumber": "E2", "ManagerId": "", "IsActive": "true"},
        ],
    )
    write_rows(crm1 / "Opportunity.csv", deals)
    worker = {
        "hire_date": "2024-01-01", "termination_date": "", "job_family": "Sales", "job_title": "AE",
        "manager_employee_id": "", "cost_center": "CC-100", "country": "US", "currency": "USD",
        "annual_base_salary": "100000", "annual_target_incentive": "50000",
    }
    write_rows(
        paths.landing_dir / "hr" / "2026-02-01" / "workers.csv",
        [
            {"employee_id": "E1", "full_name": "Alice", "email": "alice@example.com", **worker,
             "termination_date": (terminations or {}).get("E1", "")},
            {"employee_id": "E2", "full_name": "Bob", "email": "bob@example.com", **worker,
             "termination_date": (terminations or {}).get("E2", "")},
        ],
    )
    write_plan(paths, rate, clawback_policy)
    write_rows(
        paths.config_dir / "plan_assignments.csv",
        [{"employee_id": e, "plan_id": "AE-2026", "start_date": "2026-01-01", "end_date": ""} for e in ("E1", "E2")],
    )
    write_rows(
        paths.config_dir / "quotas.csv",
        [{"employee_id": e, "plan_year": "2026", "annual_quota": "120000", "currency": "USD", "seasonality_profile": ""} for e in ("E1", "E2")],
    )


def write_plan(paths: SpmPaths, rate: str, clawback_policy: str = "reverse_credit") -> None:
    path = paths.config_dir / "plans" / "ae.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PLAN.format(rate=rate, clawback_policy=clawback_policy))


def run_daily(paths: SpmPaths, period: str):
    """The daily job of ``period`` without the forecasts (tests/support/demo.py
    ``WITHOUT_FORECASTS``: none of the modules on this company reads one), in process; it must
    succeed, write the payout extract, the journals and the statements, and leave out only
    ``LEFT_OUT``."""
    from orchestration.cli import run_pipeline

    result = run_pipeline(paths, period=period, log_level="WARNING", leave_out=WITHOUT_FORECASTS)
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"payout_extract", "payee_statements", "journal_entries", "fct_payout_line"} <= materialized
    assert not materialized & LEFT_OUT, materialized & LEFT_OUT
    return result


def warehouse_rows(paths: SpmPaths, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of ``sql`` on the run's warehouse, opened read-only and closed again."""
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def approve_periods(paths: SpmPaths, *periods: str, by: str = "Pat Approver") -> None:
    """``spm approve`` for each of ``periods`` (one step by anyone: no approvals.yaml), on the
    content the warehouse holds now: what the publish step of each will publish
    (docs/payment_workflow.md#approval)."""
    from orchestration.cli import approve_period

    for period in periods:
        approve_period(paths, period, by)
