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
)

GOOD_PLAN = """\
plan_id: AE-2026
name: Account Executive 2026
effective_start: 2026-01-01
effective_end: 2026-12-31
components:
  - component_id: commission
    name: Commission on own bookings
    earning_code: COMMISSION        # COMMISSION|BONUS|SPIF|DRAW|DRAW_RECOVERY|ADJUSTMENT
    measure: own_credit             # own_credit|rollup_credit
    basis: period                   # period|quarter|ytd
    rule:
      type: flat_rate
      rate: "0.08"
"""

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


def write_plan(config: Path, name: str, text: str) -> Path:
    path = config / "plans" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


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
        empty = pl.read_parquet(folder / "_empty.parquet")
        assert (empty.height, dict(empty.schema)) == (0, schema)


def test_an_unknown_field_is_rejected_naming_file_plan_component_and_field(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("      rate: \"0.08\"", "      rate: \"0.08\"\n      cap: 2"))

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml (plan AE-2026, component commission): components[0].rule.cap: unknown field")


def test_an_unknown_top_level_field_is_rejected(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN + "owner: sales-ops\n")

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml (plan AE-2026): owner: unknown field")


@pytest.mark.parametrize("rate", ['"-0.08"', "-0.08", '"8%"', '"0.12345678901"'])
def test_a_negative_or_malformed_rate_is_rejected(tmp_path, rate):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', f"rate: {rate}"))

    (problem,) = problems(tmp_path)

    assert "plans/ae.yaml (plan AE-2026, component commission): components[0].rule.rate:" in problem


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
        "'tiered' is not a known rule type (flat_rate)"
    )


def test_enumerations_are_checked(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace("earning_code: COMMISSION", "earning_code: BONUSES"))

    (problem,) = problems(tmp_path)

    assert "components[0].earning_code: 'BONUSES' is not one of" in problem


def test_a_field_given_twice_is_rejected(tmp_path):
    write_plan(tmp_path, "ae.yaml", GOOD_PLAN.replace('      rate: "0.08"', '      rate: "0.08"\n      rate: "0.8"'))

    (problem,) = problems(tmp_path)

    assert problem.startswith("plans/ae.yaml: not valid YAML") and "'rate' is given twice" in problem


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
