"""Command line behind the Makefile.

``python -m orchestration.cli prepare``   dbt parse (Dagster needs the manifest to load)
``python -m orchestration.cli run``       demo data (if the landing folder is empty), the whole
                                          pipeline job, and a one-screen summary
``python -m orchestration.cli publish --period YYYY-MM``
                                          publish one pay period into the payout ledger (a month
                                          that has ended: from the first day of the next month)
``python -m orchestration.cli approve --period YYYY-MM --by NAME [--role ROLE]``
                                          approve the payout content a publish of the period
                                          would publish now (docs/payment_workflow.md#approval)
``python -m orchestration.cli backfill --from YYYY-MM --to YYYY-MM``
                                          publish a range of periods, oldest first, stopping at
                                          the first failure; nothing when the range ends in a
                                          month that has not ended
``python -m orchestration.cli dev [--port N] [--host H]``
                                          the Dagster UI on workspace.yaml

Installed as the ``spm`` command (pyproject ``[project.scripts]``): ``spm run``,
``spm publish --period 2026-10``, ``spm dev --port 3001``.

Exit codes: 0 done; 2 a user error (bad input or configuration, a refusal, a
usage error), said in one line without a traceback; 1 anything else (a bug: its
traceback is in the Dagster event log). What a run prints: docs/operations.md#the-console.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, REPO_ROOT, SpmPaths
from orchestration.event_log import quick_commits
from orchestration.run_guard import RunRefused, guarded_run, run_tags

DBT_STEP = "spm_dbt_models"  # the step that builds the warehouse

# Exit codes (module docstring).
EXIT_USER_ERROR = 2
EXIT_FAILURE = 1


class UsageError(SystemExit):
    """A user error the CLI says in one line (``main`` prints it, exit code 2)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def prepare_dbt() -> Path:
    """Parse the dbt project so ``target/manifest.json`` exists; return its path.

    The parse reads the run's settings (``Settings.dbt_env``), as the build
    will: the build and the forecast scenarios then reuse it as it is
    (core/dbt.py), where a setting the macros read and the parse did not have
    made dbt parse their models again.

    Nothing has changed since the last parse (the same project files, dbt and settings:
    ``parse_inputs``), the saved parse and its manifest stay as they are and dbt is not
    started: a daily run on the same folders parses once, not every day.
    """
    import json
    import shutil
    import tempfile

    from core.dbt import (
        PARSE_INPUTS_FILE,
        PARSE_SETTINGS_FILE,
        PARTIAL_PARSE_FILE,
        DbtCommandFailed,
        parse_inputs,
        run_dbt,
        share_project_parse,
    )
    from core.failures import is_user_error
    from core.settings import Settings

    target = DBT_PROJECT_DIR / "target"
    try:
        env = Settings.from_env().dbt_env()
    except Exception as error:  # a setting that does not parse: its one line
        if not is_user_error(error):
            raise
        raise UsageError(error.description) from error
    # dbt writes its artifacts in place; a process loading the definitions meanwhile (a
    # run, `make dev`, a parallel test) would read half a manifest. Parse into a folder of
    # its own, starting from the saved parse, then move each artifact in whole.
    target.mkdir(parents=True, exist_ok=True)
    inputs = parse_inputs(env)
    if _parse_is_current(target, inputs, env):
        return target / "manifest.json"
    staging = Path(tempfile.mkdtemp(prefix=".prepare-", dir=target))
    try:
        saved = target / PARTIAL_PARSE_FILE
        # The last parse had other folders (another company, a test's, a benchmark's): moved to
        # these (core/dbt.py), dbt parses nothing again, where a copy as it is parsed all (~10 s).
        if not share_project_parse(staging, {**os.environ, **env}) and saved.is_file():
            shutil.copyfile(saved, staging / PARTIAL_PARSE_FILE)
        run_dbt(["parse", "--quiet"], target_path=staging, env=env)
        # What the parse read, for commands with other folders to reuse it (core/dbt.py).
        (staging / PARSE_SETTINGS_FILE).write_text(json.dumps(env, indent=2, sort_keys=True) + "\n")
        # The fingerprint goes first and comes back last: artifacts half moved are never current.
        (target / PARSE_INPUTS_FILE).unlink(missing_ok=True)
        for artifact in sorted(staging.iterdir()):
            if artifact.is_file():
                os.replace(artifact, target / artifact.name)
        (staging / PARSE_INPUTS_FILE).write_text(inputs + "\n")
        os.replace(staging / PARSE_INPUTS_FILE, target / PARSE_INPUTS_FILE)
    except DbtCommandFailed as error:
        raise SystemExit(str(error)) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / "manifest.json"


def _parse_is_current(target: Path, inputs: str, env: dict[str, str]) -> bool:
    """Whether ``target`` holds a whole parse of these ``inputs`` (``prepare_dbt``)."""
    import json

    from core.dbt import PARSE_INPUTS_FILE, PARSE_SETTINGS_FILE, PARTIAL_PARSE_FILE

    try:
        recorded = (target / PARSE_INPUTS_FILE).read_text().strip()
        settings = json.loads((target / PARSE_SETTINGS_FILE).read_text())
    except (OSError, ValueError):
        return False
    return (recorded == inputs and settings == env
            and all((target / name).is_file() for name in ("manifest.json", PARTIAL_PARSE_FILE)))


def prepare_run() -> Path:
    """What a run needs before it starts: dbt's parse (``prepare_dbt``) and, in this process
    meanwhile, the import of the checks' Great Expectations (a third of a small company's
    checks step otherwise: the first check imported it); return the manifest's path.

    The parse runs in a dbt process of its own, so the import has a core of its own while
    this process waits; the import is joined before returning, so the run's steps never
    import alongside it."""
    from expectations import import_suites_in_background

    importing = import_suites_in_background()
    try:
        return prepare_dbt()
    finally:
        importing.join()


def _has_landing_data(paths: SpmPaths) -> bool:
    return any(any((paths.landing_dir / system).glob("*/*")) for system in ("crm", "hr"))


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME (default ``.dagster_home``) with the project's instance settings."""
    import shutil

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return home


def console_run_config(log_level: str = "INFO", style: str = "events") -> dict:
    """Run config naming the console logger, so the run uses the code location's
    (orchestration/console.py: user errors in one line) rather than Dagster's default;
    ``style`` "lines" is the console of the CLI's runs (orchestration/run_console.py)."""
    return {"loggers": {"console": {"config": {"log_level": log_level, "style": style}}}}


def assets_without(job, leave_out: tuple[str, ...]):
    """The asset keys of ``job`` but those of ``leave_out`` (user strings) and everything
    downstream of them, in key order; None (the whole job) when ``leave_out`` is empty."""
    import dagster as dg

    if not leave_out:
        return None
    graph = job.asset_layer.asset_graph
    left = dg.AssetSelection.assets(*(dg.AssetKey.from_user_string(k) for k in leave_out)).downstream()
    return sorted(graph.executable_asset_keys - left.resolve(graph), key=lambda key: key.to_user_string())


def run_pipeline(
    paths: SpmPaths, period: str | None = None, log_level: str = "INFO", full_refresh: bool = False,
    style: str = "events", leave_out: tuple[str, ...] = (),
):
    """Materialize the whole asset graph with its checks, in process; return the result.

    The engine recomputes only the deals new landing loads reach; ``full_refresh``
    rebuilds every model from nothing (docs/incremental.md). ``style``: the console's
    (``console_run_config``). ``leave_out``: asset keys the run leaves out with everything
    downstream of them (and their checks), e.g. ``("bookings_forecast",)`` for a test
    that reads only the payout, ledger and statement outputs."""
    import dagster as dg

    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    os.environ.update(paths.as_env())
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    selection = assets_without(job, leave_out)
    run_config = console_run_config(log_level, style)
    ops = {}
    if period:
        ops["payout_extract"] = {"config": {"period": period}}
    if full_refresh:
        ops["spm_dbt_models"] = {"config": {"full_refresh": True}}
    if ops:
        run_config["ops"] = ops
    home = ensure_dagster_home()
    # Dagster's SQLite event log would wait for the disk at every one of the run's
    # ~2,500 events (orchestration/event_log.py).
    with dg.DagsterInstance.get() as instance, quick_commits(home):
        return job.execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False, tags=run_tags(), asset_selection=selection,
        )


def period_range(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive, oldest first."""
    from core import periods

    periods.check_period(first)
    if first > periods.check_period(last):
        raise UsageError(f"--to {last} is before --from {first}")
    return periods.period_range(first, last)


def publish_refusal_today(periods: list[str]) -> str | None:
    """The first period of ``periods`` that cannot be published today (UTC), said in one line."""
    from datetime import datetime, timezone

    from assets.payouts.publication import publish_refusal

    today = datetime.now(timezone.utc).date()
    return next((r for r in (publish_refusal(p, today) for p in periods) if r), None)


def period_argument(value: str) -> str:
    """argparse type of --period, --from and --to: YYYY-MM, or a one-line usage error."""
    import argparse

    from core.periods import check_period

    try:
        return check_period(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def date_argument(value: str) -> str:
    """argparse type of --pay-date: YYYY-MM-DD, or a one-line usage error."""
    import argparse
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date is written YYYY-MM-DD (e.g. 2026-11-15), not {value!r}") from None


def scale_argument(value: str) -> float:
    """argparse type of --scale: a number the demo generator accepts, or a one-line usage error."""
    import argparse

    from demo.generate import check_scale

    try:
        return check_scale(float(value))
    except ValueError as error:
        message = str(error) if "scale" in str(error) else f"the demo company's scale is a number, not {value!r}"
        raise argparse.ArgumentTypeError(message) from None


def validate_configuration(paths: SpmPaths) -> int:
    """``spm validate``: every problem of the configuration and the landing headers, one line each;
    2 when one of them stops the pipeline, else 0 (orchestration/validation.py)."""
    from orchestration.validation import print_report, validate

    report = validate(paths)
    print_report(report, sys.stdout, sys.stderr)
    return 0 if report.ok else 2


def _user() -> str:
    """Who asked (USER, else the login name the system knows), for the ledger's override record."""
    import getpass

    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # no USER and no passwd entry (a bare container)
        return ""


def prepared_lines(paths: SpmPaths, period: str, pay_date: str | None = None):
    """The lines publishing ``period`` would publish, as the warehouse holds them now (the publish
    step reads them the same way, after refreshing the ledger models); None without a warehouse."""
    from datetime import date

    from assets.payouts.warehouse import read_period_payouts
    from core.fingerprint import inputs_fingerprint
    from core.warehouse import is_built

    if not is_built(paths.warehouse):
        return None
    calculation_id = inputs_fingerprint(paths.landing_dir, paths.config_dir)
    override = date.fromisoformat(pay_date) if pay_date else None
    return read_period_payouts(paths.warehouse, period, calculation_id, override).lines, calculation_id


def approve_period(paths: SpmPaths, period: str, by: str, role: str | None = None, pay_date: str | None = None,
                   now=None) -> str:
    """``spm approve``: record ``by``'s approval of the content publishing ``period`` would publish
    now (assets/payouts/approvals.py) in the ledger; the line saying so. A refusal is a UsageError."""
    from datetime import datetime, timezone

    from assets.payouts import ledger as store
    from assets.payouts.approvals import ApprovalConfigError, ApprovalRefused, approve, approved_steps, load_approval_policy
    from assets.payouts.publication import ledger_models_behind, refresh_ledger_models
    from core.warehouse import is_built

    refusal = publish_refusal_today([period])
    if refusal:
        raise UsageError(refusal.replace("Refusing to publish", "Refusing to approve"))
    if not is_built(paths.warehouse):
        raise UsageError(f"Refusing to approve {period}: there is no warehouse at {paths.warehouse}; run the pipeline first.")
    if ledger_models_behind(paths.export_dir, paths.warehouse):
        # A publication since the warehouse was built (the month before, just published): the lines
        # publish would publish are those of the ledger models refreshed, as its step does first.
        import dagster as dg

        from core.dbt import dbt_resource

        prepare_dbt()
        try:
            refresh_ledger_models(dbt_resource(), paths)
        except dg.Failure as error:
            raise SystemExit(str(error.description).replace("Refusing to publish", f"Refusing to approve {period}")) from None
    prepared = prepared_lines(paths, period, pay_date)
    lines, calculation_id = prepared
    try:
        policy = load_approval_policy(paths.config_dir)
        approval = approve(paths.export_dir, policy, period, lines, calculation_id, by,
                           now or datetime.now(timezone.utc).replace(microsecond=0), role)
    except ApprovalConfigError as error:
        raise UsageError(f"Refusing to approve {period}: {'; '.join(error.errors)}") from None
    except ApprovalRefused as error:
        raise UsageError(str(error)) from None
    given = approved_steps(policy, store.read_approvals(paths.export_dir, period), approval.content_sha256)
    missing = [step.role for step in policy.steps if step.role not in given]
    totals = ", ".join(f"{c} {v}" for c, v in approval.totals["by_currency"].items())
    return (
        f"{period}: approved as {approval.role} (step {approval.step} of {len(policy.steps)}) by {approval.approver} "
        f"at {approval.approved_at.strftime('%Y-%m-%d %H:%M UTC')}: content {approval.content_sha256[:12]} "
        f"({approval.row_count} lines; {totals}); "
        + (f"next: {missing[0]}" if missing else f"ready to publish (spm publish --period {period})")
    )


def publish_period_run(
    paths: SpmPaths, period: str, pay_date: str | None = None, log_level: str = "INFO",
    allow_unchecked_reason: str | None = None, style: str = "events",
):
    """Run the publish job for one pay period (partition) in process; return the result.

    ``allow_unchecked_reason`` (``publish --allow-unchecked --reason``): publish although the
    upstream was not checked, recording the reason and the USER in the ledger."""
    import dagster as dg

    from core.periods import check_period
    from orchestration.definitions import PUBLISH_JOB_NAME, defs

    os.environ.update(paths.as_env())
    job = defs.resolve_job_def(PUBLISH_JOB_NAME)
    run_config = console_run_config(log_level, style)
    config = {}
    if pay_date:
        config["pay_date"] = pay_date
    if allow_unchecked_reason:
        config["allow_unchecked_reason"] = allow_unchecked_reason
        config["allowed_by"] = _user()
    if config:
        run_config["ops"] = {"payout_publication": {"config": config}}
    home = ensure_dagster_home()
    with dg.DagsterInstance.get() as instance, quick_commits(home):
        return job.execute_in_process(
            instance=instance, run_config=run_config, partition_key=check_period(period), raise_on_error=False,
            tags=run_tags(),
        )


def failure_lines(result) -> list[str]:
    """Why a run failed, one entry per failed step: a user error's message, a blocking
    check's own description (the quarantine threshold names datasets, rules, files and
    settings), else the error's first line (its traceback is in the Dagster log)."""
    import dagster as dg

    from orchestration.console import user_error_reason

    checks = [
        f"{e.asset_key.to_user_string()}:{e.check_name} failed: {e.description}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR and e.description
    ]
    lines = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        data = event.event_specific_data
        if data and data.error and data.error.cls_name == "DagsterAssetCheckFailedError" and checks:
            continue  # said by the checks' own descriptions
        reason = user_error_reason(event)
        if reason is None:
            error = data.error if data else None
            # Dagster wraps what the step raised: say that ("KeyError: 'x'"), not the wrapper.
            while error is not None and error.cls_name == "DagsterExecutionStepExecutionError" and error.cause:
                error = error.cause
            first = (error.message.strip().splitlines() or [""])[0] if error else "see the run's Dagster event log"
            reason = f"{first} (the traceback is in the run's Dagster event log: `spm dev`, Runs)"
        lines.append(f"{event.step_key}: {reason}")
    return checks + lines


def publish_failure(result) -> str:
    """The failure message of a publish run (which check refused it, or the error)."""
    return "\n".join(failure_lines(result)) or "the publish run failed; see the run's Dagster event log"


def failure_exit_code(result) -> int:
    """The exit code of a failed run: 2 when every failed step failed on a user error (bad
    input or configuration) or a blocking check, 1 when one failed on anything else (a bug)."""
    from orchestration.console import user_error_reason

    failures = [event for event in result.all_events if event.is_step_failure]
    if failures and all(user_error_reason(event) is not None for event in failures):
        return EXIT_USER_ERROR
    return EXIT_FAILURE


def _step_started(result, step_key: str) -> bool:
    return any(e.is_step_start and e.step_key == step_key for e in result.all_events)


def publication_summary(paths: SpmPaths, period: str) -> str:
    from assets.payouts.ledger import latest_published_version

    publication = latest_published_version(paths.export_dir, period)
    if publication is None:
        return f"{period}: not published"
    totals = ", ".join(f"{c} {v}" for c, v in publication.totals["by_currency"].items())
    return (
        f"{period}: version {publication.version} ({publication.row_count} lines; {totals}) "
        f"in {publication.path(paths.export_dir)}"
    )


def summary(paths: SpmPaths, warehouse_built: bool = True) -> str:
    """One screen: where the outputs are, what was quarantined, what the payout file holds.

    When the run stopped before the dbt build started (``warehouse_built`` False: an
    ingest step or a blocking ingest check failed), the warehouse on disk is an
    older one: the quarantine is read from the raw layer instead, per dataset and rule.
    """
    import json

    from core.settings import engine
    from core.warehouse import is_built, read_only, spark_warehouse

    location = spark_warehouse(paths.warehouse) if engine() == "spark" else paths.warehouse
    lines = [
        f"warehouse      {location}" + (" (Spark)" if engine() == "spark" else "")
        + ("" if warehouse_built else "  (not rebuilt by this run)"),
        f"raw layer      {paths.raw_dir}",
        f"exports        {paths.export_dir}",
    ]
    if warehouse_built and is_built(paths.warehouse):
        with read_only(paths.warehouse) as con:
            for table in ("dim_payee", "fct_credit", "fct_attainment", "fct_commission"):
                (count,) = con.execute(f"select count(*) from {table}").fetchone()
                lines.append(f"  {table:<16} {count:>10,} rows")
            quarantine = con.execute(
                "select stage, rule, count(*) from fct_quarantine group by all order by all"
            ).fetchall()
        lines.append("quarantine (rows kept with the rule they broke):")
        lines += [f"  {stage:<10} {rule:<32} {n:>8,}" for stage, rule, n in quarantine] or ["  none"]
    elif not warehouse_built:
        from assets.ingest.quality_checks import dataset_quarantines, percent

        datasets = [d for d in dataset_quarantines(paths.raw_dir) if d.quarantined]
        lines.append(f"ingest quarantine (rows kept with the rule they broke, in {paths.raw_dir / 'quarantine'}):")
        for d in datasets:
            lines.append(f"  {d.dataset:<28} {d.quarantined:>8,} of {d.landed:>10,} rows ({percent(d.share)})")
            lines += [f"    {r.rule:<30} {r.rows:>8,}" for r in d.rules]
        if not datasets:
            lines.append("  none")
    for manifest_path in sorted((paths.export_dir / "payouts").glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        lines.append(f"payout extract {manifest_path.parent}")
        lines.append(f"  period {manifest['period']}, {manifest['row_count']} lines, {manifest['payee_count']} payees")
        for currency, total in manifest["totals"]["by_currency"].items():
            lines.append(f"  {currency} {total:>16}")
    return "\n".join(lines)


def configure_console_logging() -> None:
    """Library warnings on stderr once; Dagster's events through its own console logger only.

    dbt's telemetry dependency calls ``logging.basicConfig()`` on import, which
    made the root logger print every Dagster event a second time. A root
    handler set first turns that call into a no-op.
    """
    import logging

    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.addFilter(lambda record: not record.name.startswith("dagster"))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    """The ``spm`` command; the exit code (module docstring). A user error anywhere (a setting,
    a refusal, bad input) is one line on stderr and exit code 2, never a traceback."""
    from core.failures import is_user_error

    try:
        return _main(argv)
    except UsageError as error:
        print(error.message, file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as error:
        if not is_user_error(error):
            raise
        print(str(getattr(error, "description", None) or error).strip(), file=sys.stderr)
        return EXIT_USER_ERROR


def dagster_dev_command(port: int | None = None, host: str | None = None) -> list[str]:
    """``dagster dev`` on the project's workspace, with the UI's port and host when given."""
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "dev", "-w", str(REPO_ROOT / "workspace.yaml")]
    if port is not None:
        command += ["-p", str(port)]
    if host:
        command += ["-h", host]
    return command


def _main(argv: list[str] | None = None) -> int:
    configure_console_logging()
    parser = argparse.ArgumentParser(prog="spm")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="dbt parse, so the Dagster definitions can load")
    dev = sub.add_parser("dev", help="the Dagster UI on workspace.yaml")
    dev.add_argument("--port", "-p", type=int, default=None, help="the UI's port (default: Dagster's, 3000)")
    dev.add_argument("--host", "-H", default=None, help="the UI's host (default: Dagster's, 127.0.0.1)")
    run = sub.add_parser("run", help="generate demo data if needed, run the pipeline, print a summary")
    run.add_argument("--scale", type=scale_argument, default=1.0, help="demo company size (1 = 200 payees; above 0, at most 499.995)")
    run.add_argument("--regenerate", action="store_true", help="rewrite the demo data even if present")
    run.add_argument("--period", type=period_argument, default=None, help="pay period YYYY-MM (default: month before newest batch)")
    run.add_argument("--full-refresh", action="store_true", help="rebuild every dbt model from nothing (default: recompute only the deals new landing loads reach)")
    sub.add_parser(
        "validate",
        help="check the configuration and the landing files' headers; every problem in one line each, exit 2 if any stops the pipeline",
    )
    approve = sub.add_parser("approve", help="approve the payout content of a pay period before it is published")
    approve.add_argument("--period", type=period_argument, required=True, help="pay period YYYY-MM")
    approve.add_argument("--by", required=True, help="who approves (recorded in the ledger; one person approves one step)")
    approve.add_argument("--role", default=None, help="the approval step (approvals.yaml; default: the next one)")
    approve.add_argument("--pay-date", type=date_argument, default=None, help="YYYY-MM-DD: approve the content publish --pay-date would publish")
    publish = sub.add_parser("publish", help="publish one pay period into the payout ledger")
    publish.add_argument("--period", type=period_argument, required=True, help="pay period YYYY-MM")
    publish.add_argument("--pay-date", type=date_argument, default=None, help="YYYY-MM-DD: overrides the period's pay date in the warehouse (fct_payout_file_line; default the 15th of the next month)")
    publish.add_argument(
        "--allow-unchecked", action="store_true",
        help="publish although the newest pipeline run failed or left blocking checks unevaluated (needs --reason; recorded in the ledger)",
    )
    publish.add_argument("--reason", default=None, help="why --allow-unchecked is used (written to the ledger's publication record)")
    backfill = sub.add_parser("backfill", help="publish a range of pay periods, oldest first")
    backfill.add_argument("--from", dest="first", type=period_argument, required=True, help="first pay period YYYY-MM")
    backfill.add_argument("--to", dest="last", type=period_argument, required=True, help="last pay period YYYY-MM (inclusive)")
    args = parser.parse_args(argv)
    if args.command == "publish" and args.allow_unchecked and not (args.reason or "").strip():
        publish.error("--allow-unchecked needs --reason \"...\" (written to the ledger's publication record)")
    if args.command == "publish" and args.reason is not None and not args.allow_unchecked:
        publish.error("--reason goes with --allow-unchecked")

    if args.command == "prepare":
        print(f"dbt manifest: {prepare_dbt()}")
        return 0

    if args.command == "dev":
        prepare_dbt()
        ensure_dagster_home()
        command = dagster_dev_command(args.port, args.host)
        os.execv(command[0], command)

    paths = SpmPaths.from_env()
    if args.command == "validate":
        return validate_configuration(paths)
    if args.command == "approve":
        command = "python -m orchestration.cli " + " ".join(sys.argv[1:] if argv is None else argv)
        try:
            with guarded_run(paths, command, _instance):  # never while a run rebuilds the warehouse
                print(approve_period(paths, args.period, args.by, args.role, args.pay_date))
            return 0
        except RunRefused as refused:
            print(refused, file=sys.stderr)
            return EXIT_USER_ERROR
    periods: list[str] = []
    if args.command in ("publish", "backfill"):
        periods = [args.period] if args.command == "publish" else period_range(args.first, args.last)
        refusal = publish_refusal_today(periods)
        if refusal:  # a user error: one line, exit 2, nothing started
            print(refusal, file=sys.stderr)
            return EXIT_USER_ERROR
    command = "python -m orchestration.cli " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        # One live run per warehouse; stale runs, orphan writers and scratch recovered first;
        # SIGTERM stops the command cleanly (orchestration/run_guard.py).
        with guarded_run(paths, command, _instance):
            return _publish(paths, periods, args) if args.command in ("publish", "backfill") else _run(paths, args)
    except RunRefused as refused:
        print(refused, file=sys.stderr)
        return EXIT_USER_ERROR


def _instance():
    import dagster as dg

    ensure_dagster_home()
    return dg.DagsterInstance.get()


def publish_upstream_refusal(period: str, allow_unchecked: bool = False) -> str | None:
    """Why publishing ``period`` is refused before a publish run starts, in one line, or None:
    a blocking check upstream failed, or (unless ``allow_unchecked``) the newest run that built
    the payout lines did not succeed or left blocking checks unevaluated
    (assets/payouts/publication.py, which the publish step applies again)."""
    from assets.payouts.publication import upstream_refusal, upstream_state
    from orchestration.definitions import defs

    with _instance() as instance:
        state = upstream_state(instance, defs.resolve_asset_graph())
    return upstream_refusal(period, state, allow_unchecked)


def publish_approval_precheck(paths: SpmPaths, period: str, pay_date: str | None = None) -> str | None:
    """Why publishing ``period`` is refused for want of approval before a publish run starts, in
    one line, or None (assets/payouts/publication.py ``publish_approval_refusal``, which the
    publish step applies again to the lines it publishes). Not overridden by --allow-unchecked."""
    from assets.payouts.publication import ledger_models_behind, publish_approval_refusal

    prepared = prepared_lines(paths, period, pay_date)
    if prepared is None or ledger_models_behind(paths.export_dir, paths.warehouse):
        return None  # no warehouse, or lines the step refreshes first: the publish step decides
    return publish_approval_refusal(paths.export_dir, paths.config_dir, period, prepared[0])


def _publish(paths: SpmPaths, periods: list[str], args) -> int:
    prepare_dbt()
    allow_unchecked = getattr(args, "allow_unchecked", False)
    for period in periods:
        refusal = publish_upstream_refusal(period, allow_unchecked) or publish_approval_precheck(
            paths, period, getattr(args, "pay_date", None)
        )
        if refusal:
            print(refusal, file=sys.stderr)
            return EXIT_USER_ERROR
        result = publish_period_run(
            paths, period, getattr(args, "pay_date", None), style="lines",
            allow_unchecked_reason=args.reason if allow_unchecked else None,
        )
        if not result.success:
            print(f"{period}: NOT published\n{publish_failure(result)}", file=sys.stderr)
            return failure_exit_code(result)
        print(publication_summary(paths, period))
    return 0


def _run(paths: SpmPaths, args) -> int:
    from core.dbt import run_dbt_log

    if args.regenerate or not _has_landing_data(paths):
        from demo.generate import generate

        print(f"Generating the demo company (scale {args.scale}) into {paths.landing_dir} ...", flush=True)
        generate(paths.landing_dir.parent, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=args.scale)
    # The same validation as `spm validate`, before anything runs: a broken plan or a missing
    # landing column stops here in seconds, every problem in one line, and no run is started.
    from orchestration.validation import validate

    report = validate(paths)
    if not report.ok:
        for problem in report.errors:
            print(problem.line(), file=sys.stderr)
        print(f"{report.summary()}; no run was started", file=sys.stderr)
        return EXIT_USER_ERROR
    prepare_run()
    result = run_pipeline(paths, period=args.period, full_refresh=args.full_refresh, style="lines")
    print()
    print(summary(paths, warehouse_built=_step_started(result, DBT_STEP)))
    dbt_log = run_dbt_log(result.run_id)
    if dbt_log is not None:
        print(f"dbt log        {dbt_log}")
    if not result.success:
        reasons = failure_lines(result) or ["see the run's Dagster event log (`spm dev`, Runs)"]
        print("\nThe pipeline run failed:\n" + "\n".join(reasons), file=sys.stderr)
        return failure_exit_code(result)
    print("\nThe pipeline run succeeded. Browse it with `make dev`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
