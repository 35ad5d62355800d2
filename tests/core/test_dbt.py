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


# --- what a dbt command costs before dbt starts ---------------------------------------------


def test_the_dbt_child_starts_without_dagster():
    """spm-dbt runs core/dbt_child.py before dbt: importing Dagster there cost every dbt command seconds."""
    import subprocess
    import sys

    code = "import sys, core.dbt_child; print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'polars')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_resource_knows_its_dbt_version_and_builds_no_adapter():
    """No ``spm-dbt --version`` process and no in-process adapter before each command."""
    from importlib.metadata import version as installed

    from packaging import version

    from core.dbt import dbt_resource

    resource = dbt_resource()
    assert resource._cli_version == version.parse(installed("dbt-core"))
    assert resource._initialize_dbt_core_adapter(["build"]) is None


# --- a scenario's command reuses the project's parse -----------------------------------------


def _saved_parse(raw_dir: str, profile_hash: str, model_uses_raw_dir: bool = False) -> dict:
    """The parts of a dbt partial_parse.msgpack that share_partial_parse reads and rewrites."""
    location = f"read_parquet('{raw_dir}/crm/opportunity/**/*.parquet', union_by_name = true)"
    return {
        "state_check": {"profile_hash": {"name": "sha256", "checksum": profile_hash}},
        "env_vars": {"SPM_RAW_DIR": raw_dir, "SPM_EXPORT_DIR": "/data/exports"},
        "files": {
            "spm://models/staging/salesforce/_salesforce__sources.yml": {
                "env_vars": {"sources": {"salesforce": ["SPM_RAW_DIR"]}},
            },
            "spm://models/staging/ledger/stg_ledger__lines.sql": {
                "env_vars": ["SPM_EXPORT_DIR", *(["SPM_RAW_DIR"] if model_uses_raw_dir else [])],
            },
        },
        "sources": {
            "source.spm.salesforce.opportunity": {
                "source_name": "salesforce",
                "original_file_path": "models/staging/salesforce/_salesforce__sources.yml",
                "relation_name": location,
                "meta": {"external_location": location},
                "config": {"meta": {"external_location": location}},
            },
        },
        "nodes": {"model.spm.stg_x": {"database": "spm", "raw_code": "select 1"}},
    }


@pytest.fixture
def pipeline_env(monkeypatch):
    monkeypatch.setenv("SPM_WAREHOUSE", "/data/warehouse/spm.duckdb")
    monkeypatch.setenv("SPM_RAW_DIR", "/data/warehouse/raw")
    monkeypatch.setenv("SPM_DUCKDB_MEMORY_LIMIT", "50%")


def _write(path, saved: dict):
    import msgpack

    path.write_bytes(msgpack.packb(saved, use_bin_type=True))
    return path


def _read(path) -> dict:
    import msgpack

    return msgpack.unpackb(path.read_bytes(), raw=False, strict_map_key=False)


def test_a_scenario_on_other_folders_gets_the_parse_rewritten_for_them(pipeline_env, tmp_path):
    from core.dbt import _connection_info, _profile_hash, share_partial_parse

    base = _profile_hash(_connection_info(os.environ))
    source = _write(tmp_path / "saved.msgpack", _saved_parse("/data/warehouse/raw", base))
    overrides = {"SPM_WAREHOUSE": "/scratch/P50/spm.duckdb", "SPM_RAW_DIR": "/scratch/P50/raw"}

    assert share_partial_parse(tmp_path / "P50", overrides, source=source)

    shared = _read(tmp_path / "P50" / "partial_parse.msgpack")
    own = _profile_hash(_connection_info({**os.environ, **overrides}))
    assert own != base and shared["state_check"]["profile_hash"]["checksum"] == own
    assert shared["env_vars"] == {"SPM_RAW_DIR": "/scratch/P50/raw", "SPM_EXPORT_DIR": "/data/exports"}
    opportunity = shared["sources"]["source.spm.salesforce.opportunity"]
    expected = "read_parquet('/scratch/P50/raw/crm/opportunity/**/*.parquet', union_by_name = true)"
    assert opportunity["relation_name"] == expected
    assert opportunity["meta"]["external_location"] == opportunity["config"]["meta"]["external_location"] == expected
    assert shared["nodes"] == _saved_parse("", "")["nodes"]


@pytest.mark.parametrize(
    "case",
    ["another file name", "parsed with other settings", "a model reads the variable", "already there"],
)
def test_the_parse_is_left_to_dbt_when_a_rewrite_would_not_be_the_same(pipeline_env, tmp_path, case):
    from core.dbt import _connection_info, _profile_hash, share_partial_parse

    base = _profile_hash(_connection_info(os.environ))
    saved = _saved_parse("/data/warehouse/raw", base, model_uses_raw_dir=case == "a model reads the variable")
    if case == "parsed with other settings":
        saved["state_check"]["profile_hash"]["checksum"] = _profile_hash(_connection_info({"SPM_WAREHOUSE": "/x/spm.duckdb"}))
    source = _write(tmp_path / "saved.msgpack", saved)
    warehouse = "/scratch/P50/engine.duckdb" if case == "another file name" else "/scratch/P50/spm.duckdb"
    target = tmp_path / "P50"
    if case == "already there":
        target.mkdir()
        (target / "partial_parse.msgpack").write_bytes(b"dbt's own")

    assert not share_partial_parse(target, {"SPM_WAREHOUSE": warehouse, "SPM_RAW_DIR": "/scratch/P50/raw"}, source=source)
    if case == "already there":
        assert (target / "partial_parse.msgpack").read_bytes() == b"dbt's own"
    else:
        assert not (target / "partial_parse.msgpack").exists()


def test_scratch_warehouses_are_named_as_the_pipelines(monkeypatch, tmp_path):
    from core.dbt import scratch_warehouse

    monkeypatch.setenv("SPM_WAREHOUSE", str(tmp_path / "warehouse" / "acme.duckdb"))
    assert scratch_warehouse(tmp_path / "P50") == tmp_path / "P50" / "acme.duckdb"


@pytest.mark.slow
def test_after_prepare_a_scenario_parses_nothing_again_and_reads_its_own_raw_layer(monkeypatch, tmp_path):
    """With real dbt: prepare's parse, then a parse for a scenario's scratch warehouse and raw layer."""
    import json

    from core.dbt import run_dbt, scratch_warehouse
    from core.settings import Settings
    from orchestration.cli import prepare_dbt

    for name, folder in (("SPM_WAREHOUSE", "warehouse/spm.duckdb"), ("SPM_RAW_DIR", "warehouse/raw"),
                         ("SPM_EXPORT_DIR", "exports")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # dbt.log says what partial parsing did
    prepare_dbt()
    for name, value in Settings.from_env().dbt_env().items():  # as the pipeline runs dbt
        monkeypatch.setenv(name, value)
    scenario = tmp_path / "scratch" / "P50"
    run_dbt(["parse"], target_path=scenario / "target",
            env={"SPM_WAREHOUSE": str(scratch_warehouse(scenario)), "SPM_RAW_DIR": str(scenario / "raw")})

    log = (scenario / "target" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "0 files deleted, 0 files added, 0 files changed" in log
    sources = json.loads((scenario / "target" / "manifest.json").read_text())["sources"].values()
    raw = [s["relation_name"] for s in sources if s["source_name"] != "ledger"]
    assert raw and all(f"'{scenario / 'raw'}/" in r for r in raw)
    assert not any(str(tmp_path / "warehouse" / "raw") in r for r in raw)


@pytest.mark.slow
def test_a_run_on_other_folders_than_prepare_s_reuses_its_parse(monkeypatch, tmp_path):
    """With real dbt: prepare parses with one company's folders (``parse_settings.json``
    beside the parse says which); a command whose warehouse, raw layer and export
    folder are another company's parses nothing again and reads that company's files
    (the ledger's too: macros/ledger.sql reads its files from the source)."""
    import json

    from core.dbt import PARSE_SETTINGS_FILE, run_dbt
    from core.settings import DBT_PROJECT_DIR, Settings
    from orchestration.cli import prepare_dbt

    def use(company):
        for name, folder in (("SPM_WAREHOUSE", "warehouse/spm.duckdb"), ("SPM_RAW_DIR", "warehouse/raw"),
                             ("SPM_EXPORT_DIR", "exports")):
            monkeypatch.setenv(name, str(tmp_path / company / folder))
        for name, value in Settings.from_env().dbt_env().items():
            monkeypatch.setenv(name, value)

    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    use("first")
    prepare_dbt()
    recorded = json.loads((DBT_PROJECT_DIR / "target" / PARSE_SETTINGS_FILE).read_text())
    assert recorded["SPM_RAW_DIR"] == str(tmp_path / "first" / "warehouse" / "raw")
    use("second")
    run_dbt(["parse"], target_path=tmp_path / "target")

    log = (tmp_path / "target" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "0 files deleted, 0 files added, 0 files changed" in log
    sources = json.loads((tmp_path / "target" / "manifest.json").read_text())["sources"].values()
    assert sources and not any(str(tmp_path / "first") in json.dumps(s) for s in sources)
    ledger = [s["meta"]["files"] for s in sources if s["source_name"] == "ledger"]
    assert ledger and all(f.startswith(str(tmp_path / "second" / "exports")) for f in ledger)


@pytest.mark.slow
def test_prepare_on_other_folders_than_the_last_parse_s_parses_nothing_again(monkeypatch, tmp_path):
    """With real dbt: ``prepare`` for one company, then for another (``spm run`` on a new
    folder, a test's or a benchmark's company): the second starts from the first's parse moved
    to its folders, parses no file again, and its manifest reads the second company's files."""
    import json

    from core.dbt import PARSE_SETTINGS_FILE
    from core.settings import DBT_PROJECT_DIR
    from orchestration.cli import prepare_dbt

    def use(company):
        for name, folder in (("SPM_WAREHOUSE", "warehouse/spm.duckdb"), ("SPM_RAW_DIR", "warehouse/raw"),
                             ("SPM_EXPORT_DIR", "exports")):
            monkeypatch.setenv(name, str(tmp_path / company / folder))

    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # dbt.log says what partial parsing did
    use("first")
    prepare_dbt()
    use("second")
    prepare_dbt()

    target = DBT_PROJECT_DIR / "target"
    log = (target / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "0 files deleted, 0 files added, 0 files changed" in log
    assert json.loads((target / PARSE_SETTINGS_FILE).read_text())["SPM_RAW_DIR"] == str(tmp_path / "second" / "warehouse" / "raw")
    sources = json.loads((target / "manifest.json").read_text())["sources"].values()
    assert sources and not any(str(tmp_path / "first") in json.dumps(s) for s in sources)
    assert any(str(tmp_path / "second" / "warehouse" / "raw") in s["relation_name"] for s in sources)


def test_the_parse_inputs_change_with_a_project_file_a_setting_or_a_dbt_flag_not_with_dbt_s_outputs(tmp_path, monkeypatch):
    from core.dbt import parse_inputs

    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "a.sql").write_text("select 1 as one\n")
    (project / "dbt_project.yml").write_text("name: p\n")
    monkeypatch.delenv("DBT_STATIC_PARSER", raising=False)
    env = {"SPM_WAREHOUSE": "/data/warehouse/spm.duckdb"}
    first = parse_inputs(env, project)

    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a line\n")
    assert parse_inputs(env, project) == first  # what dbt writes is not what it reads

    assert parse_inputs({"SPM_WAREHOUSE": "/other/spm.duckdb"}, project) != first
    monkeypatch.setenv("DBT_STATIC_PARSER", "false")
    assert parse_inputs(env, project) != first
    monkeypatch.delenv("DBT_STATIC_PARSER")
    (project / "models" / "a.sql").write_text("select 2 as one\n")
    assert parse_inputs(env, project) != first
    (project / "models" / "a.sql").write_text("select 1 as one\n")
    assert parse_inputs(env, project) == first
    (project / "models" / "b.sql").write_text("select 1 as one\n")
    assert parse_inputs(env, project) != first


def test_the_parse_inputs_never_walk_dbt_s_outputs_where_other_builds_remove_their_folders(tmp_path, monkeypatch):
    """A build folder removed by another build while ``prepare`` fingerprints the project
    (CI, three test workers: ``FileNotFoundError`` from a folder of ``target``) changes nothing:
    the outputs are not read at all."""
    from pathlib import Path

    from core.dbt import parse_inputs

    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "a.sql").write_text("select 1 as one\n")
    (project / "target" / "spm_dbt_models-1234567-abcdef0").mkdir(parents=True)
    first = parse_inputs({}, project)
    scandir = os.scandir

    def removed_meanwhile(path="."):
        if "target" in Path(path).parts:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", removed_meanwhile)
    assert parse_inputs({}, project) == first


@pytest.mark.slow
def test_prepare_again_with_nothing_changed_starts_no_dbt_and_with_a_setting_changed_parses(monkeypatch, tmp_path):
    """With real dbt: a second ``prepare`` on the same folders keeps the parse it has (no dbt
    process); one with another setting parses (a partial parse: nothing changed but folders)."""
    import core.dbt
    from core.dbt import PARSE_INPUTS_FILE
    from core.settings import DBT_PROJECT_DIR
    from orchestration.cli import prepare_dbt

    for name, folder in (("SPM_WAREHOUSE", "warehouse/spm.duckdb"), ("SPM_RAW_DIR", "warehouse/raw"),
                         ("SPM_EXPORT_DIR", "exports")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    manifest = prepare_dbt()
    assert (DBT_PROJECT_DIR / "target" / PARSE_INPUTS_FILE).is_file()
    written = manifest.stat().st_mtime_ns

    commands = []
    real_run_dbt = core.dbt.run_dbt
    monkeypatch.setattr(core.dbt, "run_dbt", lambda args, **kw: (commands.append(args), real_run_dbt(args, **kw)))
    assert prepare_dbt() == manifest
    assert commands == [] and manifest.stat().st_mtime_ns == written

    monkeypatch.setenv("SPM_CAPITALIZATION_BENEFIT_MONTHS", "24")
    prepare_dbt()
    assert commands == [["parse", "--quiet"]]
