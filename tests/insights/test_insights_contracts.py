"""BI can rely on the planning and insight marts: enforced contracts, a description on every column,
a contract violation fails the build, and ``dbt docs generate`` (``make docs``) works offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.support.planning import planning_warehouse
from tests.support.raw import write_empty_layout
from tests.support.warehouse import DBT
from tests.support.warehouse import env_without_spm as _env_without_spm

MART_FOLDERS = ("planning", "insights")
EXPECTED_MARTS = {
    "fct_account_territory", "fct_territory_assignment", "fct_territory_potential", "fct_quota_proposal",
    "fct_quota_proposal_vs_assigned", "fct_capacity_plan", "fct_attainment_distribution", "fct_payee_attainment_flag",
    "fct_sales_performance", "fct_discounting", "fct_pipeline_coverage", "fct_product_family_performance",
    "fct_territory_fit",
    "fct_payee_coaching_need", "fct_payee_coaching_area",
}


def _manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def _marts(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:3] in (["marts", f] for f in MART_FOLDERS)
    }


def test_every_planning_and_insight_mart_has_an_enforced_contract_and_described_columns():
    marts = _marts(_manifest())
    assert set(marts) == EXPECTED_MARTS
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["description"].strip(), name
        assert node["columns"], name
        for column, spec in node["columns"].items():
            assert spec["data_type"], f"{name}.{column} has no data_type"
            assert spec["description"].strip(), f"{name}.{column} has no description"


# Contracts are written in types both engines read (`string`, as Spark names it); DuckDB
# reports its own name for the same type.
_DUCKDB_NAMES = {"string": "varchar"}


def _duckdb_type(declared: str) -> str:
    name = declared.replace(" ", "").lower()
    return _DUCKDB_NAMES.get(name, name)


@pytest.mark.slow
def test_the_built_marts_have_exactly_the_contract_columns_and_types(tmp_path_factory):
    import duckdb

    con = duckdb.connect(str(planning_warehouse(tmp_path_factory)), read_only=True)
    try:
        for name, node in _marts(_manifest()).items():
            built = con.execute(
                "select column_name, lower(data_type) from information_schema.columns where table_name = ? "
                "order by ordinal_position", [name]
            ).fetchall()
            declared = [(c, _duckdb_type(spec["data_type"])) for c, spec in node["columns"].items()]
            assert [(c, t.replace(" ", "")) for c, t in built] == declared, name
    finally:
        con.close()


def _copy_project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb"))
    return project


@pytest.mark.slow
def test_a_contract_violation_fails_the_build(tmp_path):
    project = _copy_project(tmp_path)
    model = project / "models" / "marts" / "planning" / "fct_capacity_plan.sql"
    text = model.read_text()
    broken = "cast(plan_year as {{ dbt.type_string() }}) as plan_year"
    model.write_text(text.replace("cast(plan_year as {{ dbt.type_int() }}) as plan_year", broken))
    assert broken in model.read_text()
    raw = tmp_path / "raw"
    write_empty_layout(raw)
    env = _env_without_spm() | {"SPM_RAW_DIR": str(raw), "SPM_WAREHOUSE": str(tmp_path / "spm.duckdb")}
    completed = subprocess.run(
        [DBT, "run", "--project-dir", str(project), "--profiles-dir", str(project), "--select", "+fct_capacity_plan",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert completed.returncode != 0
    assert "contract" in completed.stdout.lower() and "plan_year" in completed.stdout, completed.stdout[-3000:]


@pytest.mark.slow
def test_dbt_docs_generate_writes_the_site_and_the_catalog_of_the_marts(tmp_path, tmp_path_factory):
    shared = planning_warehouse(tmp_path_factory)
    # a copy: dbt opens its warehouse for writing, which would lock the session's shared one
    # out of the other workers' read-only connections (docs generate only reads its catalog)
    warehouse = tmp_path / "spm.duckdb"
    shutil.copyfile(shared, warehouse)
    env = _env_without_spm() | {"SPM_RAW_DIR": str(shared.parent / "raw"), "SPM_WAREHOUSE": str(warehouse)}
    completed = subprocess.run(
        [DBT, "docs", "generate", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert (tmp_path / "target" / "index.html").is_file()
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    tables = {node["metadata"]["name"]: node for node in catalog["nodes"].values()}
    assert EXPECTED_MARTS <= set(tables)
    assert {c.lower() for c in tables["fct_capacity_plan"]["columns"]} >= {"plan_year", "new_hires_needed"}


@pytest.mark.slow
def test_make_docs_works_without_a_warehouse_and_creates_none(tmp_path):
    missing = tmp_path / "warehouse" / "spm.duckdb"
    env = _env_without_spm() | {"SPM_WAREHOUSE": str(missing), "SPM_RAW_DIR": str(tmp_path / "raw")}
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_docs", "--target-path", str(tmp_path / "target")],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert (tmp_path / "target" / "index.html").is_file()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert EXPECTED_MARTS <= set(_marts(manifest))
    assert not missing.exists() and not missing.parent.exists()


def test_the_makefile_has_a_docs_target_after_prepare():
    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = makefile.split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    assert "orchestration.cli prepare" in recipe and "orchestration.dbt_docs" in recipe
    assert recipe.index("prepare") < recipe.index("dbt_docs")
    assert os.path.basename(DBT) == "dbt"
