"""Properties of the crediting and earnings SQL, on a batch Hypothesis draws (SPEC §3-§5).

A dbt build takes seconds, so Hypothesis does not drive one build per example:
it draws (reproducibly, ``derandomize``) PAYEES independent payee cases and
SPLIT_DEALS split deals, each case one Hypothesis example with its edge-case
bias (band edges, 0.01, the last day of a year, one-payee splits ...). They go
into ONE raw layer on top of the earnings fixture (``tests/support/earnings.py``:
TI 12,000, annual quota 120,000, BCR 0.1, tiers [0, 0.5) x0.5, [0.5, 1.0) x1.0,
[1.0, ..) x1.5), built once, and every property is checked over all its rows:

* marginal earnings never fall when credit rises (P_MARG, basis period, every
  full month has quota 10,000: one curve for all payee-months), and equal
  earned(C, Q) computed here;
* split credits add up to the deal, in the deal currency and, per payee
  currency, after FX (deals in USD, EUR, GBP split over 1-4 payees paid in
  USD, EUR or GBP);
* the year's YTD true-ups add up to the year's earnings: the sum of P_YTD's
  monthly earnings is earned(C_ytd(Dec), Q_ytd(Dec)), computed here from the
  payee's 2026 credit and the tier table;
* a mid-month plan change (P_MARG until a drawn day, then P_YTD): each plan's
  quota is its days' share and the two add up to the month's quota; each deal
  counts under the plan of its credit date;
* payable is never negative (also with recoverable draws and negative
  true-ups), the payable lines add up to it, and without draws what was paid
  plus the balance still owed is what was earned;
* recomputing is deterministic: the batch built twice gives identical tables.

A failing assertion names the payee or deal.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.earnings import FX_RATES, TIERS, build_earnings_company
from tests.support.warehouse import build_warehouse, query

D = Decimal
TENTH = D("1e-10")
BCR, ANNUAL_QUOTA = D("0.1"), D("120000")
CURRENCIES = sorted(FX_RATES)
BAND_EDGES = [D("5000"), D("10000"), D("4999.99"), D("10000.01")]  # the monthly bands of P_MARG


def money(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def earned_marginal(credit: Decimal, quota: Decimal) -> Decimal:
    """SPEC §5 marginal tiers, each band rounded at the 10th decimal like the warehouse."""
    total = D(0)
    for lo, hi, multiplier in TIERS:
        top = credit if hi is None else min(credit, D(hi) * quota)
        in_band = max(D(0), top - D(lo) * quota)
        total += money(money(BCR * D(multiplier)) * money(in_band))
    return total


# ---------------------------------------------------------------- strategies

amounts = st.one_of(
    st.decimals(min_value=D("0.01"), max_value=D("60000"), places=2),
    st.integers(min_value=1, max_value=25000).map(D),
    st.sampled_from(BAND_EDGES),
)
days_of_2026 = st.integers(min_value=0, max_value=364).map(lambda n: date(2026, 1, 1) + timedelta(days=n))


@st.composite
def split_percentages(draw, parts: int) -> list[Decimal]:
    """``parts`` shares of 100 with two decimals, each at least 0.01, adding up to exactly 100."""
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=parts - 1, max_size=parts - 1, unique=True)))
    edges = [0, *cuts, 10000]
    return [D(b - a) / 100 for a, b in zip(edges, edges[1:])]


PAYEES, SPLIT_DEALS = 40, 16


# payee n is of kind KINDS[n % 5]: P_MARG all year (twice as many: the monotonicity curve), P_YTD,
# P_DRAW_R, or P_MARG then P_YTD from a drawn day
KINDS = ("marg", "ytd", "draw", "change", "marg")
PLAN_OF_KIND = {"marg": "P_MARG", "ytd": "P_YTD", "draw": "P_DRAW_R", "change": "P_YTD"}


@st.composite
def payee_cases(draw) -> dict:
    """One payee's currency, own deals and (for kind change) the day the plan changes."""
    return {
        "currency": draw(st.sampled_from(CURRENCIES)),
        "change_day": draw(st.integers(0, 363).map(lambda d: date(2026, 1, 2) + timedelta(days=d))),
        "deals": draw(st.lists(st.tuples(amounts, days_of_2026), max_size=8)),
    }


@st.composite
def split_deals(draw) -> dict:
    """A deal in USD, EUR or GBP split over 1-4 distinct payees (the first owns it)."""
    members = draw(st.lists(st.integers(0, PAYEES - 1), min_size=1, max_size=4, unique=True))
    return {
        "members": members,
        "shares": draw(split_percentages(len(members))),
        "amount": draw(amounts),
        "close": draw(days_of_2026),
        "currency": draw(st.sampled_from(CURRENCIES)),
    }


def draw_examples(strategy, count: int) -> list:
    """``count`` examples of ``strategy``, drawn by Hypothesis (its edge cases included), reproducibly."""
    drawn: list = []

    @settings(max_examples=count, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example):
        drawn.append(example)

    collect()
    assert len(drawn) == count, f"Hypothesis drew {len(drawn)} of {count} examples"
    return drawn


def draw_batch() -> dict:
    """PAYEES independent payee cases and SPLIT_DEALS split deals between them, for one warehouse."""
    batch: dict = {"plan_of": {}, "deals": {}, "assignments": {}, "currency_of": {}, "splits": [], "change_day": {}}
    payees = [f"H{n:03d}" for n in range(PAYEES)]
    for n, (payee, case) in enumerate(zip(payees, draw_examples(payee_cases(), PAYEES))):
        kind = KINDS[n % len(KINDS)]
        batch["plan_of"][payee] = PLAN_OF_KIND[kind]
        batch["currency_of"][payee] = case["currency"]
        if kind == "change":
            change_day = batch["change_day"][payee] = case["change_day"]
            batch["assignments"][payee] = [("P_MARG", date(2026, 1, 1), change_day - timedelta(days=1)),
                                           ("P_YTD", change_day, None)]
        batch["deals"][payee] = [
            (f"{payee}-D{i}", str(amount), close.isoformat(), "New Business", case["currency"])
            for i, (amount, close) in enumerate(case["deals"])
        ]
    for n, split in enumerate(draw_examples(split_deals(), SPLIT_DEALS)):
        deal = f"SPLIT{n:02d}"
        members = [payees[m] for m in split["members"]]
        batch["deals"][members[0]].append(
            (deal, str(split["amount"]), split["close"].isoformat(), "New Business", split["currency"]))
        batch["splits"] += [(f"{deal}-{i}", deal, member, str(share))
                            for i, (member, share) in enumerate(zip(members, split["shares"]))]
    return batch


def build_batch(tmp: Path, batch: dict, data_tests: bool = True, every_model: bool = False) -> Path:
    def write(raw: Path) -> None:
        build_earnings_company(
            raw, extra_deals=batch["deals"], extra_plan_of=batch["plan_of"], extra_assignments=batch["assignments"],
            currency_of=batch["currency_of"], extra_splits=batch["splits"],
        )

    warehouse, _ = build_warehouse(tmp, write, data_tests=data_tests, every_model=every_model)
    return warehouse


# ---------------------------------------------------------------- the properties


def check_marginal_earnings_never_fall_when_credit_rises(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select employee_id, period, credit_amount, exact_commission_amount from fct_commission
        where plan_id = 'P_MARG' and quota_to_date = 10000 order by credit_amount, exact_commission_amount
        """,
    )
    assert len(rows) > 20
    for (e1, p1, c1, m1), (e2, p2, c2, m2) in zip(rows, rows[1:]):
        assert m2 >= m1, f"{e2} {p2}: credit {c2} >= {c1} ({e1} {p1}) but earns {m2} < {m1}"
        if c2 > c1:
            assert m2 > m1, f"{e2} {p2}: credit {c2} > {c1} ({e1} {p1}) but earns no more ({m2})"
    for employee_id, period, credit, earned in rows:
        assert earned == earned_marginal(credit, D(10000)), (employee_id, period, credit, earned)
    # what is paid is within a cent of it (the change of the rounded plan-year cumulative)
    assert query(
        warehouse,
        "select count(*) from fct_commission where plan_id = 'P_MARG' and abs(commission_amount - exact_commission_amount) > 0.01",
    ) == [(0,)]


def check_split_credits_add_up_to_the_deal(warehouse: Path, batch: dict) -> None:
    deals = {deal: (D(amount), currency) for rows in batch["deals"].values() for deal, amount, _, _, currency in rows}
    split_deals = {deal for _, deal, _, _ in batch["splits"]}
    shares: dict[str, dict[str, Decimal]] = {}
    for _, deal, payee, pct in batch["splits"]:
        shares.setdefault(deal, {})[payee] = D(pct)
    rows = query(
        warehouse,
        """
        select opportunity_id, employee_id, credit_amount_deal_currency, credit_amount, payee_currency
        from fct_credit where credit_type in ('owner', 'split') and opportunity_id like 'SPLIT%'
        """,
    )
    credited: dict[str, list[tuple]] = {}
    for deal, payee, in_deal_currency, amount, currency in rows:
        credited.setdefault(deal, []).append((payee, in_deal_currency, amount, currency))
    assert set(credited) == split_deals
    for deal, lines in credited.items():
        amount, deal_currency = deals[deal]
        assert {payee for payee, *_ in lines} == set(shares[deal]), deal
        # in the deal currency: each share rounded once at the 10th decimal
        assert abs(sum(line[1] for line in lines) - amount) <= TENTH * len(lines), deal
        # after FX, per payee currency: amount x their shares / 100 x rate(payee) / rate(deal)
        for currency in {line[3] for line in lines}:
            group = [line for line in lines if line[3] == currency]
            ratio = D(FX_RATES[currency]) / D(FX_RATES[deal_currency])
            expected = amount * sum(shares[deal][payee] for payee, *_ in group) / 100 * ratio
            assert abs(sum(line[2] for line in group) - expected) <= TENTH * len(group) * (ratio + 1) + TENTH, (
                deal, currency)


def check_ytd_true_ups_add_up_to_the_years_earnings(warehouse: Path, batch: dict) -> None:
    payees = sorted(p for p, plan in batch["plan_of"].items() if plan == "P_YTD" and p not in batch["change_day"])
    credit = dict(query(
        warehouse,
        "select employee_id, sum(credit_amount) from fct_credit where credit_type in ('owner', 'split') "
        "and plan_year = 2026 and employee_id like 'H%' group by 1",
    ))
    earned = {
        e: (exact, paid)
        for e, exact, paid in query(
            warehouse,
            "select employee_id, sum(exact_earnings_amount), sum(earnings_amount) from int_earnings_periodized "
            "where plan_id = 'P_YTD' and plan_year = 2026 and employee_id like 'H%' group by 1",
        )
    }
    for payee in payees:
        year = earned_marginal(credit.get(payee, D(0)), ANNUAL_QUOTA)
        exact, paid = earned[payee]
        # the exact true-ups add up to the year's earning, and the paid lines (rounding
        # telescoped) to that earning rounded once to the cent
        assert exact == year, payee
        assert paid == year.quantize(D("0.01"), rounding=ROUND_HALF_UP), payee


def check_mid_month_plan_change_pays_each_plan_for_its_days(warehouse: Path, batch: dict) -> None:
    quota = {(e, p): q for e, p, q in query(warehouse, "select employee_id, period, monthly_quota from fct_quota")}
    plan_quota = {
        (e, p, plan): (days, q)
        for e, p, plan, days, q in query(
            warehouse, "select employee_id, period, plan_id, plan_eligible_days, plan_quota from int_quota_months_by_plan"
        )
    }
    plan_credit = {
        (e, p, plan): c
        for e, p, plan, c in query(
            warehouse, "select employee_id, period, plan_id, credit_amount from fct_commission where employee_id like 'H%'"
        )
    }
    credit_rows = query(
        warehouse,
        "select employee_id, credit_date, period, credit_amount from fct_credit "
        "where credit_type in ('owner', 'split') and employee_id like 'H%'",
    )
    for payee, change_day in batch["change_day"].items():
        period = f"{change_day:%Y-%m}"
        days_in_month = calendar.monthrange(change_day.year, change_day.month)[1]
        before, after = change_day.day - 1, days_in_month - change_day.day + 1
        full = quota[(payee, period)]
        if before:
            assert plan_quota[(payee, period, "P_MARG")] == (before, money(full * before / days_in_month)), payee
        assert plan_quota[(payee, period, "P_YTD")] == (after, money(full * after / days_in_month)), payee
        assert abs(sum(q for (e, p, _), (_, q) in plan_quota.items() if (e, p) == (payee, period)) - full) <= 2 * TENTH
        expected: dict[tuple[str, str], Decimal] = {}
        for e, credit_date, month, amount in credit_rows:
            if e == payee:
                plan = "P_MARG" if credit_date < change_day else "P_YTD"
                expected[(month, plan)] = expected.get((month, plan), D(0)) + amount
        for (month, plan), amount in expected.items():
            assert plan_credit[(payee, month, plan)] == amount, (payee, month, plan)


def check_payable_never_negative(warehouse: Path, batch: dict) -> None:
    assert query(warehouse, "select count(*) from fct_payee_balance where payable_amount < 0") == [(0,)]
    assert query(
        warehouse,
        """
        select count(*) from (
            select b.employee_id, b.period from fct_payee_balance as b
            left join fct_payable as l on b.employee_id = l.employee_id and b.period = l.period
            group by b.employee_id, b.period, b.payable_amount
            having coalesce(sum(l.payable_amount), 0) <> b.payable_amount
        )
        """,
    ) == [(0,)]
    no_draw = sorted(p for p, plan in batch["plan_of"].items() if plan != "P_DRAW_R")
    rows = query(
        warehouse,
        """
        select employee_id, sum(earnings_amount), sum(payable_amount),
               max(case when period = '2026-12' then balance_out end)
        from fct_payee_balance where employee_id like 'H%' and period like '2026-%' group by 1
        """,
    )
    for employee_id, earned, paid, balance_out in rows:
        if employee_id in no_draw:  # balance_out <= 0 is what the payee still owes
            assert paid + balance_out == earned, employee_id


def table_contents(warehouse: Path) -> dict[str, list[tuple]]:
    tables = [
        name for (name,) in query(
            warehouse,
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1",
        )
    ]
    return {name: query(warehouse, f"select * from {name} order by all") for name in tables}


@pytest.fixture(scope="module")
def batch() -> dict:
    return draw_batch()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, batch) -> Path:
    return build_batch(tmp_path_factory.mktemp("dbt_properties"), batch)


def test_the_batch_is_varied(batch):
    # what the properties below run over: every kind of payee, currency and split size
    assert set(batch["plan_of"].values()) == {"P_MARG", "P_YTD", "P_DRAW_R"} and batch["change_day"]
    assert set(batch["currency_of"].values()) == set(CURRENCIES)
    assert sum(len(deals) for deals in batch["deals"].values()) > 100
    assert {len([s for s in batch["splits"] if s[1] == deal]) for deal in {s[1] for s in batch["splits"]}} >= {1, 2, 3}


@pytest.mark.slow
def test_marginal_earnings_never_fall_when_credit_rises(warehouse):
    check_marginal_earnings_never_fall_when_credit_rises(warehouse)


@pytest.mark.slow
def test_split_credits_add_up_to_the_deal(warehouse, batch):
    check_split_credits_add_up_to_the_deal(warehouse, batch)


@pytest.mark.slow
def test_ytd_true_ups_add_up_to_the_years_earnings(warehouse, batch):
    check_ytd_true_ups_add_up_to_the_years_earnings(warehouse, batch)


@pytest.mark.slow
def test_mid_month_plan_change_pays_each_plan_for_its_days(warehouse, batch):
    check_mid_month_plan_change_pays_each_plan_for_its_days(warehouse, batch)


@pytest.mark.slow
def test_payable_is_never_negative(warehouse, batch):
    check_payable_never_negative(warehouse, batch)


@pytest.mark.slow
def test_recomputing_is_deterministic(warehouse, batch, tmp_path_factory):
    # the same inputs, built again into another warehouse: every table identical, row for row
    # (the models only: the first build ran every data test on the same batch)
    again = build_batch(tmp_path_factory.mktemp("dbt_properties_again"), batch, data_tests=False, every_model=True)
    first = table_contents(warehouse)
    assert len(first) >= 30 and first == table_contents(again)
    assert draw_batch() == batch  # and the batch itself is drawn reproducibly
