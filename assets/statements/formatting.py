"""How numbers, dates and currency read on a statement: one rule each, the same text in HTML and
PDF, in the payee's locale (Babel's CLDR data, locked; nothing downloads).

* The locale is derived from the payee's HR country, one rule (``locale_for_country``): the
  country's most likely language (CLDR likely subtags: DE -> de_DE, FR -> fr_FR, GB -> en_GB,
  US -> en_US, NL -> nl_NL, CA -> en_CA), unless ``statements.yaml`` names one for the country;
  en_US for a payee without a known country.
* Money is rounded for display to the currency's minor unit (core.money, the currencies seed:
  JPY 0, EUR 2), half away from zero as payout lines are (SPEC §5), then written in the locale's
  currency pattern (``1.234,56 €`` in de_DE, ``€1,234.56`` in en_GB) or, in a table whose heading
  names the currency, as a plain number (``1.234,56``). The warehouse's 10-decimal values are
  in the CSV beside the statement.
* Attainment is a percentage with one decimal (``123.9%``); a rate of credit (BCR, a flat rate)
  a percentage with two decimals, more for a small one so that three significant digits show
  (0.0007097515 -> ``0.0710%``); a multiplier of BCR up to two decimals (``1.5×``).
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import NumberPattern, get_currency_symbol

from core.money import MINOR_UNITS

DEFAULT_LOCALE = "en_US"
ATTAINMENT_DECIMALS = 1
RATE_DECIMALS = 2  # at least; a small rate gets more, up to RATE_MAX_DECIMALS
RATE_SIGNIFICANT = 3
RATE_MAX_DECIMALS = 6
MULTIPLIER_DECIMALS = 2
UNITS_DECIMALS = 2  # units of a product (credit share of a line item's quantity): at most
DATE_SKELETON = "yMMMd"  # 15 Dec 2026, 15. Dez. 2026, Dec 15, 2026

RULE_LABELS = {
    "flat_rate": "flat rate",
    "marginal_tiers": "tiered, marginal",
    "retroactive_tiers": "tiered, retroactive",
    "quota_bonus": "quota bonus",
    "spif": "SPIF",
}
BASIS_LABELS = {"period": "period", "quarter": "quarter to date", "ytd": "year to date"}
MEASURE_LABELS = {
    "own_credit": "own credit",
    "rollup_credit": "team credit (roll-up)",
    "product_amount": "product credit",
    "product_units": "units",
}


def locale_for_country(country: str | None, overrides: dict[str, str] | None = None) -> str:
    """The statement locale of a payee in ``country`` (ISO 3166 alpha-2): the override for the
    country when configuration names one, else CLDR's most likely language of the country
    (``und_DE`` -> de_DE), else en_US."""
    code = (country or "").strip().upper()
    if overrides and code in overrides:
        return overrides[code]
    if len(code) != 2 or not code.isalpha():
        return DEFAULT_LOCALE
    return _likely_locale(code)


@lru_cache(maxsize=None)
def _likely_locale(code: str) -> str:
    try:
        locale = Locale.parse(f"und_{code}")
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LOCALE
    return f"{locale.language}_{locale.territory}" if locale.territory else DEFAULT_LOCALE


@lru_cache(maxsize=None)
def _locale(tag: str) -> Locale:
    return Locale.parse(tag)


@lru_cache(maxsize=None)
def _pattern(tag: str, kind: str, places: int) -> NumberPattern:
    locale = _locale(tag)
    base = locale.currency_formats["standard"] if kind == "currency" else (
        locale.percent_formats[None] if kind == "percent" else locale.decimal_formats[None])
    pattern = copy(base)
    pattern.frac_prec = (places, places)
    return pattern


@lru_cache(maxsize=None)
def _fast_pattern(tag: str, kind: str, currency: str | None) -> tuple | None:
    """What Babel's pattern of ``kind`` in ``tag`` writes around the digits (prefix and suffix, for
    positive and negative values, with the currency sign, minus and percent sign filled in) and
    its separators: the common patterns (groups of three, at least one integer digit), written
    without Babel's per-call work (a statement prints some two hundred numbers). None: Babel
    writes it (e.g. en_IN's groups of two). ``test_formatting`` checks both agree."""
    locale = _locale(tag)
    base = _pattern(tag, kind, 0)
    if base.grouping != (3, 3) or base.int_prec[0] != 1 or base.scale not in (0, 2):  # scale: a power of ten
        return None
    symbols = locale.number_symbols.get("latn", {})
    if not all(key in symbols for key in ("decimal", "group", "minusSign", "percentSign")):
        return None
    sign = get_currency_symbol(currency, locale) if currency else ""

    def filled(text: str) -> str:
        return text.replace("%", symbols["percentSign"]).replace("¤", sign)

    fast = (str.maketrans({",": symbols["group"], ".": symbols["decimal"]}), 10 ** base.scale,
            filled(base.prefix[0]), filled(base.suffix[0]), filled(base.prefix[1]), filled(base.suffix[1]))
    # Babel has its exceptions (de_CH writes amounts in francs without groups): the quick path is
    # taken only where it writes what Babel writes
    for probe in PROBES:
        places = 2
        value = _quantized(probe, places) / (10 ** base.scale)
        babel = _pattern(tag, kind, places).apply(value, locale, currency=currency, currency_digits=False)
        if _quick(fast, places, value) != babel:
            return None
    return fast


PROBES = (Decimal("-1234567.25"), Decimal("1234567.25"), Decimal("0.5"), Decimal("-0.5"), Decimal("999.99"))


def _quick(fast: tuple, places: int, value: Decimal) -> str:
    separators, scale, prefix, suffix, negative_prefix, negative_suffix = fast
    scaled = value * scale
    digits = f"{abs(scaled):,.{places}f}".translate(separators)
    return f"{negative_prefix}{digits}{negative_suffix}" if scaled < 0 else f"{prefix}{digits}{suffix}"


def _format(tag: str, kind: str, places: int, value: Decimal, currency: str | None = None) -> str:
    """``value`` (already rounded to ``places`` decimals) in the pattern ``kind`` of ``tag``."""
    fast = _fast_pattern(tag, kind, currency)
    if fast is None:
        return _pattern(tag, kind, places).apply(value, _locale(tag), currency=currency, currency_digits=False)
    return _quick(fast, places, value)


def _quantized(value: Decimal, places: int) -> Decimal:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded == 0 else rounded  # never "-0.00"


def minor_unit(currency: str | None) -> int:
    return MINOR_UNITS.get(currency or "", 2)


def rate_places(ratio: Decimal) -> int:
    """Decimals of a rate as a percentage: two, or as many as three significant digits need
    (at most RATE_MAX_DECIMALS)."""
    pct = abs(ratio * 100)
    if pct == 0 or pct >= Decimal("1"):
        return RATE_DECIMALS
    leading_zeros = -pct.adjusted() - 1  # 0.0710 -> 1
    return max(RATE_DECIMALS, min(RATE_MAX_DECIMALS, leading_zeros + RATE_SIGNIFICANT))


@dataclass(frozen=True)
class Formatter:
    """Every number of one statement, in ``locale`` (a Babel locale tag, e.g. de_DE)."""

    locale: str = DEFAULT_LOCALE

    def money(self, amount: Decimal | None, currency: str | None) -> str:
        """``1.234,56 €``: rounded to the currency's minor unit, with the locale's currency sign."""
        if amount is None:
            return ""
        places = minor_unit(currency)
        return _format(self.locale, "currency", places, _quantized(amount, places), currency)

    def amount(self, amount: Decimal | None, currency: str | None) -> str:
        """``1.234,56``: rounded to the currency's minor unit, no sign (the table names the currency)."""
        if amount is None:
            return ""
        places = minor_unit(currency)
        return _format(self.locale, "decimal", places, _quantized(amount, places))

    def number(self, value: Decimal | None, places: int) -> str:
        if value is None:
            return ""
        return _format(self.locale, "decimal", places, _quantized(value, places))

    def units(self, value: Decimal | None) -> str:
        """A count of units: whole when it is whole, else up to two decimals."""
        if value is None:
            return ""
        places = 0 if value == value.to_integral_value() else UNITS_DECIMALS
        return self.number(value, places)

    def percent(self, ratio: Decimal | None, places: int = ATTAINMENT_DECIMALS) -> str:
        """A ratio (1 = 100%) as a percentage; a dash when undefined (no quota)."""
        if ratio is None:
            return "–"
        return _format(self.locale, "percent", places, _quantized(ratio * 100, places) / 100)

    def rate(self, ratio: Decimal | None) -> str:
        """A rate of credit (BCR, flat rate) as a percentage with three significant digits at least."""
        if ratio is None:
            return ""
        return self.percent(ratio, rate_places(ratio))

    def multiplier(self, value: Decimal | None) -> str:
        """A multiple of BCR: ``1.5×`` (trailing zeros dropped, at most two decimals)."""
        if value is None:
            return ""
        rounded = _quantized(value, MULTIPLIER_DECIMALS).normalize()
        places = max(0, -rounded.as_tuple().exponent)
        return f"{self.number(rounded, places)}×"

    def band(self, lower: Decimal | None, upper: Decimal | None) -> str:
        """An attainment band [lo, hi) in percentages; the last band is open."""
        lo = self.percent(lower or Decimal(0), 0)
        return f"{lo} – {self.percent(upper, 0)}" if upper is not None else f"≥ {lo}"

    def date(self, value: date | None) -> str:
        if value is None:
            return "–"
        return _date(value, self.locale)


@lru_cache(maxsize=4096)
def _date(value: date, locale: str) -> str:
    return format_skeleton(DATE_SKELETON, value, locale=_locale(locale))


def rule_label(rule_type: str | None) -> str:
    return RULE_LABELS.get(rule_type or "", rule_type or "")


def basis_label(basis: str | None) -> str:
    return BASIS_LABELS.get(basis or "", basis or "")


def measure_label(measure: str | None) -> str:
    return MEASURE_LABELS.get(measure or "", (measure or "").replace("_", " "))


def credit_type_label(credit_type: str, split_percentage: Decimal, fmt: Formatter) -> str:
    if credit_type == "split":
        return f"split {fmt.percent(split_percentage / 100, 0 if split_percentage == split_percentage.to_integral_value() else 2)}"
    if credit_type == "rollup":
        return "roll-up"
    return "own"
