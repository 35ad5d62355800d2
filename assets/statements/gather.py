"""Gather a period's statements: one query per mart for the whole period, then
group per payee in Python (polars). Never a query per payee.

``read_period_marts`` is the only function that touches the warehouse (read
only); ``build_statements`` is pure: marts + payout file lines -> statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import polars as pl

from assets.statements.config import StatementsConfig
from assets.statements.formatting import locale_for_country
from assets.statements.payout_file import PayoutFileLine
from assets.statements.statement import (
    ArithmeticLine,
    AttainmentLine,
    Balance,
    CarriedDeduction,
    ClawbackLine,
    ComponentLine,
    CreditLine,
    ComponentSummary,
    Header,
    InquiryLine,
    HoldLine,
    MeasureAttainment,
    PaidLine,
    PlanSummary,
    Statement,
    TierBand,
    YearToDate,
)
from core.warehouse import read_only

TENTH_DECIMAL = Decimal("1e-10")
# the amounts of a fct_earning_hold row, in HoldLine's order
HOLD_AMOUNTS = ("earned", "released", "written_off", "expired", "held")

# One query per mart, all rows of the period (parameter: the period, as often as it has ?).
QUERIES: dict[str, str] = {
    # cost_center: the one in effect in the period (dim_payee_period); the paid
    # lines carry the same, this is for a payee with a balance and no paid line
    "payees": """
        select p.employee_id, p.full_name, p.job_title, coalesce(h.cost_center, p.cost_center) as cost_center,
               p.currency, p.country
        from dim_payee as p
        left join dim_payee_period as h on h.employee_id = p.employee_id and h.period = ?
        order by p.employee_id
    """,
    "credits": """
        select employee_id, opportunity_id, credit_date, credit_type, split_percentage,
               credited_from_employee_id, rollup_level, deal_amount, deal_currency, credit_amount, credit_status
        from fct_credit where period = ?
        order by employee_id, credit_date, opportunity_id, credit_type, credited_from_employee_id
    """,
    "attainment": """
        select employee_id, quarter, plan_year,
               credit_period, quota_period, attainment_period,
               credit_qtd, quota_qtd, attainment_qtd,
               credit_ytd, quota_ytd, attainment_ytd
        from fct_attainment where period = ?
    """,
    "commission": """
        select employee_id, plan_id, component_id, earning_code, rule_type, basis, credit_amount,
               deal_count, credit_to_date, quota_to_date, attainment_to_date, bcr, rate,
               earned_to_date, cap_amount, commission_amount
        from fct_commission where period = ?
        order by employee_id, plan_id, component_id
    """,
    "detail": """
        select employee_id, plan_id, component_id, to_date_of, detail_type, opportunity_id, tier_index,
               attainment_from, attainment_to, multiplier, bcr, rate, credit_to_date, quota_to_date,
               attainment_to_date, amount, amount_from, amount_to, earnings_contribution
        from fct_commission_detail where period = ?
    """,
    "clawbacks": """
        select employee_id, opportunity_id, reason, original_close_date, original_period, change_date,
               change_period, window_days, original_credit_amount, reversed_credit_amount
        from fct_clawback where original_period = ? or change_period = ?
        order by employee_id, original_close_date, opportunity_id
    """,
    "balances": """
        select employee_id, plan_id, draw_type, earnings_amount, balance_in, draw_guarantee,
               draw_amount, payable_amount, balance_out
        from fct_payee_balance where period = ?
    """,
    # earnings held until the deal's invoice is paid, and what happened to them this period
    "holds": """
        select employee_id, opportunity_id, earned_period, earned_amount, released_amount,
               written_off_amount, expired_amount, held_amount
        from fct_earning_hold where period = ?
        order by employee_id, earned_period, opportunity_id, plan_id, component_id
    """,
    # retro deductions the period's file could not take (never negative pay): owed next period
    "carried": """
        select employee_id, earning_code, currency, sum(carried_amount) as carried_amount
        from fct_payout_line where period = ? and carried_amount <> 0
        group by employee_id, earning_code, currency
        order by employee_id, earning_code, currency
    """,
    # attainment on the measure each component pays on, and the plan summary's TI, quota and BCR
    "component_attainment": """
        select employee_id, plan_id, component_id, quarter, plan_year, measure, basis, rule_type,
               booked_credit_period, quota_period, attainment_period, units_period,
               credit_qtd, quota_qtd, attainment_qtd, units_qtd,
               credit_ytd, quota_ytd, attainment_ytd, units_ytd,
               annual_target_incentive, annual_quota, bcr
        from fct_component_attainment where period = ?
        order by employee_id, plan_id, component_id
    """,
    # the plan year to date: earned (every component, after the cap) per payee
    "earned_ytd": """
        select b.employee_id, d.plan_year, sum(b.earnings_amount) as earned
        from fct_payee_balance as b
        inner join dim_period as d on d.period = b.period
        where d.plan_year = (select plan_year from dim_period where period = ?) and b.period <= ?
        group by b.employee_id, d.plan_year
    """,
    # what the published payout files of the plan year's earlier periods paid
    "paid_ytd": """
        select employee_id, currency, sum(amount) as paid
        from fct_published_payout_line
        where plan_year = (select plan_year from dim_period where period = ?) and period < ?
        group by employee_id, currency
    """,
    "plan_year": "select plan_year from dim_period where period = ?",
    # the periods of the plan year published before this one (what "paid before" covers)
    "published_periods": """
        select distinct period from fct_published_payout_line
        where plan_year = (select plan_year from dim_period where period = ?) and period < ?
        order by period
    """,
    # the payee's inquiries still open about this period or an earlier one (docs/payment_workflow.md)
    "open_inquiries": """
        select employee_id, inquiry_id, period, category, opportunity_id, opened_at, age_days
        from fct_inquiry where is_open and period <= ?
        order by employee_id, opened_at, inquiry_id
    """,
    # the inquiries resolved by manual adjustments this period's MANUAL_ADJUSTMENT line pays
    "resolving_inquiries": """
        select employee_id, inquiry_id, adjustment_periods
        from fct_inquiry where adjustment_count > 0 and adjustment_periods like '%' || ? || '%'
        order by employee_id, inquiry_id
    """,
    # the period's pay dates per payroll country (the pay calendar: payrolls of different countries may
    # pay on different business days), for a payee without a paid line in the period
    "pay_date": """
        select country, min(pay_date) as pay_date from fct_payout_file_line where period = ?
        group by country order by pay_date, country
    """,
}

# Component names and what they measure: the plan configuration (dim_plan_component).
COMPONENT_NAMES_QUERY = """
    select plan_id, component_id, component_name, earning_code, measure, basis, rule_type
    from dim_plan_component order by plan_id, component_id
"""
# Tier bands of the tiered components (dim_plan_component_tier), for the plan summary.
TIERS_QUERY = "select * from dim_plan_component_tier order by plan_id, component_id, tier_index"
# Flat rates: fct_commission carries them on the rows of a component that earned
RATES_QUERY = "select distinct plan_id, component_id, rate from fct_commission where rate is not null"

# Deal names: the CRM's newest version of each deal (dim_opportunity).
DEAL_NAMES_QUERY = """
    select opportunity_id, opportunity_name from dim_opportunity
    where opportunity_id in (
        select opportunity_id from fct_credit where period = ?
        union
        select opportunity_id from fct_clawback where original_period = ? or change_period = ?
        union
        select opportunity_id from fct_earning_hold where period = ?)
"""


@dataclass(frozen=True)
class PeriodMarts:
    """The period's rows of every mart a statement reads, as polars frames."""

    period: str
    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def pay_date_in(self, country: str | None) -> date | None:
        """The period's pay date in a payroll country (fct_payout_file_line), None when it has no line there."""
        frame = self.frames.get("pay_date")
        if frame is None:
            return None
        return next((d for c, d in frame.iter_rows() if c == country), None)

    @property
    def pay_date(self) -> date | None:
        """The period's pay date in the warehouse (fct_payout_file_line), None when it has no line."""
        frame = self.frames.get("pay_date")
        return None if frame is None or frame.is_empty() else frame["pay_date"][0]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, period: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=[period] * sql.count("?")).to_arrow_table())


def read_period_marts(warehouse: Path, period: str) -> PeriodMarts:
    """Read every mart's rows of ``period`` from the warehouse, read-only, one query each."""
    with read_only(warehouse) as con:
        frames = {name: _frame(con, sql, period) for name, sql in QUERIES.items()}
        for name, sql in (("component_names", COMPONENT_NAMES_QUERY), ("deal_names", DEAL_NAMES_QUERY),
                          ("tiers", TIERS_QUERY), ("rates", RATES_QUERY)):
            frames[name] = _frame(con, sql, period)
    return PeriodMarts(period, frames)


def _by_payee(frame: pl.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    if frame.is_empty():
        return grouped
    for row in frame.iter_rows(named=True):
        grouped[row["employee_id"]].append(row)
    return grouped


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _money(value: Decimal) -> Decimal:
    return value.quantize(TENTH_DECIMAL, rounding=ROUND_HALF_UP)


_DETAIL_ORDER = {"band": 0, "rule": 1, "gate": 2, "cap": 3, "rounding": 4}
_TO_DATE_ORDER = {"current": 0, "previous": 1}


def _arithmetic(rows: list[dict]) -> tuple[list[ArithmeticLine], int, Decimal]:
    lines, deals, credit = [], 0, Decimal(0)
    for row in rows:
        if row["detail_type"] == "credit":
            deals += 1
            credit += Decimal(row["amount"])
            continue
        multiplier, bcr = _dec(row["multiplier"]), _dec(row["bcr"])
        rate = _dec(row["rate"])
        if row["detail_type"] == "band" and multiplier is not None and bcr is not None:
            rate = _money(bcr * multiplier)  # what fct_commission_detail multiplies the band by
        lines.append(
            ArithmeticLine(
                to_date_of=row["to_date_of"],
                detail_type=row["detail_type"],
                tier_index=row["tier_index"],
                attainment_from=_dec(row["attainment_from"]),
                attainment_to=_dec(row["attainment_to"]),
                multiplier=multiplier,
                bcr=bcr,
                rate=rate,
                credit_to_date=_dec(row["credit_to_date"]),
                quota_to_date=_dec(row["quota_to_date"]),
                attainment_to_date=_dec(row["attainment_to_date"]),
                amount=_dec(row["amount"]),
                contribution=Decimal(row["earnings_contribution"]),
                amount_from=_dec(row["amount_from"]),
                amount_to=_dec(row["amount_to"]),
            )
        )
    lines.sort(key=lambda l: (_TO_DATE_ORDER.get(l.to_date_of, 9), _DETAIL_ORDER.get(l.detail_type, 9),
                              l.tier_index or 0))
    return lines, deals, credit


def _credit_type(value: str) -> str:
    return "own" if value == "owner" else value


def build_statements(
    period: str,
    payout_lines: list[PayoutFileLine],
    marts: PeriodMarts,
    default_pay_date: date | None = None,
    default_calculation_id: str | None = None,
    config: StatementsConfig | None = None,
) -> list[Statement]:
    """One statement per payee in the payout file or on a plan in the period (fct_payee_balance),
    sorted by employee id. Amounts to be paid are the payout file's lines, never recomputed.
    ``config`` (statements.yaml): the contact line, the deal appendix of managers, locales."""
    config = config or StatementsConfig()
    contact_line = config.contact.line()
    payees = {row["employee_id"]: row for row in marts["payees"].iter_rows(named=True)}
    names = {}
    if not marts["deal_names"].is_empty():
        names = dict(marts["deal_names"].select("opportunity_id", "opportunity_name").iter_rows())
    component_rows = {(r["plan_id"], r["component_id"]): r for r in marts["component_names"].iter_rows(named=True)}
    component_names = {key: row["component_name"] for key, row in component_rows.items()}
    tiers: dict[tuple[str, str], list[TierBand]] = defaultdict(list)
    for row in marts["tiers"].iter_rows(named=True):
        tiers[(row["plan_id"], row["component_id"])].append(
            TierBand(row["tier_index"], _dec(row["attainment_from"]), _dec(row["attainment_to"]),
                     _dec(row["multiplier"]), _dec(row["amount_from"]), _dec(row["amount_to"]), _dec(row["rate"])))
    rates = {(p, c): Decimal(r) for p, c, r in marts["rates"].iter_rows()}
    component_attainment = _by_payee(marts["component_attainment"])
    earned_ytd = {row["employee_id"]: row for row in marts["earned_ytd"].iter_rows(named=True)}
    paid_ytd = _by_payee(marts["paid_ytd"])
    plan_year = marts["plan_year"]["plan_year"][0] if not marts["plan_year"].is_empty() else None
    published_periods = tuple(marts["published_periods"]["period"].to_list())
    credits = _by_payee(marts["credits"])
    attainment = {row["employee_id"]: row for row in marts["attainment"].iter_rows(named=True)}
    commission = _by_payee(marts["commission"])
    details: dict[tuple, list[dict]] = defaultdict(list)
    for row in marts["detail"].iter_rows(named=True):
        details[(row["employee_id"], row["plan_id"], row["component_id"])].append(row)
    clawbacks = _by_payee(marts["clawbacks"])
    balances = {row["employee_id"]: row for row in marts["balances"].iter_rows(named=True)}
    carried = _by_payee(marts["carried"])
    # (a frame set without it, as a unit test may build, has no holds)
    holds = _by_payee(marts.frames["holds"]) if "holds" in marts.frames else {}
    rollup_levels: dict[str, dict[str, int]] = defaultdict(dict)
    for row in marts["credits"].iter_rows(named=True):
        if row["credit_type"] == "rollup" and row["credited_from_employee_id"] is not None:
            levels = rollup_levels[row["employee_id"]]
            member, level = row["credited_from_employee_id"], int(row["rollup_level"] or 1)
            levels[member] = min(level, levels.get(member, level))  # a move mid-period: the nearer level
    open_inquiries, resolved_by_line = _inquiries(marts, period)
    lines_of: dict[str, list[PayoutFileLine]] = defaultdict(list)
    for line in payout_lines:
        lines_of[line.employee_id].append(line)

    pay_dates = sorted({l.pay_date for l in payout_lines if l.pay_date is not None})
    file_pay_date = pay_dates[0] if len(pay_dates) == 1 else default_pay_date
    calc_ids = sorted({l.calculation_id for l in payout_lines if l.calculation_id})
    file_calc_id = calc_ids[0] if len(calc_ids) == 1 else default_calculation_id

    statements = []
    for employee_id in sorted(set(lines_of) | set(balances) | set(carried) | set(holds)):
        paid = lines_of.get(employee_id, [])
        payee = payees.get(employee_id, {})
        currency = payee.get("currency") or (paid[0].currency if paid else "")
        plans = set()
        for line in paid:
            plans.update(p for p in (line.plan_id or "").split("+") if p)
        plans.update(row["plan_id"] for row in commission.get(employee_id, []))
        if employee_id in balances and balances[employee_id]["plan_id"]:
            plans.add(balances[employee_id]["plan_id"])
        line_pay_dates = sorted({l.pay_date for l in paid if l.pay_date})
        line_calc_ids = sorted({l.calculation_id for l in paid if l.calculation_id})
        header = Header(
            employee_id=employee_id,
            full_name=payee.get("full_name") or (paid[0].full_name if paid else employee_id),
            job_title=payee.get("job_title"),
            cost_center=(paid[0].cost_center if paid and paid[0].cost_center else payee.get("cost_center")),
            plans=tuple(sorted(plans)),
            currency=currency,
            period=period,
            pay_date=line_pay_dates[0] if line_pay_dates else (marts.pay_date_in(payee.get("country")) or file_pay_date),
            calculation_id="+".join(line_calc_ids) if line_calc_ids else file_calc_id,
            country=payee.get("country"),
            locale=locale_for_country(payee.get("country"), config.locales),
        )
        credit_lines = tuple(
            CreditLine(
                opportunity_id=row["opportunity_id"],
                opportunity_name=names.get(row["opportunity_id"]),
                close_date=row["credit_date"],
                credit_type=_credit_type(row["credit_type"]),
                split_percentage=Decimal(row["split_percentage"]),
                credited_from=row["credited_from_employee_id"] if row["credit_type"] == "rollup" else None,
                deal_amount=Decimal(row["deal_amount"]),
                deal_currency=row["deal_currency"],
                credit_amount=Decimal(row["credit_amount"]),
                credit_status=row["credit_status"],
            )
            for row in credits.get(employee_id, [])
        )
        att = attainment.get(employee_id)
        attainment_lines = ()
        if att is not None:
            attainment_lines = tuple(
                AttainmentLine(basis, label, Decimal(att[f"credit_{basis}"]), Decimal(att[f"quota_{basis}"]),
                               _dec(att[f"attainment_{basis}"]))
                for basis, label in (("period", f"Period {period}"), ("qtd", f"Quarter to date ({att['quarter']})"),
                                     ("ytd", f"Year to date ({att['plan_year']})"))
            )
        components = []
        for row in commission.get(employee_id, []):
            arithmetic, deals, qualifying = _arithmetic(details.get((employee_id, row["plan_id"], row["component_id"]), []))
            components.append(
                ComponentLine(
                    plan_id=row["plan_id"],
                    component_id=row["component_id"],
                    component_name=component_names.get((row["plan_id"], row["component_id"])),
                    earning_code=row["earning_code"],
                    rule_type=row["rule_type"],
                    basis=row["basis"],
                    credit_amount=Decimal(row["credit_amount"]),
                    deal_count=int(row["deal_count"] or 0),
                    credit_to_date=_dec(row["credit_to_date"]),
                    quota_to_date=_dec(row["quota_to_date"]),
                    attainment_to_date=_dec(row["attainment_to_date"]),
                    bcr=_dec(row["bcr"]),
                    rate=_dec(row["rate"]),
                    earned_to_date=_dec(row["earned_to_date"]),
                    cap_amount=_dec(row["cap_amount"]),
                    commission_amount=Decimal(row["commission_amount"]),
                    arithmetic=tuple(arithmetic),
                    qualifying_deals=deals,
                    qualifying_credit=qualifying,
                )
            )
        clawback_lines = tuple(
            ClawbackLine(
                opportunity_id=row["opportunity_id"],
                opportunity_name=names.get(row["opportunity_id"]),
                reason=row["reason"],
                original_close_date=row["original_close_date"],
                original_period=row["original_period"],
                change_date=row["change_date"],
                change_period=row["change_period"],
                window_days=row["window_days"],
                original_credit_amount=Decimal(row["original_credit_amount"]),
                reversed_credit_amount=Decimal(row["reversed_credit_amount"]),
            )
            for row in clawbacks.get(employee_id, [])
        )
        bal = balances.get(employee_id)
        balance = None
        if bal is not None:
            balance = Balance(
                plan_id=bal["plan_id"],
                draw_type=bal["draw_type"],
                earnings_amount=Decimal(bal["earnings_amount"]),
                balance_in=Decimal(bal["balance_in"]),
                draw_guarantee=_dec(bal["draw_guarantee"]),
                draw_amount=Decimal(bal["draw_amount"]),
                payable_amount=Decimal(bal["payable_amount"]),
                balance_out=Decimal(bal["balance_out"]),
            )
        paid_lines = tuple(
            PaidLine(l.earning_code, l.plan_id, l.currency, l.amount, l.reason, l.deal_ids,
                     resolved_by_line.get(employee_id) if l.earning_code == "MANUAL_ADJUSTMENT" else None)
            for l in paid
        )
        totals: dict[str, Decimal] = {}
        for line in paid_lines:
            totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
        if not totals:
            totals[currency] = Decimal(0)
        statements.append(
            Statement(
                header=header,
                credits=credit_lines,
                attainment=attainment_lines,
                components=tuple(components),
                clawbacks=clawback_lines,
                balance=balance,
                paid_lines=paid_lines,
                carried_deductions=tuple(
                    CarriedDeduction(row["earning_code"], row["currency"], Decimal(row["carried_amount"]))
                    for row in carried.get(employee_id, [])
                ),
                totals=dict(sorted(totals.items())),
                deal_appendix=config.manager_deal_appendix,
                team_member_names={
                    c.credited_from: payees[c.credited_from]["full_name"]
                    for c in credit_lines
                    if c.credited_from in payees and payees[c.credited_from].get("full_name")
                },
                rollup_levels=rollup_levels.get(employee_id, {}),
                measures=_measures(component_attainment.get(employee_id, []), component_names),
                plan_summaries=_plan_summaries(component_attainment.get(employee_id, []), component_rows,
                                               tiers, rates),
                year_to_date=_year_to_date(plan_year, earned_ytd.get(employee_id), paid_ytd.get(employee_id, []),
                                           published_periods),
                contact_line=contact_line,
                open_inquiries=open_inquiries.get(employee_id, ()),
                holds=tuple(
                    HoldLine(row["opportunity_id"], names.get(row["opportunity_id"]), row["earned_period"],
                             *(Decimal(row[f"{kind}_amount"]) for kind in HOLD_AMOUNTS))
                    for row in holds.get(employee_id, [])
                ),
            )
        )
    return statements


def _inquiries(marts: PeriodMarts, period: str) -> tuple[dict[str, tuple[InquiryLine, ...]], dict[str, str]]:
    """Per payee: the open inquiries (fct_inquiry), and the ';'-joined inquiries resolved by the
    manual adjustments the period's MANUAL_ADJUSTMENT line pays."""
    open_by_payee: dict[str, list[InquiryLine]] = defaultdict(list)
    frame = marts.frames.get("open_inquiries")
    for row in ([] if frame is None else frame.iter_rows(named=True)):
        open_by_payee[row["employee_id"]].append(InquiryLine(
            row["inquiry_id"], row["period"], row["category"], row["opportunity_id"],
            row["opened_at"].astimezone(timezone.utc).date(), int(row["age_days"])))
    resolved: dict[str, list[str]] = defaultdict(list)
    frame = marts.frames.get("resolving_inquiries")
    for row in ([] if frame is None else frame.iter_rows(named=True)):
        if period in row["adjustment_periods"].split(";"):
            resolved[row["employee_id"]].append(row["inquiry_id"])
    return ({e: tuple(lines) for e, lines in open_by_payee.items()},
            {e: ";".join(sorted(ids)) for e, ids in resolved.items()})


def _measures(rows: list[dict], component_names: dict) -> tuple[MeasureAttainment, ...]:
    """One attainment per plan and measure (the components paying on the same measure share it:
    fct_component_attainment gives them the same credit and quota)."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        grouped.setdefault((row["plan_id"], row["measure"] or ""), []).append(row)
    order = {"rollup_credit": 0, "own_credit": 1, "product_amount": 2, "product_units": 3}
    measures = []
    for (plan_id, measure), members in sorted(grouped.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9), kv[0][1])):
        first = members[0]
        in_units = measure == "product_units"
        credit = tuple(Decimal(first[k] if not in_units else first[k.replace("credit", "units").replace("booked_", "")])
                       for k in ("booked_credit_period", "credit_qtd", "credit_ytd"))
        measures.append(MeasureAttainment(
            plan_id=plan_id,
            measure=measure,
            components=tuple(component_names.get((plan_id, r["component_id"])) or r["component_id"] for r in members),
            in_units=in_units,
            quarter=first["quarter"],
            plan_year=first["plan_year"],
            credit=credit,
            quota=tuple(Decimal(first[k]) for k in ("quota_period", "quota_qtd", "quota_ytd")),
            attainment=(None, None, None) if in_units else tuple(
                _dec(first[k]) for k in ("attainment_period", "attainment_qtd", "attainment_ytd")),
        ))
    return tuple(measures)


def _plan_summaries(rows: list[dict], component_rows: dict, tiers: dict, rates: dict) -> tuple[PlanSummary, ...]:
    by_plan: dict[str, list[dict]] = {}
    for row in rows:
        by_plan.setdefault(row["plan_id"], []).append(row)
    summaries = []
    for plan_id, members in sorted(by_plan.items()):
        components = []
        for row in members:
            key = (plan_id, row["component_id"])
            conf = component_rows.get(key, {})
            components.append(ComponentSummary(
                component_id=row["component_id"],
                component_name=conf.get("component_name") or row["component_id"],
                earning_code=conf.get("earning_code") or "",
                measure=row["measure"], basis=row["basis"], rule_type=row["rule_type"],
                bcr=_dec(row["bcr"]), rate=rates.get(key), tiers=tuple(tiers.get(key, ())),
            ))
        summaries.append(PlanSummary(plan_id, _dec(members[0]["annual_target_incentive"]),
                                     _dec(members[0]["annual_quota"]), tuple(components)))
    return tuple(summaries)


def _year_to_date(plan_year, earned: dict | None, paid: list[dict], periods: tuple[str, ...]) -> YearToDate | None:
    if plan_year is None:
        return None
    return YearToDate(
        plan_year=plan_year,
        earned=Decimal(earned["earned"]) if earned else Decimal(0),
        paid_before={row["currency"]: Decimal(row["paid"]) for row in sorted(paid, key=lambda r: r["currency"])},
        published_periods=tuple(periods),
    )
