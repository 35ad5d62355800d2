"""Compensation plans: YAML files -> validated plans -> five flat raw tables.

One plan per file under ``<config>/plans/*.yaml`` (or ``.yml``); the format is
described in ``docs/plans.md``. Every file is checked against
``plan.schema.json`` (unknown fields are errors) and then for what a schema
cannot say: dates are real dates in order (effective dates, SPIF windows),
plan ids are unique across files, component ids are unique within a plan,
decimals fit DECIMAL(38,10), the currency is known, ramp factors lie in 0..1,
a SPIF has exactly one amount, and tier bands start at 0 and follow each other
without gap or overlap with only the last one open (bands on amount must end
open, and give a rate where bands on attainment give a multiplier). All files are checked
before anything is written, and every problem is reported at once in one
:class:`PlanConfigError`, each line naming the file, the plan, the component
and the field. Decimals are parsed as ``Decimal(str(value))``, never floats.

The raw layer gets, replaced wholesale on every run (plus ``empty.parquet``
schema files)::

    <raw>/config/plan/batch=current/plans.parquet                            one row per plan
                                                  (eligible_job_families as a list; dbt unnests it)
    <raw>/config/plan_component/batch=current/plan_components.parquet        per component
    <raw>/config/plan_component_tier/batch=current/plan_component_tiers.parquet      per tier band
    <raw>/config/plan_component_filter/batch=current/plan_component_filters.parquet  per filter value
    <raw>/config/plan_ramp/batch=current/plan_ramps.parquet                  per ramp month

A new rule type adds a ``<type>_rule`` branch to the schema and its parameters
here (as columns, or as a table of its own for tiers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import jsonschema
import polars as pl
import yaml

from assets.ingest.load import EMPTY_FILE, write_parquet_atomic
from assets.ingest.raw_layout import CONFIG_BATCH, MONEY
from core.money import KNOWN_CURRENCIES
from core.schemas import schema_errors

SCHEMA_PATH = Path(__file__).with_name("plan.schema.json")
PLANS_FOLDER = "plans"
PLAN_DATASET = "plan"
PLAN_COMPONENT_DATASET = "plan_component"
PLAN_COMPONENT_TIER_DATASET = "plan_component_tier"
PLAN_COMPONENT_FILTER_DATASET = "plan_component_filter"
PLAN_RAMP_DATASET = "plan_ramp"
RATE_DECIMALS = 10
DEFAULT_WEIGHT = Decimal("1")  # a component without a weight carries the whole TI
# Plan options and their defaults (docs/plans.md): the default is the behaviour of
# a plan that does not name the option.
CLAWBACK_POLICIES = ("reverse_credit", "commission_only")
DEFAULT_CLAWBACK_POLICY = "reverse_credit"
BONUS_PAY_WHEN = ("basis_end", "threshold_reached")
DEFAULT_BONUS_PAY_WHEN = "basis_end"
TIERS_ON = ("attainment", "amount")
DEFAULT_TIERS_ON = "attainment"
# when a component's earnings are paid (docs/payment_workflow.md, Holds and releases)
DEFAULT_RELEASE = "on_booking"
RELEASE_ON_INVOICE_PAID = "on_invoice_paid"

PLAN_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.Utf8(),
    "plan_name": pl.Utf8(),
    "effective_start": pl.Date(),
    "effective_end": pl.Date(),
    "source_file": pl.Utf8(),  # relative to the config folder
    # Plan-level rules (SPEC §5); null when the plan has none.
    "currency": pl.Utf8(),  # currency of the plan's fixed amounts; null = the payee's currency
    "clawback_window_days": pl.Int64(),  # days after CloseDate in which a lost deal reverses its credit
    # reverse_credit: the clawback removes the credit; commission_only: credit and
    # attainment stay as booked, the deal leaves the commission measure only
    "clawback_policy": pl.Utf8(),
    "draw_type": pl.Utf8(),  # recoverable | non_recoverable
    "draw_monthly_amount": MONEY,
    "draw_months": pl.Int64(),  # the first N months of the payee's plan
    # Ramp start (SPEC §4): null = the hire month is ramp month 1; N = a payee hired
    # after day N of a month starts ramp month 1 the next month (the hire month
    # takes the first factor too).
    "ramp_start_after_day": pl.Int64(),
    # Job families that may be paid under the plan (HR job_family on each day of
    # an assignment); null = every family (SPEC §3, plan eligibility).
    "eligible_job_families": pl.List(pl.Utf8()),
}

PLAN_COMPONENT_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.Utf8(),
    "component_id": pl.Utf8(),
    "component_name": pl.Utf8(),
    "earning_code": pl.Utf8(),
    "measure": pl.Utf8(),
    "basis": pl.Utf8(),
    "rule_type": pl.Utf8(),
    "rate": MONEY,  # flat_rate: earned = credit * rate
    # Tiered rules and their modifiers (SPEC §5); null when the rule has none.
    "weight": MONEY,  # share of the plan's target incentive this component carries (BCR = weight * TI / annual quota)
    "gate_attainment": MONEY,  # nothing is earned below this attainment on the component's basis
    "cap_multiple_of_ti": MONEY,  # plan-year earnings of the component never exceed this multiple of TI
    "bonus_threshold": MONEY,  # quota_bonus: attainment that pays bonus_amount
    "bonus_amount": MONEY,
    "bonus_pay_when": pl.Utf8(),  # quota_bonus: basis_end (the basis window's last month) | threshold_reached
    "tiers_on": pl.Utf8(),  # tiered rules: attainment (bands of credit / quota) | amount (bands of credit)
    "spif_amount_per_unit": MONEY,
    "spif_amount_per_deal": MONEY,
    "spif_window_start": pl.Date(),
    "spif_window_end": pl.Date(),  # inclusive
    # on_booking (default) | on_invoice_paid: held per deal until its invoices are paid
    "release": pl.Utf8(),
    "release_partial": pl.Utf8(),  # on_invoice_paid: proportional (paid share) | null (all at full payment)
    "release_expire_after_days": pl.Int64(),  # on_invoice_paid: days after the due date before the hold expires
}


# Rate tables of tiered components, one row per band, the last band open. A
# component's bands are all on attainment (tiers_on attainment: [attainment_from,
# attainment_to) of credit / quota, 1.0 = 100%, each with a multiplier of the
# base commission rate, SPEC §5) or all on amount (tiers_on amount:
# [amount_from, amount_to) of credit in the payee's currency, each with a rate
# of the credit); the other columns are null.
PLAN_COMPONENT_TIER_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.Utf8(),
    "component_id": pl.Utf8(),
    "tier_index": pl.Int64(),  # 1, 2, ... in band order
    "attainment_from": MONEY,
    "attainment_to": MONEY,  # null: the open last band
    "multiplier": MONEY,
    "amount_from": MONEY,
    "amount_to": MONEY,  # null: the open last band
    "rate": MONEY,
}

# Component filters (SPEC §3.5): a component with filters only counts credit of
# deals whose Type is listed (opportunity_type) and, for product_family, only the
# line items' TotalPrice share of the listed families.
PLAN_COMPONENT_FILTER_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.Utf8(),
    "component_id": pl.Utf8(),
    "filter_type": pl.Utf8(),  # opportunity_type | product_family
    "filter_value": pl.Utf8(),
}

# New-hire quota ramp (SPEC §4): factor for the k-th month of employment
# (k = 1 is the month of the hire date); months after the last listed are 1.0.
PLAN_RAMP_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.Utf8(),
    "employment_month": pl.Int64(),
    "quota_factor": MONEY,
}


class PlanConfigError(ValueError):
    """One or more plan files are invalid; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the plan configuration:\n" + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class Tier:
    """A band [band_from, band_to): of attainment (with a multiplier of BCR) or of amount (with a rate)."""

    band_from: Decimal
    band_to: Decimal | None  # None: the open last band
    multiplier: Decimal | None = None  # bands on attainment
    rate: Decimal | None = None  # bands on amount


@dataclass(frozen=True)
class PlanComponent:
    component_id: str
    name: str
    earning_code: str
    measure: str
    basis: str
    rule_type: str
    rate: Decimal | None
    weight: Decimal | None = None
    gate_attainment: Decimal | None = None
    cap_multiple_of_ti: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    tiers_on: str | None = None  # tiered rules: attainment | amount
    bonus_threshold: Decimal | None = None
    bonus_amount: Decimal | None = None
    bonus_pay_when: str | None = None  # quota_bonus: basis_end | threshold_reached
    spif_amount_per_unit: Decimal | None = None
    spif_amount_per_deal: Decimal | None = None
    spif_window_start: date | None = None
    spif_window_end: date | None = None
    opportunity_types: tuple[str, ...] = ()
    product_families: tuple[str, ...] = ()
    release: str = DEFAULT_RELEASE  # on_booking | on_invoice_paid
    release_partial: str | None = None  # on_invoice_paid: proportional | None
    release_expire_after_days: int | None = None


@dataclass(frozen=True)
class Plan:
    plan_id: str
    name: str
    effective_start: date
    effective_end: date
    components: tuple[PlanComponent, ...]
    source_file: str
    currency: str | None = None
    eligible_job_families: tuple[str, ...] = ()
    clawback_window_days: int | None = None
    clawback_policy: str = DEFAULT_CLAWBACK_POLICY
    ramp: tuple[Decimal, ...] = ()
    ramp_start_after_day: int | None = None  # None: ramp month 1 is the hire month
    draw_type: str | None = None
    draw_monthly_amount: Decimal | None = None
    draw_months: int | None = None


@lru_cache(maxsize=1)
def plan_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())



# --- YAML: dates stay text (the schema checks them), repeated keys are errors -------------


class _PlanLoader(yaml.SafeLoader):
    pass


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _PlanLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"field {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_PlanLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_config_yaml(path: Path, source: str):
    """``(document, None)``: the YAML document of a configuration file (dates stay text, a
    repeated key is an error), or ``(None, problem)``: one line naming ``source``, the line and
    what is wrong (``plans/ae.yaml line 7: not valid YAML (field 'rate' is given twice)``).
    Every YAML file of the configuration (plans, territories, statements, approvals) is read so."""
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_PlanLoader), None  # noqa: S506 (safe loader)
    except UnicodeDecodeError as error:
        return None, f"{source}: not valid YAML (not UTF-8 text: {error.reason})"
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, f"{source}{where}: not valid YAML ({problem})"


# --- validation ------------------------------------------------------------------------------


def _field_path(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(plan)"


def _where(source: str, document, path) -> str:
    """``plans/ae.yaml (plan AE-2026, component commission)`` for a field path."""
    where = [source]
    plan_id = document.get("plan_id") if isinstance(document, dict) else None
    details = [f"plan {plan_id}"] if isinstance(plan_id, str) else []
    path = list(path)
    if len(path) >= 2 and path[0] == "components" and isinstance(path[1], int):
        components = document.get("components") if isinstance(document, dict) else None
        component = components[path[1]] if isinstance(components, list) and path[1] < len(components) else None
        component_id = component.get("component_id") if isinstance(component, dict) else None
        details.append(f"component {component_id}" if isinstance(component_id, str) else f"component #{path[1] + 1}")
    if details:
        where.append(f"({', '.join(details)})")
    return " ".join(where)


def _explain(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors worth reading: for a ``oneOf`` of rule types, those of the branch the ``type`` names."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in allowed]
        explained = []
        for key in unknown:
            detail = jsonschema.ValidationError(
                f"unknown field (allowed here: {', '.join(allowed)})", path=[*error.absolute_path, key]
            )
            explained.append(detail)
        return explained or [error]
    if isinstance(error.schema, dict) and "x-message" in error.schema:
        error.message = f"{error.instance!r} {error.schema['x-message']}"
        return [error]
    if error.validator != "oneOf" or not error.context:
        return [error]
    by_branch: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    wrong_type = {
        branch
        for branch, errors in by_branch.items()
        if any(list(e.relative_schema_path)[-1:] == ["const"] and list(e.relative_path) == ["type"] for e in errors)
    }
    matching = [errors for branch, errors in by_branch.items() if branch not in wrong_type]
    if len(matching) == 1:
        return [e for sub in matching[0] for e in _explain(sub)]
    if wrong_type and not matching:
        known = sorted(
            {e.validator_value for errs in by_branch.values() for e in errs if list(e.relative_schema_path)[-1:] == ["const"]}
        )
        error.message = f"{error.instance.get('type')!r} is not a known rule type ({', '.join(map(str, known))})"
        error.path.append("type")
        return [error]
    unique: dict[str, jsonschema.ValidationError] = {}
    for errors in by_branch.values():
        for sub in errors:
            unique.setdefault(f"{list(sub.absolute_path)} {sub.message}", sub)
    return list(unique.values()) or [error]


def _decimal(value) -> Decimal:
    return Decimal(str(value))


def validate_plan_document(document, source: str) -> tuple[Plan | None, list[str]]:
    """Check one parsed plan document; return the plan (if valid) and the problems found."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return None, [f"{source}: a plan file must hold one mapping (plan_id, name, ...), found {type(document).__name__}"]
    for error in schema_errors(SCHEMA_PATH, document):
        for detail in _explain(error):
            problems.append(f"{_where(source, document, detail.absolute_path)}: {_field_path(detail.absolute_path)}: {detail.message}")
    if problems:
        return None, problems

    def problem(path: list, message: str) -> None:
        problems.append(f"{_where(source, document, path)}: {_field_path(path)}: {message}")

    def decimal_at(container: dict | list, key: str | int, path: list) -> Decimal | None:
        if isinstance(container, dict) and key not in container:
            return None
        try:
            value = _decimal(container[key])
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problem(path + [key], f"{container[key]!r} is not a decimal")
            return None
        if value < 0:
            problem(path + [key], f"{value} is negative")
            return None
        if -value.as_tuple().exponent > RATE_DECIMALS:
            problem(path + [key], f"{value} has more than {RATE_DECIMALS} decimals")
            return None
        return value

    def date_at(container: dict, key: str, path: list) -> date | None:
        try:
            return date.fromisoformat(container[key])
        except ValueError:
            problem(path + [key], f"{container[key]!r} is not a calendar date")
            return None

    dates = {name: date_at(document, name, []) for name in ("effective_start", "effective_end")}
    if None not in dates.values() and dates["effective_end"] < dates["effective_start"]:
        problem(["effective_end"], f"{dates['effective_end']} is before effective_start {dates['effective_start']}")

    currency = document.get("currency")
    if currency is not None and currency not in KNOWN_CURRENCIES:
        problem(["currency"], f"{currency!r} is not a known currency ({', '.join(sorted(KNOWN_CURRENCIES))})")

    ramp = []
    for month, value in enumerate(document.get("ramp", [])):
        factor = decimal_at(document["ramp"], month, ["ramp"])
        if factor is not None and factor > 1:
            problem(["ramp", month], f"{value!r} is not a quota factor between 0 and 1")
        elif factor is not None:
            ramp.append(factor)

    ramp_start = document.get("ramp_start", "hire_month")

    draw = document.get("draw")
    draw_amount = decimal_at(draw, "monthly_amount", ["draw"]) if draw else None

    components = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["components"]):
        path = ["components", index]
        if raw["component_id"] in seen:
            problem(
                path + ["component_id"],
                f"component id {raw['component_id']!r} is already used by components[{seen[raw['component_id']]}]",
            )
        seen.setdefault(raw["component_id"], index)
        rule = raw["rule"]
        rule_path = path + ["rule"]
        tiers_on = rule.get("tiers_on", DEFAULT_TIERS_ON) if "tiers" in rule else None
        tiers = tuple(_check_tiers(rule.get("tiers", []), rule_path + ["tiers"], tiers_on, decimal_at, problem))
        spif = {}
        if rule["type"] == "spif":
            amounts = [key for key in ("amount_per_unit", "amount_per_deal") if key in rule]
            if len(amounts) != 1:
                problem(rule_path, "a spif gives exactly one of amount_per_unit, amount_per_deal"
                        + (f" (found {', '.join(amounts)})" if amounts else ""))
            spif = {name: date_at(rule, name, rule_path) for name in ("window_start", "window_end")}
            if None not in spif.values() and spif["window_end"] < spif["window_start"]:
                problem(rule_path + ["window_end"], f"{spif['window_end']} is before window_start {spif['window_start']}")
        release = raw.get("release", DEFAULT_RELEASE)
        if release != RELEASE_ON_INVOICE_PAID:
            for option in ("partial", "expire_after_days"):
                if option in raw:
                    problem(path + [option], f"{option} applies to release: {RELEASE_ON_INVOICE_PAID} only")
        filters = raw.get("filters", {})
        components.append(
            PlanComponent(
                component_id=raw["component_id"],
                name=raw["name"],
                earning_code=raw["earning_code"],
                measure=raw["measure"],
                basis=raw["basis"],
                rule_type=rule["type"],
                rate=decimal_at(rule, "rate", rule_path),
                weight=decimal_at(raw, "weight", path) if "weight" in raw else DEFAULT_WEIGHT,
                gate_attainment=decimal_at(raw, "gate", path),
                cap_multiple_of_ti=decimal_at(raw, "cap_multiple_of_ti", path),
                tiers=tiers,
                tiers_on=tiers_on,
                bonus_threshold=decimal_at(rule, "threshold", rule_path),
                bonus_amount=decimal_at(rule, "amount", rule_path),
                bonus_pay_when=rule.get("pay_when", DEFAULT_BONUS_PAY_WHEN) if rule["type"] == "quota_bonus" else None,
                spif_amount_per_unit=decimal_at(rule, "amount_per_unit", rule_path),
                spif_amount_per_deal=decimal_at(rule, "amount_per_deal", rule_path),
                spif_window_start=spif.get("window_start"),
                spif_window_end=spif.get("window_end"),
                opportunity_types=tuple(filters.get("opportunity_types", ())),
                product_families=tuple(filters.get("product_families", ())),
                release=release,
                release_partial=raw.get("partial"),
                release_expire_after_days=raw.get("expire_after_days"),
            )
        )
    if problems:
        return None, problems
    plan = Plan(
        plan_id=document["plan_id"],
        name=document["name"],
        effective_start=dates["effective_start"],
        effective_end=dates["effective_end"],
        components=tuple(components),
        source_file=source,
        currency=currency,
        eligible_job_families=tuple(document.get("eligible_job_families", ())),
        clawback_window_days=document.get("clawback_window_days"),
        clawback_policy=document.get("clawback_policy", DEFAULT_CLAWBACK_POLICY),
        ramp=tuple(ramp),
        ramp_start_after_day=ramp_start.get("next_month_if_hired_after_day") if isinstance(ramp_start, dict) else None,
        draw_type=draw["type"] if draw else None,
        draw_monthly_amount=draw_amount,
        draw_months=draw["months"] if draw else None,
    )
    return plan, []


def _check_tiers(raw_tiers: list, path: list, tiers_on: str | None, decimal_at, problem) -> list[Tier]:
    """Bands in order: the first from 0, each ``from`` the previous ``to``, only the last open.

    Bands on attainment pay a ``multiplier`` of BCR; bands on amount pay a ``rate``
    of the credit and must end with an open band (there is no quota to stop at).
    """
    tiers: list[Tier] = []
    payout, other = ("rate", "multiplier") if tiers_on == "amount" else ("multiplier", "rate")
    for index, raw in enumerate(raw_tiers):
        tier_path = path + [index]
        if payout not in raw or other in raw:
            problem(tier_path, f"a band on {tiers_on} gives a {payout}" + (f", not a {other}" if other in raw else ""))
            return []
        start = decimal_at(raw, "from", tier_path)
        end = decimal_at(raw, "to", tier_path)
        paid = decimal_at(raw, payout, tier_path)
        if start is None or paid is None or ("to" in raw and end is None):
            return []
        if index == 0 and start != 0:
            problem(tier_path + ["from"], f"the first band starts at {start}, not at 0")
        if tiers:
            previous = tiers[-1]
            if previous.band_to is None:
                problem(tier_path, f"a band after the open band tiers[{index - 1}] (only the last band may omit 'to')")
                return []
            if start < previous.band_to:
                problem(tier_path + ["from"], f"band from {start} overlaps tiers[{index - 1}] (to {previous.band_to})")
            elif start > previous.band_to:
                problem(tier_path + ["from"], f"gap between bands: tiers[{index - 1}] ends at {previous.band_to}, this one starts at {start}")
        if end is not None and end <= start:
            problem(tier_path + ["to"], f"band ends at {end}, not after its start {start}")
        tiers.append(Tier(start, end, **{payout: paid}))
    if tiers_on == "amount" and tiers and tiers[-1].band_to is not None:
        last = len(tiers) - 1
        problem(path + [last, "to"], f"the last band on amount ends at {tiers[-1].band_to}: it must be open (omit 'to')")
    return tiers


def plan_files(config_dir: Path) -> list[Path]:
    folder = Path(config_dir) / PLANS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".")
    )


def load_plans(config_dir: Path) -> list[Plan]:
    """Every plan under ``<config>/plans/``, validated; :class:`PlanConfigError` lists all problems."""
    config_dir = Path(config_dir)
    plans: list[Plan] = []
    problems: list[str] = []
    first_file: dict[str, str] = {}
    for path in plan_files(config_dir):
        source = path.relative_to(config_dir).as_posix()
        document, problem = read_config_yaml(path, source)
        if problem:
            problems.append(problem)
            continue
        plan, found = validate_plan_document(document, source)
        problems.extend(found)
        if plan is None:
            continue
        if plan.plan_id in first_file:
            problems.append(f"{source} (plan {plan.plan_id}): plan_id: {plan.plan_id!r} is already defined in {first_file[plan.plan_id]}")
            continue
        first_file[plan.plan_id] = source
        plans.append(plan)
    if problems:
        raise PlanConfigError(problems)
    return sorted(plans, key=lambda p: p.plan_id)


# --- flat tables -------------------------------------------------------------------------------


def plans_frame(plans: list[Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "plan_id": p.plan_id,
                "plan_name": p.name,
                "effective_start": p.effective_start,
                "effective_end": p.effective_end,
                "source_file": p.source_file,
                "currency": p.currency,
                "clawback_window_days": p.clawback_window_days,
                "clawback_policy": p.clawback_policy,
                "draw_type": p.draw_type,
                "draw_monthly_amount": p.draw_monthly_amount,
                "draw_months": p.draw_months,
                "ramp_start_after_day": p.ramp_start_after_day,
                "eligible_job_families": list(p.eligible_job_families) or None,
            }
            for p in plans
        ],
        schema=PLAN_SCHEMA,
        orient="row",
    )


def plan_components_frame(plans: list[Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "plan_id": p.plan_id,
                "component_id": c.component_id,
                "component_name": c.name,
                "earning_code": c.earning_code,
                "measure": c.measure,
                "basis": c.basis,
                "rule_type": c.rule_type,
                "rate": c.rate,
                "weight": c.weight,
                "gate_attainment": c.gate_attainment,
                "cap_multiple_of_ti": c.cap_multiple_of_ti,
                "bonus_threshold": c.bonus_threshold,
                "bonus_amount": c.bonus_amount,
                "bonus_pay_when": c.bonus_pay_when,
                "tiers_on": c.tiers_on,
                "spif_amount_per_unit": c.spif_amount_per_unit,
                "spif_amount_per_deal": c.spif_amount_per_deal,
                "spif_window_start": c.spif_window_start,
                "spif_window_end": c.spif_window_end,
                "release": c.release,
                "release_partial": c.release_partial,
                "release_expire_after_days": c.release_expire_after_days,
            }
            for p in plans
            for c in p.components
        ],
        schema=PLAN_COMPONENT_SCHEMA,
        orient="row",
    )


def plan_component_tiers_frame(plans: list[Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (p.plan_id, c.component_id, index, *_band_columns(c.tiers_on, tier))
            for p in plans
            for c in p.components
            for index, tier in enumerate(c.tiers, start=1)
        ],
        schema=PLAN_COMPONENT_TIER_SCHEMA,
        orient="row",
    )


def _band_columns(tiers_on: str, tier: Tier) -> tuple:
    """attainment_from, attainment_to, multiplier, amount_from, amount_to, rate of one band."""
    if tiers_on == "amount":
        return (None, None, None, tier.band_from, tier.band_to, tier.rate)
    return (tier.band_from, tier.band_to, tier.multiplier, None, None, None)


def plan_component_filters_frame(plans: list[Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (p.plan_id, c.component_id, filter_type, value)
            for p in plans
            for c in p.components
            for filter_type, values in (("opportunity_type", c.opportunity_types), ("product_family", c.product_families))
            for value in values
        ],
        schema=PLAN_COMPONENT_FILTER_SCHEMA,
        orient="row",
    )


def plan_ramps_frame(plans: list[Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        [(p.plan_id, month, factor) for p in plans for month, factor in enumerate(p.ramp, start=1)],
        schema=PLAN_RAMP_SCHEMA,
        orient="row",
    )


def plan_dir(raw_dir: Path) -> Path:
    return Path(raw_dir) / "config" / PLAN_DATASET


def plan_component_dir(raw_dir: Path) -> Path:
    return Path(raw_dir) / "config" / PLAN_COMPONENT_DATASET


def plan_table_dir(raw_dir: Path, dataset: str) -> Path:
    return Path(raw_dir) / "config" / dataset


@dataclass(frozen=True)
class PlanIngestResult:
    plans: list[Plan]
    plan_file: Path
    plan_component_file: Path

    @property
    def component_count(self) -> int:
        return sum(len(p.components) for p in self.plans)


def write_plans(plans: list[Plan], raw_dir: Path) -> PlanIngestResult:
    """Replace the plan tables in raw (and their ``empty.parquet`` schema files)."""
    outputs = []
    for folder, frame, name, schema in (
        (plan_dir(raw_dir), plans_frame(plans), "plans.parquet", PLAN_SCHEMA),
        (plan_component_dir(raw_dir), plan_components_frame(plans), "plan_components.parquet", PLAN_COMPONENT_SCHEMA),
        (
            plan_table_dir(raw_dir, PLAN_COMPONENT_TIER_DATASET),
            plan_component_tiers_frame(plans),
            "plan_component_tiers.parquet",
            PLAN_COMPONENT_TIER_SCHEMA,
        ),
        (
            plan_table_dir(raw_dir, PLAN_COMPONENT_FILTER_DATASET),
            plan_component_filters_frame(plans),
            "plan_component_filters.parquet",
            PLAN_COMPONENT_FILTER_SCHEMA,
        ),
        (plan_table_dir(raw_dir, PLAN_RAMP_DATASET), plan_ramps_frame(plans), "plan_ramps.parquet", PLAN_RAMP_SCHEMA),
    ):
        write_parquet_atomic(pl.DataFrame(schema=schema), folder / EMPTY_FILE)
        target = folder / f"batch={CONFIG_BATCH}" / name
        outputs.append(write_parquet_atomic(frame, target))
        for stale in target.parent.glob("*.parquet"):
            if stale != target:
                stale.unlink()
    return PlanIngestResult(plans=plans, plan_file=outputs[0], plan_component_file=outputs[1])


def ingest_plans(config_dir: Path, raw_dir: Path) -> PlanIngestResult:
    """Validate every plan file, then write the plan tables (nothing is written if any plan is invalid)."""
    return write_plans(load_plans(config_dir), raw_dir)
