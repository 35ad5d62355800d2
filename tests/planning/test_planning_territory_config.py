"""Territory configuration (territories.yaml): validated before anything runs, then flattened."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from assets.planning.territories import (
    SCHEMA_PATH,
    TERRITORY_FILE,
    TERRITORY_TABLES,
    TerritoryConfigError,
    ingest_territories,
    load_territories,
    territory_table_dir,
)
from demo.territories import territories_yaml

GOOD = """\
default_territory:
  territory_id: UNASSIGNED
  name: Unassigned accounts
size_bands:
  - size_band: enterprise
    match: any
    min_annual_revenue: "1000000000"
    min_employees: 5000
  - size_band: small
    max_annual_revenue: 100000000
territories:
  - territory_id: T-ENT
    name: Enterprise
  - territory_id: T-US
    name: United States
rules:
  - rule_id: us
    priority: 30
    territory_id: T-US
    billing_countries: [United States]
  - rule_id: ent
    priority: 20
    territory_id: T-ENT
    billing_countries: [United States]
    size_bands: [enterprise]
potential:
  size_weight: "0.4"
  history_weight: "0.6"
  history_months: 6
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / TERRITORY_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def _errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(TerritoryConfigError) as caught:
        load_territories(_write(tmp_path, text))
    return caught.value.errors


def test_the_schema_is_a_valid_json_schema():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_a_good_file_is_loaded_with_rules_in_priority_order_and_exact_decimals(tmp_path):
    config = load_territories(_write(tmp_path, GOOD))
    assert config.default_territory == ("UNASSIGNED", "Unassigned accounts")
    assert [r.rule_id for r in config.rules] == ["ent", "us"]  # priority 20 before 30
    assert config.rules[0].conditions == (("billing_country", "United States"), ("size_band", "enterprise"))
    enterprise, small = config.size_bands
    assert (enterprise.match_mode, enterprise.min_annual_revenue, enterprise.min_employees) == ("any", Decimal("1000000000"), 5000)
    assert (small.match_mode, small.band_order, small.max_annual_revenue) == ("all", 2, Decimal("100000000"))
    assert (config.size_weight, config.history_weight, config.history_months) == (Decimal("0.4"), Decimal("0.6"), 6)


def test_potential_weights_default_to_half_and_half_and_one_weight_implies_the_other(tmp_path):
    config = load_territories(_write(tmp_path, GOOD.split("potential:")[0]))
    assert (config.size_weight, config.history_weight, config.history_months) == (Decimal("0.5"), Decimal("0.5"), 12)
    config = load_territories(_write(tmp_path, GOOD.split("potential:")[0] + "potential:\n  history_weight: 0.75\n"))
    assert (config.size_weight, config.history_weight) == (Decimal("0.25"), Decimal("0.75"))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a rule naming a territory that is not declared: file, rule, territory and field
        ("    territory_id: T-US\n    billing", "    territory_id: T-XX\n    billing",
         "territories.yaml (rule us, territory T-XX): rules[0].territory_id: 'T-XX' is not a declared territory"),
        # two rules with one priority: which one wins would be undefined
        ("priority: 20", "priority: 30",
         "territories.yaml (rule ent, territory T-ENT): rules[1].priority: priority 30 is already used by rules[0]"),
        # a size band nobody declared
        ("size_bands: [enterprise]", "size_bands: [huge]",
         "territories.yaml (rule ent, territory T-ENT): rules[1].size_bands[0]: 'huge' is not a declared size band"),
        # a territory id used twice (also against the default territory)
        ("  - territory_id: T-US\n    name: United States", "  - territory_id: UNASSIGNED\n    name: United States",
         "territories.yaml (territory UNASSIGNED): territories[1].territory_id: territory id 'UNASSIGNED' is already used by default_territory"),
        # a rule sending accounts to the default territory explicitly
        ("    territory_id: T-US\n    billing", "    territory_id: UNASSIGNED\n    billing",
         "territories.yaml (rule us, territory UNASSIGNED): rules[0].territory_id: 'UNASSIGNED' is the default territory"),
        # weights must add up to 1
        ('history_weight: "0.6"', 'history_weight: "0.7"',
         "territories.yaml: potential.history_weight: size_weight 0.4 + history_weight 0.7 is not 1"),
        # a band whose max is not above its min
        ("    max_annual_revenue: 100000000", "    min_annual_revenue: 100000000\n    max_annual_revenue: 100000000",
         "territories.yaml (size band small): size_bands[1].max_annual_revenue: 100000000 is not above min_annual_revenue 100000000"),
        # an unknown field, named with the allowed ones
        ("    name: Enterprise\n", "    name: Enterprise\n    owner: E001\n",
         "territories.yaml (territory T-ENT): territories[0].owner: unknown field (allowed here: description, name, territory_id)"),
        # a band without any bound
        ("  - size_band: small\n    max_annual_revenue: 100000000\n", "  - size_band: small\n",
         "territories.yaml (size band small): size_bands[1]:"),
        # a negative decimal
        ('size_weight: "0.4"', 'size_weight: "-0.4"',
         "territories.yaml: potential.size_weight: '-0.4' is not a non-negative decimal"),
    ],
)
def test_a_bad_file_is_rejected_naming_file_territory_and_field(tmp_path, old, new, expected):
    assert old in GOOD
    errors = _errors(tmp_path, GOOD.replace(old, new))
    assert any(e.startswith(expected) for e in errors), errors


def test_a_missing_required_field_and_a_repeated_key_are_rejected(tmp_path):
    errors = _errors(tmp_path, GOOD.replace("  - rule_id: us\n    priority: 30\n", "  - rule_id: us\n"))
    assert any(e.startswith("territories.yaml (rule us, territory T-US): rules[0]: 'priority' is a required property") for e in errors), errors
    errors = _errors(tmp_path, GOOD.replace("    name: Enterprise\n", "    name: Enterprise\n    name: Again\n"))
    assert errors and errors[0].startswith("territories.yaml line ") and "not valid YAML" in errors[0] and "'name' is given twice" in errors[0]


def test_every_problem_is_reported_at_once_and_nothing_is_written(tmp_path):
    config_dir, raw = tmp_path / "config", tmp_path / "raw"
    config_dir.mkdir()
    text = GOOD.replace("priority: 20", "priority: 30").replace("size_bands: [enterprise]", "size_bands: [huge]")
    _write(config_dir, text)
    with pytest.raises(TerritoryConfigError) as caught:
        ingest_territories(config_dir, raw)
    assert len(caught.value.errors) == 2
    assert "2 problem(s) in the territory configuration" in str(caught.value)
    assert not raw.exists()


def test_the_file_is_flattened_into_five_raw_tables(tmp_path):
    config_dir, raw = tmp_path / "config", tmp_path / "raw"
    config_dir.mkdir()
    _write(config_dir, GOOD)
    ingest_territories(config_dir, raw)
    read = {name: pl.read_parquet(territory_table_dir(raw, name) / "batch=current" / file)
            for name, (file, _) in TERRITORY_TABLES.items()}
    for name, (_, schema) in TERRITORY_TABLES.items():
        assert dict(read[name].schema) == schema
        assert (territory_table_dir(raw, name) / "empty.parquet").is_file()
    assert read["territory"].rows() == [
        ("UNASSIGNED", "Unassigned accounts", True, TERRITORY_FILE),
        ("T-ENT", "Enterprise", False, TERRITORY_FILE),
        ("T-US", "United States", False, TERRITORY_FILE),
    ]
    assert read["territory_rule"].rows() == [("ent", 20, "T-ENT"), ("us", 30, "T-US")]
    assert read["territory_rule_condition"].rows() == [
        ("ent", "billing_country", "United States"),
        ("ent", "size_band", "enterprise"),
        ("us", "billing_country", "United States"),
    ]
    assert read["territory_potential_weight"].rows() == [(Decimal("0.4"), Decimal("0.6"), 6)]


def test_no_file_gives_empty_tables_and_a_removed_file_empties_them(tmp_path):
    config_dir, raw = tmp_path / "config", tmp_path / "raw"
    config_dir.mkdir()
    _write(config_dir, GOOD)
    ingest_territories(config_dir, raw)
    (config_dir / TERRITORY_FILE).unlink()
    assert ingest_territories(config_dir, raw) is None
    for name, (file, _) in TERRITORY_TABLES.items():
        assert pl.read_parquet(territory_table_dir(raw, name) / "batch=current" / file).height == 0


def test_the_demo_territories_pass_the_loader(tmp_path):
    config = load_territories(_write(tmp_path, territories_yaml()))
    assert config.default_territory[0] == "UNASSIGNED"
    assert len({r.priority for r in config.rules}) == len(config.rules) == 6
