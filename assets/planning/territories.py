"""Sales territories: ``<config>/territories.yaml`` -> validated rules -> five flat raw tables.

The file (format in ``docs/planning.md``, schema ``territory.schema.json``)
declares size bands (bounds on ``Account.AnnualRevenue`` and
``NumberOfEmployees``), the territories, the rules mapping accounts to
territories by ``BillingCountry``, ``Industry`` and size band (the matching
rule with the lowest ``priority`` wins; an account no rule matches goes to
``default_territory``) and the weights of territory potential. The mapping
itself is dbt SQL (``int_accounts_territory_matched``); this module only
validates and flattens.

Checked beyond the schema: identifiers are unique (territory ids including the
default, rule ids, rule priorities, size band names), a rule names a declared
territory (not the default one: unmatched accounts go there anyway) and
declared size bands, a band's min is below its max, decimals fit
DECIMAL(38,10) and the potential weights add up to 1. Every problem is
reported at once in one :class:`TerritoryConfigError`, each line naming the
file, the territory (or rule, or band) and the field. A missing file is no
error: no territory tables have rows, and the planning marts are empty.

The raw layer gets, replaced wholesale on every run (plus ``empty.parquet``)::

    <raw>/config/territory/batch=current/territories.parquet                   one row per territory (+ default)
    <raw>/config/territory_size_band/batch=current/territory_size_bands.parquet  one row per band
    <raw>/config/territory_rule/batch=current/territory_rules.parquet          one row per rule
    <raw>/config/territory_rule_condition/batch=current/territory_rule_conditions.parquet  per listed value
    <raw>/config/territory_potential_weight/batch=current/territory_potential_weights.parquet  one row
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from assets.ingest.load import EMPTY_FILE, write_parquet_atomic
from assets.ingest.plans import RATE_DECIMALS, _explain, _field_path, read_config_yaml
from assets.ingest.raw_layout import CONFIG_BATCH, MONEY
from core.schemas import schema_errors

SCHEMA_PATH = Path(__file__).with_name("territory.schema.json")
TERRITORY_FILE = "territories.yaml"

# Defaults of the potential block (docs/planning.md).
DEFAULT_SIZE_WEIGHT = Decimal("0.5")
DEFAULT_HISTORY_WEIGHT = Decimal("0.5")
DEFAULT_HISTORY_MONTHS = 12

CONDITION_DIMENSIONS = {
    "billing_countries": "billing_country",
    "industries": "industry",
    "size_bands": "size_band",
}

TERRITORY_SCHEMA: dict[str, pl.DataType] = {
    "territory_id": pl.Utf8(),
    "territory_name": pl.Utf8(),
    "is_default": pl.Boolean(),  # the territory of accounts no rule matches
    "source_file": pl.Utf8(),
}
TERRITORY_SIZE_BAND_SCHEMA: dict[str, pl.DataType] = {
    "size_band": pl.Utf8(),
    "band_order": pl.Int64(),  # 1, 2, ... as listed: an account is in the first band that holds
    "match_mode": pl.Utf8(),  # all | any
    "min_annual_revenue": MONEY,  # inclusive
    "max_annual_revenue": MONEY,  # exclusive
    "min_employees": pl.Int64(),  # inclusive
    "max_employees": pl.Int64(),  # exclusive
}
TERRITORY_RULE_SCHEMA: dict[str, pl.DataType] = {
    "rule_id": pl.Utf8(),
    "priority": pl.Int64(),  # the matching rule with the lowest priority wins
    "territory_id": pl.Utf8(),
}
TERRITORY_RULE_CONDITION_SCHEMA: dict[str, pl.DataType] = {
    "rule_id": pl.Utf8(),
    "dimension": pl.Utf8(),  # billing_country | industry | size_band
    "value": pl.Utf8(),
}
TERRITORY_POTENTIAL_WEIGHT_SCHEMA: dict[str, pl.DataType] = {
    "size_weight": MONEY,
    "history_weight": MONEY,
    "history_months": pl.Int64(),
}

# Raw dataset name -> (file name, schema).
TERRITORY_TABLES: dict[str, tuple[str, dict[str, pl.DataType]]] = {
    "territory": ("territories.parquet", TERRITORY_SCHEMA),
    "territory_size_band": ("territory_size_bands.parquet", TERRITORY_SIZE_BAND_SCHEMA),
    "territory_rule": ("territory_rules.parquet", TERRITORY_RULE_SCHEMA),
    "territory_rule_condition": ("territory_rule_conditions.parquet", TERRITORY_RULE_CONDITION_SCHEMA),
    "territory_potential_weight": ("territory_potential_weights.parquet", TERRITORY_POTENTIAL_WEIGHT_SCHEMA),
}


class TerritoryConfigError(ValueError):
    """The territory file is invalid; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(
            f"{len(self.errors)} problem(s) in the territory configuration:\n" + "\n".join(f"- {e}" for e in self.errors)
        )


@dataclass(frozen=True)
class SizeBand:
    size_band: str
    band_order: int
    match_mode: str
    min_annual_revenue: Decimal | None
    max_annual_revenue: Decimal | None
    min_employees: int | None
    max_employees: int | None


@dataclass(frozen=True)
class Rule:
    rule_id: str
    priority: int
    territory_id: str
    conditions: tuple[tuple[str, str], ...]  # (dimension, value)


@dataclass(frozen=True)
class TerritoryConfig:
    source_file: str
    default_territory: tuple[str, str]  # (id, name)
    territories: tuple[tuple[str, str], ...]
    size_bands: tuple[SizeBand, ...]
    rules: tuple[Rule, ...]
    size_weight: Decimal
    history_weight: Decimal
    history_months: int



def _where(source: str, document, path) -> str:
    """``territories.yaml (rule emea-ent, territory EMEA-ENT)`` for a field path."""
    path = list(path)
    details = []
    if isinstance(document, dict) and len(path) >= 2 and isinstance(path[1], int):
        items = document.get(path[0])
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        item = item if isinstance(item, dict) else {}
        if path[0] == "rules":
            details.append(f"rule {item.get('rule_id', f'#{path[1] + 1}')}")
            if isinstance(item.get("territory_id"), str):
                details.append(f"territory {item['territory_id']}")
        elif path[0] == "territories":
            details.append(f"territory {item.get('territory_id', f'#{path[1] + 1}')}")
        elif path[0] == "size_bands":
            details.append(f"size band {item.get('size_band', f'#{path[1] + 1}')}")
    elif isinstance(document, dict) and path[:1] == ["default_territory"]:
        default = document.get("default_territory")
        if isinstance(default, dict) and isinstance(default.get("territory_id"), str):
            details.append(f"territory {default['territory_id']}")
    return f"{source} ({', '.join(details)})" if details else source


def validate_territory_document(document, source: str = TERRITORY_FILE) -> tuple[TerritoryConfig | None, list[str]]:
    """Check one parsed territory document; return the configuration (if valid) and the problems found."""
    if not isinstance(document, dict):
        return None, [f"{source}: the territory file must hold one mapping (default_territory, territories, rules), "
                      f"found {type(document).__name__}"]
    problems: list[str] = []
    for error in schema_errors(SCHEMA_PATH, document):
        for detail in _explain(error):
            problems.append(f"{_where(source, document, detail.absolute_path)}: {_field_path(detail.absolute_path)}: {detail.message}")
    if problems:
        return None, problems

    def problem(path: list, message: str) -> None:
        problems.append(f"{_where(source, document, path)}: {_field_path(path)}: {message}")

    def decimal_at(container: dict, key: str, path: list) -> Decimal | None:
        if key not in container:
            return None
        try:
            value = Decimal(str(container[key]))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            problem(path + [key], f"{container[key]!r} is not a non-negative decimal")
            return None
        if -value.as_tuple().exponent > RATE_DECIMALS:
            problem(path + [key], f"{value} has more than {RATE_DECIMALS} decimals")
            return None
        return value

    default = document["default_territory"]
    territory_ids: dict[str, str] = {default["territory_id"]: "default_territory"}
    for index, territory in enumerate(document["territories"]):
        path = ["territories", index, "territory_id"]
        if territory["territory_id"] in territory_ids:
            problem(path, f"territory id {territory['territory_id']!r} is already used by {territory_ids[territory['territory_id']]}")
        territory_ids.setdefault(territory["territory_id"], f"territories[{index}]")

    bands: list[SizeBand] = []
    band_names: dict[str, int] = {}
    for index, raw in enumerate(document.get("size_bands", [])):
        path = ["size_bands", index]
        if raw["size_band"] in band_names:
            problem(path + ["size_band"], f"size band {raw['size_band']!r} is already declared by size_bands[{band_names[raw['size_band']]}]")
        band_names.setdefault(raw["size_band"], index)
        lo_rev, hi_rev = decimal_at(raw, "min_annual_revenue", path), decimal_at(raw, "max_annual_revenue", path)
        if lo_rev is not None and hi_rev is not None and hi_rev <= lo_rev:
            problem(path + ["max_annual_revenue"], f"{hi_rev} is not above min_annual_revenue {lo_rev}")
        lo_emp, hi_emp = raw.get("min_employees"), raw.get("max_employees")
        if lo_emp is not None and hi_emp is not None and hi_emp <= lo_emp:
            problem(path + ["max_employees"], f"{hi_emp} is not above min_employees {lo_emp}")
        bands.append(SizeBand(raw["size_band"], index + 1, raw.get("match", "all"), lo_rev, hi_rev, lo_emp, hi_emp))

    rules: list[Rule] = []
    rule_ids: dict[str, int] = {}
    priorities: dict[int, int] = {}
    for index, raw in enumerate(document["rules"]):
        path = ["rules", index]
        if raw["rule_id"] in rule_ids:
            problem(path + ["rule_id"], f"rule id {raw['rule_id']!r} is already used by rules[{rule_ids[raw['rule_id']]}]")
        rule_ids.setdefault(raw["rule_id"], index)
        if raw["priority"] in priorities:
            problem(path + ["priority"], f"priority {raw['priority']} is already used by rules[{priorities[raw['priority']]}] "
                                         "(priorities decide which rule wins, so they must differ)")
        priorities.setdefault(raw["priority"], index)
        if raw["territory_id"] == default["territory_id"]:
            problem(path + ["territory_id"], f"{raw['territory_id']!r} is the default territory (unmatched accounts go there without a rule)")
        elif raw["territory_id"] not in territory_ids:
            problem(path + ["territory_id"], f"{raw['territory_id']!r} is not a declared territory")
        for position, band in enumerate(raw.get("size_bands", [])):
            if band not in band_names:
                problem(path + ["size_bands", position], f"{band!r} is not a declared size band")
        conditions = tuple(
            (dimension, value)
            for key, dimension in CONDITION_DIMENSIONS.items()
            for value in raw.get(key, [])
        )
        rules.append(Rule(raw["rule_id"], raw["priority"], raw["territory_id"], conditions))

    potential = document.get("potential", {})
    size_weight = decimal_at(potential, "size_weight", ["potential"])
    history_weight = decimal_at(potential, "history_weight", ["potential"])
    if "size_weight" not in potential and "history_weight" not in potential:
        size_weight, history_weight = DEFAULT_SIZE_WEIGHT, DEFAULT_HISTORY_WEIGHT
    elif "size_weight" not in potential and history_weight is not None:
        size_weight = Decimal(1) - history_weight
    elif "history_weight" not in potential and size_weight is not None:
        history_weight = Decimal(1) - size_weight
    if size_weight is not None and history_weight is not None and size_weight + history_weight != 1:
        problem(["potential", "history_weight"], f"size_weight {size_weight} + history_weight {history_weight} is not 1")
    if problems:
        return None, problems
    return TerritoryConfig(
        source_file=source,
        default_territory=(default["territory_id"], default["name"]),
        territories=tuple((t["territory_id"], t["name"]) for t in document["territories"]),
        size_bands=tuple(bands),
        rules=tuple(sorted(rules, key=lambda r: r.priority)),
        size_weight=size_weight,
        history_weight=history_weight,
        history_months=potential.get("history_months", DEFAULT_HISTORY_MONTHS),
    ), []


def load_territories(config_dir: Path) -> TerritoryConfig | None:
    """``<config>/territories.yaml`` validated (None when there is no file); :class:`TerritoryConfigError` lists all problems."""
    path = Path(config_dir) / TERRITORY_FILE
    if not path.is_file():
        return None
    document, problem = read_config_yaml(path, TERRITORY_FILE)
    if problem:
        raise TerritoryConfigError([problem])
    config, problems = validate_territory_document(document, TERRITORY_FILE)
    if problems:
        raise TerritoryConfigError(problems)
    return config


# --- flat tables -------------------------------------------------------------------------------


def territory_frames(config: TerritoryConfig | None) -> dict[str, pl.DataFrame]:
    """The five raw tables of a configuration (all empty without one), keyed by raw dataset name."""
    rows: dict[str, list] = {name: [] for name in TERRITORY_TABLES}
    if config is not None:
        rows["territory"] = [(config.default_territory[0], config.default_territory[1], True, config.source_file)] + [
            (territory_id, name, False, config.source_file) for territory_id, name in config.territories
        ]
        rows["territory_size_band"] = [
            (b.size_band, b.band_order, b.match_mode, b.min_annual_revenue, b.max_annual_revenue, b.min_employees, b.max_employees)
            for b in config.size_bands
        ]
        rows["territory_rule"] = [(r.rule_id, r.priority, r.territory_id) for r in config.rules]
        rows["territory_rule_condition"] = [(r.rule_id, dim, value) for r in config.rules for dim, value in r.conditions]
        rows["territory_potential_weight"] = [(config.size_weight, config.history_weight, config.history_months)]
    return {
        name: pl.DataFrame(rows[name], schema=schema, orient="row")
        for name, (_, schema) in TERRITORY_TABLES.items()
    }


def territory_table_dir(raw_dir: Path, dataset: str) -> Path:
    return Path(raw_dir) / "config" / dataset


def write_empty_territory_tables(raw_dir: Path) -> None:
    """The 0-row typed files dbt's sources always match."""
    for name, (_, schema) in TERRITORY_TABLES.items():
        write_parquet_atomic(pl.DataFrame(schema=schema), territory_table_dir(raw_dir, name) / EMPTY_FILE)


def write_territories(config: TerritoryConfig | None, raw_dir: Path) -> dict[str, Path]:
    """Replace the territory tables in raw (and their ``empty.parquet`` files); return the written files."""
    write_empty_territory_tables(raw_dir)
    written = {}
    for name, frame in territory_frames(config).items():
        target = territory_table_dir(raw_dir, name) / f"batch={CONFIG_BATCH}" / TERRITORY_TABLES[name][0]
        written[name] = write_parquet_atomic(frame, target)
        for stale in target.parent.glob("*.parquet"):
            if stale != target:
                stale.unlink()
    return written


def ingest_territories(config_dir: Path, raw_dir: Path) -> TerritoryConfig | None:
    """Validate ``territories.yaml``, then write its tables (nothing is written if it is invalid)."""
    config = load_territories(config_dir)
    write_territories(config, raw_dir)
    return config
