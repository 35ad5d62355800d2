"""ISO 4217 currencies the pipeline accepts, with their minor units.

A currency code outside this table is a contract violation (quarantine reason
``unknown_currency``). Minor units decide where a payout line is rounded
(SPEC §5: rounded half away from zero to the currency's minor unit).

The table is the dbt seed ``dbt_project/seeds/currencies.csv`` (currency_code,
minor_unit), read here as a file: the ingest assets need the currencies before
any warehouse exists, and the warehouse's rounding macro
(``round_to_minor_unit``) reads the same seed, so the two cannot drift.
Payout lines are rounded in the warehouse (``fct_payout_file_line``);
``round_money`` serves Python's other roundings and checks.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CURRENCIES_SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "currencies.csv"


def load_minor_units(path: Path = CURRENCIES_SEED) -> dict[str, int]:
    """code -> number of decimals of the minor unit, from the currencies seed."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return {row["currency_code"].strip(): int(row["minor_unit"]) for row in csv.DictReader(handle)}


# code -> number of decimals of the minor unit
MINOR_UNITS: dict[str, int] = load_minor_units()

KNOWN_CURRENCIES: frozenset[str] = frozenset(MINOR_UNITS)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round once, half away from zero, to the currency's minor unit.

    ``ROUND_HALF_UP`` in :mod:`decimal` rounds ties away from zero for both
    signs (-2.345 -> -2.35), which is what payroll expects.
    """
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def in_minor_units(amount: Decimal, currency: str) -> Decimal:
    """``amount``, already a whole number of the currency's minor units, written with exactly
    that many decimals (``Decimal('300.0100000000')`` -> ``Decimal('300.01')`` for USD).

    Not a rounding: an amount with anything beyond the minor unit is refused (ValueError), so
    a warehouse amount that was not rounded where the rule says it is cannot slip through.
    """
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
    written = amount.quantize(exponent)
    if written != amount:
        raise ValueError(f"{amount} {currency} is not in the currency's minor unit ({MINOR_UNITS[currency]} decimals)")
    return written
