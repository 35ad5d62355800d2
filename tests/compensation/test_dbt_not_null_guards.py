"""How the warehouse guards NOT NULL (dbt_project/README.md, "Data tests"), each guard once.

* A contracted table mart declares its not-null columns as contract constraints: DuckDB
  refuses a null while dbt builds the table, so the model's build fails, naming the column.
* Any other model has at most one not-null test: its ``row_rules`` test (tests/generic/), one
  query for its not-null columns, unique keys, accepted values and expressions, whose failure
  rows name each broken rule, what it checks and the failing rows (or ``not_null_columns`` where
  a model has no other row rule).
* A model's row rules are one test, one dbt node: no model keeps a second test that ``row_rules``
  could hold (only a rule with its own ``where`` or severity stays a test of its own).
* A mart that is a plain ``select *`` of an intermediate twin is a view with no data test
  and no constraint of its own: its rows are tested on the twin.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from core.settings import DBT_PROJECT_DIR
from tests.support.warehouse import DBT, env_without_spm

# The marts that are a plain select * of an intermediate model (dbt_project/README.md).
TWIN_MARTS = {
    "fct_quota": "int_quota_months", "dim_payee_period": "int_payee_period_hr", "dim_payee": "int_payees",
    "fct_commission": "int_commission", "fct_clawback": "int_clawbacks", "fct_payable": "int_payables",
    "fct_attainment": "int_attainment", "fct_commission_detail": "int_commission_detail",
    "fct_credit": "int_credits", "dim_period": "int_periods",
    "fct_credit_by_product_family": "int_credits_by_product_family",
    "fct_payee_balance": "int_payee_balances_rolled", "fct_payout_line": "int_payout_lines",
    "fct_payout_file_line": "int_payout_file_lines", "fct_payout_adjustment": "int_payout_adjustments",
    "fct_payee_coaching_area": "int_payee_coaching_areas", "fct_earning_hold": "int_earning_holds",
}
# The marts with one row per deal (or per deal and entity), incremental by deal (docs/incremental.md).
DEAL_LEVEL_MARTS = {"dim_opportunity", "fct_opportunity_history", "fct_pipeline_credit_share"}


def _manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def _data_tests(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "test" and n.get("test_metadata")]


def test_twin_marts_are_views_of_their_intermediate_table_with_their_tests_on_the_table():
    manifest = _manifest()
    models = _models(manifest)
    tested = Counter(t["attached_node"] for t in _data_tests(manifest))
    for mart, twin in TWIN_MARTS.items():
        node = models[mart]
        assert node["config"]["materialized"] == "view", mart
        assert node["config"]["contract"]["enforced"] is True, mart
        assert node["depends_on"]["nodes"] == [models[twin]["unique_id"]], mart
        assert models[twin]["config"]["materialized"] in ("table", "incremental"), twin  # incremental: by deal
        assert not any(column.get("constraints") for column in node["columns"].values()), mart
        assert tested[node["unique_id"]] == 0, f"{mart}: its data tests belong on {twin}"
        assert tested[models[twin]["unique_id"]] > 0, twin
    # every other mart is a table, the deal-level ones incremental by deal (docs/incremental.md)
    others = {name for name, n in models.items() if n["fqn"][1] == "marts"} - set(TWIN_MARTS)
    incremental = {name for name in others if models[name]["config"]["materialized"] == "incremental"}
    assert incremental == DEAL_LEVEL_MARTS
    assert {models[name]["config"]["materialized"] for name in others - incremental} == {"table"}


def test_not_null_is_a_constraint_on_contracted_tables_and_one_test_per_model_elsewhere():
    manifest = _manifest()
    models = _models(manifest)
    by_id = {n["unique_id"]: n for n in models.values()}
    not_null_tests: Counter[str] = Counter()
    for test in _data_tests(manifest):
        name = test["test_metadata"]["name"]
        if name == "row_rules" and not test["test_metadata"]["kwargs"].get("not_null"):
            continue
        if name not in ("not_null", "not_null_columns", "row_rules"):
            continue
        assert test["config"]["severity"].lower() == "error", test["name"]
        not_null_tests[test["attached_node"]] += 1
        model = by_id.get(test["attached_node"])
        if model is not None and model["config"]["materialized"] in ("table", "incremental"):
            assert not model["config"]["contract"]["enforced"], (
                f"{test['name']}: a contracted table declares not_null as a constraint"
            )
    assert not [node for node, count in not_null_tests.items() if count > 1]
    constrained = {
        name for name, n in models.items()
        if any(c["type"] == "not_null" for column in n["columns"].values() for c in column.get("constraints", []))
    }
    assert {"fct_quarantine", "fct_journal_line", "dim_opportunity", "fct_payee_balance_owed"} <= constrained
    # tables: DuckDB keeps the constraint of an incremental table on every insert too
    assert {models[name]["config"]["materialized"] for name in constrained} <= {"table", "incremental"}


# The tests row_rules stands for, one rule each.
ROW_RULE_TESTS = {"not_null", "unique", "not_null_columns", "unique_combination_of_columns", "accepted_values",
                  "expression_is_true", "row_rules"}


def test_a_model_has_one_row_rules_test_not_one_test_per_rule():
    manifest = _manifest()
    per_node: dict[str, list[str]] = {}
    for test in _data_tests(manifest):
        config = test["config"]
        if test["test_metadata"]["name"] not in ROW_RULE_TESTS or config.get("where"):
            continue
        if str(config.get("severity")).lower() != "error":
            continue
        per_node.setdefault(test["attached_node"], []).append(test["name"])
    several = {node: names for node, names in per_node.items() if len(names) > 1}
    assert not several
    ruled = [t for t in _data_tests(manifest) if t["test_metadata"]["name"] == "row_rules"]
    assert len(ruled) > 70
    assert all(t["name"] == "row_rules_" + t["attached_node"].split(".")[-1] for t in ruled)


# ---------------------------------------------------------------- what DuckDB and the test really do

PROJECT = """\
name: not_null_guards
version: "0.1.0"
config-version: 2
profile: not_null_guards
models:
  not_null_guards:
    +materialized: table
"""

PROFILES = """\
not_null_guards:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: "{{ env_var('GUARDS_WAREHOUSE') }}"
      threads: 1
"""

SCHEMA = """\
version: 2
models:
  - name: contracted_with_a_null
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}]
      - name: payee
        data_type: varchar
        constraints: [{type: not_null}]
  - name: contracted_without_nulls
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}]
      - name: payee
        data_type: varchar
        constraints: [{type: not_null}]
  - name: checked
    data_tests:
      - not_null_columns:
          arguments:
            columns: [id, payee, currency]
  - name: checked_where
    data_tests:
      - not_null_columns:
          arguments:
            columns: [id, payee]
          config:
            where: "id < 3"
  # every rule kind of row_rules, each broken once by ruled's rows (and the one test each stands for)
  - name: ruled
    data_tests:
      - row_rules:
          name: row_rules_ruled
          arguments: &ruled
            not_null: [id, payee, amount]
            unique: [code, id]
            unique_combinations: [[payee, period], [id, period]]
            accepted_values:
              kind: [owner, split]
              tier: {values: [1, 2], quote: false}
            expressions: ["amount >= 0", "kind <> 'split' or amount < 100", "payee <> 'E''s'"]
            relationships:
              payee: {to: "ref('payees')", field: employee_id}
              period: {to: "ref('payees')", field: hired_period}
      - not_null: {arguments: {column_name: id}}
      - not_null: {arguments: {column_name: payee}}
      - not_null: {arguments: {column_name: amount}}
      - unique: {arguments: {column_name: code}}
      - unique: {arguments: {column_name: id}}
      - unique_combination_of_columns: {arguments: {combination_of_columns: [payee, period]}}
      - unique_combination_of_columns: {arguments: {combination_of_columns: [id, period]}}
      - accepted_values: {arguments: {column_name: kind, values: [owner, split]}}
      - accepted_values: {arguments: {column_name: tier, values: [1, 2], quote: false}}
      - expression_is_true: {arguments: {expression: "amount >= 0"}}
      - expression_is_true: {arguments: {expression: "kind <> 'split' or amount < 100"}}
      - expression_is_true: {arguments: {expression: "payee <> 'E''s'"}}
      - relationships: {arguments: {column_name: payee, to: "ref('payees')", field: employee_id}}
      - relationships: {arguments: {column_name: period, to: "ref('payees')", field: hired_period}}
  - name: ruled_where
    data_tests:
      - row_rules:
          name: row_rules_ruled_where
          arguments: *ruled
          config:
            where: "id = 1"
  - name: ruled_clean
    data_tests:
      - row_rules:
          name: row_rules_ruled_clean
          arguments: *ruled
"""

# payees: E1, E2 and E3 (E4 is unknown: one failing row of ruled, none of ruled_clean); every period is known.
PAYEES = "select * from (values ('E1', '2026-01'), ('E2', '2026-02'), ('E3', '2026-02')) as t(employee_id, hired_period)"
# ruled: payee null once (row 3); code twice 'A' (rows 1, 2; its null twice is skipped, as dbt's unique
# does); (payee, period) twice ('E1', '2026-01'); kind 'other' once (a null kind passes); tier 3 once;
# amount -5 once; a split of 150 once; id, amount, (id, period) and the quoted expression hold.
RULED = """\
select * from (values
    (1, 'E1', '2026-01', 'A',  'owner', 1, 10.00),
    (2, 'E1', '2026-01', 'A',  'split', 2, 150.00),
    (3, null, '2026-02', null, 'other', 3, 20.00),
    (4, 'E4', '2026-02', null, null,    1, -5.00)
) as t(id, payee, period, code, kind, tier, amount)"""
RULED_CLEAN = """\
select * from (values
    (1, 'E1', '2026-01', 'A', 'owner', 1, 10.00),
    (2, 'E2', '2026-01', null, 'split', 2, 50.00),
    (3, 'E3', '2026-02', null, null, null, 0.00)
) as t(id, payee, period, code, kind, tier, amount)"""

ROWS = "select * from (values (1, 'E1', null), (2, null, null), (3, null, 'USD'), (4, 'E4', 'EUR')) as t(id, payee, currency)"


def _guards_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A throwaway dbt project in ``tmp_path`` using the warehouse's adapter and its not_null_columns test."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "tests" / "generic").mkdir(parents=True)
    for generic in ("not_null_columns", "row_rules", "unique_combination_of_columns", "expression_is_true"):
        shutil.copyfile(
            DBT_PROJECT_DIR / "tests" / "generic" / f"{generic}.sql", project / "tests" / "generic" / f"{generic}.sql"
        )
    (project / "dbt_project.yml").write_text(PROJECT)
    (project / "profiles.yml").write_text(PROFILES)
    (project / "models" / "schema.yml").write_text(SCHEMA)
    models = project / "models"
    (models / "contracted_with_a_null.sql").write_text("select 1 as id, cast(null as varchar) as payee")
    (models / "contracted_without_nulls.sql").write_text("select 1 as id, 'E1' as payee")
    (models / "checked.sql").write_text(ROWS)
    (models / "checked_where.sql").write_text(ROWS)
    (models / "payees.sql").write_text(PAYEES)
    (models / "ruled.sql").write_text(RULED)
    (models / "ruled_where.sql").write_text(RULED)
    (models / "ruled_clean.sql").write_text(RULED_CLEAN)
    env = env_without_spm() | {"GUARDS_WAREHOUSE": str(tmp_path / "guards.duckdb")}
    return project, env


def _dbt(project: Path, tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, env=env, check=False,
    )


@pytest.mark.slow
def test_duckdb_refuses_a_null_in_a_constrained_column_so_the_build_fails(tmp_path):
    project, env = _guards_project(tmp_path)
    failed = _dbt(project, tmp_path, env, "build", "--select", "contracted_with_a_null")
    assert failed.returncode != 0, failed.stdout[-3000:]
    assert "NOT NULL constraint failed" in failed.stdout and "payee" in failed.stdout, failed.stdout[-3000:]
    built = _dbt(project, tmp_path, env, "build", "--select", "contracted_without_nulls")
    assert built.returncode == 0, built.stdout[-3000:]
    con = duckdb.connect(str(tmp_path / "guards.duckdb"), read_only=True)
    try:
        tables = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        not_null = con.execute(
            "select column_name, is_nullable from information_schema.columns "
            "where table_name = 'contracted_without_nulls' order by ordinal_position"
        ).fetchall()
    finally:
        con.close()
    assert "contracted_with_a_null" not in tables  # the failed build left no table
    assert not_null == [("id", "NO"), ("payee", "NO")]  # the constraint is on the table


@pytest.mark.slow
def test_not_null_columns_names_each_column_with_nulls_and_counts_them(tmp_path):
    project, env = _guards_project(tmp_path)
    completed = _dbt(project, tmp_path, env, "build", "--select", "checked", "checked_where", "--store-failures")
    assert completed.returncode != 0  # both tests find nulls
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    tests = {r["unique_id"].split(".")[2]: r for r in results if r["unique_id"].startswith("test.")}
    assert len(tests) == 2 and {r["status"] for r in tests.values()} == {"fail"}
    con = duckdb.connect(str(tmp_path / "guards.duckdb"), read_only=True)
    try:
        failures = {}
        for name in tests:
            relation = con.execute(
                "select table_schema, table_name from information_schema.tables where table_name = ?", [name]
            ).fetchone()
            failures[name] = con.execute(
                f'select column_name, null_rows, row_count from "{relation[0]}"."{relation[1]}" order by 1'
            ).fetchall()
    finally:
        con.close()
    (all_rows,) = [rows for name, rows in failures.items() if "checked_where" not in name]
    (filtered,) = [rows for name, rows in failures.items() if "checked_where" in name]
    assert all_rows == [("currency", 2, 4), ("payee", 2, 4)]  # id has no null: not listed
    assert filtered == [("payee", 1, 2)]  # the where config narrows the rows (ids 1 and 2)


def _failures(tmp_path: Path, test_name: str) -> list[tuple]:
    """The rows a failed test stored (``--store-failures``), sorted."""
    con = duckdb.connect(str(tmp_path / "guards.duckdb"), read_only=True)
    try:
        schema, table = con.execute(
            "select table_schema, table_name from information_schema.tables where table_name = ?", [test_name]
        ).fetchone()
        return sorted(con.execute(f'select * from "{schema}"."{table}"').fetchall())
    finally:
        con.close()


@pytest.mark.slow
def test_row_rules_names_each_broken_rule_and_agrees_with_the_test_it_stands_for(tmp_path):
    project, env = _guards_project(tmp_path)
    completed = _dbt(project, tmp_path, env, "build", "--select", "payees", "ruled", "ruled_where", "ruled_clean",
                     "--store-failures")
    assert completed.returncode != 0
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results
              if r["unique_id"].startswith("test.")}
    # one row per broken rule: the rule, what it checks, how many rows (or repeated keys) break it
    assert _failures(tmp_path, "row_rules_ruled") == [
        ("accepted_values", "kind", 1),
        ("accepted_values", "tier", 1),
        ("expression_is_true", "amount >= 0", 1),
        ("expression_is_true", "kind <> 'split' or amount < 100", 1),
        ("not_null", "payee", 1),
        ("relationships", "payee -> payees.employee_id", 1),
        ("unique", "code", 1),
        ("unique_combination", "payee, period", 1),
    ]
    assert status["row_rules_ruled"] == ("fail", 8)
    # the single test of each rule fails exactly where the guard names it
    broken = {("not_null", "payee"), ("unique", "code"), ("unique_combination_of_columns", "payee"),
              ("accepted_values", "kind"), ("accepted_values", "tier"), ("expression_is_true", "amount"),
              ("expression_is_true", "kind"), ("relationships", "payee")}
    singles = {name: result for name, result in status.items() if not name.startswith("row_rules")}
    assert len(singles) == 14
    for name, (test_status, _) in singles.items():
        expected = any(name.startswith(f"{kind}_ruled_{column}") for kind, column in broken)
        assert test_status == ("fail" if expected else "pass"), name
    # a where config narrows every rule's rows (id 1 breaks none); clean rows break none
    assert status["row_rules_ruled_where"] == ("pass", 0)
    assert status["row_rules_ruled_clean"] == ("pass", 0)
