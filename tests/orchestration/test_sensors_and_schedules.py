"""The new-batch sensor starts one run per new batch, never two; the daily schedule targets the pipeline."""

from __future__ import annotations

import dagster as dg

from core.resources import SpmPathsResource
from orchestration.definitions import PIPELINE_JOB_NAME, defs
from orchestration.sensors import landed_batches


def _tick(sensor, landing, cursor=None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"paths": SpmPathsResource(landing_dir=str(landing))}
    )
    result = sensor.evaluate_tick(context)
    return result, result.cursor


def test_one_run_per_new_batch_and_none_for_a_batch_already_seen(tmp_path):
    sensor = defs.resolve_sensor_def("new_landing_batch")
    (tmp_path / "crm" / "2026-10-31").mkdir(parents=True)
    (tmp_path / "hr" / "2026-10-31").mkdir(parents=True)

    first, cursor = _tick(sensor, tmp_path)
    assert [r.run_key for r in first.run_requests] == ["batches:crm/2026-10-31,hr/2026-10-31"]

    again, cursor = _tick(sensor, tmp_path, cursor)
    assert again.run_requests == [] and again.skip_message

    (tmp_path / "crm" / "2026-11-27").mkdir()
    third, _ = _tick(sensor, tmp_path, cursor)
    assert [r.run_key for r in third.run_requests] == ["batches:crm/2026-11-27"]


def test_landed_batches_ignores_hidden_and_files(tmp_path):
    (tmp_path / "crm" / "2026-11-27").mkdir(parents=True)
    (tmp_path / "crm" / ".tmp").mkdir()
    (tmp_path / "crm" / "README.txt").write_text("x")
    assert landed_batches(tmp_path) == ["crm/2026-11-27"]


def test_daily_schedule_runs_the_pipeline_and_the_job_retries():
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == PIPELINE_JOB_NAME
    assert schedule.cron_schedule == "0 6 * * *"
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert job.op_retry_policy is not None and job.op_retry_policy.max_retries == 2


def test_no_run_is_started_on_a_configuration_the_pipeline_refuses(tmp_path, monkeypatch):
    from tests.support.plans import GOOD_PLAN, write_plan

    config = tmp_path / "config"
    write_plan(config, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', 'rat: "0.08"'))
    monkeypatch.setenv("SPM_CONFIG_DIR", str(config))
    landing = tmp_path / "landing"
    (landing / "crm" / "2026-10-31").mkdir(parents=True)
    sensor = defs.resolve_sensor_def("new_landing_batch")

    skipped, cursor = _tick(sensor, landing)
    assert skipped.run_requests == [] and cursor is None  # the batch is not marked seen
    assert skipped.skip_message.startswith("not started: 2 problem(s) the pipeline would stop on")
    assert "plans/ae.yaml (plan AE-2026, component commission)" in skipped.skip_message

    schedule = defs.resolve_schedule_def("daily_refresh")
    with dg.build_schedule_context() as context:
        tick = schedule.evaluate_tick(context)
    assert tick.run_requests == [] and "plans/ae.yaml" in tick.skip_message

    write_plan(config, "ae.yaml", GOOD_PLAN)
    started, _ = _tick(sensor, landing)
    assert [r.run_key for r in started.run_requests] == ["batches:crm/2026-10-31"]
    with dg.build_schedule_context() as context:
        assert len(schedule.evaluate_tick(context).run_requests) == 1
