"""Great Expectations suites generated from the landing contract, run on raw frames."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from assets.ingest import contract as c
from assets.ingest.contract import CONTRACTS
from expectations.suites import (
    contract_expectations,
    uniqueness_columns,
    validate,
    validate_plan_components,
    validate_plans,
)
from tests.support.landing import Folders, opportunity, write_rows


@pytest.fixture
def raw_opportunities(tmp_path) -> pl.DataFrame:
    folders = Folders(tmp_path)
    write_rows(
        folders.crm("2026-11-27", "Opportunity.csv"),
        [opportunity(Id="A"), opportunity(Id="B", IsWon="false", IsClosed="false", StageName="Prospecting")],
    )
    folders.ingest(c.CRM_OPPORTUNITY)
    return folders.raw_rows(c.CRM_OPPORTUNITY)


def _failed(summary) -> dict[str, list[str]]:
    return {r.label: r.examples for r in summary.failed}


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda k: f"{k.system}/{k.name}")
def test_every_contract_has_a_suite_covering_its_columns_and_key(contract):
    expectations = contract_expectations(contract)
    kinds = {(type(e).__name__, getattr(e, "column", None)) for e in expectations}
    for column in contract.columns:
        assert ("ExpectColumnToExist", column.name) in kinds
    for key in contract.key:
        assert ("ExpectColumnValuesToNotBeNull", key) in kinds


def test_versioned_crm_objects_are_unique_per_batch_and_file():
    assert uniqueness_columns(c.CRM_OPPORTUNITY) == ["Id", "_batch", "_source_file"]
    assert uniqueness_columns(c.CRM_PRODUCT) == ["Id"]
    assert uniqueness_columns(c.HR_JOB_HISTORY) == ["employee_id", "effective_date"]


def test_good_raw_rows_pass(raw_opportunities, capfd):
    summary = validate(c.CRM_OPPORTUNITY, raw_opportunities)

    assert summary.success, summary.describe()
    assert summary.row_count == 2
    assert summary.failed == [] and summary.warnings == []
    # Quiet: no progress bars on the console.
    assert "Calculating Metrics" not in "".join(capfd.readouterr())


def test_bad_raw_rows_fail_with_counts_and_examples(raw_opportunities):
    bad = pl.concat(
        [
            raw_opportunities,
            raw_opportunities.head(1).with_columns(  # same Id, batch and file again; unknown currency
                pl.lit("XXX").alias("CurrencyIsoCode"), pl.lit(3, pl.Int64).alias("_source_row")
            ),
            raw_opportunities.tail(1).with_columns(  # won but not closed
                pl.lit("C").alias("Id"), pl.lit(True).alias("IsWon"), pl.lit(4, pl.Int64).alias("_source_row")
            ),
        ]
    )

    summary = validate(c.CRM_OPPORTUNITY, bad)

    assert not summary.success
    failed = _failed(summary)
    assert failed["expect_column_values_to_be_in_set(CurrencyIsoCode)"] == [
        "'XXX' (crm/2026-11-27/Opportunity.csv row 3)"
    ]
    assert failed["expect_column_values_to_be_in_set(IsClosed)"] == ["False (crm/2026-11-27/Opportunity.csv row 4)"]
    duplicates = failed["expect_compound_columns_to_be_unique(Id, _batch, _source_file)"]
    assert len(duplicates) == 2 and all("Id=A" in example for example in duplicates)
    assert summary.unexpected_total == 1 + 1 + 2
    assert "CurrencyIsoCode" in summary.describe()


def test_an_unusual_stage_name_is_a_warning_not_a_failure(raw_opportunities):
    summary = validate(c.CRM_OPPORTUNITY, raw_opportunities.with_columns(pl.lit("Verbal Commit").alias("StageName")))

    assert summary.success
    assert [w.label for w in summary.warnings] == ["expect_column_values_to_be_in_set(StageName)"]


def _rates(**changes) -> pl.DataFrame:
    row = {
        "IsoCode": "EUR",
        "StartDate": date(2026, 1, 1),
        "NextStartDate": date(2026, 2, 1),
        "ConversionRate": Decimal("0.92"),
        "_batch": "2026-11-27",
        "_batch_date": date(2026, 11, 27),
        "_source_file": "crm/2026-11-27/DatedConversionRate.csv",
        "_source_row": 1,
        "_loaded_at": None,
    }
    from assets.ingest.raw_layout import raw_schema

    return pl.DataFrame([row | changes], schema=raw_schema(c.CRM_DATED_CONVERSION_RATE), orient="row")


def test_conversion_rates_must_be_positive_and_periods_must_move_forward():
    assert validate(c.CRM_DATED_CONVERSION_RATE, _rates()).success
    # The contract's smallest positive rate (0.0000000001) is accepted exactly.
    assert validate(c.CRM_DATED_CONVERSION_RATE, _rates(ConversionRate=Decimal("0.0000000001"))).success

    zero = validate(c.CRM_DATED_CONVERSION_RATE, _rates(ConversionRate=Decimal("0")))
    assert not zero.success
    assert {r.label for r in zero.failed} == {"expect_column_values_to_be_between(ConversionRate)"}

    backwards = validate(c.CRM_DATED_CONVERSION_RATE, _rates(NextStartDate=date(2026, 1, 1)))
    assert [r.label for r in backwards.failed] == [
        "expect_column_pair_values_a_to_be_greater_than_b(NextStartDate, StartDate)"
    ]


def test_split_percentages_stay_between_0_and_100():
    from assets.ingest.raw_layout import raw_schema

    frame = pl.DataFrame(
        [
            {"Id": "S1", "OpportunityId": "A", "SplitOwnerId": "U1", "SplitPercentage": Decimal("60"), "_batch": "b", "_source_file": "f", "_source_row": 1},
            {"Id": "S2", "OpportunityId": "A", "SplitOwnerId": "U2", "SplitPercentage": Decimal("120.5"), "_batch": "b", "_source_file": "f", "_source_row": 2},
        ],
        schema=raw_schema(c.CRM_OPPORTUNITY_SPLIT),
        orient="row",
    )

    summary = validate(c.CRM_OPPORTUNITY_SPLIT, frame)

    assert not summary.success
    assert _failed(summary)["expect_column_values_to_be_between(SplitPercentage)"] == ["Decimal('120.5000000000') (f row 2)"]


def test_a_non_versioned_object_repeated_across_files_of_a_batch_fails(tmp_path):
    folders = Folders(tmp_path)
    product = {"Id": "01t1", "Name": "Widget", "ProductCode": "W", "Family": "Hardware", "IsActive": "true"}
    write_rows(folders.crm("2026-11-27", "Product2-0001.csv"), [product])
    write_rows(folders.crm("2026-11-27", "Product2-0002.csv"), [product])
    folders.ingest(c.CRM_PRODUCT)

    summary = validate(c.CRM_PRODUCT, folders.raw_rows(c.CRM_PRODUCT))

    assert [r.label for r in summary.failed] == ["expect_column_values_to_be_unique(Id)"]


def test_plan_tables_have_their_own_suites():
    plans = pl.DataFrame(
        {
            "plan_id": ["AE", "AE"],
            "plan_name": ["a", "b"],
            "effective_start": [date(2026, 1, 1)] * 2,
            "effective_end": [date(2026, 12, 31)] * 2,
            "source_file": ["plans/a.yaml", "plans/b.yaml"],
        }
    )
    assert validate_plans(plans.head(1)).success
    assert [r.label for r in validate_plans(plans).failed] == ["expect_column_values_to_be_unique(plan_id)"]

    components = pl.DataFrame(
        {
            "plan_id": ["AE"],
            "component_id": ["commission"],
            "component_name": ["c"],
            "earning_code": ["COMMISSION"],
            "measure": ["own_credit"],
            "basis": ["period"],
            "rule_type": ["flat_rate"],
            "rate": [Decimal("0.08")],
        },
        schema_overrides={"rate": pl.Decimal(38, 10)},
    )
    assert validate_plan_components(components).success


def _money(values):
    return pl.Series(values, dtype=pl.Decimal(38, 10))


def test_tier_filter_and_ramp_tables_have_their_own_suites():
    from expectations.suites import validate_plan_component_filters, validate_plan_component_tiers, validate_plan_ramps

    tiers = pl.DataFrame(
        {
            "plan_id": ["AE", "AE", "AE"],
            "component_id": ["c", "c", "c"],
            "tier_index": [1, 2, 3],
            "attainment_from": _money([Decimal("0"), Decimal("0.5"), Decimal("1")]),
            "attainment_to": _money([Decimal("0.5"), Decimal("1"), None]),
            "multiplier": _money([Decimal("0.5"), Decimal("1"), Decimal("1.8")]),
            "amount_from": _money([None, None, None]),
            "amount_to": _money([None, None, None]),
            "rate": _money([None, None, None]),
        }
    )
    assert validate_plan_component_tiers(tiers).success
    # a rate table on amount: bands of credit with a rate each, the attainment columns null
    on_amount = tiers.with_columns(
        attainment_from=_money([None, None, None]), attainment_to=_money([None, None, None]),
        multiplier=_money([None, None, None]),
        amount_from=_money([Decimal("0"), Decimal("100000"), Decimal("250000")]),
        amount_to=_money([Decimal("100000"), Decimal("250000"), None]),
        rate=_money([Decimal("0.05"), Decimal("0.07"), Decimal("0.09")]),
    )
    assert validate_plan_component_tiers(on_amount).success
    backwards = on_amount.with_columns(amount_to=_money([Decimal("100000"), Decimal("90000"), None]))
    assert [r.label for r in validate_plan_component_tiers(backwards).failed] == [
        "expect_column_pair_values_a_to_be_greater_than_b(amount_to, amount_from)",
    ]
    broken = tiers.with_columns(pl.Series("tier_index", [1, 1, 3]), attainment_to=_money([Decimal("0.5"), Decimal("0.4"), None]))
    assert sorted(r.label for r in validate_plan_component_tiers(broken).failed) == [
        "expect_column_pair_values_a_to_be_greater_than_b(attainment_to, attainment_from)",
        "expect_compound_columns_to_be_unique(plan_id, component_id, tier_index)",
    ]

    filters = pl.DataFrame(
        {"plan_id": ["SDR"], "component_id": ["spif"], "filter_type": ["product_family"], "filter_value": ["Analytics"]}
    )
    assert validate_plan_component_filters(filters).success
    assert not validate_plan_component_filters(filters.with_columns(filter_type=pl.lit("region"))).success

    ramps = pl.DataFrame({"plan_id": ["AE", "AE"], "employment_month": [1, 2], "quota_factor": _money([Decimal("0.25"), Decimal("0.5")])})
    assert validate_plan_ramps(ramps).success
    assert not validate_plan_ramps(ramps.with_columns(quota_factor=_money([Decimal("0.25"), Decimal("1.5")]))).success
