"""An incremental build equals a full build, to the cent, for every model (docs/incremental.md).

The session's demo company (tests/conftest.py ``demo_pipeline``: a full build on
all three CRM batches) is built again batch by batch into a second warehouse:
its raw layer with only the first CRM batch (and the HR batch of that date),
then with the second, then with all of them, each build incremental on the one
before. Every model of that warehouse must hold exactly the rows of the full
build. A changed engine then makes the next build recompute every deal, and it
still equals the full build.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from demo.clock import CRM_BATCHES, HR_BATCHES, batch_name
from tests.support.warehouse import env_without_spm, run_dbt

pytestmark = pytest.mark.slow

ENGINE_STATE = ("int_engine_current_loads", "int_engine_loads", "int_engine_touched_opportunities")


def stage_raw_layer(raw: Path, target: Path, crm_batches: list[str], hr_batches: list[str]) -> Path:
    """``target``: the raw layer ``raw`` with only the CRM and HR batches named (symbolic links);
    configuration and everything without a batch folder is kept whole."""
    keep = {"crm": set(crm_batches), "hr": set(hr_batches)}
    for path in sorted(raw.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(raw)
        batch = next((part[len("batch="):] for part in relative.parts if part.startswith("batch=")), None)
        system = relative.parts[0]
        if batch is not None and system in keep and batch not in keep[system]:
            continue
        link = target / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(path.resolve(), link)
    return target


def build(raw: Path, warehouse: Path, work: Path, *extra: str, engine: str = "test-engine") -> dict:
    env = env_without_spm() | {"SPM_RAW_DIR": str(raw), "SPM_WAREHOUSE": str(warehouse),
                               "SPM_ENGINE_FINGERPRINT": engine}
    completed = run_dbt("build", work, env, *extra)
    results = json.loads((work / "target" / "run_results.json").read_text())
    failures = [f"{r['unique_id']}: {r['status']} {r.get('message')}" for r in results["results"]
                if r["status"] not in ("success", "pass") and not r["unique_id"].startswith("exposure.")]  # an exposure is a no-op
    assert completed.returncode == 0 and not failures, "\n".join(failures) or completed.stdout[-3000:]
    return results


def model_relations(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' "
            "union select view_name from duckdb_views() where schema_name = 'main' and not internal "
            "order by 1"
        ).fetchall()
    finally:
        con.close()
    return [name for (name,) in rows if name.startswith(("stg_", "int_", "fct_", "dim_")) and name not in ENGINE_STATE]


def differences(incremental: Path, full: Path, relations: list[str]) -> dict[str, tuple[int, int]]:
    """Per relation, (rows only in the incremental build, rows only in the full build)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")
        found = {}
        for name in relations:
            a, b = f'incremental.main."{name}"', f'full_build.main."{name}"'
            only_a = con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0]
            only_b = con.execute(f"select count(*) from (select * from {b} except all select * from {a})").fetchone()[0]
            if only_a or only_b:
                found[name] = (only_a, only_b)
        return found
    finally:
        con.close()


def scope(warehouse: Path) -> tuple[int, bool]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select count(*), coalesce(bool_or(full_rebuild), false) from int_engine_touched_opportunities"
        ).fetchone()
    finally:
        con.close()


def test_a_company_built_batch_by_batch_equals_the_full_build_for_every_model(demo_pipeline, tmp_path):
    paths, result, _ = demo_pipeline
    assert result.success
    full = paths.warehouse
    warehouse = tmp_path / "incremental.duckdb"
    crm = [batch_name(b) for b in CRM_BATCHES]
    # Staging views read the raw layer of the build that made them; the last stage's folder is the full one.
    for k, crm_date in enumerate(CRM_BATCHES, start=1):
        hr = [batch_name(b) for b in HR_BATCHES if b <= crm_date]
        raw = stage_raw_layer(paths.raw_dir, tmp_path / f"stage{k}" / "raw", crm[:k], hr)
        last = k == len(CRM_BATCHES)
        # models and seeds for the first batches; the last build runs every data test too
        extra = () if last else ("--resource-type", "seed", "--resource-type", "model")
        build(raw, warehouse, tmp_path / f"stage{k}", *extra)
        touched, full_rebuild = scope(warehouse)
        assert full_rebuild == (k == 1), f"batch {k}: full_rebuild={full_rebuild}"
        if k > 1:
            assert 0 < touched, f"batch {k} recomputed no deal"

    relations = model_relations(full)
    assert len(relations) > 90
    # every incremental model (by deal: the crediting chain, the staging tables, the deal-level marts) is compared
    manifest = json.loads((tmp_path / f"stage{len(CRM_BATCHES)}" / "target" / "manifest.json").read_text())
    incremental = {node["name"] for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"}
    assert len(incremental) > 20 and incremental <= set(relations), incremental - set(relations)
    assert differences(warehouse, full, relations) == {}

    # Nothing new: the scope is empty, and the warehouse still equals the full build.
    build(raw, warehouse, tmp_path / "again", "--resource-type", "seed", "--resource-type", "model")
    assert scope(warehouse) == (0, False)
    # A changed engine recomputes every deal.
    build(raw, warehouse, tmp_path / "new_engine", "--resource-type", "seed", "--resource-type", "model",
          engine="another-engine")
    touched, full_rebuild = scope(warehouse)
    assert full_rebuild and touched > 0
    assert differences(warehouse, full, relations) == {}
