"""The two-way fit's hand case, recomputed in Python's Decimal (docs/insights.md "Territory fit").

``int_territory_two_way_fit`` fits territory x rep by iterative proportional
fitting in DECIMAL(38,10), each product and quotient rounded half away from
zero at the 10th decimal. Its dbt unit test states the expected figures; this
test derives them again, independently of dbt and of the SQL, from the unit
test's own input rows, so the expectations cannot drift to whatever the model
prints.
"""

from __future__ import annotations

from decimal import Decimal

import yaml

from core.settings import DBT_PROJECT_DIR
from tests.support.warehouse import TENTH_DECIMAL, divide_money, money

# the model's rounds: dbt_project.yml var territory_fit_rounds (the unit test's figures are for 25)
ROUNDS = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["territory_fit_rounds"]
UNIT_TEST = "test_territory_two_way_fit_takes_the_reps_skill_out_of_the_territory"


def divide(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """The model's divide_money: null on a zero denominator."""
    return None if denominator == 0 else divide_money(numerator, denominator)


def two_way_fit(cells: list[dict]) -> dict[str, tuple[Decimal, Decimal | None]]:
    """Territory -> (win rate, value per won deal) for a rep of average skill, one history year."""
    reps = sorted({c["employee_id"] for c in cells})
    territories = sorted({c["territory_id"] for c in cells})
    win = {r: Decimal(1) for r in reps}
    value = {r: Decimal(1) for r in reps}
    for round_ in range(1, ROUNDS + 1):
        t_win = {t: divide(sum(Decimal(c["won_deals"]) for c in cells if c["territory_id"] == t),
                           sum(money(c["closed_deals"] * win[c["employee_id"]]) for c in cells if c["territory_id"] == t))
                 for t in territories}
        t_value = {t: divide(sum(Decimal(str(c["won_bookings"])) for c in cells if c["territory_id"] == t),
                             sum(money(c["valued_won_deals"] * value[c["employee_id"]])
                                 for c in cells if c["territory_id"] == t))
                   for t in territories}
        if round_ == ROUNDS:
            break
        win = {r: divide(sum(Decimal(c["won_deals"]) for c in cells if c["employee_id"] == r),
                         sum(money(c["closed_deals"] * (t_win[c["territory_id"]] or 0))
                             for c in cells if c["employee_id"] == r)) or Decimal(0)
               for r in reps}
        value = {r: divide(sum(Decimal(str(c["won_bookings"])) for c in cells if c["employee_id"] == r),
                           sum(money(c["valued_won_deals"] * (t_value[c["territory_id"]] or 0))
                               for c in cells if c["employee_id"] == r))
                 for r in reps}
        value = {r: Decimal(1) if v is None else v for r, v in value.items()}
    # the rep factors the last territory step rests on, scaled to a deal-weighted mean of 1
    mean_win = divide(sum(money(c["closed_deals"] * win[c["employee_id"]]) for c in cells),
                      Decimal(sum(c["closed_deals"] for c in cells)))
    mean_value = divide(sum(money(c["valued_won_deals"] * value[c["employee_id"]]) for c in cells),
                        Decimal(sum(c["valued_won_deals"] for c in cells)))
    return {t: (money((t_win[t] or 0) * mean_win), None if t_value[t] is None else money(t_value[t] * mean_value))
            for t in territories}


def _unit_test() -> dict:
    models = yaml.safe_load((DBT_PROJECT_DIR / "models" / "intermediate" / "planning" / "_planning__models.yml").read_text())
    (test,) = [t for t in models["unit_tests"] if t["name"] == UNIT_TEST]
    return test


def test_the_unit_tests_expected_fit_is_the_rounded_decimal_iteration():
    test = _unit_test()
    (given,) = test["given"]
    fitted = two_way_fit(given["rows"])
    expected = {row["territory_id"]: (Decimal(str(row["territory_win_rate"])).quantize(TENTH_DECIMAL),
                                      Decimal(str(row["territory_value_per_won_deal"])))
                for row in test["expect"]["rows"]}
    assert fitted == expected
    # the fit takes E1's skill out of T1: below the plain average 1650 / 10 = 165 there, above 2200 / 10 in T2
    assert fitted["T1"][1] < Decimal(165) and fitted["T2"][1] > Decimal(220)


def test_one_round_is_the_fixed_point_of_a_balanced_table():
    """Every rep with the same deals in every territory: the plain averages, after one round or 25."""
    cells = [{"employee_id": r, "territory_id": t, "closed_deals": 10, "won_deals": w, "valued_won_deals": w,
              "won_bookings": 100 * w} for r, t, w in (("A", "X", 6), ("A", "Y", 2), ("B", "X", 3), ("B", "Y", 1))]
    fitted = two_way_fit(cells)
    assert fitted == {"X": (Decimal("0.4500000000"), Decimal("100.0000000000")),
                      "Y": (Decimal("0.1500000000"), Decimal("100.0000000000"))}
