"""The insight marts compare a payee with the measure their plan pays on (issue #16 item 2).

The small company (tests/support/raw.py) with one change: Carol (E003), the sales manager of
Alice, Bob and Dan, is paid on her team's credit (PLAN_MGR: one flat-rate component measured on
rollup_credit). Her own credit is small; the flag must read her team's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.raw import PLAN_COMPONENT_SCHEMA, PLAN_SCHEMA, _frame, build_small_company, write_batch
from tests.support.warehouse import env_without_spm, query, run_dbt

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


def _manager_company(raw: Path) -> None:
    build_small_company(raw)
    write_batch(raw, "config", "plan_assignments", "current",
                [{"employee_id": "E003", "plan_id": "PLAN_MGR", "start_date": date(2026, 1, 1), "end_date": None}],
                landing_name="plan_assignments-mgr.csv")
    _frame([{"plan_id": "PLAN_MGR", "plan_name": "Sales manager 2026", "effective_start": date(2026, 1, 1),
             "effective_end": date(2026, 12, 31), "source_file": "plans/plan_mgr.yaml"}],
           PLAN_SCHEMA).write_parquet(raw / "config" / "plan" / "plans_mgr.parquet")
    _frame([{"plan_id": "PLAN_MGR", "component_id": "C_TEAM", "component_name": "Commission on team bookings",
             "earning_code": "COMMISSION", "measure": "rollup_credit", "basis": "period", "rule_type": "flat_rate",
             "rate": D("0.01")}],
           PLAN_COMPONENT_SCHEMA).write_parquet(raw / "config" / "plan_component" / "plan_components_mgr.parquet")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("insights_plan_measure")
    _manager_company(tmp / "raw")
    env = env_without_spm() | {"SPM_RAW_DIR": str(tmp / "raw"), "SPM_WAREHOUSE": str(tmp / "spm.duckdb")}
    completed = run_dbt("build", tmp, env, "--select", "+fct_payee_attainment_flag", "+fct_attainment_distribution",
                        "+fct_credit", "+fct_attainment", "--exclude-resource-type", "unit_test",
                        "--indirect-selection", "cautious")
    assert completed.returncode == 0, completed.stdout[-5000:]
    return tmp / "spm.duckdb"


def test_a_manager_paid_on_team_credit_is_measured_on_team_credit(warehouse):
    flags = {(e, p): rest for e, p, *rest in query(
        warehouse, "select employee_id, period, measure, credit, quota, attainment, is_below_threshold "
                   "from fct_payee_attainment_flag where employee_id in ('E001', 'E003')")}
    team = dict(query(warehouse, "select period, sum(credit_amount) from fct_credit "
                                 "where employee_id = 'E003' and credit_type = 'rollup' group by 1"))
    own = {p: (c, a) for p, c, a in query(warehouse, "select period, credit_ytd, attainment_ytd from fct_attainment "
                                                     "where employee_id = 'E003'")}
    # February, year to date: Carol's team credit of January and February against her YTD quota
    measure, credit, quota, attainment, below = flags[("E003", "2026-02")]
    assert measure == "rollup_credit"
    assert credit == team.get("2026-01", D(0)) + team["2026-02"] > own["2026-02"][0]
    assert attainment == (credit / quota).quantize(D("1e-10"))
    assert attainment > own["2026-02"][1]
    # an account executive stays on own credit, as fct_attainment has it
    assert flags[("E001", "2026-02")][0] == "own_credit"
    assert flags[("E001", "2026-02")][1] == query(
        warehouse, "select credit_ytd from fct_attainment where employee_id = 'E001' and period = '2026-02'")[0][0]


def test_the_distribution_counts_the_manager_on_team_credit(warehouse):
    # Carol has no manager: her team row (team_manager_employee_id null) holds only her
    (attainment,) = query(warehouse, "select average_attainment from fct_attainment_distribution "
                                     "where period = '2026-02' and basis = 'ytd' and team_level = 'team' "
                                     "and team_manager_employee_id is null")[0]
    flag = query(warehouse, "select attainment from fct_payee_attainment_flag where employee_id = 'E003' "
                            "and period = '2026-02'")[0][0]
    assert attainment == flag
