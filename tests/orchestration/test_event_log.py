"""orchestration.event_log.quick_commits: a run's events without a disk wait per event, all of them kept."""

from __future__ import annotations

import sqlite3

import dagster as dg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from orchestration.event_log import quick_commits


@dg.op
def _many_events(context):
    for i in range(20):
        yield dg.AssetMaterialization(asset_key=f"a{i}", metadata={"i": i})
    yield dg.Output(1)


@dg.job
def _job():
    _many_events()


def _instance(home):
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return dg.DagsterInstance.from_config(str(home))


def test_the_instance_files_commit_quickly_in_the_block_only_and_keep_every_event(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    seen: list[tuple[str, int]] = []

    connects: list[int] = []

    def spy(dbapi_connection, _record, _proxy):  # listens after quick_commits' own listener
        if isinstance(dbapi_connection, sqlite3.Connection):
            path = dbapi_connection.execute("pragma database_list").fetchone()[2]
            seen.append((path, dbapi_connection.execute("pragma synchronous").fetchone()[0]))

    def count(dbapi_connection, _record):
        connects.append(id(dbapi_connection))

    with _instance(home) as instance:
        _job.execute_in_process(instance=instance)  # the instance's files exist, in WAL mode
        with quick_commits(home):
            event.listen(Engine, "checkout", spy)
            event.listen(Engine, "connect", count)
            try:
                result = _job.execute_in_process(instance=instance)
            finally:
                event.remove(Engine, "checkout", spy)
                event.remove(Engine, "connect", count)
        inside, inside_connects = list(seen), len(connects)
        seen.clear()
        event.listen(Engine, "checkout", spy)
        try:
            instance.get_runs()
        finally:
            event.remove(Engine, "checkout", spy)

    assert result.success
    # NORMAL (1); the run's own file, which Dagster creates in the run, from when it is in WAL mode
    shard = [sync for path, sync in inside if path.endswith(f"{result.run_id}.db")]
    assert {sync for path, sync in inside if not path.endswith(f"{result.run_id}.db")} == {1}
    assert len(shard) > 20 and shard[-20:] == [1] * 20
    # Dagster's storages keep their engines (and connections) in the block: far fewer connections than uses.
    assert len(inside) > 40 and inside_connects < len(inside) / 4
    assert seen and {sync for _, sync in seen} == {2}  # FULL again after the block
    # The connections the block kept open are closed: the last close folds each log into its file.
    assert not list(home.rglob("*.db-wal"))
    with _instance(home) as reopened:
        materialized = [e for e in reopened.all_logs(result.run_id) if e.dagster_event and
                        e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"]
    assert len(materialized) == 20


def test_files_outside_the_instance_are_left_alone(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    other = tmp_path / "other.db"
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(f"sqlite:///{other}", poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text("pragma journal_mode=wal"))
    with quick_commits(home), engine.connect() as connection:
        assert connection.execute(text("pragma synchronous")).scalar() == 2
    engine.dispose()
