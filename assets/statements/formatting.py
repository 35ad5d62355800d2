"""How numbers read on a statement (the same text in HTML and PDF)."""

from __future__ import annotations

from decimal import Decimal

from core.money import MINOR_UNITS

RULE_LABELS = {
    "flat_rate": "flat rate",
    "marginal_tiers": "tiered, marginal",
    "retroactive_tiers": "tiered, retroactive",
    "quota_bonus": "quota bonus",
    "spif": "SPIF",
}
BASIS_LABELS = {"period": "period", "quarter": "quarter to date", "ytd": "year to date"}


def money(amount: Decimal | None, currency: str | None) -> str:
    """An amount rounded for display to the currency's minor unit, with thousands separators."""
    if amount is None:
        return ""
    places = MINOR_UNITS.get(currency or "", 2)
    return f"{amount:,.{places}f}"


def exact(amount: Decimal | None, currency: str | None = None) -> str:
    """An amount at full precision (trailing zeros dropped, never fewer than the minor unit's decimals)."""
    if amount is None:
        return ""
    places = MINOR_UNITS.get(currency or "", 2)
    text = f"{amount:.10f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    if decimals < places:
        return f"{amount:,.{places}f}"
    whole, frac = text.split(".")
    return f"{int(whole):,}.{frac}" if not whole.startswith("-") else f"-{int(whole[1:]):,}.{frac}"


def number(value: Decimal | None) -> str:
    """A plain decimal (rate, multiplier, BCR) without trailing zeros."""
    if value is None:
        return ""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def percent(ratio: Decimal | None, places: int = 2) -> str:
    """A ratio (1 = 100%) as a percentage; a dash when undefined (no quota)."""
    if ratio is None:
        return "–"
    return f"{ratio * 100:,.{places}f}%"


def band(lower: Decimal | None, upper: Decimal | None) -> str:
    """An attainment band [lo, hi) as percentages; the last band is open."""
    lo = percent(lower, 0) if lower is not None else "0%"
    return f"[{lo}, {percent(upper, 0)})" if upper is not None else f"≥ {lo}"


def rule_label(rule_type: str | None) -> str:
    return RULE_LABELS.get(rule_type or "", rule_type or "")


def basis_label(basis: str | None) -> str:
    return BASIS_LABELS.get(basis or "", basis or "")


def credit_type_label(credit_type: str, split_percentage: Decimal, credited_from: str | None) -> str:
    if credit_type == "split":
        return f"split {number(split_percentage)}%"
    if credit_type == "rollup":
        return f"rollup {credited_from}"
    return "own"
