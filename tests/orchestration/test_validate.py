"""`spm validate`: the configuration and the landing headers checked in seconds, every problem at once.

Hand-made configuration and landing folders (a plan, territories, a territory assignment, quotas, an
Opportunity file); no pipeline run. What a fatal problem is and what a warning is: docs/operations.md,
"Validating before a run".
"""

from __future__ import annotations

import time

import dagster as dg
import pytest

from orchestration.cli import main
from tests.support.demo import paths_under
from tests.support.landing import opportunity, write_rows
from tests.support.plans import GOOD_PLAN, write_plan

BATCH = "2026-11-27"

TERRITORIES = """\
default_territory:
  territory_id: REST
  name: Rest of world
territories:
  - territory_id: EMEA
    name: Europe
rules:
  - rule_id: emea
    priority: 1
    territory_id: EMEA
    billing_countries: [Germany, France]
"""


@pytest.fixture()
def paths(tmp_path, monkeypatch):
    paths = paths_under(tmp_path)
    for variable, value in paths.as_env().items():
        monkeypatch.setenv(variable, value)
    paths.config_dir.mkdir(parents=True)
    return paths


def _good_company(paths) -> None:
    write_plan(paths.config_dir, "ae.yaml", GOOD_PLAN)
    (paths.config_dir / "territories.yaml").write_text(TERRITORIES)
    write_rows(
        paths.config_dir / "territory_assignments.csv",
        [{"territory_id": "EMEA", "employee_id": "E1", "start_date": "2026-01-01", "end_date": ""}],
    )
    write_rows(paths.config_dir / "quotas.csv", [{"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "USD"}])
    write_rows(paths.landing_dir / "crm" / BATCH / "Opportunity.csv", [opportunity()])


def _validate(capfd) -> tuple[int, list[str], list[str], float]:
    started = time.monotonic()
    code = main(["validate"])
    elapsed = time.monotonic() - started
    console = capfd.readouterr()
    return code, console.out.splitlines(), console.err.splitlines(), elapsed


def test_a_good_configuration_passes_in_one_line(paths, capfd):
    _good_company(paths)
    code, out, err, _ = _validate(capfd)
    assert (code, err) == (0, [])
    # ae.yaml, territories.yaml, territory_assignments.csv, quotas.csv, Opportunity.csv
    assert out == ["configuration and landing headers OK: 5 files checked"]


def test_every_problem_is_reported_at_once_one_line_each_and_exits_2(paths, capfd):
    _good_company(paths)
    # A typo in the plan (`rat` for `rate`), a territory rule naming an undeclared territory,
    # a territory assignment with a date that is no date, a landing file without CloseDate.
    write_plan(paths.config_dir, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', 'rat: "0.08"'))
    (paths.config_dir / "territories.yaml").write_text(TERRITORIES.replace("territory_id: EMEA\n    billing", "territory_id: APAC\n    billing"))
    write_rows(
        paths.config_dir / "territory_assignments.csv",
        [
            {"territory_id": "EMEA", "employee_id": "E1", "start_date": "2026-01-01", "end_date": ""},
            {"territory_id": "EMEA", "employee_id": "E2", "start_date": "2026-13-01", "end_date": ""},
        ],
    )
    row = opportunity()
    del row["CloseDate"]
    landing = write_rows(paths.landing_dir / "crm" / BATCH / "Opportunity.csv", [row])

    code, out, err, elapsed = _validate(capfd)

    assert code == 2 and out == []
    assert elapsed < 5, elapsed
    errors = [line for line in err if line.startswith("ERROR: ")]
    warnings = [line for line in err if line.startswith("WARNING: ")]
    assert any("plans/ae.yaml (plan AE-2026, component commission)" in l and "rat" in l for l in errors), err
    assert any(l.startswith("ERROR: territories.yaml") and "APAC" in l for l in errors), err
    assert any(str(landing) in l and "missing required column(s) CloseDate" in l for l in errors), err
    # A bad row is quarantined by the ingest, the run goes on: a warning naming file, row and rule.
    assert warnings == [
        "WARNING: territory_assignments.csv row 2: start_date '2026-13-01' is not a date (YYYY-MM-DD) "
        "[unparseable_date: the row is quarantined]"
    ]
    assert err[-1] == (
        f"{len(errors)} problem(s) that stop the pipeline in 5 files checked (1 warning(s): rows the ingest "
        "will quarantine, unknown columns); fix them and run `spm validate` again"
    )
    assert len(err) == len(errors) + len(warnings) + 1  # one line per problem, nothing else


def test_a_bad_approvals_yaml_stops_the_pipeline_in_one_line(paths, capfd):
    # docs/payment_workflow.md#approval: the same loader as publishing's.
    _good_company(paths)
    (paths.config_dir / "approvals.yaml").write_text("steps:\n  - role: finance\n  - role: finance\n")
    code, out, err, _ = _validate(capfd)
    assert code == 2 and out == []
    assert err[0] == "ERROR: approvals.yaml steps[1].role: 'finance' is a step already; each role approves once"
    assert err[-1].startswith("1 problem(s) that stop the pipeline in 6 files checked")


def test_row_problems_and_unknown_columns_are_warnings_and_exit_0(paths, capfd):
    _good_company(paths)
    write_rows(
        paths.config_dir / "quotas.csv",
        [
            {"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "USD", "seasonality_profle": "flat"},
            {"employee_id": "E2", "plan_year": "2026", "annual_quota": "12,5x", "currency": "USD", "seasonality_profle": ""},
        ],
    )
    code, out, err, _ = _validate(capfd)
    assert code == 0
    assert err == [
        "WARNING: quotas.csv: column(s) seasonality_profle not in the contract of config/quotas (kept as extra "
        "columns, read by nothing; known: employee_id, plan_year, annual_quota, currency, seasonality_profile)",
        "WARNING: quotas.csv row 2: annual_quota '12,5x' is not a decimal [unparseable_decimal: the row is quarantined]",
    ]
    assert out == [
        "configuration and landing headers OK: 5 files checked (2 warning(s): rows the ingest will quarantine, unknown columns)"
    ]


def test_a_batch_folder_that_is_not_a_date_and_a_bad_setting_are_fatal(paths, capfd, monkeypatch):
    _good_company(paths)
    (paths.landing_dir / "hr" / "latest").mkdir(parents=True)
    monkeypatch.setenv("SPM_QUARANTINE_MAX_SHARE", "lots")
    code, _, err, _ = _validate(capfd)
    assert code == 2
    assert any("Landing batch folder" in l and "latest" in l for l in err), err
    assert any(l.startswith("ERROR: settings: SPM_QUARANTINE_MAX_SHARE must be a share") for l in err), err


def test_a_bad_plan_acceptance_mode_is_caught_before_any_run(paths, capfd, monkeypatch):
    # read with every other setting (core/settings.py), not first at publish time
    _good_company(paths)
    monkeypatch.setenv("SPM_PLAN_ACCEPTANCE", "block")
    code, _, err, _ = _validate(capfd)
    assert code == 2
    assert any(l.startswith("ERROR: settings: SPM_PLAN_ACCEPTANCE must be one of warn, refuse, not 'block'")
               for l in err), err


def test_run_validates_first_and_starts_no_run(paths, capfd, monkeypatch, tmp_path):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    _good_company(paths)
    write_plan(paths.config_dir, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', 'rat: "0.08"'))
    started = time.monotonic()
    assert main(["run"]) == 2
    assert time.monotonic() - started < 10
    err = capfd.readouterr().err.splitlines()
    assert err[0].startswith("ERROR: plans/ae.yaml (plan AE-2026, component commission)")
    assert err[-1].endswith("; no run was started")
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs() == []  # no run was started
    assert not paths.raw_dir.exists()  # nothing ingested


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--scale", "-1"], "argument --scale: the demo company's scale is a number above 0 and at most 499.995"),
        (["run", "--scale", "0"], "argument --scale: the demo company's scale is a number above 0"),
        (["run", "--scale", "500"], "at most 499.995 (1 = 200 payees), not 500.0"),
        (["run", "--scale", "big"], "argument --scale: the demo company's scale is a number, not 'big'"),
        (["run", "--period", "2026/10"], "argument --period: A pay period is written YYYY-MM"),
        (["publish", "--period", "2026-13"], "argument --period: A pay period is written YYYY-MM (e.g. 2026-10), not '2026-13'."),
        (["publish", "--period", "2026-10", "--allow-unchecked"], "--allow-unchecked needs --reason"),
        (["publish", "--period", "2026-10", "--reason", "why"], "--reason goes with --allow-unchecked"),
    ],
)
def test_arguments_are_checked_when_parsed(argv, message, capfd):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capfd.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.splitlines()[-1].startswith("spm ")  # argparse's one line after the usage


def test_the_demo_company_validates(tmp_path, monkeypatch, capfd):
    from demo.generate import generate

    paths = paths_under(tmp_path)
    for variable, value in paths.as_env().items():
        monkeypatch.setenv(variable, value)
    generate(tmp_path, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=0.02, seed=3)
    code, out, err, elapsed = _validate(capfd)
    # the one bad configuration row the demo plants (demo/workflow.py): an adjustment without an approver
    assert (code, err) == (0, [
        "WARNING: adjustments.csv row 4: approved_by is missing [adjustment_without_approver: the row is quarantined]",
        "WARNING: adjustments.csv row 4: approved_at is missing [adjustment_without_approver: the row is quarantined]",
    ])
    (line,) = out
    assert line.startswith("configuration and landing headers OK: ") and line.endswith(
        " files checked (2 warning(s): rows the ingest will quarantine, unknown columns)")
    assert elapsed < 10, elapsed


@pytest.mark.slow  # one in-process run of the pipeline job
def test_a_broken_plan_fails_the_pipeline_at_once_and_publishing_then_refuses(paths, capfd, monkeypatch, tmp_path):
    from orchestration.cli import failure_lines, run_pipeline

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("SPM_RETRY_DELAY_SECONDS", "1")
    _good_company(paths)
    write_plan(paths.config_dir, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', 'rat: "0.08"'))

    result = run_pipeline(paths, log_level="WARNING")  # a run from the UI or a schedule: no validation first

    assert not result.success
    plan_events = [e for e in result.all_events if e.step_key == "raw__config__plans"]
    types = [e.event_type for e in plan_events]
    assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in types and types.count(dg.DagsterEventType.STEP_START) == 1
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(result.run_id).records
        started = next(r.event_log_entry.timestamp for r in records if r.event_log_entry.is_dagster_event
                       and r.event_log_entry.dagster_event.event_type == dg.DagsterEventType.RUN_START)
        failed = next(r.event_log_entry.timestamp for r in records if r.event_log_entry.is_dagster_event
                      and r.event_log_entry.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE
                      and r.event_log_entry.dagster_event.step_key == "raw__config__plans")
    assert failed - started < 10, failed - started
    (line,) = [l for l in failure_lines(result) if l.startswith("raw__config__plans: ")]
    assert "plans/ae.yaml (plan AE-2026, component commission)" in line
    capfd.readouterr()

    # The run that set out to build the payout lines failed: the period is not published (exit 2,
    # one line, before a publish run starts), and no flag turns the failed run into a checked one.
    assert main(["publish", "--period", "2026-10"]) == 2
    console = capfd.readouterr()
    (refusal,) = console.err.splitlines()
    assert refusal.startswith(f"Refusing to publish 2026-10: the newest run that built its payout lines (run {result.run_id[:8]}) failed; ")
    assert "blocking check(s) upstream were not evaluated" in refusal
    assert refusal.endswith('publish anyway with --allow-unchecked --reason "..." (recorded in the ledger).')
    assert not (paths.export_dir / "payouts" / "published").exists()
