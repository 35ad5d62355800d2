"""Parallel steps (docs/scale_out.md): the multiprocess executor bounded by SPM_PARALLEL_STEPS,
the per-period split of the bookings forecast, and the single-writer rule on the warehouse.

The parallel run itself, on the demo company, with its bytes compared with a sequential run:
tests/forecasts/test_forecasts_parallel.py.
"""

from __future__ import annotations

import pytest
import yaml

from assets.forecasts.fanout import LIVE_WEIGHT, split_tasks
from assets.forecasts.runner import LIVE, period_tasks
from core.failures import is_user_error
from core.resources import parallel_executor, steps_at_once
from core.settings import REPO_ROOT, Settings

WAREHOUSE_POOL = "duckdb_warehouse"


def _resolved(executor, chosen: dict) -> dict:
    """The executor's config for the run config ``execution: {config: chosen}``."""
    resolved = executor.config_schema.resolve_config({"config": chosen} if chosen else {})
    assert resolved.success, resolved.errors
    return resolved.value["config"]


def _max_concurrent(executor) -> int:
    return _resolved(executor, {})["multiprocess"]["max_concurrent"]


def test_the_executor_runs_at_most_spm_parallel_steps_processes(monkeypatch):
    monkeypatch.setenv("SPM_PARALLEL_STEPS", "3")
    executor = parallel_executor()
    assert executor.name == "spm_multiprocess"
    assert _max_concurrent(executor) == 3
    monkeypatch.setenv("SPM_PARALLEL_STEPS", "0")  # the default: one per core
    import os

    assert steps_at_once() == (os.cpu_count() or 1) == _max_concurrent(parallel_executor())


def test_run_config_may_still_run_in_process_or_set_its_own_bound(monkeypatch):
    monkeypatch.setenv("SPM_PARALLEL_STEPS", "2")
    executor = parallel_executor()
    assert set(_resolved(executor, {"in_process": {}})) == {"in_process"}
    multiprocess = _resolved(executor, {"multiprocess": {"max_concurrent": 5}})["multiprocess"]
    assert multiprocess["max_concurrent"] == 5
    assert multiprocess["start_method"] == {"forkserver": {"preload_modules": ["orchestration.definitions"]}}


def test_a_bad_spm_parallel_steps_is_one_line(monkeypatch):
    monkeypatch.setenv("SPM_PARALLEL_STEPS", "two")
    with pytest.raises(Exception) as raised:
        Settings.from_env()
    assert is_user_error(raised.value)
    assert raised.value.description == "SPM_PARALLEL_STEPS must be a whole number of steps (at least 0), not 'two'."


def test_the_code_locations_jobs_use_the_bounded_multiprocess_executor():
    from orchestration.definitions import PIPELINE_JOB_NAME, PUBLISH_JOB_NAME, defs

    for name in (PIPELINE_JOB_NAME, PUBLISH_JOB_NAME):
        assert defs.resolve_job_def(name).executor_def.name == "spm_multiprocess"


def test_the_warehouse_pool_has_one_slot():
    """A Dagster pool is a counting semaphore: a step cannot take every slot, so readers sharing
    the file while the writer waits for all of them cannot be expressed. One slot, shared by
    dbt and every step that opens the file, keeps a reader and the writer apart across runs."""
    config = yaml.safe_load((REPO_ROOT / "orchestration" / "dagster.yaml").read_text())
    pools = config["concurrency"]["pools"]
    assert pools.get("default_limit") == 1
    assert all(limit == 1 for name, limit in pools.get("limits", {}).items() if name == WAREHOUSE_POOL)


def test_the_writer_and_every_reader_of_the_warehouse_share_its_pool_and_the_parallel_steps_do_not():
    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    pools = {op.name: op.pool for op in defs.resolve_job_def(PIPELINE_JOB_NAME).graph.iterate_op_defs()}
    # the writer (dbt) and the steps that open the warehouse file (or copy it)
    for name in ("spm_dbt_models", "bookings_forecast_inputs", "payout_extract", "journal_entries",
                 "payee_statements", "bi_snapshot", "payout_forecast"):
        assert pools[name] == WAREHOUSE_POOL, name
    # the per-period fan-out reads the snapshot of bookings_forecast_inputs only: no pool to wait for
    for name in ("bookings_forecast_periods", "bookings_forecast_period_group", "bookings_forecast_files"):
        assert pools[name] is None, name
    # nothing else waits for a pool (an unlisted pool would get the default limit of one)
    assert {pool for pool in pools.values()} <= {WAREHOUSE_POOL, None}


def test_publishing_a_range_stays_a_chain_in_the_warehouse_pool():
    """A month's adjustments are owed against the earlier months' publications, and each
    publication rebuilds the ledger models through dbt (the writer): the months of a range
    run one after the other, never in parallel."""
    import dagster as dg

    from assets.payouts.publication import PUBLICATION_KEY, payout_publication

    assert payout_publication.op.pool == WAREHOUSE_POOL
    (self_dep,) = [d for d in payout_publication.specs_by_key[PUBLICATION_KEY].deps if d.asset_key == PUBLICATION_KEY]
    mapping = self_dep.partition_mapping
    assert isinstance(mapping, dg.TimeWindowPartitionMapping)
    assert (mapping.start_offset, mapping.end_offset) == (-1, -1)


def test_the_bookings_forecast_periods_split_into_bounded_groups_of_about_equal_work():
    from datetime import date

    tasks = period_tasks(date(2026, 11, 27))
    assert tasks == [LIVE, "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    for groups in range(1, 10):
        split = split_tasks(tasks, groups)
        assert len(split) == min(groups, len(tasks))
        assert all(split)  # no empty group
        assert sorted(t for group in split for t in group) == sorted(tasks)  # each period exactly once
        assert split == split_tasks(list(tasks), groups)  # a function of its arguments
    assert split_tasks(tasks, 1) == [[LIVE, *tasks[1:]]]
    weights = [sum(LIVE_WEIGHT if t == LIVE else 1 for t in group) for group in split_tasks(tasks, 2)]
    assert weights == [5, 5]
    with pytest.raises(ValueError):
        split_tasks(tasks, 0)
