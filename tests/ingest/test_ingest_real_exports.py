"""Input a real export carries (SPEC §2): datetimes as exports write them, typed
Parquet, Salesforce nullability by deal state, header names with stray
whitespace. Each test writes a small landing file by hand and shows what lands
in raw and what is quarantined, with the exact rule and message.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.ingest import contract as c
from assets.ingest.load import ContractError
from tests.support.landing import OPPORTUNITY_ROW, Folders, opportunity, write_rows

BATCH = "2026-11-27"
UTC = timezone.utc


@pytest.fixture
def folders(tmp_path) -> Folders:
    return Folders(tmp_path)


# --- datetimes as exports write them ---------------------------------------------------------

DATETIME_SPELLINGS = [
    # (as written, UTC instant)
    ("2017-03-01", datetime(2017, 3, 1, tzinfo=UTC)),  # a bare ISO date: midnight UTC
    ("2017-03-01T10:15", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),  # no seconds
    ("2017-03-01 10:15", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),  # space, no seconds
    ("2017-03-01 10:15:30", datetime(2017, 3, 1, 10, 15, 30, tzinfo=UTC)),  # naive = UTC
    ("2017-03-01T10:15:30.5Z", datetime(2017, 3, 1, 10, 15, 30, 500000, tzinfo=UTC)),
    ("2017-03-01T12:15:00.000+0200", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),  # Salesforce
    ("2017-03-01T12:15:00+02:00", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),
    ("2017-03-01T12:15+02", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),  # hour-only offset
    ("2017-03-01T04:45:00-05:30", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),
    ("2017-03-01t10:15:00z", datetime(2017, 3, 1, 10, 15, tzinfo=UTC)),
    ("2017-03-01T10:15:00.123456789Z", datetime(2017, 3, 1, 10, 15, 0, 123456, tzinfo=UTC)),  # cut to µs
]


def test_a_datetime_may_be_a_bare_date_or_any_usual_iso_spelling(folders):
    rows = [
        opportunity(Id=f"O{i}", CreatedDate=written, LastModifiedDate=written)
        for i, (written, _) in enumerate(DATETIME_SPELLINGS)
    ]
    write_rows(folders.crm(BATCH, "Opportunity.csv"), rows)

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert result.rows_rejected == 0, folders.quarantine(c.CRM_OPPORTUNITY)["message"].to_list()
    raw = folders.raw_rows(c.CRM_OPPORTUNITY).sort("Id")
    expected = [instant for _, instant in DATETIME_SPELLINGS]
    by_id = dict(zip(raw["Id"], raw["LastModifiedDate"]))
    assert [by_id[f"O{i}"] for i in range(len(expected))] == expected
    assert raw["CreatedDate"].to_list() == raw["LastModifiedDate"].to_list()


@pytest.mark.parametrize("written", ["27/11/2026 10:15", "2017-02-30", "2017-03-01T25:00", "2017-03-01T10", "20170301"])
def test_a_datetime_that_is_not_iso_8601_is_quarantined(folders, written):
    write_rows(folders.crm(BATCH, "Opportunity.csv"), [opportunity(LastModifiedDate=written)])

    folders.ingest(c.CRM_OPPORTUNITY)

    quarantine = folders.quarantine(c.CRM_OPPORTUNITY)
    assert quarantine.select("rule", "column_name", "value", "message").rows() == [
        (
            c.RULE_BAD_DATETIME,
            "LastModifiedDate",
            written,
            f"crm/{BATCH}/Opportunity.csv row 1: LastModifiedDate '{written}' is not an ISO 8601 date or date-time",
        )
    ]


# --- typed Parquet ---------------------------------------------------------------------------


def _typed_opportunities(path, close_date: pa.Array, amount: pa.Array, **more: pa.Array) -> None:
    """Two won deals O1, O2 as Spark would write them: typed columns, the rest text."""
    columns = {name: pa.array([value, value]) for name, value in OPPORTUNITY_ROW.items()}
    columns["Id"] = pa.array(["O1", "O2"])
    columns["CloseDate"] = close_date
    columns["Amount"] = amount
    columns.update(more)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


def test_typed_parquet_dates_timestamps_decimals_and_booleans_are_read_by_their_type(folders):
    _typed_opportunities(
        folders.crm(BATCH, "Opportunity.parquet"),
        close_date=pa.array([date(2017, 3, 1), date(2017, 3, 31)], pa.date32()),
        amount=pa.array([Decimal("1234.50"), Decimal("-0.25")], pa.decimal128(18, 2)),
        IsWon=pa.array([True, True]),
        IsClosed=pa.array([True, True]),
        IsDeleted=pa.array([False, False]),
        Probability=pa.array([100, 90], pa.int32()),
        CreatedDate=pa.array([datetime(2017, 1, 1, 8, 0), datetime(2017, 1, 2)], pa.timestamp("ms")),  # naive = UTC
        LastModifiedDate=pa.array(
            [datetime(2017, 3, 1, 11, 15, tzinfo=UTC), datetime(2017, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)],
            pa.timestamp("us", tz="Europe/Paris"),
        ),
    )

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert result.rows_rejected == 0, folders.quarantine(c.CRM_OPPORTUNITY)["message"].to_list()
    raw = folders.raw_rows(c.CRM_OPPORTUNITY).sort("Id")
    assert raw.select("CloseDate", "Amount", "IsWon", "Probability", "CreatedDate", "LastModifiedDate").rows() == [
        (date(2017, 3, 1), Decimal("1234.5"), True, Decimal("100"), datetime(2017, 1, 1, 8, 0, tzinfo=UTC),
         datetime(2017, 3, 1, 11, 15, tzinfo=UTC)),
        (date(2017, 3, 31), Decimal("-0.25"), True, Decimal("90"), datetime(2017, 1, 2, tzinfo=UTC),
         datetime(2017, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ]


def test_a_timestamp_close_date_at_midnight_is_its_date_and_a_time_of_day_is_quarantined(folders):
    _typed_opportunities(
        folders.crm(BATCH, "Opportunity.parquet"),
        close_date=pa.array([datetime(2017, 3, 1), datetime(2017, 3, 1, 10, 30)], pa.timestamp("us")),
        amount=pa.array([1234.56, 0.1], pa.float64()),  # floating point: read by its shortest spelling
    )

    folders.ingest(c.CRM_OPPORTUNITY)

    raw = folders.raw_rows(c.CRM_OPPORTUNITY)
    assert raw.select("Id", "CloseDate", "Amount").rows() == [("O1", date(2017, 3, 1), Decimal("1234.56"))]
    assert folders.quarantine(c.CRM_OPPORTUNITY).select("rule", "column_name", "value", "message").rows() == [
        (
            c.RULE_BAD_DATE,
            "CloseDate",
            "2017-03-01T10:30:00.000000Z",
            f"crm/{BATCH}/Opportunity.parquet row 2: CloseDate '2017-03-01T10:30:00.000000Z' is not a date (YYYY-MM-DD)",
        )
    ]


def test_a_parquet_type_that_cannot_hold_the_field_fails_naming_file_column_expected_and_found(folders):
    path = folders.crm(BATCH, "Opportunity.parquet")
    _typed_opportunities(
        path,
        close_date=pa.array([True, False]),
        amount=pa.array([date(2017, 3, 1), date(2017, 3, 1)], pa.date32()),
    )

    with pytest.raises(ContractError) as error:
        folders.ingest(c.CRM_OPPORTUNITY)

    assert str(error.value) == (
        f"{path}: column Amount is date (Date), expected decimal (Parquet decimal, integer, floating point, string); "
        "column CloseDate is boolean (Boolean), expected date (Parquet date, timestamp, string) "
        "(dataset crm/opportunity)"
    )
    assert error.value.columns == ["Amount", "CloseDate"]


# --- Salesforce nullability: required columns exist, required values follow the deal's state ---


def test_an_open_deal_without_amount_or_account_is_accepted(folders):
    write_rows(
        folders.crm(BATCH, "Opportunity.csv"),
        [
            opportunity(Id="open", AccountId=None, Amount=None, StageName="Prospecting", IsWon="false", IsClosed="false"),
            opportunity(Id="won-no-account", AccountId=None),
        ],
    )

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert result.quarantined_by_rule == {}
    raw = folders.raw_rows(c.CRM_OPPORTUNITY).sort("Id")
    assert raw.select("Id", "AccountId", "Amount").rows() == [
        ("open", None, None),
        ("won-no-account", None, Decimal("1234.56")),
    ]


def test_the_amount_and_account_columns_must_still_exist(folders):
    row = opportunity()
    del row["AccountId"]
    write_rows(folders.crm(BATCH, "Opportunity.csv"), [row])

    with pytest.raises(ContractError, match="missing required column\\(s\\) AccountId"):
        folders.ingest(c.CRM_OPPORTUNITY)


# --- header names ----------------------------------------------------------------------------


def test_header_names_with_surrounding_spaces_or_a_stray_carriage_return_are_read(folders):
    path = folders.crm(BATCH, "Opportunity.csv")
    path.parent.mkdir(parents=True)
    names = list(OPPORTUNITY_ROW)
    written = [f" {names[0]} ", f"{names[1]}\t"] + names[2:-1] + [f'"{names[-1]}\r"']
    path.write_bytes((",".join(written) + "\n" + ",".join(OPPORTUNITY_ROW.values()) + "\n").encode())

    result = folders.ingest(c.CRM_OPPORTUNITY)

    assert (result.rows_accepted, result.rows_rejected) == (1, 0)
    raw = folders.raw_rows(c.CRM_OPPORTUNITY)
    assert raw.select("Id", "AccountId", "IsDeleted").rows() == [("0061", "0011", False)]


def test_a_missing_column_shows_the_header_as_read(folders):
    path = folders.crm(BATCH, "Opportunity.csv")
    path.parent.mkdir(parents=True)
    names = [name if name != "CloseDate" else "Close Date" for name in OPPORTUNITY_ROW]
    path.write_bytes((",".join(names) + "\n" + ",".join(OPPORTUNITY_ROW.values()) + "\n").encode())

    with pytest.raises(ContractError) as error:
        folders.ingest(c.CRM_OPPORTUNITY)

    assert str(error.value) == (
        f"{path}: missing required column(s) CloseDate of dataset crm/opportunity; header as read: {names!r}"
    )


def test_two_header_names_that_are_one_after_stripping_are_an_error(folders):
    path = write_rows(folders.crm(BATCH, "Opportunity.parquet"), [opportunity() | {" Id": "x"}])

    with pytest.raises(ContractError, match=r"column\(s\) Id appear more than once in the header as read"):
        folders.ingest(c.CRM_OPPORTUNITY)
    assert path.exists()


# --- versions: what a quarantined newest row leaves in effect ------------------------------------


def test_a_quarantined_newer_row_leaves_the_older_version_in_raw_with_a_trace(folders):
    # The row rules judge a row on its own: a newer version that breaks one never
    # reaches raw, so the older version stays the newest there. The quarantine row
    # is the trace (and the quarantine check decides whether the run goes on);
    # rules on the deal's state (a won deal's negative amount) are warehouse rules
    # on the newest version for that reason (docs/landing_contract.md).
    write_rows(folders.crm("2026-11-26", "Opportunity.csv"), [opportunity(Id="O1", Amount="800")])
    write_rows(
        folders.crm(BATCH, "Opportunity.csv"),
        [opportunity(Id="O1", Amount="8OO", LastModifiedDate="2026-11-27T09:00:00Z")],
    )

    folders.ingest(c.CRM_OPPORTUNITY)

    assert folders.raw_rows(c.CRM_OPPORTUNITY).select("Id", "Amount", "_batch").rows() == [
        ("O1", Decimal("800"), "2026-11-26")
    ]
    assert folders.quarantine(c.CRM_OPPORTUNITY).select("batch", "rule", "message").rows() == [
        (BATCH, c.RULE_BAD_DECIMAL, f"crm/{BATCH}/Opportunity.csv row 1: Amount '8OO' is not a decimal")
    ]
