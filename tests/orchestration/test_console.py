"""The console a person reads (orchestration/run_console.py, core/progress.py, core/dbt.py).

Unit tests of the line formats, of the console fed a run's steps by hand (a
fake clock), of the progress lines, of the cleanup of old dbt build folders and
of the CLI's exit codes and ``dev`` command. The console of a whole CLI run is
checked on the run of tests/orchestration/test_crash_safety.py
(tests/support/console.py ``assert_readable_console``), which runs the CLI anyway.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core.dbt import RUN_TARGET_PREFIX, remove_old_run_targets, run_dbt_log
from core.progress import ProgressReporter, parse_progress, progress_message
from orchestration.run_console import (
    RunConsole,
    StageTally,
    format_elapsed,
    shorten,
    stage_line,
    stage_name,
    status_line,
)

# --- line formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, text",
    [(0.04, "0.0 s"), (0.44, "0.4 s"), (9.94, "9.9 s"), (12.4, "12 s"), (59.4, "59 s"), (65, "1 min 05 s"),
     (3599, "59 min 59 s"), (3725, "1 h 02 min")],
)
def test_elapsed_time_is_read_at_a_glance(seconds, text):
    assert format_elapsed(seconds) == text


def test_a_stage_line_has_the_stage_its_counts_and_its_time():
    stage = StageTally("ingest", assets=17, checks_passed=35, checks_warned=1, checks_failed=2, seconds=31.2)
    assert stage_line(stage) == "ingest        17 assets, 35 checks passed, 1 warning, 2 FAILED       31 s"
    one = StageTally("payouts", assets=1, seconds=0.34)
    assert stage_line(one) == "payouts       1 asset                                               0.3 s"
    failed = StageTally("statements", failed=["payee_statements"], skipped=1, seconds=2)
    assert stage_line(failed) == "statements    1 step not run                                        2.0 s  FAILED: payee_statements"
    assert stage_line(StageTally("bi")) == "bi            done                                                  0.0 s"


def test_a_long_message_is_cut_to_its_first_line():
    assert shorten("first line\nsecond line") == "first line"
    assert shorten("x" * 200, 20) == "x" * 17 + "..."
    assert shorten("") == ""


def test_the_progress_bar_fits_the_terminal():
    line = status_line(34, 67, "dbt build: 120/468 models and tests done; latest: test not_null_x", 72, width=80)
    assert line.startswith("[##########----------] 34/67 steps  dbt build: 120/468")
    assert line.endswith("1 min 12 s") and len(line) <= 79
    assert status_line(0, 0, "", 0, width=40).startswith("[--------------------] 0/0 steps")


def test_a_step_with_assets_of_several_domains_is_its_own_stage():
    assert stage_name("raw__crm__opportunity", {"ingest"}) == "ingest"
    assert stage_name("spm_dbt_models", {"ingest", "compensation", "payouts"}) == "dbt build"
    assert stage_name("other_step", {"a", "b"}) == "other_step"


# --- the console fed a run by hand ----------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _console(tty=False):
    out, err, clock = [], [], Clock()

    def writer(lines):
        def write(text, end="\n"):
            lines.append(text + end)

        return write

    console = RunConsole(writer(out), writer(err), tty=tty, clock=clock, width=100)
    console.planned("raw__a", "ingest")
    console.planned("raw__a_check", "ingest")
    console.planned("spm_dbt_models", "dbt build")
    console.planned("bookings_forecast", "forecasts", graph_assets=1)
    console.planned("payout_forecast", "forecasts")
    return console, out, err, clock


def _step(console, clock, step, seconds, assets=0, checks=0, outcome="succeeded"):
    console.step_started(step)
    clock.now += seconds
    for _ in range(assets):
        console.materialized(step)
    for _ in range(checks):
        console.check_evaluated(step, True, False, "x:y", "")
    console.step_finished(step, outcome)


def test_a_stage_is_printed_once_when_its_last_step_ends(monkeypatch):
    from orchestration import run_console as module

    monkeypatch.setattr(module, "PROGRESS_EVERY_SECONDS", 30.0)
    console, out, err, clock = _console()
    _step(console, clock, "raw__a", 1.5, assets=1)
    assert out == []  # the ingest check has not run
    _step(console, clock, "raw__a_check", 0.5, checks=1)
    assert out == ["ingest        1 asset, 1 check passed                               2.0 s\n"]
    console.step_started("spm_dbt_models")
    console.progress("spm_dbt_models", "dbt build: 10/400 models and tests done")  # too soon to print
    clock.now += 30
    console.progress("spm_dbt_models", "dbt build: 200/400 models and tests done")
    console.progress("spm_dbt_models", "dbt build: 210/400 models and tests done")  # printed 0 s ago
    clock.now += 5
    for _ in range(3):
        console.materialized("spm_dbt_models")
    console.check_evaluated("spm_dbt_models", False, True, "fct_x:freshness", "3 days old")
    console.check_evaluated("spm_dbt_models", False, False, "fct_x:unique_id", "2 duplicates")  # said at the end
    console.step_finished("spm_dbt_models", "succeeded")
    assert out[1:] == [
        "              dbt build: 200/400 models and tests done\n",
        "dbt build     3 assets, 0 checks passed, 1 warning, 1 FAILED         35 s\n",
    ]
    assert err == ["warning: spm_dbt_models: check fct_x:freshness failed: 3 days old\n"]


def test_a_graph_backed_asset_is_done_when_its_asset_is_materialized():
    console, out, err, clock = _console()
    _step(console, clock, "bookings_forecast.inputs", 1)
    _step(console, clock, "payout_forecast", 2, assets=1)
    _step(console, clock, "bookings_forecast.group[group_0]", 1)  # a dynamic step, not in the plan
    assert out == []
    _step(console, clock, "bookings_forecast.files", 1, assets=1)
    assert out == ["forecasts     2 assets                                              5.0 s\n"]


def test_a_failed_run_names_the_failed_step_and_the_stages_that_did_not_run():
    console, out, err, clock = _console()
    _step(console, clock, "raw__a", 1, outcome="failed")
    console.finished()
    assert out == [
        "ingest        done                                                  1.0 s  FAILED: raw__a\n",
        "dbt build     not run\n",
        "forecasts     not run\n",
    ]


def test_on_a_terminal_the_progress_is_one_line_redrawn_in_place():
    console, out, err, clock = _console(tty=True)
    console.step_started("raw__a")
    console.progress("raw__a", "raw: 1/2 files")
    assert out[-1].startswith("\r[") and out[-1].endswith("\x1b[K") and "ingest: raw: 1/2 files" in out[-1]
    _step(console, clock, "raw__a_check", 0.5, checks=1)
    clock.now += 1
    console.step_finished("raw__a", "succeeded")
    lines = "".join(out)
    assert "\r\x1b[Kingest        1 check passed" in lines  # the bar cleared, the stage line, the bar again
    console.finished()
    assert out[-1] == "\r\x1b[K"  # nothing left on the line at the end


# --- progress lines of a long step ------------------------------------------------------------------


def test_progress_lines_have_one_format_the_console_recognises():
    assert progress_message("statements", 120, 186) == "statements: 120/186"
    assert parse_progress("statements: 120/186") == ("statements", 120, 186)
    assert parse_progress("dbt build: 47/468 models and tests done; latest: model x") == ("dbt build", 47, 468)
    assert parse_progress("payout forecast scenarios: 3/20 done") == ("payout forecast scenarios", 3, 20)
    assert parse_progress("Wrote 10 statements for 2026-10") is None
    assert parse_progress("crm/2026-09-30/Account.csv: 815 rows read") is None


def test_a_reporter_logs_the_first_item_every_tenth_the_last_and_after_a_pause():
    logged, clock = [], Clock()
    progress = ProgressReporter(logged.append, "statements", 25, seconds=5.0, clock=clock)
    for n in range(1, 26):
        clock.now += 0.1
        if n == 12:
            clock.now += 6  # a slow statement: the next one reports
        progress.advance()
    assert logged == [
        "statements: 1/25", "statements: 4/25", "statements: 7/25", "statements: 10/25", "statements: 12/25",
        "statements: 15/25", "statements: 18/25", "statements: 21/25", "statements: 24/25", "statements: 25/25",
    ]


# --- dbt's build folders ----------------------------------------------------------------------------


def _build_folder(target: Path, name: str, age_seconds: float, now: float) -> Path:
    folder = target / f"{RUN_TARGET_PREFIX}{name}"
    (folder / "run").mkdir(parents=True)
    (folder / "dbt.log").write_text("Running with dbt=1.11\n")
    for path in (folder / "run", folder / "dbt.log", folder):
        os.utime(path, (now - age_seconds, now - age_seconds))
    return folder


def test_old_build_folders_are_removed_but_the_newest_the_current_and_live_ones(tmp_path):
    now = 2_000_000_000.0
    hour = 3600
    folders = {age: _build_folder(tmp_path, f"run{age:02d}-abc1234", age * hour, now) for age in (1, 2, 3, 4, 5, 6)}
    live = _build_folder(tmp_path, "live000-abc1234", 10 * hour, now)
    os.utime(live / "run", (now - 60, now - 60))  # written to a minute ago: a build still running
    current = _build_folder(tmp_path, "curr000-abc1234", 20 * hour, now)
    other = tmp_path / "partial_parse.msgpack"
    other.write_text("kept")

    # The newest three by their last write: the live one, 1 h and 2 h old; the current one is kept.
    removed = remove_old_run_targets(tmp_path, keep=current, kept=3, idle_seconds=1800, now=now)
    assert sorted(removed) == [folders[3], folders[4], folders[5], folders[6]]
    assert folders[1].exists() and folders[2].exists() and live.exists() and current.exists() and other.exists()

    # None kept by rank: what was written to in the last half hour stays (a build may be running).
    assert sorted(remove_old_run_targets(tmp_path, kept=0, idle_seconds=1800, now=now)) == sorted(
        [folders[1], folders[2], current]
    )
    assert live.exists() and other.exists()


def test_the_folders_other_dbt_commands_left_are_removed_when_idle(tmp_path):
    from core.dbt import COMMAND_TARGET_PATTERN

    now = 2_000_000_000.0
    old = tmp_path / "0a1b2c3"
    recent = tmp_path / "4d5e6f7"
    for folder, age in ((old, 3600), (recent, 60)):
        folder.mkdir()
        os.utime(folder, (now - age, now - age))
    build = _build_folder(tmp_path, "8a8c5e0-08e962d", 3600, now)
    removed = remove_old_run_targets(tmp_path, pattern=COMMAND_TARGET_PATTERN, kept=0, idle_seconds=1800, now=now)
    assert removed == [old] and recent.exists() and build.exists()


def test_the_dbt_log_of_a_run_is_found_by_its_run_id(tmp_path):
    folder = _build_folder(tmp_path, "8a8c5e0-08e962d", 0, 2_000_000_000.0)
    assert run_dbt_log("8a8c5e01-7197-40df-9d53-32f07d57a742", tmp_path) == folder / "dbt.log"
    assert run_dbt_log("00000000-7197-40df-9d53-32f07d57a742", tmp_path) is None


# --- the command line ----------------------------------------------------------------------------------


def test_spm_dev_passes_port_and_host_to_dagster_dev():
    from orchestration.cli import dagster_dev_command

    command = dagster_dev_command(3001, "0.0.0.0")
    assert Path(command[0]).name == "dagster" and command[1:3] == ["dev", "-w"]
    assert command[-4:] == ["-p", "3001", "-h", "0.0.0.0"]
    assert "-p" not in dagster_dev_command() and "-h" not in dagster_dev_command()


def test_the_spm_command_is_installed_beside_spm_dbt():
    import tomllib

    from core.settings import REPO_ROOT

    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["spm"] == "orchestration.cli:main" and scripts["spm-dbt"] == "core.dbt_child:main"


def test_a_user_error_of_the_cli_is_one_line_and_exit_code_2(capfd):
    from orchestration.cli import main

    assert main(["backfill", "--from", "2026-03", "--to", "2026-01"]) == 2
    console = capfd.readouterr()
    assert console.err == "--to 2026-01 is before --from 2026-03\n" and console.out == ""


def test_a_setting_that_does_not_parse_is_one_line_and_exit_code_2(capfd, monkeypatch):
    from orchestration.cli import main

    monkeypatch.setenv("SPM_PAY_DAY", "the fifteenth")
    assert main(["prepare"]) == 2
    console = capfd.readouterr()
    (line,) = console.err.splitlines()
    assert "SPM_PAY_DAY" in line and "Traceback" not in console.err


# --- the console of a Dagster run (a small job in process) -------------------------------------------


def test_a_dagster_run_prints_a_line_per_stage_its_progress_and_warnings_in_one_line(capfd, monkeypatch):
    import dagster as dg

    from core.failures import user_error
    from orchestration import console, run_console
    from orchestration.cli import console_run_config, failure_exit_code

    monkeypatch.setattr(run_console, "PROGRESS_EVERY_SECONDS", 0.0)

    @dg.asset(group_name="ingest")
    def landed(context):
        progress = ProgressReporter(context.log.info, "files", 2)
        for _ in range(2):
            context.log.info("a message a person does not need")
            progress.advance()
        context.log.warning("one warning\nwith a second line")
        return 1

    @dg.asset_check(asset=landed, description="warns")
    def landed_is_fresh():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, description="2 days old")

    @dg.asset(group_name="payouts")
    def paid(landed):
        raise user_error("config/plans/plan.yaml: components[0].rate: 'x' is not a number")

    @dg.asset(group_name="statements")
    def stated(paid):
        return 3

    job = dg.define_asset_job("small", selection=dg.AssetSelection.all())
    defs = dg.Definitions(assets=[landed, paid, stated], asset_checks=[landed_is_fresh], jobs=[job],
                          loggers={"console": run_console.spm_console_logger})
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("small").execute_in_process(
            instance=instance, run_config=console_run_config(style="lines"), raise_on_error=False
        )
    out, err = capfd.readouterr()

    assert not result.success
    lines = out.splitlines()
    assert lines[0] == f"run {result.run_id}: every event in the Dagster UI (`spm dev`, Runs)"
    assert lines[1:3] == ["              ingest: files: 1/2", "              ingest: files: 2/2"]
    assert re.fullmatch(r"ingest +1 asset, 0 checks passed, 1 warning +\d\.\d s", lines[3])
    assert re.fullmatch(r"payouts +done +\d\.\d s  FAILED: paid", lines[4])
    assert re.fullmatch(r"statements +1 step not run +0\.0 s", lines[5]) and len(lines) == 6
    assert err.splitlines() == [
        "warning: landed: one warning",
        "warning: landed_landed_is_fresh: check landed:landed_is_fresh failed: 2 days old",
    ]
    assert "a message a person does not need" not in out + err and "Traceback" not in out + err
    assert failure_exit_code(result) == 2  # bad configuration: a user error


def test_a_bug_keeps_its_traceback_in_the_event_log_and_exits_1(capfd):
    import dagster as dg

    from orchestration import run_console
    from orchestration.cli import console_run_config, failure_exit_code, failure_lines

    @dg.asset(group_name="payouts")
    def broken():
        return {}["missing"]

    job = dg.define_asset_job("broken_job", selection=dg.AssetSelection.all())
    defs = dg.Definitions(assets=[broken], jobs=[job], loggers={"console": run_console.spm_console_logger})
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("broken_job").execute_in_process(
            instance=instance, run_config=console_run_config(style="lines"), raise_on_error=False
        )
        logged = [e for e in instance.all_logs(result.run_id) if e.dagster_event and e.dagster_event.is_step_failure]
    out, err = capfd.readouterr()

    assert failure_exit_code(result) == 1
    assert "Traceback" not in out + err
    assert failure_lines(result) == [
        "broken: KeyError: 'missing' (the traceback is in the run's Dagster event log: `spm dev`, Runs)"
    ]
    assert "return {}[\"missing\"]" in logged[0].dagster_event.event_specific_data.error.to_string()


@pytest.mark.slow  # starts dbt
def test_a_dbt_command_prints_nothing_and_leaves_no_folder_behind(capfd):
    from core.dbt import run_dbt
    from core.settings import DBT_PROJECT_DIR

    target = DBT_PROJECT_DIR / "target"
    before = {p.name for p in target.iterdir()}
    run_dbt(["debug", "--config-dir"])  # a command of a few events, without a warehouse
    console = capfd.readouterr()
    assert console.out == ""  # dagster-dbt echoed every event of dbt's stdout here
    assert {p.name for p in target.iterdir()} <= before  # its own folder removed once it succeeded
