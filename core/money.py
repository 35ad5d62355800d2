"""ISO 4217 currencies the pipeline accepts, with their minor units.

A currency code outside this table is a contract violation (quarantine reason
``unknown_currency``). Minor units decide where a payout line is rounded
(SPEC §5: rounded half away from zero to the currency's minor unit).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# code -> number of decimals of the minor unit
MINOR_UNITS: dict[str, int] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2,
    "CLP": 0, "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2,
    "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0,
    "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2,
    "NZD": 2, "OMR": 3, "PHP": 2, "PLN": 2, "QAR": 2, "RON": 2, "SAR": 2,
    "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2,
    "USD": 2, "VND": 0, "ZAR": 2,
}

KNOWN_CURRENCIES: frozenset[str] = frozenset(MINOR_UNITS)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round once, half away from zero, to the currency's minor unit.

    ``ROUND_HALF_UP`` in :mod:`decimal` rounds ties away from zero for both
    signs (-2.345 -> -2.35), which is what payroll expects.
    """
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)
