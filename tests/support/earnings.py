"""A small raw layer for the earnings rules (SPEC §5): one payee per rule.

Every payee is in USD with TI 12,000 and an annual quota of 120,000, so
BCR = 12,000 / 120,000 = 0.1 and the monthly quota is 10,000. Each payee is on
its own plan from 2026-01-01 and owns its deals (no splits), so a payee's credit
is the sum of its won deals' Amounts by CloseDate month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from assets.ingest.plans import (
    PLAN_COMPONENT_FILTER_SCHEMA,
    PLAN_COMPONENT_SCHEMA,
    PLAN_COMPONENT_TIER_SCHEMA,
    PLAN_SCHEMA,
)
from tests.support.raw import B1, _frame, _opportunity, _split, _ts, _worker, write_batch, write_empty_layout
from tests.support.warehouse import query

D = Decimal

# payee -> (plan, [(deal id, amount, close date, Type)])
DEALS: dict[str, list[tuple[str, str, str, str]]] = {
    # marginal tiers, basis period
    "E101": [("M1", "12000", "2026-01-10", "New Business"), ("M2", "4000", "2026-02-10", "New Business")],
    # retroactive tiers, basis period
    "E102": [("R1", "12000", "2026-01-10", "New Business"), ("R2", "7000", "2026-02-10", "New Business")],
    # marginal tiers, basis ytd (true-ups), and the negative balance
    "E103": [("Y1", "12000", "2026-01-10", "New Business"), ("Y3", "20000", "2026-03-10", "New Business")],
    # marginal tiers with a gate at 50%, basis period
    "E104": [("G1", "4000", "2026-01-10", "New Business"), ("G2", "6000", "2026-02-10", "New Business")],
    # flat 10% capped at 0.1 x TI
    "E105": [("K1", "10000", "2026-01-10", "New Business"), ("K2", "5000", "2026-02-10", "New Business"),
             ("K3", "3000", "2026-03-10", "New Business")],
    # quarterly quota bonus at 100%
    "E106": [("B1", "8000", "2026-01-10", "New Business"), ("B2", "15000", "2026-02-10", "New Business"),
             ("B3", "1000", "2026-03-10", "New Business")],
    # SPIF 500 per deal inside February; opportunity_type filter New Business
    "E107": [("S1", "1000", "2026-01-31", "New Business"), ("S2", "1000", "2026-02-01", "New Business"),
             ("S3", "1000", "2026-02-28", "New Business"), ("S4", "1000", "2026-03-01", "New Business"),
             ("S5", "1000", "2026-02-15", "Upsell")],
    # flat 10% with a recoverable draw of 1,000 for 3 months
    "E108": [("DR1", "3000", "2026-01-10", "New Business"), ("DR2", "12000", "2026-02-10", "New Business"),
             ("DR4", "6000", "2026-04-10", "New Business"), ("DR5", "5000", "2026-05-10", "New Business"),
             ("DR6", "10000", "2026-06-10", "New Business")],
    # flat 10% on the Hardware share of the deal's line items (product_family filter)
    "E110": [("F1", "10000", "2026-01-10", "New Business"), ("F2", "5000", "2026-02-10", "New Business")],
    # mid-January plan change: P_MARG until Jan 15, P_CAP from Jan 16
    "E111": [("MC1", "12000", "2026-01-10", "New Business"), ("MC2", "5000", "2026-01-20", "New Business")],
    # flat 10% with a non-recoverable draw of 1,000 for 3 months
    "E109": [("DN1", "3000", "2026-01-10", "New Business"), ("DN2", "12000", "2026-02-10", "New Business"),
             ("DN4", "6000", "2026-04-10", "New Business")],
    # measure product_amount, flat 10%, product_family filter Hardware
    "E112": [("PA1", "10000", "2026-01-10", "New Business")],
    # measure product_units, flat 50 per unit, product_family filter Hardware
    "E113": [("PU1", "10000", "2026-01-10", "New Business"), ("PU2", "5000", "2026-02-10", "New Business")],
    # SPIF 100 per Hardware unit inside February
    "E114": [("SU1", "3000", "2026-01-31", "New Business"), ("SU2", "7000", "2026-02-10", "New Business"),
             ("SU3", "5000", "2026-03-01", "New Business")],
    # hired 2026-01-08, P_MARG Jan 8-20, P_CAP from Jan 21, unpaid leave Jan 25-27 (proration and plan days)
    "E115": [("PD1", "6000", "2026-01-12", "New Business")],
    # P_ELIG (eligible_job_families: Account Executive); Sales Development until 2026-02-14, AE from Feb 15
    "E116": [("EL1", "1000", "2026-01-20", "New Business"), ("EL2", "2000", "2026-02-10", "New Business"),
             ("EL3", "3000", "2026-02-20", "New Business")],
}

# payee -> plan assignments (plan, start, end) when not one plan from 2026-01-01
ASSIGNMENTS: dict[str, list[tuple[str, date, date | None]]] = {
    "E111": [("P_MARG", date(2026, 1, 1), date(2026, 1, 15)), ("P_CAP", date(2026, 1, 16), None)],
    "E115": [("P_MARG", date(2026, 1, 8), date(2026, 1, 20)), ("P_CAP", date(2026, 1, 21), None)],
}
HIRE_DATES = {"E115": "2026-01-08"}
ELIGIBLE_JOB_FAMILIES = {"P_ELIG": ["Account Executive"]}

TIERS = [("0", "0.5", "0.5"), ("0.5", "1.0", "1.0"), ("1.0", None, "1.5")]


def _component(plan, component, code, basis, rule, measure="own_credit", **params) -> dict:
    return {
        "plan_id": plan, "component_id": component, "component_name": component, "earning_code": code,
        "measure": measure, "basis": basis, "rule_type": rule,
        **{k: (D(v) if isinstance(v, str) else v) for k, v in params.items()},
    }


# Units of each currency per 1 USD, all of 2025-2027 (property tests credit across currencies).
FX_RATES = {"USD": "1", "EUR": "0.9234", "GBP": "0.7913"}


def build_earnings_company(raw_dir: Path, extra_deals: dict[str, list[tuple]] | None = None,
                           extra_plan_of: dict[str, str] | None = None,
                           extra_assignments: dict[str, list[tuple[str, date, date | None]]] | None = None,
                           currency_of: dict[str, str] | None = None,
                           extra_splits: list[tuple[str, str, str, str]] | None = None) -> None:
    """The raw layer; the extras add payees on the plans above (property tests).

    extra_deals: payee -> [(deal id, amount, close date, Type[, deal currency])] (the payee owns them);
    extra_plan_of: payee -> plan from 2026-01-01, unless extra_assignments gives its assignments;
    currency_of: payee -> pay currency (quota and TI in it; default USD);
    extra_splits: (split id, deal id, payee, SplitPercentage).
    """
    raw_dir = Path(raw_dir)
    write_empty_layout(raw_dir)
    deals = dict(DEALS) | dict(extra_deals or {})
    assignments = ASSIGNMENTS | dict(extra_assignments or {})
    currency_of = dict(currency_of or {})
    plan_of = {
        "E101": "P_MARG", "E102": "P_RETRO", "E103": "P_YTD", "E104": "P_GATE", "E105": "P_CAP",
        "E106": "P_BONUS", "E107": "P_SPIF", "E108": "P_DRAW_R", "E109": "P_DRAW_N", "E110": "P_FAM", "E111": "P_CAP",
        "E112": "P_PAMT", "E113": "P_PUNIT", "E114": "P_SPIFU", "E115": "P_CAP", "E116": "P_ELIG",
    } | dict(extra_plan_of or {})
    payees = sorted(plan_of)

    workers = [_worker(e, f"Payee {e}", currency_of.get(e, "USD"), HIRE_DATES.get(e, "2025-01-01"), manager=None,
                       ti="12000") for e in payees]
    for worker in workers:
        if worker["employee_id"] == "E116":
            worker["job_family"] = "Account Executive"
    write_batch(raw_dir, "hr", "workers", B1, workers)
    write_batch(raw_dir, "hr", "job_history", B1, [
        {"employee_id": "E116", "effective_date": date(2025, 1, 1), "job_family": "Sales Development",
         "job_title": "Sales Development Representative", "manager_employee_id": None},
        # a manager-only change without job_family: the Sales Development family carries on
        {"employee_id": "E116", "effective_date": date(2026, 1, 10), "job_family": None,
         "job_title": "Sales Development Representative", "manager_employee_id": None},
        {"employee_id": "E116", "effective_date": date(2026, 2, 15), "job_family": "Account Executive",
         "job_title": "Account Executive", "manager_employee_id": None},
    ])
    write_batch(raw_dir, "hr", "leave", B1, [
        {"employee_id": "E115", "start_date": date(2026, 1, 25), "end_date": date(2026, 1, 27),
         "leave_type": "personal", "paid": False},
    ])
    write_batch(raw_dir, "crm", "user", B1, [
        {"Id": "U" + e, "Name": f"Payee {e}", "Email": f"{e.lower()}@example.com", "EmployeeNumber": e,
         "IsActive": True}
        for e in payees
    ])
    write_batch(raw_dir, "crm", "opportunity", B1, [
        _opportunity(deal, "U" + e, amount, currency, close, True, close + "T10:00:00", type_=type_)
        for e, rows in deals.items() for deal, amount, close, type_, currency in ((*r, "USD")[:5] for r in rows)
    ])
    write_batch(raw_dir, "crm", "opportunity_split", B1, [
        _split(split_id, deal, "U" + e, pct, "2026-01-01T10:00:00") for split_id, deal, e, pct in extra_splits or []
    ])
    write_batch(raw_dir, "crm", "dated_conversion_rate", B1, [
        {"IsoCode": code, "StartDate": date(2025, 1, 1), "NextStartDate": date(2028, 1, 1), "ConversionRate": D(rate)}
        for code, rate in FX_RATES.items()
    ])
    # F1: Hardware 6000 + Services 4000; F2: Services only
    write_batch(raw_dir, "crm", "product", B1, [
        {"Id": "P_HW", "Name": "Server", "ProductCode": "HW-1", "Family": "Hardware", "IsActive": True},
        {"Id": "P_SV", "Name": "Install", "ProductCode": "SV-1", "Family": "Services", "IsActive": True},
    ])
    write_batch(raw_dir, "crm", "opportunity_line_item", B1, [
        {"Id": f"LI{n}", "OpportunityId": opp, "Product2Id": product, "Quantity": D(qty), "UnitPrice": D(price),
         "TotalPrice": D(qty) * D(price), "LastModifiedDate": _ts("2026-01-10T10:00:00")}
        for n, (opp, product, qty, price) in enumerate(
            [("F1", "P_HW", "2", "3000"), ("F1", "P_SV", "1", "4000"), ("F2", "P_SV", "1", "5000"),
             ("PA1", "P_HW", "2", "3000"), ("PA1", "P_SV", "1", "4000"),
             ("PU1", "P_HW", "2", "3000"), ("PU1", "P_SV", "1", "4000"), ("PU2", "P_SV", "1", "5000"),
             ("SU1", "P_HW", "3", "1000"), ("SU2", "P_HW", "2", "1500"), ("SU2", "P_SV", "1", "4000"),
             ("SU3", "P_HW", "5", "1000")], start=1)
    ])
    write_batch(raw_dir, "config", "quotas", "current", [
        {"employee_id": e, "plan_year": 2026, "annual_quota": D("120000"), "currency": currency_of.get(e, "USD")}
        for e in payees
    ])
    write_batch(raw_dir, "config", "plan_assignments", "current", [
        {"employee_id": e, "plan_id": plan, "start_date": start, "end_date": end}
        for e in payees for plan, start, end in assignments.get(e, [(plan_of[e], date(2026, 1, 1), None)])
    ])

    plans = sorted(set(plan_of.values()))
    draws = {"P_DRAW_R": "recoverable", "P_DRAW_N": "non_recoverable"}
    _frame([
        {"plan_id": p, "plan_name": p, "effective_start": date(2026, 1, 1), "effective_end": date(2026, 12, 31),
         "source_file": f"plans/{p.lower()}.yaml", "currency": "USD",
         "draw_type": draws.get(p), "draw_monthly_amount": D("1000") if p in draws else None,
         "draw_months": 3 if p in draws else None, "eligible_job_families": ELIGIBLE_JOB_FAMILIES.get(p)}
        for p in plans
    ], PLAN_SCHEMA).write_parquet(raw_dir / "config" / "plan" / "plans.parquet")

    components = [
        _component("P_MARG", "C_TIER", "COMMISSION", "period", "marginal_tiers"),
        _component("P_RETRO", "C_TIER", "COMMISSION", "period", "retroactive_tiers"),
        _component("P_ELIG", "C_TIER", "COMMISSION", "period", "marginal_tiers"),
        _component("P_YTD", "C_TIER", "COMMISSION", "ytd", "marginal_tiers"),
        _component("P_GATE", "C_TIER", "COMMISSION", "period", "marginal_tiers", gate_attainment="0.5"),
        _component("P_CAP", "C_FLAT", "COMMISSION", "period", "flat_rate", rate="0.1", cap_multiple_of_ti="0.1"),
        _component("P_BONUS", "C_BONUS", "BONUS", "quarter", "quota_bonus", bonus_threshold="1.0",
                   bonus_amount="2000"),
        _component("P_SPIF", "C_SPIF", "SPIF", "period", "spif", spif_amount_per_deal="500",
                   spif_window_start=date(2026, 2, 1), spif_window_end=date(2026, 2, 28)),
        _component("P_DRAW_R", "C_FLAT", "COMMISSION", "period", "flat_rate", rate="0.1"),
        _component("P_DRAW_N", "C_FLAT", "COMMISSION", "period", "flat_rate", rate="0.1"),
        _component("P_FAM", "C_FLAT", "COMMISSION", "period", "flat_rate", rate="0.1"),
        _component("P_PAMT", "C_FLAT", "COMMISSION", "period", "flat_rate", measure="product_amount", rate="0.1"),
        _component("P_PUNIT", "C_FLAT", "COMMISSION", "period", "flat_rate", measure="product_units", rate="50"),
        _component("P_SPIFU", "C_SPIF", "SPIF", "period", "spif", spif_amount_per_unit="100",
                   spif_window_start=date(2026, 2, 1), spif_window_end=date(2026, 2, 28)),
    ]
    _frame(components, PLAN_COMPONENT_SCHEMA).write_parquet(
        raw_dir / "config" / "plan_component" / "plan_components.parquet")
    _frame([
        {"plan_id": p, "component_id": "C_TIER", "tier_index": i, "attainment_from": D(lo),
         "attainment_to": None if hi is None else D(hi), "multiplier": D(m)}
        for p in ("P_MARG", "P_RETRO", "P_YTD", "P_GATE", "P_ELIG") for i, (lo, hi, m) in enumerate(TIERS, start=1)
    ], PLAN_COMPONENT_TIER_SCHEMA).write_parquet(
        raw_dir / "config" / "plan_component_tier" / "plan_component_tiers.parquet")
    _frame([
        {"plan_id": "P_SPIF", "component_id": "C_SPIF", "filter_type": "opportunity_type",
         "filter_value": "New Business"},
        {"plan_id": "P_FAM", "component_id": "C_FLAT", "filter_type": "product_family", "filter_value": "Hardware"},
        {"plan_id": "P_PAMT", "component_id": "C_FLAT", "filter_type": "product_family", "filter_value": "Hardware"},
        {"plan_id": "P_PUNIT", "component_id": "C_FLAT", "filter_type": "product_family", "filter_value": "Hardware"},
        {"plan_id": "P_SPIFU", "component_id": "C_SPIF", "filter_type": "product_family", "filter_value": "Hardware"},
    ], PLAN_COMPONENT_FILTER_SCHEMA).write_parquet(
        raw_dir / "config" / "plan_component_filter" / "plan_component_filters.parquet")


# --- reading its commissions back -------------------------------------------------------------


def commission(warehouse: Path, employee_id: str) -> dict[str, Decimal]:
    rows = query(
        warehouse,
        "select period, sum(commission_amount) from fct_commission where employee_id = ? group by 1 order by 1",
        [employee_id],
    )
    return dict(rows)


def commission_detail_mismatches(warehouse: Path) -> list[tuple]:
    """fct_commission rows whose fct_commission_detail lines do not re-add to the amount."""
    return query(
        warehouse,
        """
        select c.employee_id, c.period, c.component_id, c.commission_amount, sum(d.earnings_contribution)
        from fct_commission as c
        left join fct_commission_detail as d
            on c.employee_id = d.employee_id and c.period = d.period
            and c.plan_id = d.plan_id and c.component_id = d.component_id
        group by 1, 2, 3, 4
        having c.commission_amount <> coalesce(sum(d.earnings_contribution), 0)
        """,
    )
