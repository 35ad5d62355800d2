"""core.dbt.run_dbt: one command's settings reach its dbt process only, also from several threads."""

from __future__ import annotations

import os
import threading
import time

import pytest

from core.dbt import DbtCommandFailed, run_dbt


class _Invocation:
    def __init__(self, error=None):
        self.error = error

    def stream_raw_events(self):
        return []

    def get_error(self):
        return self.error


class _Resource:
    """Stands in for DbtCliResource: ``cli`` reads the environment the way the resource does when it
    starts dbt, slowly enough that another thread could change it in between."""

    def __init__(self):
        self.seen: dict[str, str | None] = {}

    def cli(self, args, raise_on_error, target_path):
        time.sleep(0.05)
        self.seen[args[0]] = os.environ.get("SPM_WAREHOUSE")
        return _Invocation()


def test_each_command_gets_its_own_settings_and_the_environment_is_restored(monkeypatch):
    monkeypatch.setenv("SPM_WAREHOUSE", "/data/spm.duckdb")
    resource = _Resource()
    threads = [
        threading.Thread(target=run_dbt, args=([name],), kwargs={"dbt": resource, "env": {"SPM_WAREHOUSE": f"/scratch/{name}.duckdb"}})
        for name in ("P10", "P50", "P90")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert resource.seen == {name: f"/scratch/{name}.duckdb" for name in ("P10", "P50", "P90")}
    assert os.environ["SPM_WAREHOUSE"] == "/data/spm.duckdb"


def test_a_failed_command_names_itself():
    class Failing(_Resource):
        def cli(self, args, raise_on_error, target_path):
            return _Invocation(RuntimeError("exit code 2"))

    with pytest.raises(DbtCommandFailed, match="dbt build --select x failed:\nexit code 2"):
        run_dbt(["build", "--select", "x"], dbt=Failing())
