"""Render the landing contract as Markdown: ``python -m assets.ingest.contract_doc > docs/landing_contract.md``.

The document is generated from :mod:`assets.ingest.contract`, so it cannot
drift from what ingest enforces (a test compares the two).
"""

from __future__ import annotations

from assets.ingest.contract import CONTRACTS, ROW_RULES
from assets.ingest.typed_parquet import ACCEPTED

HEADER = """# The landing contract

Generated from `assets/ingest/contract.py` by
`python -m assets.ingest.contract_doc > docs/landing_contract.md`; edit the
contract, not this page.

CRM and HR files arrive in batches: `<SPM_LANDING_DIR>/<system>/<YYYY-MM-DD>/<file>`,
the folder named by the extract date. A file is CSV (UTF-8, header row, comma,
RFC 4180 quoting) or Parquet with the same columns; an object may be split into
chunks named `<Stem>-<anything>.csv|parquet`. Configuration files sit directly
in `<SPM_CONFIG_DIR>/` and are re-read in full on every run. Unknown extra
columns are kept in the raw layer and ignored after.

A file that lacks a required column fails ingest, naming the file and the
column. A row that breaks a rule is quarantined (kept, with the file, the row
number, the rule, the column and the value), never dropped. Row rules:
"""


READING = """
## Header names

A header name is read without surrounding spaces, tabs, a stray carriage
return or a byte-order mark: ` Id `, `IsDeleted\\r` are `Id`, `IsDeleted`.
Names are case-sensitive. When a required column is missing, the error shows
the header as read, e.g. `crm/2026-11-27/Opportunity.csv: missing required
column(s) CloseDate of dataset crm/opportunity; header as read: ['Id', ...,
'Close Date', ...]`. Two names that are one after stripping (`Id` and ` Id`)
are refused.

## Datetimes

A `datetime` value is ISO 8601 as exports write it: a date, which is midnight
UTC, or a date-time with `T`, `t` or a space between date and time, minutes
always, seconds and a fraction optional, and `Z`, an offset (`+02`, `+0200`,
`+02:00`) or nothing (UTC). It is stored in UTC to the microsecond (a finer
fraction is cut). For example:

| as written | stored (UTC) |
|---|---|
| `2017-03-01` | 2017-03-01 00:00:00 |
| `2017-03-01 10:15` | 2017-03-01 10:15:00 |
| `2017-03-01T12:15:00.000+0200` | 2017-03-01 10:15:00 |
| `2017-03-01T04:45:00-05:30` | 2017-03-01 10:15:00 |
| `2017-03-01T10:15:30.5Z` | 2017-03-01 10:15:30.5 |
| `27/11/2026 10:15`, `2017-03-01T10` | quarantined: `unparseable_datetime` |

## Typed Parquet

A Parquet column is read by its type, as the text a CSV export of the same
value would hold, so CSV and Parquet files of the same rows load the same raw
rows. A column whose Parquet type cannot hold its field refuses the file with
one line naming the file, the column, the expected and the found types, e.g.
`crm/2026-11-27/Opportunity.parquet: column CloseDate is boolean (Boolean),
expected date (Parquet date, timestamp, string) (dataset crm/opportunity)`.
Accepted Parquet types (an all-null column fits every type):

| contract type | Parquet types |
|---|---|
{accepted}

* a timestamp without a time zone is UTC; a timestamp with one is converted to UTC;
* a timestamp in a `date` column is its date when it is midnight (UTC); with a
  time of day (`2017-03-01 10:30`) it is quarantined as `unparseable_date`
  (the value shows the timestamp): a date cut from it would be a guess;
* a date in a `datetime` column is midnight UTC;
* floating point is read by its shortest spelling (`1234.56`, not the binary
  `1234.5599999999...`); in an `integer` column a zero fraction is accepted;
* an integer in a `boolean` column is read as `1`/`0`.

## Required values follow the record's state

Every column of the tables below must exist in a CRM or HR file. Whether a
value is required can depend on the record: Salesforce lets an open deal have
no `Amount` and no `AccountId`, and a real export has many such deals. So:

* `Amount` is required when the deal is won. A won deal without it is held
  back in the warehouse (`won_deal_without_amount`), a won deal with a
  negative one too (`won_deal_negative_amount`): neither credits anybody. A
  negative amount on an open or lost deal is kept.
* An open deal without `Amount` counts in `fct_pipeline_coverage.open_deals`
  and `open_deals_without_amount`, and adds nothing to `open_pipeline` and
  `weighted_pipeline`: its value is unknown, not 0, so the pipeline is then a
  lower bound. Example: an open deal of 50000 and one without Amount in the
  horizon give open_deals 2, open_deals_without_amount 1, open_pipeline 50000.
* `AccountId` may be empty on any deal.
* `CloseDate` is required on every deal (Salesforce requires it too).

## Versions, and which rules live where

A record's newest version wins (by its version column, then batch date). A row
that breaks a row rule above never reaches the raw layer: if an older version
of the same record is there, that older version stays in effect until a
corrected row arrives; the quarantine row (stage `ingest`, with file and row)
is the trace, and the quarantine check decides whether the run goes on. Rules
that depend on the deal's state are therefore checked in the warehouse on the
newest version instead (stage `warehouse` in `fct_quarantine`), so the deal is
held back, never credited at an older amount: e.g. deal O20 won at 800 in the
first batch and won at -500 in the next is quarantined as
`won_deal_negative_amount` (traced to the -500 row) and credits nobody.

Warehouse rules on CRM records (messages start with `<file> row <n>: `, as the
row rules' do; the full list is in dbt_project/README.md):

* `won_deal_without_amount`, `won_deal_negative_amount` (the deal's newest row)
* `split_percentages_not_100` (the deal's newest split row)
* `unknown_product`: a line item of a won deal names a `Product2Id` that is not
  in Product2. Its `TotalPrice` share stays in no product family (family null in
  `fct_credit_by_product_family`), so a component filtered on a family gets no
  credit for it; the deal's credit itself is unchanged. Example: deal O1 of
  10000 with line items 6000 (Software) and 4000 (unknown product P404): 6000
  credit in Software, 4000 in no family, one `unknown_product` row for the
  4000 line.
* `credit_user_without_hr_worker`: the credited CRM user is not in User, or
  its EmployeeNumber is empty, or no HR worker has that employee id; the
  message says which.
"""


def render() -> str:
    out = [HEADER]
    out += [f"* `{rule}`" for rule in ROW_RULES]
    accepted = "\n".join(f"| {kind} | {', '.join(types)} |" for kind, types in ACCEPTED.items())
    out.append(READING.replace("{accepted}", accepted))
    for c in CONTRACTS:
        where = "config folder" if c.system == "config" else f"`{c.system}/<batch>/`"
        out.append(f"\n## `{c.file_stem}` ({c.system}.{c.name})\n")
        out.append(f"{c.description} File: {where}, `{c.file_stem}.csv|parquet`. Key: {', '.join(c.key)}.")
        if c.version_column:
            out.append(f"Newest version by `{c.version_column}`, then batch date.")
        else:
            out.append("Newest version by batch date.")
        if c.deleted_column:
            out.append(f"`{c.deleted_column} = true` removes the record.")
        out.append("\n| column | type | value required | range |\n|---|---|---|---|")
        for col in c.columns:
            required = col.note or ("yes" if col.required or col.name in c.key else "")
            bounds = ""
            if col.min_value is not None or col.max_value is not None:
                lo = "" if col.min_value is None else f">= {col.min_value}"
                hi = "" if col.max_value is None else f"<= {col.max_value}"
                bounds = " and ".join(x for x in (lo, hi) if x)
            if col.one_of is not None:
                bounds = "one of " + ", ".join(f"`{value}`" for value in col.one_of[0])
            out.append(f"| `{col.name}` | {col.type} | {required} | {bounds} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
