"""Plan configuration: YAML files are validated before anything runs, then flattened."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from assets.ingest.plans import (
    PLAN_COMPONENT_SCHEMA,
    PLAN_SCHEMA,
    SCHEMA_PATH,
    PlanConfigError,
    ingest_plans,
    load_plans,
    plan_component_dir,
    plan_dir,
    plans_frame,
)
from tests.support.plans import FULL_PLAN, GOOD_PLAN, write_plan

MANAGER_PLAN = """\
plan_id: MGR-2026
name: Sales Manager 2026
description: Overrides on the team's bookings.
effective_start: 2026-01-01
effective_end: 2026-12-31
components:
  - component_id: override
    name: Override on team bookings
    earning_code: COMMISSION
    measure: rollup_credit
    basis: quarter
    rule:
      type: flat_rate
      rate: 0.015
"""


def problems(config: Path) -> list[str]:
    with pytest.raises(PlanConfigError) as error:
        load_plans(config)
    return error.value.errors


def test_the_schema_is_a_valid_json_schema():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_a_good_plan_is_loaded_with_exact_rates(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN)
    write_plan(tmp_path, "mgr.yml", MANAGER_PLAN)

    plans = load_plans(tmp_path)

    assert [p.plan_id for p in plans] == ["AE-2026", "MGR-2026"]
    ae = plans[0]
    assert (ae.name, ae.effective_start, ae.effective_end, ae.source_file) == (
        "Account Executive 2026",
        date(2026, 1, 1),
        date(2026, 12, 31),
        "plans/ae.yaml",
    )
    (commission,) = ae.components
    assert (commission.component_id, commission.earning_code, commission.measure, commission.basis) == (
        "commission",
        "COMMISSION",
        "own_credit",
        "period",
    )
    assert (commission.rule_type, commission.rate) == ("flat_rate", Decimal("0.08"))
    # A YAML number is read through its text, never through binary floating point.
    assert plans[1].components[0].rate == Decimal("0.015")


def test_plans_are_flattened_into_two_raw_tables(tmp_path):
    config, raw = tmp_path / "config", tmp_path / "raw"
    write_plan(config, "ae.yaml", GOOD_PLAN)
    write_plan(config, "mgr.yaml", MANAGER_PLAN)

    result = ingest_plans(config, raw)

    assert result.plan_file == plan_dir(raw) / "batch=current" / "plans.parquet"
    assert result.plan_component_file == plan_component_dir(raw) / "batch=current" / "plan_components.parquet"
    plans = pl.read_parquet(result.plan_file)
    assert dict(plans.schema) == PLAN_SCHEMA
    assert plans.select("plan_id", "plan_name", "effective_start", "effective_end", "source_file").rows() == [
        ("AE-2026", "Account Executive 2026", date(2026, 1, 1), date(2026, 12, 31), "plans/ae.yaml"),
        ("MGR-2026", "Sales Manager 2026", date(2026, 1, 1), date(2026, 12, 31), "plans/mgr.yaml"),
    ]
    components = pl.read_parquet(result.plan_component_file)
    assert dict(components.schema) == PLAN_COMPONENT_SCHEMA
    assert components.select("plan_id", "component_id", "rule_type", "rate").rows() == [
        ("AE-2026", "commission", "flat_rate", Decimal("0.08")),
        ("MGR-2026", "override", "flat_rate", Decimal("0.015")),
    ]
    for folder, schema in ((plan_dir(raw), PLAN_SCHEMA), (plan_component_dir(raw), PLAN_COMPONENT_SCHEMA)):
        empty = pl.read_parquet(folder / "empty.parquet")
        assert (empty.height, dict(empty.schema)) == (0, schema)


def test_an_unknown_field_is_rejected_naming_file_plan_component_and_field(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("      rate: \"0.08\"", "      rate: \"0.08\"\n      cap: 2"))

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml (plan AE-2026, component commission): components[0].rule.cap: unknown field")


def test_an_unknown_top_level_field_is_rejected(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN + "owner: sales-ops\n")

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml (plan AE-2026): owner: unknown field")


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ('"-0.08"', "'-0.08' is not a decimal >= 0"),
        ("-0.08", "-0.08 is not a decimal >= 0"),
        ('"8%"', "'8%' is not a decimal >= 0"),
        ('"0.12345678901"', "0.12345678901 has more than 10 decimals"),
    ],
)
def test_a_negative_or_malformed_rate_is_rejected(tmp_path, rate, message):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', f"rate: {rate}"))

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml (plan AE-2026, component commission): components[0].rule.rate: " + message)


def test_effective_end_before_start_is_rejected(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("effective_end: 2026-12-31", "effective_end: 2025-12-31"))

    (problem,) = problems(tmp_path)

    assert problem == "plans/ae.yaml (plan AE-2026): effective_end: 2025-12-31 is before effective_start 2026-01-01"


@pytest.mark.parametrize("value", ["2026-02-30", "2026/01/01", "soon"])
def test_a_date_that_is_not_a_calendar_date_is_rejected(tmp_path, value):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("effective_start: 2026-01-01", f"effective_start: {value}"))

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml (plan AE-2026): effective_start:")
    assert value in problem


def test_duplicate_plan_ids_across_files_are_rejected(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN)
    write_plan(tmp_path, "ae_copy.yaml", GOOD_PLAN)

    (problem,) = problems(tmp_path)

    assert problem == "plans/ae_copy.yaml (plan AE-2026): plan_id: 'AE-2026' is already defined in plans/ae.yaml"


def test_duplicate_component_ids_are_rejected(tmp_path):
    component = GOOD_PLAN[GOOD_PLAN.index("  - component_id") :]
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN + component)

    (problem,) = problems(tmp_path)

    assert "component commission): components[1].component_id: component id 'commission' is already used" in problem


def test_an_unknown_rule_type_names_the_known_ones(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("type: flat_rate", "type: tiered"))

    (problem,) = problems(tmp_path)

    assert problem == (
        "plans/ae.yaml (plan AE-2026, component commission): components[0].rule.type: "
        "'tiered' is not a known rule type (flat_rate, marginal_tiers, quota_bonus, retroactive_tiers, spif)"
    )


def test_enumerations_are_checked(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("earning_code: COMMISSION", "earning_code: BONUSES"))

    (problem,) = problems(tmp_path)

    assert "components[0].earning_code: 'BONUSES' is not one of" in problem


def test_a_field_given_twice_is_rejected(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace('      rate: "0.08"', '      rate: "0.08"\n      rate: "0.8"'))

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml line ") and "not valid YAML" in problem and "'rate' is given twice" in problem


def test_every_problem_of_every_file_is_reported_and_nothing_is_written(tmp_path):
    config, raw = tmp_path / "config", tmp_path / "raw"
    write_plan(config, "a.yaml", GOOD_PLAN.replace('rate: "0.08"', "rate: -1"))
    write_plan(config, "b.yaml", MANAGER_PLAN.replace("basis: quarter", "basis: weekly"))

    with pytest.raises(PlanConfigError) as error:
        ingest_plans(config, raw)

    assert len(error.value.errors) == 2
    assert "plans/a.yaml" in str(error.value) and "plans/b.yaml" in str(error.value)
    assert not raw.exists()


def test_no_plan_folder_gives_empty_tables(tmp_path):
    result = ingest_plans(tmp_path / "config", tmp_path / "raw")
    assert result.plans == []
    assert pl.read_parquet(result.plan_file).height == 0


# --- the full plan configuration (SPEC §4–§5) ---------------------------------------------------

D = Decimal


def test_every_rule_is_flattened_to_the_exact_rows(tmp_path):
    from assets.ingest.plans import (
        PLAN_COMPONENT_FILTER_DATASET,
        PLAN_COMPONENT_FILTER_SCHEMA,
        PLAN_COMPONENT_TIER_DATASET,
        PLAN_COMPONENT_TIER_SCHEMA,
        PLAN_RAMP_DATASET,
        PLAN_RAMP_SCHEMA,
        plan_table_dir,
    )

    config, raw = tmp_path / "config", tmp_path / "raw"
    write_plan(config, "full.yaml", FULL_PLAN)
    write_plan(config, "ae.yaml", GOOD_PLAN)

    result = ingest_plans(config, raw)

    plans = pl.read_parquet(result.plan_file)
    assert plans.filter(pl.col("plan_id") == "AE-FULL").select(
        "currency", "clawback_window_days", "draw_type", "draw_monthly_amount", "draw_months"
    ).rows() == [("EUR", 90, "recoverable", D("3000"), 3)]
    assert plans.filter(pl.col("plan_id") == "AE-2026").select(
        "currency", "clawback_window_days", "draw_type", "draw_monthly_amount", "draw_months"
    ).rows() == [(None, None, None, None, None)]
    # plan options not written: today's behaviour
    assert plans.select("plan_id", "clawback_policy", "ramp_start_after_day").sort("plan_id").rows() == [
        ("AE-2026", "reverse_credit", None), ("AE-FULL", "reverse_credit", None),
    ]
    components = pl.read_parquet(result.plan_component_file).filter(pl.col("plan_id") == "AE-FULL")
    assert components.drop("plan_id", "component_name").rows(named=True) == [
        dict(
            component_id=cid, earning_code=code, measure=measure, basis=basis, rule_type=rule, rate=None,
            weight=weight, gate_attainment=gate, cap_multiple_of_ti=cap, bonus_threshold=threshold,
            bonus_amount=amount, bonus_pay_when="basis_end" if rule == "quota_bonus" else None,
            tiers_on="attainment" if rule.endswith("_tiers") else None, spif_amount_per_unit=per_unit, spif_amount_per_deal=per_deal,
            spif_window_start=start, spif_window_end=end,
            release="on_booking", release_partial=None, release_expire_after_days=None,
        )
        for cid, code, measure, basis, rule, weight, gate, cap, threshold, amount, per_unit, per_deal, start, end in [
            ("commission", "COMMISSION", "own_credit", "ytd", "marginal_tiers", D("0.8"), D("0.5"), D("2.0"), None, None, None, None, None, None),
            ("retro", "COMMISSION", "rollup_credit", "quarter", "retroactive_tiers", D("1"), None, None, None, None, None, None, None, None),
            ("bonus", "BONUS", "own_credit", "quarter", "quota_bonus", D("1"), None, None, D("1.0"), D("2000"), None, None, None, None),
            ("spif", "SPIF", "product_units", "period", "spif", D("1"), None, None, None, None, D("150"), None, date(2026, 4, 1), date(2026, 6, 30)),
            ("spif-deal", "SPIF", "product_amount", "period", "spif", D("1"), None, None, None, None, None, D("500.50"), date(2026, 7, 1), date(2026, 7, 31)),
        ]
    ]
    tiers = pl.read_parquet(plan_table_dir(raw, PLAN_COMPONENT_TIER_DATASET) / "batch=current" / "plan_component_tiers.parquet")
    assert dict(tiers.schema) == PLAN_COMPONENT_TIER_SCHEMA
    assert tiers.rows() == [
        ("AE-FULL", "commission", 1, D("0"), D("0.5"), D("0.5"), None, None, None),
        ("AE-FULL", "commission", 2, D("0.5"), D("1.0"), D("1.0"), None, None, None),
        ("AE-FULL", "commission", 3, D("1.0"), D("1.5"), D("1.5"), None, None, None),
        ("AE-FULL", "commission", 4, D("1.5"), None, D("2.0"), None, None, None),
        ("AE-FULL", "retro", 1, D("0"), D("1"), D("0.8"), None, None, None),
        ("AE-FULL", "retro", 2, D("1"), None, D("1.2"), None, None, None),
    ]
    filters = pl.read_parquet(plan_table_dir(raw, PLAN_COMPONENT_FILTER_DATASET) / "batch=current" / "plan_component_filters.parquet")
    assert dict(filters.schema) == PLAN_COMPONENT_FILTER_SCHEMA
    assert filters.rows() == [
        ("AE-FULL", "commission", "opportunity_type", "New Business"),
        ("AE-FULL", "commission", "opportunity_type", "Upsell"),
        ("AE-FULL", "spif", "product_family", "Analytics"),
    ]
    ramps = pl.read_parquet(plan_table_dir(raw, PLAN_RAMP_DATASET) / "batch=current" / "plan_ramps.parquet")
    assert dict(ramps.schema) == PLAN_RAMP_SCHEMA
    assert ramps.rows() == [("AE-FULL", 1, D("0.25")), ("AE-FULL", 2, D("0.5")), ("AE-FULL", 3, D("0.75"))]


def test_the_full_plan_is_loaded_with_its_plan_level_rules(tmp_path):
    write_plan(tmp_path, "full.yaml", FULL_PLAN)

    (plan,) = load_plans(tmp_path)

    assert plan.eligible_job_families == ("Account Executive",)
    assert plan.ramp == (D("0.25"), D("0.5"), D("0.75"))
    # eligible_job_families is enforced in the warehouse: flattened as a list on the plan row
    assert plans_frame([plan])["eligible_job_families"].to_list() == [["Account Executive"]]
    assert plans_frame(load_plans_without_families(tmp_path))["eligible_job_families"].to_list() == [None]


def load_plans_without_families(tmp_path: Path):
    write_plan(tmp_path / "open", "full.yaml", FULL_PLAN.replace("eligible_job_families: [Account Executive]\n", ""))
    return load_plans(tmp_path / "open")
    assert (plan.draw_type, plan.draw_monthly_amount, plan.draw_months) == ("recoverable", D("3000"), 3)


def _tiers(*bands: str) -> str:
    return FULL_PLAN.replace(
        """        - {from: 0, to: 0.5, multiplier: 0.5}
        - {from: 0.5, to: 1.0, multiplier: 1.0}
        - {from: 1.0, to: 1.5, multiplier: 1.5}
        - {from: 1.5, multiplier: 2.0}
""",
        "".join(f"        - {{{band}}}\n" for band in bands),
    )


def _amount_tiers(*bands: str) -> str:
    return _tiers(*bands).replace("type: marginal_tiers", "type: marginal_tiers\n      tiers_on: amount")


COMPONENT = "plans/full.yaml (plan AE-FULL, component commission): "
SPIF = "plans/full.yaml (plan AE-FULL, component spif): "
PLAN = "plans/full.yaml (plan AE-FULL): "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _tiers("from: 0, to: 0.6, multiplier: 0.5", "from: 0.5, multiplier: 1"),
            COMPONENT + "components[0].rule.tiers[1].from: band from 0.5 overlaps tiers[0] (to 0.6)",
        ),
        (
            _tiers("from: 0, to: 0.5, multiplier: 0.5", "from: 0.6, multiplier: 1"),
            COMPONENT + "components[0].rule.tiers[1].from: gap between bands: tiers[0] ends at 0.5, this one starts at 0.6",
        ),
        (
            _tiers("from: 0.1, multiplier: 1"),
            COMPONENT + "components[0].rule.tiers[0].from: the first band starts at 0.1, not at 0",
        ),
        (
            _tiers("from: 0, multiplier: 1", "from: 1, multiplier: 2"),
            COMPONENT + "components[0].rule.tiers[1]: a band after the open band tiers[0] (only the last band may omit 'to')",
        ),
        (
            _tiers("from: 0, to: 0, multiplier: 1", "from: 0, multiplier: 2"),
            COMPONENT + "components[0].rule.tiers[0].to: band ends at 0, not after its start 0",
        ),
        (
            FULL_PLAN.replace("currency: EUR", "currency: XYZ"),
            PLAN + "currency: 'XYZ' is not a known currency",
        ),
        (
            FULL_PLAN.replace("currency: EUR", "currency: eur"),
            PLAN + "currency: 'eur' is not an ISO 4217 currency code",
        ),
        (
            FULL_PLAN.replace("eligible_job_families: [Account Executive]", "eligible_job_families: []"),
            PLAN + "eligible_job_families: [] should be non-empty",
        ),
        (
            FULL_PLAN.replace("eligible_job_families: [Account Executive]", "eligible_job_families: [AE, AE]"),
            PLAN + "eligible_job_families: ['AE', 'AE'] has non-unique elements",
        ),
        (
            FULL_PLAN.replace("window_end: 2026-06-30", "window_end: 2026-03-31"),
            SPIF + "components[3].rule.window_end: 2026-03-31 is before window_start 2026-04-01",
        ),
        (
            FULL_PLAN.replace('amount_per_unit: "150"', 'amount_per_unit: "150", amount_per_deal: "5"'),
            SPIF + "components[3].rule: a spif gives exactly one of amount_per_unit, amount_per_deal (found amount_per_unit, amount_per_deal)",
        ),
        (
            FULL_PLAN.replace('amount_per_unit: "150", ', ""),
            SPIF + "components[3].rule: a spif gives exactly one of amount_per_unit, amount_per_deal",
        ),
        (
            FULL_PLAN.replace('ramp: [0.25, "0.5", 0.75]', "ramp: [0.25, 1.5]"),
            PLAN + "ramp[1]: 1.5 is not a quota factor between 0 and 1",
        ),
        (
            FULL_PLAN.replace('ramp: [0.25, "0.5", 0.75]', "ramp: [-0.25]"),
            PLAN + "ramp[0]: -0.25 is not a decimal >= 0",
        ),
        (
            FULL_PLAN.replace("months: 3}", "months: 0}"),
            PLAN + "draw.months: 0 is less than the minimum of 1",
        ),
        (
            FULL_PLAN.replace("type: recoverable", "type: forgivable"),
            PLAN + "draw.type: 'forgivable' is not one of ['recoverable', 'non_recoverable']",
        ),
        (
            FULL_PLAN.replace("clawback_window_days: 90", "clawback_window_days: -1"),
            PLAN + "clawback_window_days: -1 is less than the minimum of 0",
        ),
        (
            _tiers("from: 0, to: 1, multiplier: -0.5", "from: 1, multiplier: 2"),
            COMPONENT + "components[0].rule.tiers[0].multiplier: -0.5 is not a decimal >= 0",
        ),
        (
            FULL_PLAN.replace('amount: "2000"', 'amount: "-2000"'),
            "plans/full.yaml (plan AE-FULL, component bonus): components[2].rule.amount: '-2000' is not a decimal >= 0",
        ),
        (
            FULL_PLAN.replace("cap_multiple_of_ti: 2.0", "cap_multiple_of_ti: -2"),
            COMPONENT + "components[0].cap_multiple_of_ti: -2 is not a decimal >= 0",
        ),
        (
            FULL_PLAN.replace("filters: {opportunity_types:", "filters: {opportunity_kinds:"),
            COMPONENT + "components[0].filters.opportunity_kinds: unknown field",
        ),
        (
            FULL_PLAN.replace("type: quota_bonus, threshold: 1.0", "type: quota_bonus, rate: 1, threshold: 1.0"),
            "plans/full.yaml (plan AE-FULL, component bonus): components[2].rule.rate: unknown field",
        ),
        (
            FULL_PLAN.replace("measure: product_units", "measure: product_count"),
            SPIF + "components[3].measure: 'product_count' is not one of",
        ),
        (
            FULL_PLAN.replace('draw: {type: recoverable, monthly_amount: "3000", months: 3}', 'draw: {type: recoverable, monthly_amount: "3000", months: 3, cap: 1}'),
            PLAN + "draw.cap: unknown field",
        ),
        (
            FULL_PLAN.replace("clawback_window_days: 90", "clawback_window_days: 90\nclawback_policy: credit_only"),
            PLAN + "clawback_policy: 'credit_only' is not one of ['reverse_credit', 'commission_only']",
        ),
        (
            FULL_PLAN.replace("ramp: [", "ramp_start: first_full_month\nramp: ["),
            PLAN + "ramp_start: 'first_full_month' is not a ramp start (write hire_month, or {next_month_if_hired_after_day: N}",
        ),
        (
            FULL_PLAN.replace("ramp: [", "ramp_start: {next_month_if_hired_after_day: 31}\nramp: ["),
            PLAN + "ramp_start: {'next_month_if_hired_after_day': 31} is not a ramp start",
        ),
        (
            FULL_PLAN.replace('amount: "2000"}', 'amount: "2000", pay_when: quarter_start}'),
            "plans/full.yaml (plan AE-FULL, component bonus): components[2].rule.pay_when: 'quarter_start' is not one of ['basis_end', 'threshold_reached']",
        ),
        (
            FULL_PLAN.replace("type: marginal_tiers", "type: marginal_tiers\n      tiers_on: revenue"),
            COMPONENT + "components[0].rule.tiers_on: 'revenue' is not one of ['attainment', 'amount']",
        ),
        (
            _tiers("from: 0, to: 0.5, rate: 0.05", "from: 0.5, multiplier: 1"),
            COMPONENT + "components[0].rule.tiers[0]: a band on attainment gives a multiplier, not a rate",
        ),
        (
            _amount_tiers('from: 0, to: "100000", multiplier: 1', 'from: "100000", rate: "0.07"'),
            COMPONENT + "components[0].rule.tiers[0]: a band on amount gives a rate, not a multiplier",
        ),
        (
            _amount_tiers('from: 0, to: "100000", rate: "0.05"', 'from: "120000", rate: "0.07"'),
            COMPONENT + "components[0].rule.tiers[1].from: gap between bands: tiers[0] ends at 100000, this one starts at 120000",
        ),
        (
            _amount_tiers('from: 0, to: "100000", rate: "0.05"', 'from: "90000", rate: "0.07"'),
            COMPONENT + "components[0].rule.tiers[1].from: band from 90000 overlaps tiers[0] (to 100000)",
        ),
        (
            _amount_tiers('from: "1000", rate: "0.05"'),
            COMPONENT + "components[0].rule.tiers[0].from: the first band starts at 1000, not at 0",
        ),
        (
            _amount_tiers('from: 0, to: "100000", rate: "0.05"', 'from: "100000", to: "250000", rate: "0.07"'),
            COMPONENT + "components[0].rule.tiers[1].to: the last band on amount ends at 250000: it must be open (omit 'to')",
        ),
        (
            _amount_tiers('from: 0, to: "100000", rate: "-0.05"', 'from: "100000", rate: "0.07"'),
            COMPONENT + "components[0].rule.tiers[0].rate: '-0.05' is not a decimal >= 0",
        ),
    ],
    ids=[
        "clawback-policy", "ramp-start-unknown", "ramp-start-day-31", "bonus-pay-when", "tiers-on-unknown",
        "attainment-band-with-rate", "amount-band-with-multiplier", "amount-bands-gap", "amount-bands-overlap",
        "amount-first-band-not-0", "amount-last-band-closed", "amount-negative-rate",
        "tiers-overlap", "tiers-gap", "first-band-not-0", "band-after-open", "empty-band", "unknown-currency",
        "currency-not-iso", "job-families-empty", "job-families-repeated",
        "spif-window", "spif-two-amounts", "spif-no-amount", "ramp-above-1", "ramp-negative", "draw-months",
        "draw-type", "clawback-negative", "negative-multiplier", "negative-bonus", "negative-cap",
        "unknown-filter", "unknown-rule-field", "unknown-measure", "unknown-draw-field",
    ],
)
def test_a_bad_plan_is_rejected_naming_file_plan_component_and_field(tmp_path, text, expected):
    write_plan(tmp_path, "full.yaml", text)

    found = problems(tmp_path)

    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_a_non_recoverable_draw_and_a_full_ramp_month_are_accepted(tmp_path):
    text = FULL_PLAN.replace("type: recoverable", "type: non_recoverable").replace(
        'ramp: [0.25, "0.5", 0.75]', 'ramp: ["0", "1"]'
    ).replace("currency: EUR\n", "")
    write_plan(tmp_path, "full.yaml", text)

    (plan,) = load_plans(tmp_path)

    assert (plan.currency, plan.draw_type, plan.ramp) == (None, "non_recoverable", (D("0"), D("1")))


def test_the_plan_options_are_loaded_and_flattened(tmp_path):
    from assets.ingest.plans import plan_component_tiers_frame, plan_components_frame

    text = (
        FULL_PLAN.replace("clawback_window_days: 90", "clawback_window_days: 90\nclawback_policy: commission_only")
        .replace("ramp: [", "ramp_start: {next_month_if_hired_after_day: 15}\nramp: [")
        .replace('amount: "2000"}', 'amount: "2000", pay_when: threshold_reached}')
    )
    text = text.replace(
        """      type: marginal_tiers
      tiers:
        - {from: 0, to: 0.5, multiplier: 0.5}
        - {from: 0.5, to: 1.0, multiplier: 1.0}
        - {from: 1.0, to: 1.5, multiplier: 1.5}
        - {from: 1.5, multiplier: 2.0}
""",
        """      type: marginal_tiers
      tiers_on: amount
      tiers:
        - {from: 0, to: "100000", rate: "0.05"}
        - {from: "100000", to: "250000", rate: "0.07"}
        - {from: "250000", rate: "0.09"}
""",
    )
    write_plan(tmp_path, "full.yaml", text)

    (plan,) = load_plans(tmp_path)

    assert (plan.clawback_policy, plan.ramp_start_after_day) == ("commission_only", 15)
    frame = plans_frame([plan])
    assert frame.select("clawback_policy", "ramp_start_after_day").rows() == [("commission_only", 15)]
    components = plan_components_frame([plan]).select("component_id", "tiers_on", "bonus_pay_when").rows()
    assert components == [
        ("commission", "amount", None), ("retro", "attainment", None), ("bonus", None, "threshold_reached"),
        ("spif", None, None), ("spif-deal", None, None),
    ]
    bands = plan_component_tiers_frame([plan]).filter(pl.col("component_id") == "commission").drop("plan_id", "component_id")
    assert bands.rows() == [
        (1, None, None, None, D("0"), D("100000"), D("0.05")),
        (2, None, None, None, D("100000"), D("250000"), D("0.07")),
        (3, None, None, None, D("250000"), None, D("0.09")),
    ]


def test_a_component_may_hold_its_earnings_until_the_invoice_is_paid(tmp_path):
    from assets.ingest.plans import plan_components_frame

    text = FULL_PLAN.replace(
        "    basis: quarter\n",
        "    basis: quarter\n    release: on_invoice_paid\n    partial: proportional\n    expire_after_days: 120\n",
        1,
    )
    write_plan(tmp_path, "full.yaml", text)

    (plan,) = load_plans(tmp_path)

    rows = plan_components_frame([plan]).select(
        "component_id", "release", "release_partial", "release_expire_after_days"
    ).rows()
    assert rows[:2] == [("commission", "on_booking", None, None), ("retro", "on_invoice_paid", "proportional", 120)]


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("release: on_payment", "components[1].release: 'on_payment' is not one of ['on_booking', 'on_invoice_paid']"),
        ("release: on_invoice_paid\n    partial: linear", "components[1].partial: 'linear' is not one of ['proportional']"),
        ("release: on_invoice_paid\n    expire_after_days: 0", "components[1].expire_after_days: 0 is less than the minimum of 1"),
        ("partial: proportional", "components[1].partial: partial applies to release: on_invoice_paid only"),
    ],
    ids=["unknown-release", "unknown-partial", "expire-zero", "partial-without-release"],
)
def test_a_bad_release_option_is_one_clear_line(tmp_path, option, expected):
    write_plan(tmp_path, "full.yaml", FULL_PLAN.replace("    basis: quarter\n", f"    basis: quarter\n    {option}\n", 1))

    found = problems(tmp_path)

    assert len(found) == 1, found
    assert found[0] == "plans/full.yaml (plan AE-FULL, component retro): " + expected, found[0]
