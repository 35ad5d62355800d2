"""Great Expectations suites for the raw layer, generated from the landing contract.

Ingest already refuses rows that break the contract; these suites are the
second line that checks what actually landed in raw (and so catches a bug in
ingest, or a rule that holds between columns rather than inside one value):

* every contract and load-metadata column exists;
* key and required columns are not null;
* the key is unique: for versioned CRM objects (a record may come again in a
  later batch) per ``(key, _batch, _source_file)``, otherwise in the frame;
* currency columns hold known ISO 4217 codes;
* decimal and integer columns keep the contract's ranges;
* business rules per dataset (:data:`BUSINESS_RULES`): a won deal is closed,
  a conversion rate is positive, a period ends after it starts, ...

The flattened configuration tables have suites of their own: the plan tables
(``validate_plans`` ...) and the five territory tables of ``territories.yaml``
(:data:`TERRITORY_SUITES`, ``validate_territory_table``: unique ids, one default
territory, unique rule priorities, known condition dimensions, band bounds in
order, potential weights adding up to 1).

Expectations marked ``severity="warning"`` are reported but do not fail the
validation (for data that may legitimately vary, like custom stage names).

GX is used code-first: one ephemeral context per process, pandas batches made
from polars frames. Importing this module imports GX (about 3 s): import it
where a check runs, not where definitions load.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402
import polars as pl  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine  # noqa: E402

from core.money import KNOWN_CURRENCIES  # noqa: E402
from core.periods import PERIOD_PATTERN  # noqa: E402

if TYPE_CHECKING:  # the suites check what a contract describes; the ingest domain hands them its contracts
    from assets.ingest import contract as c

logging.getLogger("great_expectations").setLevel(logging.WARNING)

EXAMPLES = 5
# Where an unexpected value came from, when the frame has these columns.
_ROW_LOCATORS = ("_source_file", "_source_row")

# Stage names of a default Salesforce org and their common short forms. Orgs
# rename stages, so an unknown stage is a warning only.
KNOWN_OPPORTUNITY_STAGES = (
    "Prospecting",
    "Discovery",
    "Proposal",
    "Negotiation",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)


# --- results ----------------------------------------------------------------------------


@dataclass
class ExpectationResult:
    expectation: str  # e.g. expect_column_values_to_not_be_null
    columns: list[str]
    success: bool
    severity: str  # critical | warning | info
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    examples: list[str] = field(default_factory=list)  # a few unexpected values (with their row, if known)
    observed_value: Any = None

    @property
    def label(self) -> str:
        return f"{self.expectation}({', '.join(self.columns)})" if self.columns else self.expectation


@dataclass
class ValidationSummary:
    suite: str
    success: bool  # every critical expectation passed
    row_count: int
    results: list[ExpectationResult]

    @property
    def failed(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity != "critical"]

    @property
    def unexpected_total(self) -> int:
        return sum(r.unexpected_count or 0 for r in self.failed)

    def describe(self) -> str:
        """One line per failed (or warned) expectation, with examples."""
        lines = []
        for r in self.failed + self.warnings:
            count = f"{r.unexpected_count} unexpected" if r.unexpected_count is not None else f"observed {r.observed_value}"
            examples = f"; e.g. {'; '.join(r.examples)}" if r.examples else ""
            lines.append(f"[{r.severity}] {r.label}: {count}{examples}")
        return "\n".join(lines) or "all expectations met"


# --- suite builders ---------------------------------------------------------------------


def _bound_below(value: Decimal) -> int | float:
    """A number GX can compare with that is <= ``value`` and as close as a float gets."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(as_float) <= value else math.nextafter(as_float, -math.inf)


def _bound_above(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(as_float) >= value else math.nextafter(as_float, math.inf)


def _opportunity_rules() -> list:
    return [
        # A won deal is always closed. (A row condition, not a column-pair set: that one runs row by row.)
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="IsClosed", value_set=[True], row_condition="IsWon == True", condition_parser="pandas"
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="StageName", value_set=list(KNOWN_OPPORTUNITY_STAGES), mostly=0.95, severity="warning"
        ),
    ]


def _split_rules() -> list:
    return [gx.expectations.ExpectColumnValuesToBeBetween(column="SplitPercentage", min_value=0, max_value=100)]


def _conversion_rate_rules() -> list:
    return [
        gx.expectations.ExpectColumnValuesToBeBetween(column="ConversionRate", min_value=0, strict_min=True),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="NextStartDate", column_B="StartDate", or_equal=False, ignore_row_if="either_value_is_missing"
        ),
    ]


def _ends_after_start(start: str, end: str) -> Callable[[], list]:
    def rules() -> list:
        return [
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=end, column_B=start, or_equal=True, ignore_row_if="either_value_is_missing"
            )
        ]

    return rules


def _line_item_rules() -> list:
    return [gx.expectations.ExpectColumnValuesToBeBetween(column="Quantity", min_value=0, mostly=0.99, severity="warning")]


def _territory_assignment_rules() -> list:
    # A reversed period is quarantined by dbt (end_date_before_start_date in fct_quarantine)
    # and never used, so it warns here instead of stopping the run.
    return [
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="end_date", column_B="start_date", or_equal=True, ignore_row_if="either_value_is_missing",
            severity="warning",
        )
    ]


def _company_target_rules() -> list:
    # A zero target keeps the contract but plans nothing: reported, not blocking.
    return [gx.expectations.ExpectColumnValuesToBeBetween(column="target_amount", min_value=0, strict_min=True, severity="warning")]


# Rules between columns or about the business, per (system, dataset).
BUSINESS_RULES: dict[tuple[str, str], Callable[[], list]] = {
    ("crm", "opportunity"): _opportunity_rules,
    ("crm", "opportunity_split"): _split_rules,
    ("crm", "opportunity_line_item"): _line_item_rules,
    ("crm", "dated_conversion_rate"): _conversion_rate_rules,
    ("hr", "workers"): _ends_after_start("hire_date", "termination_date"),
    ("hr", "leave"): _ends_after_start("start_date", "end_date"),
    ("config", "plan_assignments"): _ends_after_start("start_date", "end_date"),
    ("config", "territory_assignments"): _territory_assignment_rules,
    ("config", "company_targets"): _company_target_rules,
}


def uniqueness_columns(contract: c.DatasetContract) -> list[str]:
    """The columns whose combination must be unique in a raw batch."""
    if contract.version_column is not None:
        return [*contract.key, "_batch", "_source_file"]
    return list(contract.key)


def contract_expectations(contract: c.DatasetContract) -> list:
    """The expectations of one dataset's raw rows, from its contract."""
    expectations: list = []
    for name in contract.raw_column_names:
        expectations.append(gx.expectations.ExpectColumnToExist(column=name))
    for column in contract.columns:
        if column.required or column.name in contract.key:
            expectations.append(gx.expectations.ExpectColumnValuesToNotBeNull(column=column.name))
    unique = uniqueness_columns(contract)
    if len(unique) == 1:
        expectations.append(gx.expectations.ExpectColumnValuesToBeUnique(column=unique[0]))
    else:
        expectations.append(gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=unique))
    for column in contract.columns:
        if column.type == "currency":
            expectations.append(
                gx.expectations.ExpectColumnValuesToBeInSet(column=column.name, value_set=sorted(KNOWN_CURRENCIES))
            )
        if column.type == "period":
            expectations.append(
                gx.expectations.ExpectColumnValuesToMatchRegex(column=column.name, regex=PERIOD_PATTERN.pattern)
            )
        if column.type == "sha256":
            expectations.append(
                gx.expectations.ExpectColumnValuesToMatchRegex(column=column.name, regex=r"^[0-9a-f]{64}$")
            )
        if column.min_value is not None or column.max_value is not None:
            expectations.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=None if column.min_value is None else _bound_below(column.min_value),
                    max_value=None if column.max_value is None else _bound_above(column.max_value),
                )
            )
    business = BUSINESS_RULES.get((contract.system, contract.name))
    if business is not None:
        expectations.extend(business())
    return expectations


def plan_expectations() -> list:
    return [
        *(gx.expectations.ExpectColumnToExist(column=n) for n in ("plan_id", "plan_name", "effective_start", "effective_end")),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="plan_id"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="plan_id"),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="effective_end", column_B="effective_start", or_equal=True
        ),
    ]


def plan_component_expectations() -> list:
    return [
        *(gx.expectations.ExpectColumnToExist(column=n) for n in ("plan_id", "component_id", "earning_code", "rule_type")),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="plan_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="component_id"),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["plan_id", "component_id"]),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="earning_code", value_set=["COMMISSION", "BONUS", "SPIF", "DRAW", "DRAW_RECOVERY", "ADJUSTMENT"]
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(column="rate", min_value=0),
    ]


def plan_component_tier_expectations() -> list:
    return [
        *(
            gx.expectations.ExpectColumnToExist(column=n)
            for n in (
                "plan_id", "component_id", "tier_index", "attainment_from", "attainment_to", "multiplier",
                "amount_from", "amount_to", "rate",
            )
        ),
        # a band is on attainment (attainment_*, multiplier) or on amount (amount_*, rate);
        # plans.py checks that each band gives exactly one of the two
        *(
            gx.expectations.ExpectColumnValuesToNotBeNull(column=n)
            for n in ("plan_id", "component_id", "tier_index")
        ),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["plan_id", "component_id", "tier_index"]),
        gx.expectations.ExpectColumnValuesToBeBetween(column="tier_index", min_value=1),
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(column=n, min_value=0)
            for n in ("attainment_from", "multiplier", "amount_from", "rate")
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="attainment_to", column_B="attainment_from", ignore_row_if="either_value_is_missing"
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="amount_to", column_B="amount_from", ignore_row_if="either_value_is_missing"
        ),
    ]


def plan_component_filter_expectations() -> list:
    return [
        *(gx.expectations.ExpectColumnToExist(column=n) for n in ("plan_id", "component_id", "filter_type", "filter_value")),
        *(
            gx.expectations.ExpectColumnValuesToNotBeNull(column=n)
            for n in ("plan_id", "component_id", "filter_type", "filter_value")
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(column="filter_type", value_set=["opportunity_type", "product_family"]),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["plan_id", "component_id", "filter_type", "filter_value"]),
    ]


def plan_ramp_expectations() -> list:
    return [
        *(gx.expectations.ExpectColumnToExist(column=n) for n in ("plan_id", "employment_month", "quota_factor")),
        *(gx.expectations.ExpectColumnValuesToNotBeNull(column=n) for n in ("plan_id", "employment_month", "quota_factor")),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["plan_id", "employment_month"]),
        gx.expectations.ExpectColumnValuesToBeBetween(column="employment_month", min_value=1),
        gx.expectations.ExpectColumnValuesToBeBetween(column="quota_factor", min_value=0, max_value=1),
    ]


# --- the territory configuration (territories.yaml flattened by assets/planning/territories.py) ---


def _columns_exist_and_not_null(exist: tuple[str, ...], not_null: tuple[str, ...]) -> list:
    return [
        *(gx.expectations.ExpectColumnToExist(column=n) for n in exist),
        *(gx.expectations.ExpectColumnValuesToNotBeNull(column=n) for n in not_null),
    ]


def territory_expectations() -> list:
    """One row per territory: unique ids and exactly one default territory."""
    columns = ("territory_id", "territory_name", "is_default")
    return [
        *_columns_exist_and_not_null((*columns, "source_file"), columns),
        gx.expectations.ExpectColumnValuesToBeUnique(column="territory_id"),
        gx.expectations.ExpectColumnDistinctValuesToContainSet(column="is_default", value_set=[True]),
        gx.expectations.ExpectColumnValuesToBeUnique(column="is_default", row_condition="is_default == True", condition_parser="pandas"),
    ]


def territory_size_band_expectations() -> list:
    """Size bands: unique names and order, bounds not negative, each max above its min."""
    bounds = ("min_annual_revenue", "max_annual_revenue", "min_employees", "max_employees")
    return [
        *_columns_exist_and_not_null(("size_band", "band_order", "match_mode", *bounds), ("size_band", "band_order", "match_mode")),
        gx.expectations.ExpectColumnValuesToBeUnique(column="size_band"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="band_order"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="band_order", min_value=1),
        gx.expectations.ExpectColumnValuesToBeInSet(column="match_mode", value_set=["all", "any"]),
        *(gx.expectations.ExpectColumnValuesToBeBetween(column=n, min_value=0) for n in bounds),
        *(
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=f"max_{dimension}", column_B=f"min_{dimension}", ignore_row_if="either_value_is_missing"
            )
            for dimension in ("annual_revenue", "employees")
        ),
    ]


def territory_rule_expectations() -> list:
    """Rules: unique ids and unique priorities (the lowest matching priority wins)."""
    columns = ("rule_id", "priority", "territory_id")
    return [
        *_columns_exist_and_not_null(columns, columns),
        gx.expectations.ExpectColumnValuesToBeUnique(column="rule_id"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="priority"),
    ]


def territory_rule_condition_expectations() -> list:
    """Rule conditions: a known dimension, each value listed once per rule and dimension."""
    columns = ("rule_id", "dimension", "value")
    return [
        *_columns_exist_and_not_null(columns, columns),
        gx.expectations.ExpectColumnValuesToBeInSet(column="dimension", value_set=["billing_country", "industry", "size_band"]),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=list(columns)),
    ]


def territory_potential_weight_expectations() -> list:
    """One row of potential weights between 0 and 1 that add up to 1, over at least one history month."""
    columns = ("size_weight", "history_weight", "history_months")
    return [
        *_columns_exist_and_not_null(columns, columns),
        gx.expectations.ExpectTableRowCountToEqual(value=1),
        *(gx.expectations.ExpectColumnValuesToBeBetween(column=n, min_value=0, max_value=1) for n in columns[:2]),
        gx.expectations.ExpectMulticolumnSumToEqual(column_list=list(columns[:2]), sum_total=1),
        gx.expectations.ExpectColumnValuesToBeBetween(column="history_months", min_value=1),
    ]


# Raw dataset name (assets/planning/territories.py TERRITORY_TABLES) -> its expectations.
TERRITORY_SUITES: dict[str, Callable[[], list]] = {
    "territory": territory_expectations,
    "territory_size_band": territory_size_band_expectations,
    "territory_rule": territory_rule_expectations,
    "territory_rule_condition": territory_rule_condition_expectations,
    "territory_potential_weight": territory_potential_weight_expectations,
}


def suite_name(contract: c.DatasetContract) -> str:
    return f"raw__{contract.system}__{contract.name}"


# --- running ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def batch_definition():
    """The process's ephemeral GX context and its batch definition of a whole pandas frame (built once)."""
    # GX fingerprints every pandas batch (a hash of all its values, only kept as a
    # batch marker) below a size threshold; that costs ~1 s per million rows, twice
    # per validation. Our batches are identified by their raw files instead.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("spm_raw")
    asset = source.add_dataframe_asset("frame")
    return context, asset.add_batch_definition_whole_dataframe("whole_frame")


_suites: dict[str, gx.ExpectationSuite] = {}


def _suite(name: str, build: Callable[[], list]) -> gx.ExpectationSuite:
    if name not in _suites:
        context, _ = batch_definition()
        suite = gx.ExpectationSuite(name=name)
        for expectation in build():
            suite.add_expectation(expectation)
        _suites[name] = context.suites.add(suite)
    return _suites[name]


def _to_pandas(frame: pl.DataFrame):
    # Decimals become Python Decimal objects: GX compares them exactly.
    return frame.to_pandas()


def _plain(value: Any) -> Any:
    """numpy scalars and tuples of them as plain Python values, for readable examples."""
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return value.item() if hasattr(value, "item") and not isinstance(value, Decimal) else value


def _example(value: Any, locator: Any) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    else:
        text = repr(_plain(value))
    if isinstance(locator, dict):
        where = " ".join(str(locator[k]) for k in _ROW_LOCATORS if k in locator)
        return f"{text} ({where.replace(' ', ' row ', 1)})" if where else text
    return text


def _summarise(name: str, result, row_count: int) -> ValidationSummary:
    outcomes = []
    for r in result.results:
        config = r.expectation_config
        kwargs = config.kwargs
        columns = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)] or list(kwargs.get("column_list") or [])
        details = r.result or {}
        values = details.get("partial_unexpected_list") or []
        locators = details.get("partial_unexpected_index_list") or []
        examples = [
            _example(v, locators[i] if i < len(locators) else None) for i, v in enumerate(values[:EXAMPLES])
        ]
        severity = getattr(config, "severity", None)
        severity = getattr(severity, "value", severity) or "critical"
        outcomes.append(
            ExpectationResult(
                expectation=config.type,
                columns=[str(col) for col in columns],
                success=bool(r.success),
                severity=str(severity),
                unexpected_count=details.get("unexpected_count"),
                unexpected_percent=details.get("unexpected_percent"),
                examples=examples,
                observed_value=details.get("observed_value"),
            )
        )
    success = all(o.success for o in outcomes if o.severity == "critical")
    return ValidationSummary(suite=name, success=success, row_count=row_count, results=outcomes)


def validate_frame(name: str, build: Callable[[], list], frame: pl.DataFrame) -> ValidationSummary:
    """Run the suite ``name`` (built once by ``build``) on a polars frame."""
    suite = _suite(name, build)
    _, whole_frame = batch_definition()
    locators = [k for k in _ROW_LOCATORS if k in frame.columns]
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
    if locators:
        result_format["unexpected_index_column_names"] = locators
    batch = whole_frame.get_batch(batch_parameters={"dataframe": _to_pandas(frame)})
    result = batch.validate(suite, result_format=result_format)
    return _summarise(name, result, frame.height)


def validate(contract: c.DatasetContract, frame: pl.DataFrame) -> ValidationSummary:
    """Validate raw rows of ``contract`` (typically the newest batch) with its suite."""
    return validate_frame(suite_name(contract), lambda: contract_expectations(contract), frame)


def validate_plans(frame: pl.DataFrame) -> ValidationSummary:
    return validate_frame("raw__config__plan", plan_expectations, frame)


def validate_plan_components(frame: pl.DataFrame) -> ValidationSummary:
    return validate_frame("raw__config__plan_component", plan_component_expectations, frame)


def validate_plan_component_tiers(frame: pl.DataFrame) -> ValidationSummary:
    return validate_frame("raw__config__plan_component_tier", plan_component_tier_expectations, frame)


def validate_plan_component_filters(frame: pl.DataFrame) -> ValidationSummary:
    return validate_frame("raw__config__plan_component_filter", plan_component_filter_expectations, frame)


def validate_plan_ramps(frame: pl.DataFrame) -> ValidationSummary:
    return validate_frame("raw__config__plan_ramp", plan_ramp_expectations, frame)


def validate_territory_table(dataset: str, frame: pl.DataFrame) -> ValidationSummary:
    """Validate one flattened territory table (``dataset`` a key of :data:`TERRITORY_SUITES`)."""
    return validate_frame(f"raw__config__{dataset}", TERRITORY_SUITES[dataset], frame)
