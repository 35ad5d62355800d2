"""The pandas floor: the job of :mod:`bench.floor` as a plain pandas script.

    python -m bench.pandas_floor LANDING CONFIG OUT.csv

Same inputs, same rules, same output rows and CSV format as the DuckDB floor
(see its docstring); the two must agree to the cent per payee-month.

Money without floats: every decimal is parsed from its text (vectorised string
operations) into an exact integer count of 10^-10 units, the DuckDB floor's
DECIMAL(38,10) scale. int64 holds such a count only up to ~9.2e8, and the
products the crediting needs (Amount * SplitPercentage, share * rate) need ~100
bits, so the money columns are numpy object arrays of Python ints:
arbitrary-precision, exact, vectorised by numpy's object loops (slower than
int64, far faster than ``decimal.Decimal`` objects, which pandas would also
hold as objects but with a much costlier arithmetic). Divisions round half away
from zero at the 10th decimal with the same integer formula as the DuckDB
floor's ``half_away_div``. Dates and datetimes are parsed by pandas
(``format="ISO8601"``, UTC).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.floor import COLUMNS, CORPORATE_CURRENCY, UNITS, floor_cli, source_files

_DECIMAL = r"^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$"
_TRUE = ("true", "1")
CENT_UNITS = UNITS // 100  # 10^-10 units per cent


def read_object(landing: Path, config: Path, stem: str) -> pd.DataFrame:
    """Every file of one object as text columns, plus _batch and _file (the file's path)."""
    columns = list(COLUMNS[stem])
    frames = []
    for source in source_files(landing, config, stem):
        if source.path.suffix.lower() == ".csv":
            frame = pd.read_csv(
                source.path, dtype=str, keep_default_na=False, na_values=[""], usecols=lambda c: c in columns
            )
        else:
            import pyarrow.parquet as pq

            present = [c for c in columns if c in pq.read_schema(source.path).names]
            frame = pd.read_parquet(source.path, columns=present)
        for column in columns:
            if column not in frame.columns:
                frame[column] = pd.Series(pd.NA, index=frame.index, dtype=str)
            elif frame[column].dtype != "str":
                frame[column] = frame[column].astype(str)
        frame["_batch"] = source.batch
        frame["_file"] = str(source.path)
        frames.append(frame[columns + ["_batch", "_file"]])
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in columns + ["_batch", "_file"]})
    return pd.concat(frames, ignore_index=True)


def newest(frame: pd.DataFrame, key: list[str], version: str | None = None) -> pd.DataFrame:
    """The newest row per key: by ``version`` (a parsed datetime column), then batch, then file."""
    order = [*key, *([version] if version else []), "_batch", "_file"]
    return frame.sort_values(order, kind="stable").drop_duplicates(key, keep="last")


def _datetime(text: pd.Series) -> pd.Series:
    """ISO 8601 dates and date-times (any offset) as UTC timestamps; NaT when unparseable."""
    return pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")


def flag(text: pd.Series) -> pd.Series:
    return text.str.strip().str.lower().isin(_TRUE)


def units(text: pd.Series) -> pd.Series:
    """Decimal text -> exact Python int of 10^-10 units (object dtype), rounded half away from
    zero at the 10th decimal; None when the text is not a plain decimal."""
    parts = text.str.extract(_DECIMAL)
    sign, whole, fraction = parts[0], parts[1].fillna(""), parts[2].fillna("")
    valid = parts[1].notna() & ((whole != "") | (fraction != ""))
    digits = (whole.where(whole != "", "0") + fraction.str.slice(0, 10).str.pad(10, side="right", fillchar="0"))
    round_up = fraction.str.slice(10, 11).fillna("").ge("5") & (fraction.str.len() > 10)
    values = np.full(len(text), None, dtype=object)
    ok = valid.to_numpy(dtype=bool)
    magnitude = np.array([int(d) for d in digits[ok]], dtype=object) + round_up[ok].to_numpy(dtype=bool).astype(object)
    values[ok] = np.where((sign[ok] == "-").to_numpy(dtype=bool), -magnitude, magnitude)
    return pd.Series(values, index=text.index, dtype=object)


def half_away_div(n, d):
    """n / d rounded half away from zero, on Python ints (scalars or object arrays); d != 0."""
    n = np.asarray(n, dtype=object)
    d = np.asarray(d, dtype=object)
    q = (2 * abs(n) + abs(d)) // (2 * abs(d))
    return np.where((n < 0) ^ (d < 0), -q, q)


def _money_text(value: int, decimals: int) -> str:
    """A count of 10^-decimals units as plain decimal text (``-12.05``)."""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 10**decimals)
    return f"{sign}{whole}.{part:0{decimals}d}"


def _dated_rate(credits: pd.DataFrame, rates: pd.DataFrame, currency: str) -> pd.Series:
    """The rate of ``credits[currency]`` valid on close_date (latest start <= date, date < next start)."""
    left = credits[[currency, "close_date"]].reset_index().sort_values("close_date", kind="stable")
    joined = pd.merge_asof(
        left, rates, left_on="close_date", right_on="start_date", left_by=currency, right_by="currency",
        direction="backward",
    ).set_index("index")
    valid = joined["close_date"] < joined["next_start_date"]
    rate = joined["rate"].where(valid.to_numpy(dtype=bool), None)
    rate = rate.where(rate.notna(), None).reindex(credits.index)
    corporate = (credits[currency] == CORPORATE_CURRENCY).to_numpy(dtype=bool) & rate.isna().to_numpy(dtype=bool)
    values = rate.to_numpy(dtype=object).copy()
    values[corporate] = UNITS
    return pd.Series(values, index=credits.index, dtype=object)


def compute(landing: Path, config: Path, out: Path) -> int:
    """The floor's rows written to ``out`` (CSV); the number of rows."""
    # newest Opportunity versions, won, not deleted
    opportunities = read_object(landing, config, "Opportunity")
    opportunities["_modified"] = _datetime(opportunities["LastModifiedDate"])
    opportunities = newest(opportunities[opportunities["_modified"].notna()], ["Id"], "_modified")
    won = opportunities[flag(opportunities["IsWon"]) & ~flag(opportunities["IsDeleted"].fillna(""))].copy()
    won["amount"] = units(won["Amount"])
    won["close_date"] = pd.to_datetime(won["CloseDate"], format="%Y-%m-%d", errors="coerce")
    won = won[won["amount"].notna() & won["close_date"].notna()]
    won = won.rename(columns={"Id": "opportunity_id", "OwnerId": "user_id", "CurrencyIsoCode": "deal_currency"})

    # credited users: splits as they are, else the owner at 100%
    splits = read_object(landing, config, "OpportunitySplit")
    splits["_modified"] = _datetime(splits["LastModifiedDate"])
    splits = newest(splits[splits["_modified"].notna()], ["Id"], "_modified")
    splits = splits.rename(columns={"OpportunityId": "opportunity_id", "SplitOwnerId": "user_id"})
    splits["pct"] = units(splits["SplitPercentage"])
    with_splits = won["opportunity_id"].isin(splits["opportunity_id"])
    split_shares = won[["opportunity_id"]].merge(splits.loc[splits["pct"].notna(), ["opportunity_id", "user_id", "pct"]])
    owner_shares = won.loc[~with_splits, ["opportunity_id", "user_id"]].assign(pct=100 * UNITS)
    shares = pd.concat([split_shares, owner_shares], ignore_index=True)

    # users -> payees (newest batch)
    users = newest(read_object(landing, config, "User"), ["Id"])[["Id", "EmployeeNumber"]]
    workers = newest(read_object(landing, config, "workers"), ["employee_id"])[["employee_id", "currency"]]
    users = users[users["EmployeeNumber"].notna()]
    payees = users.rename(columns={"Id": "user_id", "EmployeeNumber": "employee_id"}).merge(workers, on="employee_id")
    shares = shares.merge(payees, on="user_id")
    shares["pct"] = shares["pct"].astype(object)
    payee_shares = shares.groupby(["opportunity_id", "employee_id", "currency"], as_index=False, sort=False)["pct"].sum()

    credits = payee_shares.rename(columns={"currency": "payee_currency"}).merge(
        won[["opportunity_id", "amount", "deal_currency", "close_date"]], on="opportunity_id"
    )
    credits["share"] = half_away_div(
        credits["amount"].to_numpy(dtype=object) * credits["pct"].to_numpy(dtype=object), 100 * UNITS
    )

    # conversion with the dated rates
    rates = read_object(landing, config, "DatedConversionRate")
    rates["start_date"] = pd.to_datetime(rates["StartDate"], format="%Y-%m-%d", errors="coerce")
    rates["next_start_date"] = pd.to_datetime(rates["NextStartDate"], format="%Y-%m-%d", errors="coerce")
    rates = newest(rates[rates["start_date"].notna()], ["IsoCode", "start_date"])
    rates["rate"] = units(rates["ConversionRate"])
    rates = rates.rename(columns={"IsoCode": "currency"})[["currency", "start_date", "next_start_date", "rate"]]
    rates = rates.sort_values("start_date", kind="stable")
    credits["credit"] = credits["share"].astype(object)
    foreign = credits[credits["deal_currency"] != credits["payee_currency"]]
    if len(foreign):
        deal_rate = _dated_rate(foreign, rates, "deal_currency")
        payee_rate = _dated_rate(foreign, rates, "payee_currency")
        known = (deal_rate.notna() & payee_rate.notna()).to_numpy(dtype=bool)
        converted = np.full(len(foreign), None, dtype=object)
        converted[known] = half_away_div(
            foreign["share"].to_numpy(dtype=object)[known] * payee_rate.to_numpy(dtype=object)[known],
            deal_rate.to_numpy(dtype=object)[known],
        )
        credits.loc[foreign.index, "credit"] = pd.Series(converted, index=foreign.index, dtype=object)
    credits = credits[credits["credit"].notna()]
    credits["period"] = credits["close_date"].dt.strftime("%Y-%m")
    credit_months = credits.groupby(["employee_id", "period"], as_index=False, sort=False).agg(
        currency=("payee_currency", "min"), credit=("credit", "sum")
    )

    # even quota per month of the plan year
    quotas = read_object(landing, config, "quotas")
    quotas["annual"] = units(quotas["annual_quota"])
    quotas["year"] = quotas["plan_year"].str.strip()
    quotas = quotas[quotas["annual"].notna() & quotas["year"].str.fullmatch(r"\d{4}").fillna(False).astype(bool)]
    quotas = quotas.groupby(["employee_id", "year"], as_index=False, sort=False).agg(
        currency=("currency", "min"), annual=("annual", "sum")
    )
    months = pd.DataFrame({"month": range(1, 13)})
    quota_months = quotas.merge(months, how="cross")
    quota_months["period"] = quota_months["year"] + "-" + quota_months["month"].astype(str).str.zfill(2)
    quota_months["quota"] = half_away_div(quota_months["annual"].to_numpy(dtype=object), 12)

    result = credit_months.merge(
        quota_months[["employee_id", "period", "currency", "quota"]], on=["employee_id", "period"], how="outer",
        suffixes=("", "_quota"),
    )
    result["currency"] = result["currency"].fillna(result["currency_quota"])
    credit = np.array([0 if pd.isna(c) else c for c in result["credit"]], dtype=object)
    quota = np.array([None if pd.isna(q) else q for q in result["quota"]], dtype=object)
    has_quota = np.array([q is not None for q in quota], dtype=bool)
    divisible = np.array([q is not None and q != 0 for q in quota], dtype=bool)
    attainment = np.full(len(result), None, dtype=object)
    attainment[divisible] = half_away_div(credit[divisible] * UNITS, quota[divisible])
    quota_cents = np.full(len(result), None, dtype=object)
    quota_cents[has_quota] = half_away_div(quota[has_quota], CENT_UNITS)
    table = pd.DataFrame(
        {
            "employee_id": result["employee_id"],
            "period": result["period"],
            "currency": result["currency"],
            "own_credit": [_money_text(v, 2) for v in half_away_div(credit, CENT_UNITS)],
            "quota": [_money_text(q, 2) if q is not None else "" for q in quota_cents],
            "attainment": [_money_text(a, 10) if a is not None else "" for a in attainment],
            # 10% of the credit, in cents: credit / 10 / CENT_UNITS
            "commission": [_money_text(v, 2) for v in half_away_div(credit, 10 * CENT_UNITS)],
        }
    ).sort_values(["employee_id", "period"], kind="stable")
    table.to_csv(out, index=False)
    return len(table)


def main(argv: list[str] | None = None) -> int:
    return floor_cli("pandas", compute, argv, prog="python -m bench.pandas_floor")


if __name__ == "__main__":
    sys.exit(main())
