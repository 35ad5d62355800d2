"""The single-query floor: own credit, quota, attainment and commission per payee-month in ONE DuckDB query.

    python -m bench.floor LANDING CONFIG OUT.csv

What the pipeline could not do faster than: one DuckDB process reads the same
landing files (``<landing>/crm/<batch>/*``, ``<landing>/hr/<batch>/*``, CSV or
Parquet, chunks included) and the quota configuration (``<config>/quotas*.csv``)
and computes, with no checks and no quarantine:

* the newest version of each Opportunity (by LastModifiedDate, then batch date,
  then file), gone when IsDeleted; the won ones with an Amount and a CloseDate;
* the credited users: the deal's OpportunitySplit rows (newest version of each
  split) by SplitPercentage as they are (not validated), or the owner at 100%;
  each user mapped to a payee by User.EmployeeNumber = workers.employee_id (the
  newest batch's User and worker rows); users without a worker credit nobody;
* each payee's share converted from the deal currency to the payee's currency
  (workers.currency) with the DatedConversionRate valid on the CloseDate (the
  latest StartDate <= CloseDate, if CloseDate < NextStartDate; the corporate
  currency USD is 1 when it has no row; any other missing rate drops the credit);
* per payee-month (``YYYY-MM`` of CloseDate), full outer joined with the even
  quota (annual_quota / 12 for each month of the plan year): own credit,
  quota, attainment = credit / quota and a flat 10% commission of the credit.

Money is DECIMAL(38,10), never binary floating point. DuckDB divides two
DECIMALs into a DOUBLE, so every division is done on exact 128-bit integers of
10^-10 units and rounded half away from zero at the 10th decimal (as the
pipeline's ``divide_money``): the share Amount * pct / 100, the conversion
share * rate_payee / rate_deal (one division), quota = annual / 12 and
attainment. The result rows (sorted by employee_id, period) are written as CSV:
own_credit, quota and commission rounded half away from zero to cents,
attainment with 10 decimals. :mod:`bench.pandas_floor` computes the same rows
and must agree to the cent.

Prints one JSON line: rows, seconds (reading, computing and writing, measured
inside the process, after the imports) and the process's own peak RSS.
:func:`run_floor` runs a floor as a subprocess and adds its wall time.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

COMMISSION_RATE = "0.10"
CORPORATE_CURRENCY = "USD"
UNITS = 10**10  # money is kept in units of 10^-10 (DECIMAL(38,10))
OUTPUT_COLUMNS = ("employee_id", "period", "currency", "own_credit", "quota", "attainment", "commission")

_BATCH = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXTENSIONS = (".csv", ".parquet")

# The columns each floor reads, per landing object.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Opportunity": ("Id", "OwnerId", "Amount", "CurrencyIsoCode", "CloseDate", "IsWon", "IsDeleted", "LastModifiedDate"),
    "OpportunitySplit": ("Id", "OpportunityId", "SplitOwnerId", "SplitPercentage", "LastModifiedDate"),
    "User": ("Id", "EmployeeNumber"),
    "DatedConversionRate": ("IsoCode", "StartDate", "NextStartDate", "ConversionRate"),
    "workers": ("employee_id", "currency"),
    "quotas": ("employee_id", "plan_year", "annual_quota", "currency"),
}


# ---------------------------------------------------------------- the landing files


@dataclass(frozen=True)
class SourceFile:
    path: Path
    batch: str  # the extract date folder name, "" for configuration


def _belongs(stem: str, name: str) -> bool:
    """``<stem>.csv|parquet`` or a chunk ``<stem>-<anything>.csv|parquet`` (the landing layout)."""
    base, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in _EXTENSIONS or name.startswith("."):
        return False
    return base == stem or (base.startswith(f"{stem}-") and len(base) > len(stem) + 1)


def source_files(landing: Path, config: Path, stem: str) -> list[SourceFile]:
    """The files of one object, batches oldest first, by name within a batch."""
    if stem == "quotas":
        folders = [(config, "")]
    else:
        system = "hr" if stem == "workers" else "crm"
        root = Path(landing) / system
        folders = sorted(
            (f, f.name) for f in (root.iterdir() if root.is_dir() else []) if f.is_dir() and _BATCH.match(f.name)
        )
    return [
        SourceFile(path, batch)
        for folder, batch in folders
        if folder.is_dir()
        for path in sorted(p for p in folder.iterdir() if p.is_file() and _belongs(stem, p.name))
    ]


# ---------------------------------------------------------------- the query


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source_sql(files: list[SourceFile], columns: tuple[str, ...]) -> str:
    """All files of one object as text columns plus _batch and _file (the file's path)."""
    batch_of = "regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})[/\\\\][^/\\\\]+$', 1)"
    selects = []
    csvs = [f for f in files if f.path.suffix.lower() == ".csv"]
    parquets = [f for f in files if f.path.suffix.lower() == ".parquet"]
    for kind, group in (("csv", csvs), ("parquet", parquets)):
        if not group:
            continue
        paths = "[" + ", ".join(_literal(str(f.path)) for f in group) + "]"
        if kind == "csv":
            reader = (
                f"read_csv({paths}, header = true, all_varchar = true, union_by_name = true, filename = true, "
                "delim = ',', quote = '\"', escape = '\"')"
            )
        else:
            reader = f"read_parquet({paths}, union_by_name = true, filename = true)"
        cols = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in columns)
        selects.append(f"select {cols}, {batch_of} as _batch, filename as _file from {reader}")
    if not selects:
        cols = ", ".join(f'cast(null as varchar) as "{c}"' for c in columns)
        return f"select {cols}, cast(null as varchar) as _batch, cast(null as varchar) as _file where false"
    return "\nunion all by name\n".join(selects)


def floor_sql(landing: Path, config: Path) -> str:
    """The one query: a SELECT of the result rows, sorted by employee_id, period."""
    src = {stem: _source_sql(source_files(landing, config, stem), cols) for stem, cols in COLUMNS.items()}
    return f"""
with
opportunity_versions as (
    select *, try_cast(LastModifiedDate as timestamptz) as _modified
    from ({src['Opportunity']})
),
opportunities as (
    select * from opportunity_versions
    where _modified is not null
    qualify row_number() over (partition by Id order by _modified desc, _batch desc, _file desc) = 1
),
won as (
    select
        Id as opportunity_id,
        OwnerId as owner_id,
        try_cast(Amount as decimal(38, 10)) as amount,
        CurrencyIsoCode as deal_currency,
        try_cast(CloseDate as date) as close_date
    from opportunities
    where lower(trim(IsWon)) in ('true', '1')
        and not coalesce(lower(trim(IsDeleted)) in ('true', '1'), false)
        and try_cast(Amount as decimal(38, 10)) is not null
        and try_cast(CloseDate as date) is not null
),
splits as (
    select OpportunityId as opportunity_id, SplitOwnerId as user_id,
        try_cast(SplitPercentage as decimal(38, 10)) as pct
    from ({src['OpportunitySplit']})
    where try_cast(LastModifiedDate as timestamptz) is not null
    qualify row_number() over (
        partition by Id order by try_cast(LastModifiedDate as timestamptz) desc, _batch desc, _file desc) = 1
),
shares as (
    select won.opportunity_id, splits.user_id, splits.pct
    from won inner join splits on splits.opportunity_id = won.opportunity_id
    where splits.pct is not null
    union all
    select won.opportunity_id, won.owner_id, cast(100 as decimal(38, 10))
    from won anti join splits on splits.opportunity_id = won.opportunity_id
),
users as (
    select Id as user_id, EmployeeNumber as employee_id
    from ({src['User']})
    qualify row_number() over (partition by Id order by _batch desc, _file desc) = 1
),
workers as (
    select employee_id, currency
    from ({src['workers']})
    qualify row_number() over (partition by employee_id order by _batch desc, _file desc) = 1
),
payee_shares as (
    select shares.opportunity_id, workers.employee_id, workers.currency as payee_currency, sum(shares.pct) as pct
    from shares
    inner join users on users.user_id = shares.user_id
    inner join workers on workers.employee_id = users.employee_id
    group by all
),
rates as (
    select IsoCode as currency, try_cast(StartDate as date) as start_date,
        try_cast(NextStartDate as date) as next_start_date,
        try_cast(ConversionRate as decimal(38, 10)) as rate
    from ({src['DatedConversionRate']})
    where try_cast(StartDate as date) is not null
    qualify row_number() over (partition by IsoCode, try_cast(StartDate as date) order by _batch desc, _file desc) = 1
),
credit_shares as (
    select
        payee_shares.employee_id,
        payee_shares.payee_currency,
        strftime(won.close_date, '%Y-%m') as period,
        won.close_date,
        won.deal_currency,
        half_away_div(units(won.amount) * units(payee_shares.pct), cast({100 * UNITS} as hugeint)) as share_units
    from payee_shares
    inner join won on won.opportunity_id = payee_shares.opportunity_id
),
with_deal_rate as (
    select credit_shares.*,
        case when credit_shares.close_date < rates.next_start_date then rates.rate end as deal_rate
    from credit_shares
    asof left join rates
        on rates.currency = credit_shares.deal_currency and credit_shares.close_date >= rates.start_date
),
with_rates as (
    select with_deal_rate.*,
        case when with_deal_rate.close_date < rates.next_start_date then rates.rate end as payee_rate
    from with_deal_rate
    asof left join rates
        on rates.currency = with_deal_rate.payee_currency and with_deal_rate.close_date >= rates.start_date
),
converted as (
    select employee_id, payee_currency, period,
        case
            when deal_currency = payee_currency then share_units
            else half_away_div(
                share_units * units(coalesce(payee_rate, case when payee_currency = '{CORPORATE_CURRENCY}' then 1 end)),
                units(coalesce(deal_rate, case when deal_currency = '{CORPORATE_CURRENCY}' then 1 end)))
        end as credit_units
    from with_rates
),
credit_months as (
    select employee_id, period, min(payee_currency) as currency, sum(credit_units) as credit_units
    from converted
    where credit_units is not null
    group by employee_id, period
),
quotas as (
    select employee_id, try_cast(trim(plan_year) as integer) as plan_year, currency,
        try_cast(annual_quota as decimal(38, 10)) as annual_quota
    from ({src['quotas']})
    where regexp_full_match(trim(plan_year), '[0-9]{{4}}') and try_cast(annual_quota as decimal(38, 10)) is not null
),
quota_months as (
    select employee_id, min(currency) as currency,
        cast(plan_year as varchar) || '-' || lpad(cast(month as varchar), 2, '0') as period,
        half_away_div(units(sum(annual_quota)), cast(12 as hugeint)) as quota_units
    from quotas cross join range(1, 13) as months(month)
    group by employee_id, plan_year, month
),
payee_months as (
    select
        coalesce(c.employee_id, q.employee_id) as employee_id,
        coalesce(c.period, q.period) as period,
        coalesce(c.currency, q.currency) as currency,
        coalesce(c.credit_units, cast(0 as hugeint)) as credit_units,
        q.quota_units
    from credit_months as c
    full outer join quota_months as q on q.employee_id = c.employee_id and q.period = c.period
)
select
    employee_id,
    period,
    currency,
    round(from_units(credit_units), 2) as own_credit,
    round(from_units(quota_units), 2) as quota,
    case when quota_units <> 0
        then from_units(half_away_div(credit_units * cast({UNITS} as hugeint), quota_units)) end as attainment,
    round(from_units(credit_units) * cast({COMMISSION_RATE} as decimal(3, 2)), 2) as commission
from payee_months
order by employee_id, period
"""


# Exact money helpers: x as a HUGEINT count of 10^-10 units, back, and n / d rounded half away from zero.
MACROS = f"""
create or replace macro units(x) as cast(cast(x as decimal(38, 10)) * cast({UNITS} as hugeint) as hugeint);
create or replace macro from_units(u) as
    cast(cast(u as decimal(38, 0)) * cast(0.0000000001 as decimal(38, 10)) as decimal(38, 10));
create or replace macro half_away_div(n, d) as
    case when d = 0 then null
    else sign(n) * sign(d) * ((2 * abs(n) + abs(d)) // (2 * abs(d))) end;
"""


def compute(landing: Path, config: Path, out: Path) -> int:
    """Run the floor query in this process, write ``out`` (CSV with a header); the rows written."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(MACROS)
        query = floor_sql(landing, config)
        written = con.execute(f"copy ({query}) to {_literal(str(out))} (format csv, header true)").fetchone()
        return int(written[0])
    finally:
        con.close()


# ---------------------------------------------------------------- running a floor as a subprocess


def peak_rss_mb_self() -> float:
    """This process's peak RSS since it started its program: VmHWM of /proc/self/status.

    Not ru_maxrss: a child forked from a big parent (the benchmark, after the
    pipeline ran in it) keeps the parent's RSS at the fork as its ru_maxrss
    across exec, so ru_maxrss would report the parent, not the floor."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_floor(module: str, landing: Path, config: Path, out: Path) -> dict:
    """Run ``python -m <module> LANDING CONFIG OUT`` as a child: its JSON line (rows, seconds,
    peak_rss_mb: its own VmHWM) plus wall_seconds, the child's whole life as the parent saw it."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", module, str(landing), str(config), str(out)], stdout=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{module} failed (exit {completed.returncode})")
    report = json.loads(completed.stdout.decode().strip().splitlines()[-1])
    report["wall_seconds"] = round(wall, 3)
    return report


def read_result(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """A floor's CSV as {(employee_id, period): row}."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return {(r["employee_id"], r["period"]): r for r in csv.DictReader(handle)}


def disagreements(first: Path, second: Path) -> list[str]:
    """Payee-months where two floor results differ (money to the cent, attainment to 10 decimals)."""
    from decimal import Decimal

    a, b = read_result(first), read_result(second)
    lines = [f"only in {first.name}: {k}" for k in sorted(a.keys() - b.keys())]
    lines += [f"only in {second.name}: {k}" for k in sorted(b.keys() - a.keys())]
    for key in sorted(a.keys() & b.keys()):
        for column in OUTPUT_COLUMNS[2:]:
            x, y = a[key][column], b[key][column]
            if column != "currency" and x and y:
                same = Decimal(x) == Decimal(y)
            else:
                same = x == y
            if not same:
                lines.append(f"{key} {column}: {x!r} != {y!r}")
    return lines


def floor_cli(name: str, compute_floor, argv: list[str] | None = None, prog: str = "python -m bench.floor") -> int:
    """``prog LANDING CONFIG OUT``: run ``compute_floor(landing, config, out)`` and print one JSON line
    (floor name, rows, seconds, this process's peak RSS). Both floors' command line."""
    parser = argparse.ArgumentParser(prog=prog, description=f"the {name} floor of the benchmark")
    parser.add_argument("landing", type=Path)
    parser.add_argument("config", type=Path)
    parser.add_argument("out", type=Path, help="result CSV")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = compute_floor(args.landing, args.config, args.out)
    seconds = time.perf_counter() - started
    print(json.dumps({"floor": name, "rows": rows, "seconds": round(seconds, 3), "peak_rss_mb": peak_rss_mb_self()}))
    return 0


def main(argv: list[str] | None = None) -> int:
    import duckdb  # noqa: F401  (imported before the clock starts, as pandas is in bench.pandas_floor)

    return floor_cli("duckdb", compute, argv)


if __name__ == "__main__":
    sys.exit(main())
