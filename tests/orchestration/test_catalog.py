"""The catalog the Dagster UI shows (core/catalog.py, docs/operations.md "The catalog"): owners,
check descriptions, column schemas with types, code references, descriptions the UI renders, kinds,
and the finance outputs' checks."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from core.catalog import (
    OWNERS,
    UNKNOWN_TYPE,
    catalog_spec,
    column_schema,
    dbt_test_description,
    html_like_tags,
    owners_of,
    ui_text,
)
from orchestration.definitions import defs

DBT_UNIQUE_ID = "dagster_dbt/unique_id"


@pytest.fixture(scope="module")
def specs() -> list[dg.AssetSpec]:
    return list(defs.resolve_all_asset_specs())


@pytest.fixture(scope="module")
def check_specs() -> list[dg.AssetCheckSpec]:
    graph = defs.resolve_asset_graph()
    return [spec for assets_def in graph.assets_defs for spec in assets_def.check_specs]


def _dbt_models(specs):
    return [s for s in specs if DBT_UNIQUE_ID in s.metadata and str(s.metadata[DBT_UNIQUE_ID]).startswith("model.")]


# --- the whole code location ---------------------------------------------------------------------


def test_every_asset_has_its_domains_owner(specs):
    missing = [s.key.to_user_string() for s in specs if not s.owners]
    assert not missing, f"assets without an owner: {missing}"
    for spec in specs:
        assert spec.group_name in OWNERS, f"{spec.key.to_user_string()}: group {spec.group_name} has no owner in OWNERS"
        assert list(spec.owners) == owners_of(spec.group_name), spec.key.to_user_string()
    # the mapping, as docs/operations.md states it
    assert owners_of("payouts") == ["team:finance"] and owners_of("ingest") == ["team:data-eng"]


def test_every_check_has_a_description(check_specs):
    assert len(check_specs) > 150  # dbt data tests (a model's row rules are one: row_rules), GX suites, Python checks
    missing = [f"{c.asset_key.to_user_string()}:{c.name}" for c in check_specs if not (c.description or "").strip()]
    assert not missing, f"checks without a description: {missing[:20]}"


def test_dbt_checks_say_their_rule(check_specs):
    by_name = {c.name: c.description for c in check_specs}
    assert by_name["balanced_per_group_fct_journal_line_journal_id__currency"] == (
        "balanced_per_group: in fct_journal_line, the debit total equals the credit total within each "
        "(journal_id, currency)."
    )
    assert by_name["assert_payout_is_never_negative"].startswith("assert_payout_is_never_negative: SPEC §5")


def test_every_dbt_model_has_a_column_schema_with_types(specs):
    """Every dbt model's columns, each with the data_type its yml declares (passes once every yml
    declares data_type on every column: the dbt catalog work of issue #17)."""
    models = _dbt_models(specs)
    assert len(models) > 100
    problems = []
    for spec in models:
        schema = spec.metadata.get("dagster/column_schema")
        if schema is None:
            problems.append(f"{spec.key.to_user_string()}: no column schema")
            continue
        untyped = [c.name for c in schema.columns if c.type in ("", "?", UNKNOWN_TYPE)]
        if untyped:
            problems.append(f"{spec.key.to_user_string()}: no data_type on {', '.join(untyped)}")
    assert not problems, f"{len(problems)} model(s): " + "; ".join(problems[:10])


def test_contracted_marts_have_typed_column_schemas(specs):
    """The marts whose contract is enforced declare every column's type: their schema has them all."""
    from core.dbt import DBT_PROJECT

    import json

    manifest = json.loads(Path(DBT_PROJECT.manifest_path).read_text())
    contracted = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and (node["config"].get("contract") or {}).get("enforced")
    }
    assert contracted
    by_key = {s.key.to_user_string(): s for s in specs}
    for name in contracted:
        columns = by_key[name].metadata["dagster/column_schema"].columns
        assert columns and all(c.type != UNKNOWN_TYPE for c in columns), name
    payout_line = {c.name: c for c in by_key["fct_payout_line"].metadata["dagster/column_schema"].columns}
    assert payout_line["amount"].type == "decimal(38,10)"


def test_raw_datasets_have_the_column_schema_of_their_files(specs):
    import polars as pl

    from assets.ingest.contract import CONTRACTS
    from assets.ingest.raw_layout import raw_schema

    by_key = {s.key: s for s in specs}
    sql_type = {pl.Utf8(): "varchar", pl.Decimal(38, 10): "decimal(38,10)", pl.Int64(): "bigint", pl.Date(): "date",
                pl.Datetime("us", "UTC"): "timestamp with time zone", pl.Boolean(): "boolean"}
    for contract in CONTRACTS:
        schema = by_key[dg.AssetKey(["raw", contract.system, contract.name])].metadata["dagster/column_schema"]
        assert [(c.name, c.type) for c in schema.columns] == [
            (name, sql_type[dtype]) for name, dtype in raw_schema(contract).items()
        ], contract.name
        key_column = next(c for c in schema.columns if c.name == contract.key[0])
        assert not key_column.constraints.nullable


def test_no_description_loses_a_placeholder_in_the_ui(specs, check_specs):
    found = {}
    for spec in specs:
        tags = html_like_tags(spec.description)
        schema = spec.metadata.get("dagster/column_schema")
        for column in schema.columns if schema else []:
            tags += html_like_tags(column.description)
        if tags:
            found[spec.key.to_user_string()] = tags
    for check in check_specs:
        if html_like_tags(check.description):
            found[f"{check.asset_key.to_user_string()}:{check.name}"] = html_like_tags(check.description)
    assert not found, found
    extract = next(s for s in specs if s.key == dg.AssetKey("payout_extract"))
    assert "`SPM_EXPORT_DIR/payouts/<period>/`" in extract.description


def test_assets_link_to_their_code(specs):
    # plain specs have no code of their own (the payout ledger's tables, written by payout_publication)
    plain = {a.key for a in defs.assets if isinstance(a, dg.AssetSpec)}
    assert len(plain) < 5
    for spec in specs:
        references = spec.metadata.get("dagster/code_references")
        if spec.key in plain:
            continue
        assert references is not None, spec.key.to_user_string()
        for reference in references.code_references:
            assert Path(reference.file_path).is_file(), reference.file_path
    payout_line = next(s for s in specs if s.key == dg.AssetKey("fct_payout_line"))
    files = [Path(r.file_path).name for r in payout_line.metadata["dagster/code_references"].code_references]
    assert "fct_payout_line.sql" in files


def test_kinds_say_what_each_asset_is(specs):
    for spec in specs:
        assert spec.kinds, spec.key.to_user_string()
        is_dbt_model = DBT_UNIQUE_ID in spec.metadata
        assert ("dbt" in spec.kinds) == is_dbt_model, f"{spec.key.to_user_string()}: {spec.kinds}"
    forecast = next(s for s in specs if s.key == dg.AssetKey("payout_forecast"))
    assert "python" in forecast.kinds and "dbt" not in forecast.kinds


def test_finance_outputs_have_blocking_checks(check_specs):
    checks = {(c.asset_key.to_user_string(), c.name): c for c in check_specs}
    assert checks[("payout_extract", "payout_file_matches_warehouse")].blocking
    assert checks[("journal_entries", "journals_balance")].blocking


# --- the pure functions --------------------------------------------------------------------------


def test_ui_text_puts_placeholders_in_code_and_leaves_code_alone():
    assert ui_text("files under SPM_EXPORT_DIR/payouts/<period>/, retro lines") == (
        "files under `SPM_EXPORT_DIR/payouts/<period>/`, retro lines"
    )
    assert ui_text("Plans from <config>/plans/*.yaml.") == "Plans from `<config>/plans/*.yaml`."
    assert ui_text("(<landing>/crm/<YYYY-MM-DD>/)") == "(`<landing>/crm/<YYYY-MM-DD>/`)"
    code = "already `<period>` here\n\n```sql\nselect * from t where a <b> 1\n```\n"
    assert ui_text(code) == code
    assert ui_text("a <= b and c > 0") == "a <= b and c > 0"  # comparisons are no tags
    assert ui_text(None) is None
    assert html_like_tags("x <period> `<ok>` </b>") == ["<period>", "</b>"]
    assert html_like_tags(ui_text("x <period> </b>")) == []


def _test_node(name, model="fct_x", column=None, namespace=None, where=None, severity="ERROR", **kwargs):
    return {
        "name": f"{name}_{model}",
        "resource_type": "test",
        "attached_node": f"model.spm.{model}",
        "column_name": column,
        "test_metadata": {"name": name, "namespace": namespace, "kwargs": {"model": "{{ get_where_subquery(ref('" + model + "')) }}", **kwargs}},
        "config": {"where": where, "severity": severity},
        "package_name": "spm",
    }


MANIFEST = {
    "nodes": {"model.spm.fct_x": {"name": "fct_x"}},
    "macros": {"macro.spm.test_rows_are_fresh": {"macro_sql": "{#\n  Rows are at most a day old.\n#}\n{% test rows_are_fresh(model) %}"}},
}


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (_test_node("not_null", column="amount", column_name="amount"), "not_null: fct_x.amount must never be NULL."),
        (_test_node("unique", column="id"), "unique: no two rows of fct_x have the same id."),
        (
            _test_node("accepted_values", column="kind", values=["a", "b"]),
            "accepted_values: every non-NULL fct_x.kind is one of 'a', 'b'.",
        ),
        (
            _test_node("relationships", column="employee_id", to="ref('dim_payee')", field="employee_id"),
            "relationships: every non-NULL fct_x.employee_id is a employee_id of dim_payee.",
        ),
        (
            _test_node("unique_combination_of_columns", combination_of_columns=["a", "b"]),
            "unique_combination_of_columns: one row of fct_x per (a, b): no combination appears twice.",
        ),
        (
            _test_node("expression_is_true", expression="amount >= 0", where="is_paid"),
            "expression_is_true: `amount >= 0` holds on every row of fct_x. Only rows where `is_paid`.",
        ),
        (
            _test_node("row_rules", not_null=["id", "amount"], unique=["id"], unique_combinations=[["a", "b"]],
                       accepted_values={"kind": ["a", "b"], "days": {"values": [28, 31], "quote": False}},
                       expressions=["amount >= 0"],
                       relationships={"payee": {"to": "ref('dim_payee')", "field": "employee_id"}}),
            "row_rules: the rows of fct_x: none of fct_x.{id, amount} is ever NULL; no two rows have the same "
            "non-NULL id; one row per (a, b); every non-NULL kind is one of 'a', 'b'; every non-NULL days is one "
            "of 28, 31; `amount >= 0` holds on every row; every non-NULL payee is a employee_id of dim_payee. "
            "A failure names the rule and the column.",
        ),
        (
            _test_node("unique", column="id", severity="warn"),
            "unique: no two rows of fct_x have the same id. A failure warns; it does not stop the run.",
        ),
        (
            _test_node("rows_are_fresh", limit=1),
            "rows_are_fresh on fct_x (limit=1): Rows are at most a day old.",
        ),
        (
            {"name": "assert_it", "resource_type": "test", "raw_code": "-- The payouts add up\n-- per payee.\nselect 1",
             "config": {}, "original_file_path": "tests/assert_it.sql"},
            "assert_it: The payouts add up per payee.",
        ),
        (
            {"name": "assert_quiet", "resource_type": "test", "raw_code": "select 1", "config": {},
             "original_file_path": "tests/assert_quiet.sql"},
            "assert_quiet: the query of tests/assert_quiet.sql returns no row.",
        ),
        (
            {**_test_node("unique", column="id"), "description": "One row per <period>."},
            "unique: One row per `<period>`.",
        ),
    ],
)
def test_dbt_test_description(node, expected):
    assert dbt_test_description(node, MANIFEST) == expected


def test_column_schema_from_the_manifest():
    model = {
        "unique_id": "model.spm.fct_x",
        "columns": {
            "id": {"name": "id", "data_type": "varchar", "description": "The key."},
            "amount": {"name": "amount", "data_type": "decimal(38,10)", "description": "In <currency>.",
                       "constraints": [{"type": "not_null"}]},
            "note": {"name": "note", "description": "Free text."},
        },
    }
    manifest = {"nodes": {"model.spm.fct_x": model, "test.spm.u": _test_node("unique", column="id"),
                          "test.spm.n": _test_node("not_null_columns", columns=["id"])}}
    columns = {c.name: c for c in column_schema(model, manifest).columns}
    assert (columns["id"].type, columns["id"].constraints.nullable, columns["id"].constraints.unique) == ("varchar", False, True)
    assert (columns["amount"].type, columns["amount"].constraints.nullable) == ("decimal(38,10)", False)
    assert columns["amount"].description == "In `<currency>`."
    assert (columns["note"].type, columns["note"].constraints.nullable) == (UNKNOWN_TYPE, True)
    assert column_schema({"unique_id": "model.spm.y", "columns": {}}, manifest) is None
    # a row_rules test says the same of its columns
    ruled = {"nodes": {"model.spm.fct_x": model, "test.spm.r": _test_node(
        "row_rules", not_null=["id"], unique=["id"], accepted_values={"note": ["a", "b"]},
        relationships={"amount": {"to": "ref('fct_y')", "field": "total"}})}}
    columns = {c.name: c for c in column_schema(model, ruled).columns}
    assert (columns["id"].constraints.nullable, columns["id"].constraints.unique) == (False, True)
    assert (columns["note"].constraints.nullable, columns["note"].constraints.other) == (True, ["one of 'a', 'b'"])
    assert columns["amount"].constraints.other == ["references fct_y.total"]


def test_catalog_spec_gives_owner_escapes_and_fixes_kinds():
    spec = dg.AssetSpec("forecast", group_name="forecasts", kinds={"python", "dbt"}, description="Under <period>/.")
    out = catalog_spec(spec, engine_kind="duckdb")
    assert list(out.owners) == ["team:bi"]
    assert out.kinds == {"python", "duckdb"}
    assert out.description == "Under `<period>/`."
    own = catalog_spec(dg.AssetSpec("x", group_name="bi", owners=["team:someone"], kinds={"python"}))
    assert list(own.owners) == ["team:someone"]
