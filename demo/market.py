"""What the demo company sells, in which currencies, to which accounts.

* Currencies: USD (corporate), EUR, GBP, CAD; monthly DatedConversionRate rows
  from a seeded random walk around typical levels (units per one USD).
* Products (Product2) in three families, Platform (per seat and year),
  Analytics (add-on seats) and Services (days). One legacy platform product is
  sold only in early 2025 and deactivated in the last batch; one analytics
  product launches in October 2026 and first appears in the 2026-10-31 batch.
* Accounts: a book of accounts per seller, mostly in the seller's country,
  generated in fixed blocks so memory stays bounded at any scale. An account's
  name is a pure function of its number, so deal names can quote it without
  holding the account table in memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import polars as pl

from core.periods import month_index, month_start
from demo.clock import (
    AS_OF,
    PIPELINE_START,
    RATES_FROM,
    RATES_TO,
    SECONDS_PER_DAY,
    day_number,
)
from demo.output import iso_datetime, labels, money, sf_id

CORPORATE_CURRENCY = "USD"
CURRENCIES = ("USD", "EUR", "GBP", "CAD")
# Typical units of the currency per one USD; the rate table walks around these.
FX_LEVEL = {"USD": Decimal("1"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79"), "CAD": Decimal("1.36")}
FX_LEVEL_ARRAY = np.array([float(FX_LEVEL[c]) for c in CURRENCIES])

# HR country code -> (currency, CRM billing country name, sales geography)
COUNTRIES = {
    "US": ("USD", "United States", "AMER"),
    "CA": ("CAD", "Canada", "AMER"),
    "GB": ("GBP", "United Kingdom", "EMEA"),
    "DE": ("EUR", "Germany", "EMEA"),
    "FR": ("EUR", "France", "EMEA"),
    "NL": ("EUR", "Netherlands", "EMEA"),
}
COUNTRY_CODES = tuple(COUNTRIES)
EXTRA_ACCOUNT_COUNTRIES = ("Ireland", "Spain", "Italy", "Switzerland", "Sweden", "Australia", "Japan", "Mexico")
ACCOUNT_COUNTRIES = tuple(v[1] for v in COUNTRIES.values()) + EXTRA_ACCOUNT_COUNTRIES

INDUSTRIES = (
    "Technology",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Media",
    "Energy",
    "Public Sector",
    "Telecommunications",
    "Transportation",
)

FAMILIES = ("Platform", "Analytics", "Services")
PLATFORM, ANALYTICS, SERVICES = 0, 1, 2


@dataclass(frozen=True)
class Product:
    number: int
    name: str
    code: str
    family: int
    list_price_usd: int  # whole USD per unit (seat-year or day)
    first_batch: int = 0  # index of the CRM batch the product first appears in
    sold_from: date | None = None  # deals created before this do not use it
    sold_until: date | None = None  # deals created on or after this do not use it
    deactivated_in_batch: int | None = None  # re-sent with IsActive=false in this batch


PRODUCTS: tuple[Product, ...] = (
    Product(1, "Platform Standard", "PLT-STD", PLATFORM, 480),
    Product(2, "Platform Professional", "PLT-PRO", PLATFORM, 900),
    Product(3, "Platform Enterprise", "PLT-ENT", PLATFORM, 1500),
    Product(4, "Platform Classic (legacy)", "PLT-LEG", PLATFORM, 400, sold_until=date(2025, 3, 1), deactivated_in_batch=2),
    Product(5, "Analytics Dashboards", "ANL-DSH", ANALYTICS, 240),
    Product(6, "Forecasting", "ANL-FCT", ANALYTICS, 360),
    Product(7, "AI Deal Insights", "ANL-AI", ANALYTICS, 420, first_batch=1, sold_from=date(2026, 10, 15)),
    Product(8, "Implementation Services", "SVC-IMP", SERVICES, 1600),
    Product(9, "Training Day", "SVC-TRN", SERVICES, 1200),
    Product(10, "Success Advisory", "SVC-ADV", SERVICES, 2000),
)

PRODUCT_ID_PREFIX = "01tDM"
ACCOUNT_ID_PREFIX = "001DM"
USER_ID_PREFIX = "005DM"

ACCOUNT_BLOCK_ROWS = 100_000
STREAM_ACCOUNTS = 301
STREAM_RATES = 302

# ---------------------------------------------------------------- products


def product_rows(batch_index: int) -> list[dict]:
    """Product2 rows of one CRM batch: new products, and products whose IsActive changed."""
    rows = []
    for p in PRODUCTS:
        sent = p.first_batch == batch_index or p.deactivated_in_batch == batch_index
        if not sent:
            continue
        active = p.deactivated_in_batch is None or batch_index < p.deactivated_in_batch
        rows.append(
            {
                "Id": PRODUCT_ID_PREFIX + str(p.number).zfill(13),
                "Name": p.name,
                "ProductCode": p.code,
                "Family": FAMILIES[p.family],
                "IsActive": "true" if active else "false",
            }
        )
    return rows


# ---------------------------------------------------------------- conversion rates


def _months(start: date, end: date) -> list[date]:
    months = []
    d = start
    while d < end:
        months.append(d)
        d = month_start(month_index(d) + 1)
    return months


def conversion_rate_rows(seed: int) -> list[dict]:
    """Monthly DatedConversionRate rows for every currency (USD exactly 1)."""
    rng = np.random.default_rng([seed, STREAM_RATES])
    months = _months(RATES_FROM, RATES_TO)
    rows = []
    for currency in CURRENCIES:
        steps = rng.normal(0.0, 0.012, len(months))  # drawn for every currency, USD too
        level = float(FX_LEVEL[currency])
        for i, start in enumerate(months):
            if currency == CORPORATE_CURRENCY:
                rate = "1.000000"
            else:
                level = level * math.exp(steps[i]) if i else level
                rate = f"{level:.6f}"
            nxt = months[i + 1] if i + 1 < len(months) else RATES_TO
            rows.append(
                {
                    "IsoCode": currency,
                    "StartDate": start.isoformat(),
                    "NextStartDate": nxt.isoformat(),
                    "ConversionRate": rate,
                }
            )
    return rows


# ---------------------------------------------------------------- accounts

_NAME_PREFIX = (
    "Northwind", "Blue Harbor", "Summit", "Ironclad", "Silverline", "Redwood", "Granite", "Evergreen",
    "Brightpath", "Crescent", "Falcon", "Meridian", "Pioneer", "Quantum", "Riverstone", "Sterling",
    "Tidewater", "Vanguard", "Westbrook", "Zenith", "Alpine", "Beacon", "Cobalt", "Horizon", "Keystone",
    "Lakeside", "Maple", "Oakridge", "Polaris", "Sapphire", "Bergström", "Lumière", "Schönbrunn",
    'The "Blue Ocean"', "Smith & Wesley", "Nordlicht", "Aurora", "Harbourside", "Kingfisher", "Copperleaf",
)
_NAME_CORE = (
    "Logistics", "Analytics", "Manufacturing", "Health", "Capital", "Foods", "Energy", "Media", "Software",
    "Retail", "Pharma", "Telecom", "Insurance", "Motors", "Textiles", "Robotics", "Biotech", "Airlines",
    "Hotels", "Systems", "Partners", "Industries", "Networks", "Labs",
)
_NAME_SUFFIX = (
    " Inc.", " Ltd", " GmbH", " SA", " Group", " Holdings", " plc", " BV", " Corp.", " LLC", " AG", "",
    ", Inc.", " (Europe)", " Co.", " SAS",
)

def _mix(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of (value, salt): a stable pseudo-random 64-bit word per value (wrapping arithmetic)."""
    salt_word = np.uint64((salt * 0xD1B54A32D192ED03) & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + salt_word
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def account_names(account_index: np.ndarray, seed: int) -> pl.Series:
    """The account's name, a pure function of (account number, seed)."""
    h = _mix(np.asarray(account_index, dtype=np.int64), seed)
    p = (h % np.uint64(len(_NAME_PREFIX))).astype(np.int64)
    c = ((h >> np.uint64(16)) % np.uint64(len(_NAME_CORE))).astype(np.int64)
    s = ((h >> np.uint64(32)) % np.uint64(len(_NAME_SUFFIX))).astype(np.int64)
    frame = pl.DataFrame(
        {"p": labels(_NAME_PREFIX, p), "c": labels(_NAME_CORE, c), "s": labels(_NAME_SUFFIX, s)}
    )
    return frame.select(pl.concat_str([pl.col("p"), pl.lit(" "), pl.col("c"), pl.col("s")]).alias("Name")).to_series()


@dataclass
class AccountBook:
    """Accounts per seller: seller i owns accounts start[i] .. start[i] + count[i] - 1."""

    start: np.ndarray
    count: np.ndarray
    owner: np.ndarray  # account -> seller index
    total: int


def account_book(expected_deals: np.ndarray, deals_per_account: int = 12) -> AccountBook:
    count = np.ceil(expected_deals / deals_per_account).astype(np.int64) + 1
    count[expected_deals <= 0] = 0
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    owner = np.repeat(np.arange(len(count), dtype=np.int64), count)
    return AccountBook(start=start, count=count, owner=owner, total=int(count.sum()))


@dataclass
class AccountSellerInfo:
    user_number: np.ndarray  # seller -> CRM user number
    country_name: np.ndarray  # seller -> index into ACCOUNT_COUNTRIES
    hire_day: np.ndarray
    created_min_day: np.ndarray


ACCOUNT_COLUMNS = ("Id", "Name", "Industry", "BillingCountry", "AnnualRevenue", "NumberOfEmployees", "OwnerId", "LastModifiedDate")


def account_blocks(book: AccountBook, sellers: AccountSellerInfo, seed: int):
    """Yield (first account, arrays) per block; arrays hold both versions of each account."""
    for block_start in range(0, book.total, ACCOUNT_BLOCK_ROWS):
        idx = np.arange(block_start, min(book.total, block_start + ACCOUNT_BLOCK_ROWS), dtype=np.int64)
        m = len(idx)
        rng = np.random.default_rng([seed, STREAM_ACCOUNTS, block_start // ACCOUNT_BLOCK_ROWS])
        owner = book.owner[idx]
        home = rng.random(m) < 0.85
        country = np.where(home, sellers.country_name[owner], rng.integers(0, len(ACCOUNT_COUNTRIES), m))
        industry = rng.integers(0, len(INDUSTRIES), m)
        employees = np.clip(np.round(rng.lognormal(math.log(800), 1.4, m)), 5, 400_000).astype(np.int64)
        revenue_per_head = rng.uniform(80_000, 400_000, m)
        revenue_thousands = np.maximum(1, np.round(employees * revenue_per_head / 1000)).astype(np.int64)
        # Created before the seller's first deal; sellers hired after the pipeline
        # start get their accounts in their first days.
        old_days = rng.integers(1, 541, m)
        new_days = rng.integers(1, 6, m)
        seconds = rng.integers(8 * 3600, 18 * 3600, m)
        hired_late = sellers.created_min_day[owner] > day_number(PIPELINE_START)
        created_day = np.where(hired_late, sellers.hire_day[owner] + new_days, day_number(PIPELINE_START) - old_days)
        created_ts = created_day * SECONDS_PER_DAY + seconds
        # A few accounts are updated (head count, revenue) during the last months.
        updated = rng.random(m) < 0.02
        update_day = rng.integers(day_number(date(2026, 6, 1)), day_number(AS_OF) + 1, m)
        update_ts = np.maximum(update_day * SECONDS_PER_DAY + seconds, created_ts + SECONDS_PER_DAY)
        growth = rng.uniform(1.02, 1.25, m)
        yield {
            "index": idx,
            "owner": owner,
            "country": country,
            "industry": industry,
            "employees": (employees, np.round(employees * growth).astype(np.int64)),
            "revenue_cents": (revenue_thousands * 100_000, np.round(revenue_thousands * growth).astype(np.int64) * 100_000),
            "version_ts": (created_ts, np.where(updated & (update_ts < (day_number(AS_OF) + 1) * SECONDS_PER_DAY), update_ts, 2**62)),
        }


def account_batch_frame(block: dict, sellers: AccountSellerInfo, seed: int, lo: int, hi: int) -> pl.DataFrame:
    """The block's accounts that have a version in [lo, hi), at their newest version before hi."""
    ts0, ts1 = block["version_ts"]
    in_window = ((ts0 >= lo) & (ts0 < hi)) | ((ts1 >= lo) & (ts1 < hi))
    rows = np.flatnonzero(in_window)
    second = ts1[rows] < hi
    idx = block["index"][rows]
    frame = pl.DataFrame(
        {
            "n": idx + 1,
            "country": block["country"][rows],
            "industry": block["industry"][rows],
            "revenue": np.where(second, block["revenue_cents"][1][rows], block["revenue_cents"][0][rows]),
            "employees": np.where(second, block["employees"][1][rows], block["employees"][0][rows]),
            "owner_user": sellers.user_number[block["owner"][rows]],
            "ts": np.where(second, ts1[rows], ts0[rows]),
        }
    )
    return frame.select(
        sf_id(ACCOUNT_ID_PREFIX, "n").alias("Id"),
        pl.Series("Name", account_names(idx, seed)),
        pl.Series("Industry", labels(INDUSTRIES, frame["industry"].to_numpy())),
        pl.Series("BillingCountry", labels(ACCOUNT_COUNTRIES, frame["country"].to_numpy())),
        money("revenue").alias("AnnualRevenue"),
        pl.col("employees").cast(pl.Utf8).alias("NumberOfEmployees"),
        sf_id(USER_ID_PREFIX, "owner_user").alias("OwnerId"),
        iso_datetime("ts").alias("LastModifiedDate"),
    )

