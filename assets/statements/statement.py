"""What one payee statement shows, as plain data (no Dagster, no rendering).

Every amount is a ``Decimal`` exactly as the warehouse or the payout file holds
it; formatting happens in the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.earning_codes import ADJUSTMENT_CODES


@dataclass(frozen=True)
class Header:
    employee_id: str
    full_name: str
    job_title: str | None
    cost_center: str | None
    plans: tuple[str, ...]
    currency: str
    period: str
    pay_date: date | None
    calculation_id: str | None
    country: str | None = None  # HR country (the locale is derived from it)
    locale: str = "en_US"  # Babel locale of every number and date on the statement


@dataclass(frozen=True)
class CreditLine:
    """One fct_credit row of the period."""

    opportunity_id: str
    opportunity_name: str | None
    close_date: date
    credit_type: str  # own, split or rollup (fct_credit owner -> own)
    split_percentage: Decimal
    credited_from: str | None  # roll-up: the payee whose credit this is
    deal_amount: Decimal
    deal_currency: str
    credit_amount: Decimal  # payee currency
    credit_status: str


@dataclass(frozen=True)
class AttainmentLine:
    """Credit, quota and attainment on one basis (period, quarter-to-date, year-to-date)."""

    basis: str
    label: str
    credit: Decimal
    quota: Decimal
    attainment: Decimal | None  # ratio, 1 = 100%


@dataclass(frozen=True)
class ArithmeticLine:
    """One fct_commission_detail line (band, rule, gate, cap or rounding) of a component."""

    to_date_of: str  # current or previous (the true-up subtracts the previous month's to-date)
    detail_type: str
    tier_index: int | None
    attainment_from: Decimal | None
    attainment_to: Decimal | None
    multiplier: Decimal | None
    bcr: Decimal | None
    rate: Decimal | None  # band: BCR x multiplier (10 decimals); flat rule: the rate
    credit_to_date: Decimal | None
    quota_to_date: Decimal | None
    attainment_to_date: Decimal | None
    amount: Decimal | None  # band: credit in the band; cap: the cap
    contribution: Decimal
    amount_from: Decimal | None = None  # a band on amount (tiers_on amount): [amount_from, amount_to)
    amount_to: Decimal | None = None


@dataclass(frozen=True)
class ComponentLine:
    """One fct_commission row with its arithmetic."""

    plan_id: str
    component_id: str
    component_name: str | None
    earning_code: str
    rule_type: str | None
    basis: str | None
    credit_amount: Decimal
    deal_count: int
    credit_to_date: Decimal | None
    quota_to_date: Decimal | None
    attainment_to_date: Decimal | None
    bcr: Decimal | None
    rate: Decimal | None
    earned_to_date: Decimal | None
    cap_amount: Decimal | None
    commission_amount: Decimal
    arithmetic: tuple[ArithmeticLine, ...]
    qualifying_deals: int  # fct_commission_detail credit lines
    qualifying_credit: Decimal

    @property
    def arithmetic_total(self) -> Decimal:
        return sum((line.contribution for line in self.arithmetic), Decimal(0))


@dataclass(frozen=True)
class ClawbackLine:
    """One fct_clawback row touching the period (credit of the period reversed, or a change in it)."""

    opportunity_id: str
    opportunity_name: str | None
    reason: str
    original_close_date: date
    original_period: str
    change_date: date
    change_period: str
    window_days: int | None
    original_credit_amount: Decimal
    reversed_credit_amount: Decimal


@dataclass(frozen=True)
class HoldLine:
    """One fct_earning_hold row of the period: a deal's earning held until its invoice is paid
    (docs/payment_workflow.md, Holds and releases)."""

    opportunity_id: str
    opportunity_name: str | None
    earned_period: str
    earned_amount: Decimal  # earned (and held) this period
    released_amount: Decimal  # paid this period as COMMISSION_RELEASE
    written_off_amount: Decimal  # never paid: the invoice was written off
    expired_amount: Decimal  # never paid: unpaid past expire_after_days
    held_amount: Decimal  # still held at the end of the period


@dataclass(frozen=True)
class PaidLine:
    """One line of the payout file for this payee (already rounded)."""

    earning_code: str
    plan_id: str | None
    currency: str
    amount: Decimal
    reason: str | None
    deal_ids: str | None
    # MANUAL_ADJUSTMENT: the ';'-joined inquiries its adjustments resolve (fct_inquiry), if any
    inquiry_ids: str | None = None


@dataclass(frozen=True)
class InquiryLine:
    """One of the payee's open inquiries (fct_inquiry), as listed on the statement."""

    inquiry_id: str
    period: str
    category: str
    opportunity_id: str | None
    opened_on: date
    age_days: int


@dataclass(frozen=True)
class Balance:
    """fct_payee_balance of the period: draws and the carried balance."""

    plan_id: str | None
    draw_type: str | None
    earnings_amount: Decimal
    balance_in: Decimal
    draw_guarantee: Decimal | None
    draw_amount: Decimal
    payable_amount: Decimal
    balance_out: Decimal


@dataclass(frozen=True)
class CarriedDeduction:
    """A retro deduction (CLAWBACK, ADJUSTMENT) the period's pay could not cover: not paid now,
    owed from the next period's pay (fct_payout_line.carried_amount, never negative pay)."""

    earning_code: str
    currency: str
    amount: Decimal  # negative: what the payee still owes


@dataclass(frozen=True)
class TeamMemberCredit:
    """A manager's roll-up credit of the period from one team member (the payee credited below)."""

    employee_id: str
    full_name: str | None
    deal_count: int
    credit_amount: Decimal  # the manager's currency
    level: int = 1  # levels below the manager (1 = direct report), fct_credit.rollup_level


@dataclass(frozen=True)
class TeamLevel:
    """The team members ``level`` levels below the manager, and their sub-total. ``deal_count``:
    the distinct deals of the level (a deal split between two members counts once)."""

    level: int
    members: tuple[TeamMemberCredit, ...]
    deal_count: int

    @property
    def credit_amount(self) -> Decimal:
        return sum((m.credit_amount for m in self.members), Decimal(0))


@dataclass(frozen=True)
class MeasureAttainment:
    """Credit, quota and attainment on one measure a plan pays on (fct_component_attainment),
    for the period, the quarter to date and the plan year to date."""

    plan_id: str
    measure: str  # own_credit, rollup_credit, product_amount, product_units
    components: tuple[str, ...]  # the names of the components paying on it
    in_units: bool  # product_units: credit is a count of units, there is no money quota
    quarter: str
    plan_year: int
    credit: tuple[Decimal, Decimal, Decimal]  # period, QTD, YTD
    quota: tuple[Decimal, Decimal, Decimal]
    attainment: tuple[Decimal | None, Decimal | None, Decimal | None]


@dataclass(frozen=True)
class TierBand:
    tier_index: int
    attainment_from: Decimal | None
    attainment_to: Decimal | None
    multiplier: Decimal | None
    amount_from: Decimal | None
    amount_to: Decimal | None
    rate: Decimal | None


@dataclass(frozen=True)
class ComponentSummary:
    """One component of the payee's plan, as the plan summary says it."""

    component_id: str
    component_name: str
    earning_code: str
    measure: str | None
    basis: str | None
    rule_type: str | None
    bcr: Decimal | None
    rate: Decimal | None  # flat rate
    tiers: tuple[TierBand, ...]


@dataclass(frozen=True)
class PlanSummary:
    plan_id: str
    annual_target_incentive: Decimal | None
    annual_quota: Decimal | None
    components: tuple[ComponentSummary, ...]


@dataclass(frozen=True)
class YearToDate:
    """The plan year so far: earned (all components, fct_payee_balance), paid by the published
    payout files of earlier periods (fct_published_payout_line), and this statement's amount."""

    plan_year: int
    earned: Decimal
    paid_before: dict[str, Decimal]  # currency -> paid in published periods before this one
    published_periods: tuple[str, ...]


BALANCE_CODES = ("DRAW", "DRAW_RECOVERY")


@dataclass(frozen=True)
class Statement:
    header: Header
    credits: tuple[CreditLine, ...]
    attainment: tuple[AttainmentLine, ...]
    components: tuple[ComponentLine, ...]
    clawbacks: tuple[ClawbackLine, ...]
    balance: Balance | None
    paid_lines: tuple[PaidLine, ...]  # the payout file's lines, in file order
    totals: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount to be paid
    # a manager's roll-up credit deal by deal as an appendix (statements.yaml deal_appendix.managers)
    deal_appendix: bool = False
    team_member_names: dict[str, str] = field(default_factory=dict)  # credited_from -> full name
    carried_deductions: tuple[CarriedDeduction, ...] = ()
    rollup_levels: dict[str, int] = field(default_factory=dict)  # credited_from -> levels below
    measures: tuple[MeasureAttainment, ...] = ()
    plan_summaries: tuple[PlanSummary, ...] = ()
    year_to_date: YearToDate | None = None
    contact_line: str = ""
    open_inquiries: tuple[InquiryLine, ...] = ()  # the payee's open inquiries (fct_inquiry)
    holds: tuple[HoldLine, ...] = ()  # earnings held until the invoice is paid (fct_earning_hold)

    @property
    def inquiry_reference(self) -> str:
        """What a payee quotes to raise an inquiry about this statement, with its period."""
        return f"{self.header.employee_id}-{self.header.period}"

    @property
    def adjustment_lines(self) -> tuple[PaidLine, ...]:
        return tuple(line for line in self.paid_lines if line.earning_code in ADJUSTMENT_CODES)

    @property
    def balance_lines(self) -> tuple[PaidLine, ...]:
        return tuple(line for line in self.paid_lines if line.earning_code in BALANCE_CODES)

    @property
    def listed_credits(self) -> tuple[CreditLine, ...]:
        """The payee's own and split credits, deal by deal (roll-up credit is listed per team
        member, ``team_levels``, and deal by deal only in the appendix)."""
        return tuple(c for c in self.credits if c.credit_type != "rollup")

    @property
    def rollup_by_team_member(self) -> tuple[TeamMemberCredit, ...]:
        """Roll-up credit per team member, by level below the manager, then name."""
        deals: dict[str, set[str]] = {}
        amounts: dict[str, Decimal] = {}
        for c in self.credits:
            if c.credit_type == "rollup":
                member = c.credited_from or ""
                deals.setdefault(member, set()).add(c.opportunity_id)
                amounts[member] = amounts.get(member, Decimal(0)) + c.credit_amount
        return tuple(
            TeamMemberCredit(member, self.team_member_names.get(member), len(deals[member]), amounts[member],
                             self.rollup_levels.get(member, 1))
            for member in sorted(amounts, key=lambda m: (self.rollup_levels.get(m, 1),
                                                         (self.team_member_names.get(m) or m).casefold(), m))
        )

    @property
    def team_levels(self) -> tuple[TeamLevel, ...]:
        """The roll-up credit per level below the manager (1 = direct reports), one row per team
        member, by name; the levels' sub-totals add up to ``rollup_credit_total``."""
        by_level: dict[int, list[TeamMemberCredit]] = {}
        for member in self.rollup_by_team_member:
            by_level.setdefault(member.level, []).append(member)
        deals: dict[int, set[str]] = {}
        for c in self.credits:
            if c.credit_type == "rollup":
                deals.setdefault(self.rollup_levels.get(c.credited_from or "", 1), set()).add(c.opportunity_id)
        return tuple(TeamLevel(level, tuple(members), len(deals.get(level, ())))
                     for level, members in sorted(by_level.items()))

    @property
    def rollup_deal_count(self) -> int:
        """The distinct deals of the team's credit (all levels)."""
        return len({c.opportunity_id for c in self.credits if c.credit_type == "rollup"})

    @property
    def rollup_credits(self) -> tuple[CreditLine, ...]:
        """The roll-up credit deal by deal (the appendix), by level, team member, date and deal."""
        return tuple(sorted((c for c in self.credits if c.credit_type == "rollup"),
                            key=lambda c: (self.rollup_levels.get(c.credited_from or "", 1),
                                           (self.team_member_names.get(c.credited_from or "") or "").casefold(),
                                           c.credited_from or "", c.close_date, c.opportunity_id)))

    @property
    def own_credit_total(self) -> Decimal:
        return sum((c.credit_amount for c in self.credits if c.credit_type != "rollup"), Decimal(0))

    @property
    def rollup_credit_total(self) -> Decimal:
        return sum((c.credit_amount for c in self.credits if c.credit_type == "rollup"), Decimal(0))
