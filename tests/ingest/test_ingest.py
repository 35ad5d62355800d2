"""Ingest: landing files -> raw Parquet and quarantine (SPEC §2, the landing contract).

Small landing files are written inline; each test shows one rule of the
contract with the row that breaks it and what lands where.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import polars as pl
import pytest

from assets.ingest import contract as c
from assets.ingest.landing import LandingLayoutError, belongs_to, discover
from assets.ingest.load import ContractError, newest_batch, read_raw_batch
from assets.ingest.raw_layout import QUARANTINE_SCHEMA, batch_dir, dataset_dir, quarantine_root, raw_schema
from tests.support.landing import OPPORTUNITY_ROW, Folders, opportunity, write_rows

# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def folders(tmp_path) -> Folders:
    return Folders(tmp_path)


# --- discovery ----------------------------------------------------------------------------


def test_chunk_files_belong_to_their_object_and_longer_names_do_not(folders):
    batch = "2026-11-27"
    for name in (
        "Opportunity.csv",
        "Opportunity-0001.parquet",
        "Opportunity-0002.PARQUET",
        "OpportunityLineItem.csv",
        "OpportunitySplit-0001.csv",
        "Opportunity.txt",
        "Opportunity-.csv",
    ):
        folders.crm(batch, name).parent.mkdir(parents=True, exist_ok=True)
        folders.crm(batch, name).write_text("")

    found = [f.path.name for f in discover(c.CRM_OPPORTUNITY, folders.landing, folders.config)]
    assert found == ["Opportunity-0001.parquet", "Opportunity-0002.PARQUET", "Opportunity.csv"]
    assert [f.path.name for f in discover(c.CRM_OPPORTUNITY_LINE_ITEM, folders.landing, folders.config)] == [
        "OpportunityLineItem.csv"
    ]
    assert not belongs_to(c.CRM_OPPORTUNITY, "OpportunityLineItem-0001.csv")


def test_batches_are_found_oldest_first_with_their_dates(folders):
    write_rows(folders.crm("2026-11-28", "Opportunity.csv"), [opportunity()])
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity()])
    files = discover(c.CRM_OPPORTUNITY, folders.landing, folders.config)
    assert [(f.batch, f.batch_date, f.relative_path) for f in files] == [
        ("2026-11-27", date(2026, 11, 27), "crm/2026-11-27/Opportunity.csv"),
        ("2026-11-28", date(2026, 11, 28), "crm/2026-11-28/Opportunity.csv"),
    ]


@pytest.mark.parametrize("folder", ["latest", "2026-13-01", "20261127"])
def test_a_batch_folder_that_is_not_a_date_is_an_error_naming_it(folders, folder):
    write_rows(folders.crm(folder, "Opportunity.csv"), [opportunity()])
    with pytest.raises(LandingLayoutError, match=folder):
        discover(c.CRM_OPPORTUNITY, folders.landing, folders.config)


def test_config_files_come_from_the_config_folder_as_batch_current(folders):
    write_rows(folders.config / "quotas.csv", [{"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "USD"}])
    (files,) = [discover(c.CONFIG_QUOTAS, folders.landing, folders.config)]
    assert [(f.batch, f.batch_date, f.relative_path) for f in files] == [("current", None, "quotas.csv")]


# --- the row rules: one test per rule -----------------------------------------------------

RULE_CASES = [
    # (rule, column, bad value)
    (c.RULE_MISSING_VALUE, "StageName", ""),
    (c.RULE_BAD_DECIMAL, "Amount", "12,34x"),
    (c.RULE_BAD_DATE, "CloseDate", "2026-02-30"),
    (c.RULE_BAD_DATETIME, "CreatedDate", "27/11/2026 10:15"),
    (c.RULE_BAD_BOOLEAN, "IsWon", "yes"),
    (c.RULE_UNKNOWN_CURRENCY, "CurrencyIsoCode", "XYZ"),
    (c.RULE_OUT_OF_RANGE, "Probability", "100.5"),
]


@pytest.mark.parametrize("rule,column,bad", RULE_CASES, ids=[case[0] for case in RULE_CASES])
def test_a_row_breaking_a_rule_is_quarantined_and_the_good_rows_are_typed(folders, rule, column, bad):
    write_rows(
        folders.crm("2026-11-27", "Opportunity.csv"),
        [opportunity(Id="good"), opportunity(Id="bad", **{column: bad})],
    )

    result = folders.ingest(c.CRM_OPPORTUNITY)

    quarantine = folders.quarantine(c.CRM_OPPORTUNITY)
    assert quarantine.select("source_row", "rule", "column_name", "value").rows() == [
        (2, rule, column, bad)
    ]
    message = quarantine["message"][0]
    assert message.startswith(f"crm/2026-11-27/Opportunity.csv row 2: {column}")
    assert json.loads(quarantine["record_json"][0])["Id"] == "bad"
    assert result.quarantined_by_rule == {rule: 1}
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)

    raw = folders.raw_rows(c.CRM_OPPORTUNITY)
    assert raw["Id"].to_list() == ["good"]
    assert raw["Amount"].to_list() == [Decimal("1234.56")]
    assert raw.schema["Amount"] == pl.Decimal(38, 10)


def test_unparseable_integer_is_quarantined(folders):
    columns = list(c.CRM_ACCOUNT.column_names)
    row = {n: None for n in columns} | {"Id": "0011", "LastModifiedDate": "2026-11-20T10:15:00Z"}
    write_rows(folders.crm("2026-11-27", "Account.csv"), [row | {"NumberOfEmployees": "250"}, row | {"Id": "0012", "NumberOfEmployees": "12.5"}])

    folders.ingest(c.CRM_ACCOUNT)

    quarantine = folders.quarantine(c.CRM_ACCOUNT)
    assert quarantine.select("rule", "column_name", "value").rows() == [(c.RULE_BAD_INTEGER, "NumberOfEmployees", "12.5")]
    assert "NumberOfEmployees '12.5' is not an integer" in quarantine["message"][0]
    assert folders.raw_rows(c.CRM_ACCOUNT)["NumberOfEmployees"].to_list() == [250]


def test_duplicate_keys_with_different_values_are_all_quarantined(folders):
    write_rows(
        folders.crm("2026-11-27", "Opportunity.csv"),
        [opportunity(Id="A", Amount="10"), opportunity(Id="B"), opportunity(Id="A", Amount="20")],
    )

    result = folders.ingest(c.CRM_OPPORTUNITY)

    quarantine = folders.quarantine(c.CRM_OPPORTUNITY)
    assert quarantine.select("source_row", "rule", "column_name", "value").rows() == [
        (1, c.RULE_DUPLICATE_KEY, "Id", "A"),
        (3, c.RULE_DUPLICATE_KEY, "Id", "A"),
    ]
    assert "appears in 2 rows with different values" in quarantine["message"][0]
    assert folders.raw_rows(c.CRM_OPPORTUNITY)["Id"].to_list() == ["B"]
    assert (result.rows_accepted, result.rows_rejected) == (1, 2)


def test_an_exact_repeat_of_a_row_keeps_the_first_and_quarantines_the_repeat(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A"), opportunity(Id="A")])

    folders.ingest(c.CRM_OPPORTUNITY)

    assert folders.quarantine(c.CRM_OPPORTUNITY).select("source_row", "rule").rows() == [(2, c.RULE_DUPLICATE_KEY)]
    assert folders.raw_rows(c.CRM_OPPORTUNITY).select("Id", "_source_row").rows() == [("A", 1)]


def test_composite_keys_are_compared_as_read(folders):
    rows = [
        {"IsoCode": "EUR", "StartDate": "2026-01-01", "NextStartDate": "2026-02-01", "ConversionRate": "0.92"},
        {"IsoCode": "eur", "StartDate": "2026-01-01", "NextStartDate": "2026-02-01", "ConversionRate": "0.93"},
        {"IsoCode": "EUR", "StartDate": "2026-02-01", "NextStartDate": "2026-03-01", "ConversionRate": "0.91"},
    ]
    write_rows(folders.crm("2026-11-27", "DatedConversionRate.csv"), rows)

    folders.ingest(c.CRM_DATED_CONVERSION_RATE)

    quarantine = folders.quarantine(c.CRM_DATED_CONVERSION_RATE)
    assert quarantine.select("source_row", "column_name", "value").rows() == [
        (1, "IsoCode, StartDate", "EUR, 2026-01-01"),
        (2, "IsoCode, StartDate", "EUR, 2026-01-01"),
    ]
    assert folders.raw_rows(c.CRM_DATED_CONVERSION_RATE)["ConversionRate"].to_list() == [Decimal("0.91")]


def test_a_row_breaking_several_rules_gets_one_quarantine_row_per_rule(folders):
    write_rows(
        folders.crm("2026-11-27", "Opportunity.csv"),
        [opportunity(Amount="abc", CurrencyIsoCode="ZZZ", StageName=None, Probability="-1")],
    )

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert sorted(folders.quarantine(c.CRM_OPPORTUNITY)["rule"].to_list()) == sorted(
        [c.RULE_BAD_DECIMAL, c.RULE_UNKNOWN_CURRENCY, c.RULE_MISSING_VALUE, c.RULE_OUT_OF_RANGE]
    )
    assert (result.rows_rejected, result.rows_quarantined, result.rows_accepted) == (1, 4, 0)
    assert result.raw_files == []


def test_values_are_read_exactly_in_every_accepted_spelling(folders):
    spellings = [
        # (Amount, CreatedDate, IsWon, CurrencyIsoCode)
        ("1234567890123456.0123456789", "2026-11-27T10:15:00.000+0000", "true", "USD"),
        ("+5", "2026-11-27T10:15:00Z", "TRUE", "usd"),
        ("-.5", "2026-11-27T10:15:00+00:00", "1", " EUR "),
        ("7.", "2026-11-27 10:15:00", "False", "eur"),
        ("0.12345678915", "2026-11-27T12:15:00.000+0200", "0", "JPY"),
        (None, "2026-11-27T10:15:00.123456Z", "false", "GBP"),
    ]
    rows = [
        opportunity(Id=str(i), Amount=amount, CreatedDate=created, IsWon=won, IsClosed="true", CurrencyIsoCode=currency)
        for i, (amount, created, won, currency) in enumerate(spellings)
    ]
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), rows)

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert result.rows_rejected == 0, folders.quarantine(c.CRM_OPPORTUNITY)["message"].to_list()
    raw = folders.raw_rows(c.CRM_OPPORTUNITY)
    assert raw["Amount"].to_list() == [
        Decimal("1234567890123456.0123456789"),
        Decimal("5"),
        Decimal("-0.5"),
        Decimal("7"),
        Decimal("0.1234567892"),  # more than 10 decimals: rounded half away from zero
        None,
    ]
    ten_fifteen = datetime(2026, 11, 27, 10, 15, tzinfo=timezone.utc)
    assert raw["CreatedDate"].to_list()[:5] == [ten_fifteen] * 5
    assert raw["CreatedDate"][5] == datetime(2026, 11, 27, 10, 15, 0, 123456, tzinfo=timezone.utc)
    assert raw["IsWon"].to_list() == [True, True, True, False, False, False]
    assert raw["CurrencyIsoCode"].to_list() == ["USD", "USD", "EUR", "EUR", "JPY", "GBP"]
    assert raw["CloseDate"].to_list() == [date(2026, 11, 20)] * 6


def test_raw_rows_carry_the_load_metadata_and_the_typed_schema(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A"), opportunity(Id="B")])
    loaded_at = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)

    result = folders.ingest(c.CRM_OPPORTUNITY, loaded_at=loaded_at)

    (raw_file,) = result.raw_files
    assert raw_file == batch_dir(folders.raw, c.CRM_OPPORTUNITY, "2026-11-27") / "Opportunity.csv.parquet"
    raw = pl.read_parquet(raw_file)
    assert dict(raw.schema) == raw_schema(c.CRM_OPPORTUNITY)
    assert raw.select("_batch", "_batch_date", "_source_file", "_source_row", "_loaded_at").rows() == [
        ("2026-11-27", date(2026, 11, 27), "crm/2026-11-27/Opportunity.csv", 1, loaded_at),
        ("2026-11-27", date(2026, 11, 27), "crm/2026-11-27/Opportunity.csv", 2, loaded_at),
    ]


def test_extra_columns_are_kept_as_text(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Region__c="EMEA", Score__c="7")])

    folders.ingest(c.CRM_OPPORTUNITY)

    raw = folders.raw_rows(c.CRM_OPPORTUNITY)
    assert raw.select("Region__c", "Score__c").rows() == [("EMEA", "7")]
    assert raw.schema["Score__c"] == pl.Utf8


def test_a_missing_required_column_fails_naming_the_file_the_column_and_the_dataset(folders):
    row = opportunity()
    del row["CloseDate"], row["IsWon"]
    path = write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [row])

    with pytest.raises(ContractError) as error:
        folders.ingest(c.CRM_OPPORTUNITY)

    message = str(error.value)
    assert str(path) in message
    assert "CloseDate" in message and "IsWon" in message
    assert "crm/opportunity" in message
    assert error.value.columns == ["CloseDate", "IsWon"]


def test_a_column_in_the_wrong_case_is_named_in_the_error(folders):
    row = opportunity()
    row["stagename"] = row.pop("StageName")
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [row])

    with pytest.raises(ContractError, match="found 'stagename'"):
        folders.ingest(c.CRM_OPPORTUNITY)


def test_an_optional_config_column_may_be_left_out(folders):
    write_rows(folders.config / "quotas.csv", [{"employee_id": "E1", "plan_year": "2026", "annual_quota": "120000.00", "currency": "EUR"}])

    folders.ingest(c.CONFIG_QUOTAS)

    raw = folders.raw_rows(c.CONFIG_QUOTAS)
    assert raw.select("employee_id", "plan_year", "annual_quota", "seasonality_profile", "_batch", "_batch_date").rows() == [
        ("E1", 2026, Decimal("120000"), None, "current", None)
    ]


def test_csv_with_bom_crlf_and_quoted_newlines_is_read(folders):
    path = folders.crm("2026-11-27", "Opportunity.csv")
    path.parent.mkdir(parents=True)
    header = ",".join(OPPORTUNITY_ROW)
    values = ",".join('"Acme\nrenewal, 2"' if k == "Name" else v for k, v in OPPORTUNITY_ROW.items())
    path.write_bytes(("\ufeff" + header + "\r\n" + values + "\r\n").encode("utf-8"))

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert result.rows_accepted == 1
    assert folders.raw_rows(c.CRM_OPPORTUNITY)["Name"].to_list() == ["Acme\nrenewal, 2"]


# --- CSV and Parquet, chunks --------------------------------------------------------------


def _comparable(frame: pl.DataFrame) -> list[tuple]:
    return frame.drop("_source_file", "_loaded_at").sort("Id").rows()


def test_csv_text_parquet_and_typed_parquet_give_the_same_raw_rows(tmp_path):
    rows = [opportunity(Id="A"), opportunity(Id="B", Amount="-10.5", IsWon="false", IsClosed="false", Type=None)]
    results = []
    for variant in ("csv", "text_parquet", "typed_parquet"):
        folders = Folders(tmp_path / variant)
        target = folders.crm("2026-11-27", "Opportunity.csv" if variant == "csv" else "Opportunity.parquet")
        write_rows(target, rows)
        if variant == "typed_parquet":
            typed = pl.read_parquet(target).with_columns(
                pl.col("Amount").cast(pl.Decimal(38, 2)),
                pl.col("Probability").cast(pl.Int64),
                pl.col("CloseDate").str.to_date(),
                pl.col("IsClosed", "IsWon", "IsDeleted").str.to_lowercase() == "true",
                pl.col("CreatedDate", "LastModifiedDate").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z").dt.convert_time_zone("UTC"),
            )
            typed.write_parquet(target)
        result = folders.ingest(c.CRM_OPPORTUNITY)
        assert result.rows_rejected == 0, folders.quarantine(c.CRM_OPPORTUNITY)["message"].to_list()
        results.append(_comparable(folders.raw_rows(c.CRM_OPPORTUNITY)))
    assert results[0] == results[1] == results[2]
    assert results[0][1][5] == Decimal("-10.5")


def test_chunk_size_does_not_change_the_result(tmp_path):
    rows = [opportunity(Id=f"{i:03d}", Amount=f"{i}.25") for i in range(23)]
    rows[5]["Amount"] = "oops"
    rows[21] = opportunity(Id="003", Amount="99")  # a conflicting duplicate in another chunk
    outcomes = []
    for chunk_rows in (4, 1000):
        folders = Folders(tmp_path / str(chunk_rows))
        write_rows(folders.crm("2026-11-27", "Opportunity-0001.parquet"), rows)
        result = folders.ingest(c.CRM_OPPORTUNITY, chunk_rows=chunk_rows)
        outcomes.append(
            (
                result.rows_accepted,
                result.rows_rejected,
                result.quarantined_by_rule,
                folders.raw_rows(c.CRM_OPPORTUNITY).drop("_loaded_at").rows(),
                folders.quarantine(c.CRM_OPPORTUNITY).drop("_loaded_at").rows(),
            )
        )
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:3] == (20, 3, {c.RULE_BAD_DECIMAL: 1, c.RULE_DUPLICATE_KEY: 2})



def test_long_files_report_progress_per_chunk(tmp_path):
    folders = Folders(tmp_path)
    rows = [opportunity(Id=f"{i:03d}") for i in range(10)]
    rows[7]["Amount"] = "oops"
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), rows)
    heard: list[str] = []
    folders.ingest(c.CRM_OPPORTUNITY, chunk_rows=4, progress=heard.append)
    assert heard == [
        "crm/2026-11-27/Opportunity.csv: 4 rows read, 0 quarantined so far",
        "crm/2026-11-27/Opportunity.csv: 8 rows read, 1 quarantined so far",
        "crm/2026-11-27/Opportunity.csv: 10 rows read, 1 quarantined so far",
    ]

# --- batches: idempotence, new batches, changed files ------------------------------------


def test_ingesting_a_batch_again_adds_nothing(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A"), opportunity(Id="B", Amount="x")])
    first = folders.ingest(c.CRM_OPPORTUNITY)
    files_before = {p: p.stat().st_mtime_ns for p in folders.raw.rglob("*.parquet") if p.name != "empty.parquet"}

    again = folders.ingest(c.CRM_OPPORTUNITY)

    assert first.files_ingested == ["crm/2026-11-27/Opportunity.csv"]
    assert (again.files_ingested, again.files_skipped) == ([], ["crm/2026-11-27/Opportunity.csv"])
    assert (again.rows_accepted, again.rows_quarantined, again.raw_files) == (0, 0, [])
    files_after = {p: p.stat().st_mtime_ns for p in folders.raw.rglob("*.parquet") if p.name != "empty.parquet"}
    assert files_after == files_before
    assert folders.raw_rows(c.CRM_OPPORTUNITY).height == 1
    assert folders.quarantine(c.CRM_OPPORTUNITY).height == 1


def test_a_file_with_every_row_quarantined_is_also_done(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Amount="x")])
    folders.ingest(c.CRM_OPPORTUNITY)

    again = folders.ingest(c.CRM_OPPORTUNITY)

    assert again.files_skipped == ["crm/2026-11-27/Opportunity.csv"]
    assert folders.quarantine(c.CRM_OPPORTUNITY).height == 1


def test_a_new_batch_is_added_beside_the_old_one(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A", Amount="10")])
    folders.ingest(c.CRM_OPPORTUNITY)
    write_rows(folders.crm("2026-11-28", "Opportunity-0001.parquet"), [opportunity(Id="A", Amount="12")])

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert (result.files_ingested, result.files_skipped) == (
        ["crm/2026-11-28/Opportunity-0001.parquet"],
        ["crm/2026-11-27/Opportunity.csv"],
    )
    # Both versions stay in raw; the newest one wins downstream (SPEC §2).
    assert folders.raw_rows(c.CRM_OPPORTUNITY).select("_batch", "Amount").rows() == [
        ("2026-11-27", Decimal("10")),
        ("2026-11-28", Decimal("12")),
    ]
    assert newest_batch(folders.raw, c.CRM_OPPORTUNITY) == "2026-11-28"
    assert read_raw_batch(folders.raw, c.CRM_OPPORTUNITY, "2026-11-28")["Amount"].to_list() == [Decimal("12")]


def test_a_landing_file_whose_content_changed_replaces_its_earlier_output(folders):
    path = write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A", Amount="bad")])
    folders.ingest(c.CRM_OPPORTUNITY)
    write_rows(path, [opportunity(Id="A", Amount="10"), opportunity(Id="B", Amount="11")])
    os.utime(path, ns=(1, 1))

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert result.files_replaced == ["crm/2026-11-27/Opportunity.csv"]
    assert folders.raw_rows(c.CRM_OPPORTUNITY)["Id"].to_list() == ["A", "B"]
    assert folders.quarantine(c.CRM_OPPORTUNITY).is_empty()


def test_a_touched_but_unchanged_file_is_still_skipped(folders):
    path = write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity()])
    folders.ingest(c.CRM_OPPORTUNITY)
    os.utime(path, ns=(10**18, 10**18))

    assert folders.ingest(c.CRM_OPPORTUNITY).files_skipped == ["crm/2026-11-27/Opportunity.csv"]


def test_configuration_is_replaced_wholesale(folders):
    quota = {"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "USD", "seasonality_profile": None}
    write_rows(folders.config / "quotas.csv", [quota, quota | {"employee_id": "E2", "currency": "???"}])
    folders.ingest(c.CONFIG_QUOTAS)
    (folders.config / "quotas.csv").unlink()
    write_rows(folders.config / "quotas.parquet", [quota | {"annual_quota": "2000"}])

    result = folders.ingest(c.CONFIG_QUOTAS)

    assert result.files_ingested == ["quotas.parquet"]
    assert folders.raw_rows(c.CONFIG_QUOTAS).select("employee_id", "annual_quota", "_source_file").rows() == [
        ("E1", Decimal("2000"), "quotas.parquet")
    ]
    assert folders.quarantine(c.CONFIG_QUOTAS).is_empty()
    # Re-running reads the configuration again (nothing is skipped).
    assert folders.ingest(c.CONFIG_QUOTAS).files_ingested == ["quotas.parquet"]


def test_empty_schema_files_exist_even_without_landing_files(folders):
    result = folders.ingest(c.HR_LEAVE)

    assert (result.files_ingested, result.rows_accepted) == ([], 0)
    empty = pl.read_parquet(dataset_dir(folders.raw, c.HR_LEAVE) / "empty.parquet")
    assert (empty.height, dict(empty.schema)) == (0, raw_schema(c.HR_LEAVE))
    quarantine = pl.read_parquet(quarantine_root(folders.raw) / "empty.parquet")
    assert (quarantine.height, dict(quarantine.schema)) == (0, QUARANTINE_SCHEMA)
    assert newest_batch(folders.raw, c.HR_LEAVE) is None


def test_no_temporary_files_are_left_behind(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A"), opportunity(Id="A", Amount="1")])
    folders.ingest(c.CRM_OPPORTUNITY)
    assert [p.name for p in folders.raw.rglob("*.tmp")] == []
