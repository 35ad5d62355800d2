"""The Great Expectations suites of the planning inputs and their blocking Dagster checks.

* the five territory tables (``territories.yaml`` flattened): ``validate_territory_table``;
* ``territory_assignments`` and ``company_targets``: the landing-contract suite plus their business rules.

Each suite passes on the demo company's configuration and fails on a tampered frame, naming the expectation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import dagster as dg
import polars as pl
import pytest
import yaml

from assets.ingest import contract as c
from assets.ingest.assets import CHECK_NAME
from assets.ingest.load import read_raw_batch
from assets.ingest.plans import _PlanLoader
from assets.planning.assets import TERRITORY_ASSETS, TERRITORY_CHECKS, TERRITORY_KEYS
from assets.planning.territories import (
    TERRITORY_FILE,
    territory_frames,
    territory_table_dir,
    validate_territory_document,
)
from core.resources import SpmPathsResource
from demo.territories import territories_yaml
from expectations.suites import TERRITORY_SUITES, validate, validate_territory_table
from tests.support.raw import write_batch

D = Decimal


def _demo_tables() -> dict[str, pl.DataFrame]:
    config, problems = validate_territory_document(yaml.load(territories_yaml(), Loader=_PlanLoader))  # noqa: S506
    assert not problems
    return territory_frames(config)


def _failed(summary) -> list[str]:
    return sorted(r.label for r in summary.failed)


def _money(*values) -> pl.Series:
    return pl.Series([None if v is None else D(v) for v in values], dtype=pl.Decimal(38, 10))


# ---------------------------------------------------------------- the territory tables


def test_every_territory_table_has_a_suite_and_the_demo_passes_them_all():
    tables = _demo_tables()
    assert set(TERRITORY_SUITES) == set(tables) == set(TERRITORY_KEYS)
    for name, frame in tables.items():
        assert frame.height > 0, name
        summary = validate_territory_table(name, frame)
        assert summary.success and not summary.warnings, (name, summary.describe())


def test_the_territory_suite_wants_unique_ids_and_exactly_one_default_territory():
    territory = _demo_tables()["territory"]  # UNASSIGNED (default) first, then six territories
    two_defaults = territory.with_columns(is_default=pl.Series([True, True] + [False] * (territory.height - 2)))
    assert _failed(validate_territory_table("territory", two_defaults)) == ["expect_column_values_to_be_unique(is_default)"]
    no_default = territory.with_columns(is_default=pl.lit(False))
    assert _failed(validate_territory_table("territory", no_default)) == [
        "expect_column_distinct_values_to_contain_set(is_default)"
    ]
    repeated = pl.concat([territory, territory.slice(1, 1)])
    assert _failed(validate_territory_table("territory", repeated)) == ["expect_column_values_to_be_unique(territory_id)"]


def test_the_size_band_suite_wants_bounds_in_order_and_a_known_match_mode():
    # demo bands: enterprise (min revenue 1e9, any), mid_market, small_business (max revenue)
    bands = _demo_tables()["territory_size_band"]
    upside_down = bands.with_columns(
        min_annual_revenue=_money("500", *[None] * (bands.height - 1)),
        max_annual_revenue=_money("100", *[None] * (bands.height - 1)),
    )
    assert _failed(validate_territory_table("territory_size_band", upside_down)) == [
        "expect_column_pair_values_a_to_be_greater_than_b(max_annual_revenue, min_annual_revenue)"
    ]
    assert _failed(validate_territory_table("territory_size_band", bands.with_columns(match_mode=pl.lit("some")))) == [
        "expect_column_values_to_be_in_set(match_mode)"
    ]


def test_the_rule_suites_want_unique_priorities_and_known_dimensions():
    tables = _demo_tables()
    rules = tables["territory_rule"]
    assert _failed(validate_territory_table("territory_rule", rules.with_columns(priority=pl.lit(10, pl.Int64)))) == [
        "expect_column_values_to_be_unique(priority)"
    ]
    conditions = tables["territory_rule_condition"]
    assert _failed(validate_territory_table("territory_rule_condition", conditions.with_columns(dimension=pl.lit("region")))) == [
        "expect_column_values_to_be_in_set(dimension)"
    ]


def test_the_potential_weights_are_one_row_adding_up_to_1():
    weights = _demo_tables()["territory_potential_weight"]  # 0.4 + 0.6
    # 0.5 + 0.6 = 1.1: the sum fails, each weight alone is still between 0 and 1
    assert _failed(validate_territory_table("territory_potential_weight", weights.with_columns(size_weight=_money("0.5")))) == [
        "expect_multicolumn_sum_to_equal(size_weight, history_weight)"
    ]
    assert _failed(validate_territory_table("territory_potential_weight", pl.concat([weights, weights]))) == [
        "expect_table_row_count_to_equal"
    ]


# ---------------------------------------------------------------- territory assignments and company targets


def _raw(tmp_path, contract: c.DatasetContract, rows: list[dict]) -> pl.DataFrame:
    write_batch(tmp_path, contract.system, contract.name, "current", rows)
    return read_raw_batch(tmp_path, contract, "current")


ASSIGNMENTS = [
    {"territory_id": "AMER-ENT", "employee_id": "E1", "start_date": date(2025, 1, 1), "end_date": None},
    {"territory_id": "DACH", "employee_id": "E2", "start_date": date(2025, 3, 1), "end_date": date(2026, 6, 30)},
]


def test_territory_assignments_keep_their_contract_suite(tmp_path):
    contract = c.CONFIG_TERRITORY_ASSIGNMENTS
    assert validate(contract, _raw(tmp_path / "good", contract, ASSIGNMENTS)).success

    no_territory = [{**ASSIGNMENTS[0], "territory_id": None}, ASSIGNMENTS[1]]
    summary = validate(contract, _raw(tmp_path / "null", contract, no_territory))
    assert _failed(summary) == ["expect_column_values_to_not_be_null(territory_id)"]
    twice = [ASSIGNMENTS[0], {**ASSIGNMENTS[0], "territory_id": "DACH"}]
    assert _failed(validate(contract, _raw(tmp_path / "twice", contract, twice))) == [
        "expect_compound_columns_to_be_unique(employee_id, start_date)"
    ]


def test_a_reversed_territory_assignment_warns_because_dbt_quarantines_it(tmp_path):
    contract = c.CONFIG_TERRITORY_ASSIGNMENTS
    reversed_ = [ASSIGNMENTS[0], {**ASSIGNMENTS[1], "end_date": date(2025, 2, 28)}]
    summary = validate(contract, _raw(tmp_path, contract, reversed_))
    assert summary.success
    (warning,) = summary.warnings
    assert warning.label == "expect_column_pair_values_a_to_be_greater_than_b(end_date, start_date)"
    assert warning.unexpected_count == 1
    (example,) = warning.examples
    assert example.endswith("(territory_assignments.csv row 2)") and "2025, 2, 28" in example


TARGETS = [
    {"plan_year": 2026, "target_amount": D("12000000"), "currency": "USD", "new_hire_plan_id": "AE_RAMP-2026"},
    {"plan_year": 2027, "target_amount": D("14000000"), "currency": "USD", "new_hire_plan_id": None},
]


def test_company_targets_keep_their_contract_suite_and_a_zero_target_warns(tmp_path):
    contract = c.CONFIG_COMPANY_TARGETS
    assert validate(contract, _raw(tmp_path / "good", contract, TARGETS)).success

    same_year = [TARGETS[0], {**TARGETS[1], "plan_year": 2026}]
    assert _failed(validate(contract, _raw(tmp_path / "twice", contract, same_year))) == [
        "expect_column_values_to_be_unique(plan_year)"
    ]
    zero = validate(contract, _raw(tmp_path / "zero", contract, [{**TARGETS[0], "target_amount": D(0)}]))
    assert zero.success and [w.label for w in zero.warnings] == ["expect_column_values_to_be_between(target_amount)"]


# ---------------------------------------------------------------- the Dagster checks


def _paths(tmp_path) -> SpmPathsResource:
    return SpmPathsResource(landing_dir=str(tmp_path / "landing"), raw_dir=str(tmp_path / "raw"), config_dir=str(tmp_path / "config"))


def test_one_blocking_check_per_territory_table_passing_on_the_demo_configuration(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / TERRITORY_FILE).write_text(territories_yaml())

    result = dg.materialize([*TERRITORY_ASSETS, *TERRITORY_CHECKS], resources={"paths": _paths(tmp_path)})

    assert result.success
    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == set(TERRITORY_KEYS.values())
    assert all(e.passed and e.check_name == CHECK_NAME for e in evaluations.values())
    assert all(spec.blocking for check in TERRITORY_CHECKS for spec in check.check_specs)
    assert evaluations[TERRITORY_KEYS["territory"]].metadata["rows_validated"].value == 7


def test_without_a_territory_file_the_empty_tables_pass(tmp_path):
    (tmp_path / "config").mkdir()

    result = dg.materialize([*TERRITORY_ASSETS, *TERRITORY_CHECKS], resources={"paths": _paths(tmp_path)})

    assert result.success
    assert {e.description for e in result.get_asset_check_evaluations()} == {
        f"no rows to validate (none declared, or no {TERRITORY_FILE} in the configuration folder)"
    }


def test_a_tampered_territory_table_fails_its_check_and_blocks_what_depends_on_it(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / TERRITORY_FILE).write_text(territories_yaml())
    import assets.planning.assets as territory_assets

    real_ingest = territory_assets.ingest_territories

    def ingest_with_a_bug(config_dir, raw_dir):
        # as if validation let two rules of one priority through
        config = real_ingest(config_dir, raw_dir)
        (path,) = (territory_table_dir(raw_dir, "territory_rule") / "batch=current").glob("*.parquet")
        pl.read_parquet(path).with_columns(priority=pl.lit(10, pl.Int64)).write_parquet(path)
        return config

    monkeypatch.setattr(territory_assets, "ingest_territories", ingest_with_a_bug)
    rule_key = TERRITORY_KEYS["territory_rule"]

    @dg.asset(deps=[rule_key])
    def quota_proposal_stand_in() -> None:
        return None

    result = dg.materialize(
        [*TERRITORY_ASSETS, *TERRITORY_CHECKS, quota_proposal_stand_in],
        resources={"paths": _paths(tmp_path)},
        raise_on_error=False,
    )

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.asset_key for e in failed] == [rule_key]
    (failure,) = failed[0].metadata["failures"].value
    assert failure["expectation"] == "expect_column_values_to_be_unique(priority)"
    assert dg.AssetKey("quota_proposal_stand_in") not in {e.asset_key for e in result.get_asset_materialization_events()}


@pytest.mark.slow
@pytest.mark.parametrize("contract", [c.CONFIG_TERRITORY_ASSIGNMENTS, c.CONFIG_COMPANY_TARGETS], ids=lambda k: k.name)
def test_the_demo_run_passes_the_planning_input_checks(demo_pipeline, contract):
    paths, result, _ = demo_pipeline
    keys = {dg.AssetKey(["raw", contract.system, contract.name]), *TERRITORY_KEYS.values()}
    evaluations = [e for e in result.get_asset_check_evaluations() if e.asset_key in keys and e.check_name == CHECK_NAME]
    assert {e.asset_key for e in evaluations} == keys
    assert all(e.passed for e in evaluations)
    assert all(e.metadata["rows_validated"].value > 0 for e in evaluations)
