"""The one dbt project of the pipeline: its manifest, its CLI resource and how its nodes become Dagster assets.

dbt is invoked one way: through the ``DbtCliResource`` of ``dbt_resource()``
(the venv's dbt, bound to the life of the process that starts it:
core/dbt_child.py) on the project ``DBT_PROJECT``. The engine's build is the
compensation domain's asset (assets/compensation/assets.py, with its context,
so every model is an asset); every other command (parse, docs, the ledger
refresh at publication, a forecast scenario's engine run) goes through
``run_dbt``.
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import copy
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from core import catalog, dbt_child
from core.engine import update_with_files
from core.settings import DBT_PROJECT_DIR, Settings, SpmPaths

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# The layer a model's folder names (models/<layer>/<domain>/...).
LAYERS = ("staging", "intermediate", "marts")
# Staging is the ingest domain's (it stages what ingest lands), but for the
# sources other domains write: the payout ledger is the payouts domain's.
STAGING_DOMAINS = {"ledger": "payouts"}


class SpmDbtTranslator(DagsterDbtTranslator):
    """Models keep their own names as asset keys; the group is the model's domain.

    The domain is the folder under the layer (``models/marts/payouts/...`` is
    ``payouts``); staging models and sources are the ``ingest`` domain's, as
    the Python assets that land the raw layer.

    The catalog (core/catalog.py): the owner is the domain's (``catalog.OWNERS``,
    or the node's ``meta.owner``); descriptions keep their placeholders visible in
    the UI (``catalog.ui_text``); every test's check says its rule in words
    (``catalog.dbt_test_description``); a model's column schema carries its yml's
    ``data_type`` and what its tests say of each column; a model links to its SQL file.
    """

    def __init__(self, settings: DagsterDbtTranslatorSettings | None = None):
        super().__init__(settings or DagsterDbtTranslatorSettings(enable_code_references=True))
        self._catalog_specs: dict = {}

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return domain_of(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        owner = (dbt_resource_props.get("meta") or {}).get("owner") or (
            (dbt_resource_props.get("config") or {}).get("meta") or {}
        ).get("owner")
        return [owner] if owner else catalog.owners_of(domain_of(dbt_resource_props))

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return catalog.ui_text(super().get_description(dbt_resource_props))

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None):
        key = (id(manifest), unique_id, id(project))
        if key not in self._catalog_specs:
            spec = super().get_asset_spec(manifest, unique_id, project)
            node = manifest.get("nodes", {}).get(unique_id)
            schema = catalog.column_schema(node, manifest) if node and node.get("resource_type") == "model" else None
            if schema is not None:
                spec = spec.replace_attributes(metadata={**spec.metadata, "dagster/column_schema": schema})
            self._catalog_specs[key] = spec
        return self._catalog_specs[key]

    def get_asset_check_spec(self, asset_spec, manifest: Mapping[str, Any], unique_id: str, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=catalog.dbt_test_description(manifest["nodes"][unique_id], manifest))


def domain_of(dbt_resource_props: Mapping[str, Any]) -> str:
    """The domain of a dbt node from its fqn (project, layer, domain, ..., name)."""
    fqn = dbt_resource_props.get("fqn", [])
    if dbt_resource_props.get("resource_type") == "source":
        return STAGING_DOMAINS.get(dbt_resource_props.get("source_name", ""), "ingest")
    if len(fqn) > 2 and fqn[1] == "staging":
        return STAGING_DOMAINS.get(fqn[2], "ingest")
    if len(fqn) > 3 and fqn[1] in LAYERS:
        return fqn[2]
    return "compensation"


class SpmDbtCliResource(DbtCliResource):
    """``DbtCliResource`` without two costs paid before every dbt command starts.

    * The resource asks the executable for its version (``spm-dbt --version``: a
      Python that imports dbt, and dbt then asks the package index for the latest
      release): 3-20 s, once per resource, so once per ``run_dbt``. ``spm-dbt`` is
      the dbt of this venv, so its version is the installed ``dbt-core``'s.
    * The resource builds a dbt adapter in this process (it loads every macro of
      the project: 2-8 s) for ``fetch_row_counts`` and ``fetch_column_metadata``,
      which the pipeline does not use (its row counts and totals are read
      afterwards: assets/compensation/assets.py). Without an adapter they add nothing.
    """

    @cached_property
    def _cli_version(self):
        from importlib.metadata import version as installed

        from packaging import version

        return version.parse(installed("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None

    def cli(self, args, *, target_path=None, **kwargs) -> DbtCliInvocation:
        """The resource's dbt command, without dbt's lines on this process's stdout
        (``QuietDbtCliInvocation``); a command of the pipeline's build first removes the
        folders old builds left in the project's target (``remove_old_run_targets``)."""
        invocation = super().cli(args, target_path=target_path, **kwargs)
        invocation.__class__ = QuietDbtCliInvocation
        if Path(invocation.target_path).name.startswith(RUN_TARGET_PREFIX):
            remove_old_run_targets(Path(invocation.target_path).parent, keep=invocation.target_path)
            # What ``run_dbt`` commands left before it removed its folders (or when one failed).
            remove_old_run_targets(Path(invocation.target_path).parent, pattern=COMMAND_TARGET_PATTERN, kept=0)
        return invocation


class QuietDbtCliInvocation(DbtCliInvocation):
    """A dbt command whose events reach Dagster but not the console.

    dagster-dbt echoes every event of dbt's stdout on this process's stdout (a
    build's ~1,000 START/PASS lines, in colour): the person at the console reads
    the run's progress lines instead (orchestration/run_console.py), and dbt's own log
    is its file (``dbt.log`` in the command's target folder, plain text:
    core/dbt_child.py). A line of dbt's output that is not an event (a Python
    warning of the dbt process) goes to the Dagster log. This is dagster-dbt's
    ``stream_raw_events`` (0.29) without the echo.
    """

    def stream_raw_events(self):
        from dagster import get_dagster_logger

        history: dict[str, dict[str, Any]] = {}
        for raw_event in self._stdout or self._stream_stdout():
            if isinstance(raw_event, str):
                if raw_event.strip():
                    get_dagster_logger().info(f"dbt: {raw_event}")
                continue
            unique_id = raw_event["data"].get("node_info", {}).get("unique_id")
            event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
            if unique_id and event.is_result_event:
                event = replace(event, event_history_metadata=copy.deepcopy(history.get(unique_id, {})))
            # Column-level metadata a macro logs: kept for the node's result event, not an event itself.
            if raw_event["info"]["name"] == "JinjaLogInfo":
                try:
                    history[str(unique_id)] = json.loads(raw_event["info"]["msg"])
                    continue
                except ValueError:
                    pass
            yield event
        self._raise_on_error()


# The folders ``unique_target_path`` gives the pipeline's builds (the op's name, the run, a uuid),
# and other commands (``run_dbt``: a uuid's first seven hex digits).
RUN_TARGET_PREFIX = "spm_dbt_models-"
COMMAND_TARGET_PATTERN = "[0-9a-f]" * 7
# Old build folders kept beside the newest (20-30 MB each at scale 1): dbt's log and compiled SQL of recent runs.
RUN_TARGETS_KEPT = 3
# A folder written to more recently than this may belong to a build still running (another warehouse's).
RUN_TARGET_IDLE_SECONDS = 30 * 60


def _last_write(folder: Path) -> float:
    """The newest modification time of ``folder`` and anything in it."""
    newest = folder.stat().st_mtime
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            try:
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime)
            except OSError:  # removed meanwhile
                pass
    return newest


def remove_old_run_targets(
    target: Path, keep: Path | None = None, kept: int = RUN_TARGETS_KEPT, idle_seconds: float = RUN_TARGET_IDLE_SECONDS,
    now: float | None = None, pattern: str = f"{RUN_TARGET_PREFIX}*",
) -> list[Path]:
    """Remove the build folders (``pattern``: ``spm_dbt_models-*``) in ``target`` but the ``kept``
    newest, ``keep`` and any written to in the last ``idle_seconds`` (a build of another
    warehouse may be running on the same project); return the folders removed.

    Each build of the pipeline leaves its folder (artifacts, compiled SQL, dbt's log);
    without this they pile up, 20-30 MB a run. A crash leaves a folder as any run
    does: the next builds remove it in turn; nothing reads an old one.
    """
    import shutil
    import time

    now = time.time() if now is None else now
    folders = []
    for folder in Path(target).glob(pattern):
        try:
            if folder.is_dir() and (keep is None or folder.resolve() != Path(keep).resolve()):
                folders.append((_last_write(folder), folder.name, folder))
        except OSError:  # removed meanwhile by another build
            continue
    folders.sort(reverse=True)
    removed = []
    for written, _, folder in folders[max(kept, 0):]:
        if now - written >= idle_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def run_dbt_log(run_id: str, target: Path | None = None) -> Path | None:
    """dbt's log of the pipeline build of Dagster run ``run_id`` (its target folder's ``dbt.log``), if any."""
    target = Path(target or Path(DBT_PROJECT.project_dir) / "target")
    logs = sorted(target.glob(f"{RUN_TARGET_PREFIX}{run_id[:7]}-*/dbt.log"))
    return logs[-1] if logs else None


def dbt_resource() -> DbtCliResource:
    # The venv's dbt, bound to the life of the process that starts it (core/dbt_child.py).
    return SpmDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(dbt_child.EXECUTABLE))


def prepare_dbt_environment(paths: SpmPaths) -> None:
    """Hand dbt its settings before the resource starts it: the resource passes this
    process's environment on (profiles.yml, the sources and macros read SPM_* from
    it), with the variable that binds the dbt child to this process's life."""
    os.environ.update(Settings.from_env(paths).dbt_env())
    os.environ.update(dbt_child.parent_env())  # the dbt child dies with this process
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)  # dbt-duckdb does not create it


@contextmanager
def _environment(overrides: Mapping[str, str]):
    """``os.environ`` with ``overrides`` for the block (the resource passes it to dbt), restored after."""
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Re-entrant: share_project_parse takes it, alone or inside run_dbt's step.
_ENVIRONMENT_LOCK = threading.RLock()


class DbtCommandFailed(RuntimeError):
    """A dbt command that did not succeed; the message ends with dbt's own error lines."""


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# Beside the project's saved parse: the settings ``prepare`` parsed with (orchestration/cli.py).
PARSE_SETTINGS_FILE = "parse_settings.json"


# Beside the project's saved parse: the fingerprint of everything that parse read (``parse_inputs``).
PARSE_INPUTS_FILE = "parse_inputs.sha256"
# Folders of the project that dbt writes, not reads.
_PROJECT_OUTPUTS = ("target", "logs")


def _project_files(project_dir: Path) -> list[Path]:
    """Every file of the project but dbt's outputs (``_PROJECT_OUTPUTS``), in path order. The
    outputs are never walked: other builds add and remove their folders there meanwhile."""
    files = []
    for root, dirs, names in os.walk(project_dir):
        if Path(root) == project_dir:
            dirs[:] = [name for name in dirs if name not in _PROJECT_OUTPUTS]
        files.extend(Path(root) / name for name in names)
    return sorted(path for path in files if path.is_file())


def parse_inputs(env: Mapping[str, str], project_dir: Path | None = None) -> str:
    """SHA-256 of what a parse of the project reads: every file of the project but dbt's
    outputs (models, macros, seeds, tests, ``dbt_project.yml``, ``profiles.yml``, packages),
    by relative path and bytes, the installed dbt packages' versions, the settings dbt gets
    (``env``) and this process's ``DBT_*`` variables (dbt's flags).

    Equal fingerprints mean a parse would produce the same manifest, so ``prepare`` keeps
    the one it has instead of starting dbt (orchestration/cli.py); anything else that
    changes (a model edited, dbt upgraded, another folder) parses as always."""
    from importlib.metadata import PackageNotFoundError, version

    project_dir = Path(project_dir or DBT_PROJECT.project_dir)
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-adapters", "dbt-common", "dbt-duckdb", "dbt-spark"):
        try:
            digest.update(f"{package}=={version(package)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{package} absent\0".encode())
    flags = {name: value for name, value in os.environ.items() if name.startswith("DBT_")}
    digest.update(json.dumps([dict(env), flags], sort_keys=True).encode() + b"\0")
    update_with_files(digest, project_dir, _project_files(project_dir))
    return digest.hexdigest()


def scratch_warehouse(folder: Path) -> Path:
    """A scratch DuckDB file in ``folder`` named as the pipeline's warehouse is.

    DuckDB names a file's catalog after the file and dbt writes that name into
    every node it parses, so a command on a file of the same name can reuse the
    project's parse (``run_dbt``); under another name dbt parses the whole
    project again.
    """
    with _ENVIRONMENT_LOCK:  # run_dbt changes SPM_WAREHOUSE while it starts a command
        return Path(folder) / SpmPaths.from_env().warehouse.name


def _connection_info(env: Mapping[str, str]) -> list:
    """The dbt target's connection settings rendered from profiles.yml with ``env``, as dbt hashes
    them to tell whether a saved parse still holds (the profile hash of its state check)."""
    from argparse import Namespace

    from dbt.config.runtime import load_profile
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(env))  # env_var() in profiles.yml reads this
    set_from_args(Namespace(profiles_dir=str(DBT_PROJECT.profiles_dir)), None)
    return sorted(load_profile(str(DBT_PROJECT.project_dir), {}).credentials.connection_info())


def _profile_hash(connection_info: list) -> str:
    import pprint

    from dbt.artifacts.resources.base import FileHash

    return FileHash.from_contents(pprint.pformat(connection_info)).checksum


def _replace_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_strings(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, old, new) for k, v in value.items()}
    return value


def _move_env_vars(saved: dict, moves: Mapping[str, tuple[str, str]]) -> bool:
    """Rewrite a saved parse as if ``env_var(name)`` had returned ``new`` instead of ``old``
    (``moves``: name -> (old, new)); False when that cannot be done by rewriting.

    dbt records the value each ``env_var()`` had at parse time and re-parses the
    files that used one whose value changed, and with a source every node that
    reads it (most of the project). Where the only users are source definitions
    (the raw layer's ``external_location``: the value is pasted into the
    location, its relation name and meta), the sources are rewritten instead.
    """
    recorded = saved.get("env_vars", {})
    moves = {name: (old, new) for name, (old, new) in moves.items() if name in recorded and old != new}
    if any(not old or recorded[name] != old for name, (old, _) in moves.items()):
        return False  # parsed with other values than this process's
    olds = [old for old, _ in moves.values()]
    if any(a != b and a in b for a in olds for b in olds):
        return False
    sources: set[tuple[str, str]] = set()  # (file, source name) of the sources that used a moved variable
    for file_id, file in saved.get("files", {}).items():
        used = file.get("env_vars") or {}
        if isinstance(used, list):  # a model or a macro: its own code changes
            if moves.keys() & set(used):
                return False
            continue
        for key, entries in used.items():
            for name, variables in entries.items():
                if moves.keys() & set(variables):
                    if key != "sources":
                        return False
                    sources.add((file_id.split("://", 1)[-1], name))
    for unique_id, source in saved.get("sources", {}).items():
        if (source.get("original_file_path"), source.get("source_name")) in sources:
            for old, new in moves.values():
                source = _replace_strings(source, old, new)
            saved["sources"][unique_id] = source
    for name, (_, new) in moves.items():
        recorded[name] = new
    return True


@lru_cache(maxsize=1)
def _read_saved_parse(path: str, mtime_ns: int, size: int) -> dict:
    """A saved parse, read once for the scenarios of a run (the file and its version as the key)."""
    import msgpack

    return msgpack.unpackb(Path(path).read_bytes(), raw=False, strict_map_key=False)


def share_partial_parse(target_path: Path, overrides: Mapping[str, str], source: Path | None = None) -> bool:
    """Let a command whose settings move the warehouse and the raw layer to other folders reuse
    the project's parse (a forecast scenario's scratch warehouse and raw layer).

    dbt saves its parse (``partial_parse.msgpack``) with a hash of the target's
    connection settings and the value of every ``env_var()`` it read, and
    parses the whole project again when the hash differs (another warehouse
    ``path``) or, nearly, when the raw layer's folder does (each source, and
    every node that reads one): 10-60 s for each scenario. When ``overrides``
    change nothing of the connection but the file's ``path`` (same file name,
    so the same catalog name in every node) and the variables they change are
    read only by source definitions, the parse in the project's target (of
    ``prepare``, with this process's settings: checked against its hash and
    values) is written into ``target_path`` as the command's own parse would
    be: its sources' locations on the new folders, its hash of the command's
    profile. Returns whether it did; otherwise dbt decides as always. Called
    with ``os.environ`` holding the pipeline's settings, under the lock.
    ``source``: the saved parse (default: the project target's).
    """
    source = Path(source or Path(DBT_PROJECT.project_dir) / "target" / PARTIAL_PARSE_FILE)
    destination = Path(target_path) / PARTIAL_PARSE_FILE
    if not overrides or destination.exists() or not source.is_file():
        return False
    try:
        import msgpack

        base = _connection_info(os.environ)
        own = _connection_info({**os.environ, **overrides})
        if [kv for kv in base if kv[0] != "path"] != [kv for kv in own if kv[0] != "path"]:
            return False  # not only moved: another catalog name, other settings
        stat = source.stat()
        cached = _read_saved_parse(str(source), stat.st_mtime_ns, stat.st_size)
        # A copy of the parts that change (the rest is shared with the cache, and only read).
        saved = {**cached, "env_vars": dict(cached.get("env_vars", {})), "sources": dict(cached.get("sources", {})),
                 "state_check": {**cached["state_check"],
                                 "profile_hash": dict(cached["state_check"]["profile_hash"])}}
        profile_hash = saved["state_check"]["profile_hash"]
        if profile_hash["checksum"] != _profile_hash(base):
            return False  # parsed with other settings than this process's: let dbt parse
        moves = {name: (os.environ.get(name, ""), value) for name, value in overrides.items()}
        if not _move_env_vars(saved, moves):
            return False
        profile_hash["checksum"] = _profile_hash(own)
        packed = msgpack.packb(saved, use_bin_type=True)
        if any(old.encode() in packed for old, new in moves.values() if old and old != new):
            return False  # an old value left somewhere: the rewrite would be incomplete
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(packed)
        return True
    except Exception:  # an optimisation only: dbt parses as it would have
        return False


def share_project_parse(target_path: Path, settings: Mapping[str, str]) -> bool:
    """Let a command run with ``settings`` (its environment: the SPM_* variables that
    ``prepare`` recorded are compared, the rest ignored) reuse the project's saved
    parse although ``prepare`` parsed with other folders (a test's or a backfill's
    warehouse, a forecast scenario's scratch copy): ``share_partial_parse`` from the
    settings recorded beside the parse (``PARSE_SETTINGS_FILE``) to ``settings``.
    Without that record, or with the same settings, nothing is done (dbt, or
    dagster-dbt's copy of the saved parse, decides as always). It sets ``os.environ``
    for the comparison and restores it, under the lock every such change takes."""
    target = Path(DBT_PROJECT.project_dir) / "target"
    try:
        parsed_with = json.loads((target / PARSE_SETTINGS_FILE).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(parsed_with, dict):
        return False
    overrides = {name: value for name, value in settings.items() if name in parsed_with and parsed_with[name] != value}
    if not overrides:
        return False
    with _ENVIRONMENT_LOCK, _environment(parsed_with):
        return share_partial_parse(target_path, overrides)


def unique_target_path(resource: DbtCliResource, context=None) -> Path:
    """The folder the resource would give this command's artifacts, as an absolute path."""
    path = resource._get_unique_target_path(context=context)
    return path if path.is_absolute() else Path(DBT_PROJECT.project_dir) / path


def run_dbt(
    args: list[str],
    dbt: DbtCliResource | None = None,
    target_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run one dbt command through the resource (``dbt``, else ``dbt_resource()``) and wait.

    ``target_path``: where dbt writes its artifacts and logs (default: a fresh
    folder under the project's target); ``env``: settings for this command only
    (a scenario's scratch warehouse: the project's parse is reused when only the
    warehouse's folder differs, ``share_partial_parse``). Raises
    ``DbtCommandFailed`` naming the command, with dbt's error messages. The
    default folder is removed when the command succeeds, kept (its ``dbt.log``
    named in the error) when it fails.
    """
    import shutil

    resource = dbt or dbt_resource()
    own_folder = target_path is None and isinstance(resource, DbtCliResource)
    # The resource hands dbt this process's environment, copied when it starts
    # the dbt process (inside cli()). Commands may run from several threads (the
    # payout forecast's scenarios), so setting the environment, starting dbt and
    # restoring it is one step under a lock; the command then runs unlocked.
    if target_path is None and isinstance(resource, DbtCliResource):
        target_path = unique_target_path(resource)
    with _ENVIRONMENT_LOCK:
        if target_path is not None:
            target_path = Path(target_path)
            shared = share_project_parse(target_path, {**os.environ, **(env or {})})
            if env and not shared:
                share_partial_parse(target_path, env)
        with _environment({**dbt_child.parent_env(), **(env or {})}):
            invocation = resource.cli(args, raise_on_error=False, target_path=target_path)
    errors = [
        event.raw_event["info"].get("msg", "")
        for event in invocation.stream_raw_events()
        if isinstance(event.raw_event, dict) and event.raw_event.get("info", {}).get("level") == "error"
    ]
    error = invocation.get_error()
    if error is not None:
        detail = "\n".join(errors) or str(error)
        log = f"\n(dbt's log: {Path(target_path) / 'dbt.log'})" if own_folder else ""
        raise DbtCommandFailed(f"dbt {' '.join(args)} failed:\n" + "\n".join(detail.splitlines()[-30:]) + log)
    if own_folder:  # nothing reads a finished command's artifacts: 5-30 MB a command otherwise
        shutil.rmtree(target_path, ignore_errors=True)
