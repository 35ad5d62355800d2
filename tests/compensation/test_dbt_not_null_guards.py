"""How the warehouse guards NOT NULL (dbt_project/README.md, "Data tests"), each guard once.

* A contracted table mart declares its not-null columns as contract constraints: DuckDB
  refuses a null while dbt builds the table, so the model's build fails, naming the column.
* Any other model has at most one not-null test: ``not_null_columns`` (tests/generic/), one
  scan for all its columns, whose failure rows name each column with nulls and the count.
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
        if name not in ("not_null", "not_null_columns"):
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
"""

ROWS = "select * from (values (1, 'E1', null), (2, null, null), (3, null, 'USD'), (4, 'E4', 'EUR')) as t(id, payee, currency)"


def _guards_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A throwaway dbt project in ``tmp_path`` using the warehouse's adapter and its not_null_columns test."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "tests" / "generic").mkdir(parents=True)
    shutil.copyfile(
        DBT_PROJECT_DIR / "tests" / "generic" / "not_null_columns.sql",
        project / "tests" / "generic" / "not_null_columns.sql",
    )
    (project / "dbt_project.yml").write_text(PROJECT)
    (project / "profiles.yml").write_text(PROFILES)
    (project / "models" / "schema.yml").write_text(SCHEMA)
    models = project / "models"
    (models / "contracted_with_a_null.sql").write_text("select 1 as id, cast(null as varchar) as payee")
    (models / "contracted_without_nulls.sql").write_text("select 1 as id, 'E1' as payee")
    (models / "checked.sql").write_text(ROWS)
    (models / "checked_where.sql").write_text(ROWS)
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
