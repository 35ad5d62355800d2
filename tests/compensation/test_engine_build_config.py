"""The engine builds incrementally by default; a full refresh is one flag away (docs/incremental.md)."""

from __future__ import annotations

from assets.compensation.assets import dbt_build_args
from core.engine import engine_fingerprint


def test_the_build_is_incremental_unless_a_full_refresh_is_asked_for():
    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(full_refresh=True) == ["build", "--full-refresh", "--exclude-resource-type", "unit_test"]


def test_the_pipeline_job_accepts_a_full_refresh():
    from orchestration import cli
    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    config = cli.console_run_config()
    config["ops"] = {"spm_dbt_models": {"config": {"full_refresh": True}}}
    from dagster._core.system_config.objects import ResolvedRunConfig

    resolved = ResolvedRunConfig.build(job, config)
    assert resolved.ops["spm_dbt_models"].config == {"full_refresh": True}


def test_the_engine_fingerprint_changes_with_a_model_and_not_with_a_test(tmp_path):
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "tests").mkdir()
    (project / "dbt_project.yml").write_text("name: spm\n")
    (project / "models" / "m.sql").write_text("select 1 as x\n")
    first = engine_fingerprint(project)
    (project / "tests" / "t.sql").write_text("select 1 where false\n")
    assert engine_fingerprint(project) == first
    (project / "models" / "m.sql").write_text("select 2 as x\n")
    assert engine_fingerprint(project) != first
