"""What the user reads when a run stops on bad input: one clear message, no traceback, no retry.

Hand-made landing folders (a single Opportunity file) through the real
``spm_pipeline`` job and its retry policy (SPM_RETRY_MAX 2, 1 s backoff in the
tests), with the console captured as the user sees it.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from core.settings import SpmPaths
from orchestration.cli import console_run_config, ensure_dagster_home, failure_lines, main
from tests.support.demo import paths_under
from tests.support.landing import opportunity, write_rows

pytestmark = pytest.mark.slow  # runs the pipeline job

BATCH = "2026-11-27"
OPPORTUNITY_KEY = dg.AssetKey(["raw", "crm", "opportunity"])


@pytest.fixture()
def environment(tmp_path, monkeypatch):
    paths = paths_under(tmp_path)
    for variable, value in {**paths.as_env(), "DAGSTER_HOME": str(tmp_path / "dagster_home")}.items():
        monkeypatch.setenv(variable, value)
    paths.config_dir.mkdir(parents=True)
    return paths


def _opportunity_file(paths: SpmPaths) -> Path:
    return paths.landing_dir / "crm" / BATCH / "Opportunity.csv"


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and "Stack Trace" not in text, text
    assert "Exceeded max_retries" not in text, text


def test_a_missing_column_fails_at_once_in_one_line_without_retry(environment, capfd):
    row = opportunity()
    del row["CloseDate"]
    path = write_rows(_opportunity_file(environment), [row])
    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def(PIPELINE_JOB_NAME).execute_in_process(
            instance=instance, run_config=console_run_config(), asset_selection=[OPPORTUNITY_KEY], raise_on_error=False
        )
    console = capfd.readouterr()

    assert not result.success
    types = [e.event_type for e in result.all_events if e.step_key == "raw__crm__opportunity"]
    assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in types
    assert types.count(dg.DagsterEventType.STEP_START) == 1
    assert types.count(dg.DagsterEventType.STEP_FAILURE) == 1
    (line,) = failure_lines(result)
    assert line.startswith("raw__crm__opportunity: ") and str(path) in line and "CloseDate" in line
    assert "\n" not in line
    _no_traceback(console.out + console.err)
    (logged,) = [l for l in (console.out + console.err).splitlines() if "STEP_FAILURE" in l]
    assert str(path) in logged and "CloseDate" in logged


def test_quarantine_over_the_threshold_says_dataset_share_rules_example_files_and_setting(environment, capfd, monkeypatch):
    # 10 rows, 3 bad (2 amounts, 1 currency): 30% against the default 1%.
    rows = [opportunity(Id=f"006{n:02d}") for n in range(10)]
    rows[3]["Amount"] = "12,5x"
    rows[6]["Amount"] = "n/a"
    rows[8]["CurrencyIsoCode"] = "XXX"
    write_rows(_opportunity_file(environment), rows)
    monkeypatch.setenv("SPM_QUARANTINE_MIN_ROWS", "10")

    assert main(["run"]) == 2  # bad input: a user error
    console = capfd.readouterr()
    text = console.out + console.err

    _no_traceback(text)
    assert "SPM_QUARANTINE_MAX_SHARE = 0.01" in console.err
    assert "crm/opportunity: 3 of 10 rows quarantined (30.00%)" in console.err
    quarantine_dir = environment.raw_dir / "quarantine" / "crm" / "opportunity"
    assert f"quarantine files: {quarantine_dir}" in console.err
    # Rows are numbered from the first data row: the 4th is row 4.
    assert f"unparseable_decimal: 2 row(s), e.g. crm/{BATCH}/Opportunity.csv row 4: Amount '12,5x'" in console.err
    assert f"unknown_currency: 1 row(s), e.g. crm/{BATCH}/Opportunity.csv row 9: CurrencyIsoCode 'XXX'" in console.err
    assert "SPM_QUARANTINE_MIN_ROWS = 10" in console.err
    # The summary lists the quarantine from the raw layer: the warehouse was not built.
    assert "(not rebuilt by this run)" in console.out
    assert "crm/opportunity                     3 of         10 rows (30.00%)" in console.out
