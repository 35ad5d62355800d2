"""Never negative pay, and adjustments in a quiet month (SPEC §5-§6, docs/ledger.md).

A hand-made company over four pay periods, every line computed by hand:

* payees E1 Alice and E2 Bob (USD), plan AE-2026: flat 10 % of own credit per
  month, clawback window 90 days, clawback_policy commission_only (the lost
  deal's credit stays booked for attainment; its commission is clawed back: the
  ledger sees the credit the commission counted, so it is still a CLAWBACK).
* January: O1 Alice 50,000 (Jan 10), O2 Bob 3,000 (Jan 15). January pays
  Alice 5,000.00 and Bob 300.00; published.
* then O1 is lost (Feb 10, inside the window) and a late January deal O3 for
  Bob (3,000) arrives. Nobody closes anything in February: no payee has a
  calculated line that month.
  February owes Alice CLAWBACK -5,000.00 and Bob ADJUSTMENT +300.00. Alice
  has nothing to take the clawback from: her file pays nothing (never -5,000),
  the clawback is carried. February's file is Bob's adjustment alone, and it
  publishes.
* March: O4 Alice 20,000 (Mar 5): COMMISSION 2,000.00, from which 2,000.00 of
  the carried clawback is taken: Alice is paid 0.00 in March, and -3,000.00 is
  still owed in April. The clawback keeps the plan that paid O1 (AE-2026), not
  UNASSIGNED.
* Alice leaves on 2026-03-31: April's file cannot take the -3,000.00 from
  anything, and its manifest reports it to finance as a balance owed at
  termination.
* Payroll (docs/payroll.md): the US is paid through ADP (Co Code K7Q, Batch ID
  B01; COMMISSION, CLAWBACK, ADJUSTMENT -> COM). March's payout file keeps
  Alice's CLAWBACK -2,000.00 beside her COMMISSION 2,000.00; her payroll lines
  net to 0.00 and she is in no payroll file. Three bad configuration rows are
  quarantined and change nothing.
"""

from __future__ import annotations

import csv
import json
import os
from decimal import Decimal

import pytest

from assets.payouts import ledger as store
from core.settings import SpmPaths
from orchestration.cli import publish_failure, publish_period_run, run_pipeline
from tests.support.demo import WITHOUT_FORECASTS, paths_under
from tests.support.landing import write_rows
from tests.support.ledger import deal as _deal
from tests.support.ledger import warehouse_rows as _query
from tests.support.ledger import approve_periods, run_daily, write_company

pytestmark = pytest.mark.slow  # runs the pipeline job

D = Decimal


PAYROLL_CODES = [
    {"adapter": "adp", "earning_code": code, "payroll_code": payroll_code}
    for code, payroll_code in (("COMMISSION", "COM"), ("CLAWBACK", "COM"), ("ADJUSTMENT", "COM"), ("BONUS", "BON"))
]


def _write_payroll_config(paths: SpmPaths, codes: list[dict]) -> None:
    write_rows(paths.config_dir / "payrolls.csv", [
        {"country": "US", "adapter": "adp", "company_code": "K7Q", "batch_id": "B01"},
        {"country": "DE", "adapter": "sap", "company_code": None, "batch_id": None},  # row 2: unknown adapter
        {"country": "GB", "adapter": "adp", "company_code": "K7R", "batch_id": None},  # row 3: no Batch ID
    ])
    write_rows(paths.config_dir / "payroll_codes.csv", [
        *codes,
        {"adapter": "gusto", "earning_code": "SPIF", "payroll_code": "spiff"},  # not a Gusto column
    ])


def _write_company(paths: SpmPaths) -> None:
    write_company(
        paths, [_deal("O1", "U1", "50000", "2026-01-10"), _deal("O2", "U2", "3000", "2026-01-15")],
        terminations={"E1": "2026-03-31"}, clawback_policy="commission_only",
    )
    _write_payroll_config(paths, PAYROLL_CODES)


def _write_changes(paths: SpmPaths) -> None:
    write_rows(
        paths.landing_dir / "crm" / "2026-03-01" / "Opportunity.csv",
        [
            _deal("O1", "U1", "50000", "2026-01-10", won=False, modified="2026-02-10T09:00:00.000+0000"),  # lost
            _deal("O3", "U2", "3000", "2026-01-28", modified="2026-02-12T09:00:00.000+0000"),  # late, January
            _deal("O4", "U1", "20000", "2026-03-05"),
        ],
    )


def _lines(paths: SpmPaths, period: str) -> list[tuple]:
    publication = store.latest_published_version(paths.export_dir, period)
    with (publication.path(paths.export_dir) / f"payout_{period}.csv").open(newline="") as handle:
        return [
            (r["employee_id"], r["earning_code"], r["amount"], r["plan_id"], r["reason"], r["deal_ids"])
            for r in csv.DictReader(handle)
        ]



@pytest.fixture(scope="module")
def company(tmp_path_factory):
    root = tmp_path_factory.mktemp("never_negative")
    paths = paths_under(root)
    saved = dict(os.environ)
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    try:
        _write_company(paths)
        run_daily(paths, "2026-01")
        approve_periods(paths, "2026-01")  # docs/payment_workflow.md#approval
        january = publish_period_run(paths, "2026-01", log_level="WARNING")
        assert january.success, publish_failure(january)
        _write_changes(paths)
        run_daily(paths, "2026-02")
        approve_periods(paths, "2026-02")
        february = publish_period_run(paths, "2026-02", log_level="WARNING")
        assert february.success, publish_failure(february)
        # March's lines depend on February's publication: approved after it (approve refreshes
        # the ledger models first, as the publish step does).
        approve_periods(paths, "2026-03")
        march = publish_period_run(paths, "2026-03", log_level="WARNING")
        assert march.success, publish_failure(march)
        # the daily run of April: the warehouse, draft extract and statements after March's publication
        run_daily(paths, "2026-04")
        yield paths
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_january_is_published_as_computed(company):
    assert _lines(company, "2026-01") == [
        ("E1", "COMMISSION", "5000.00", "AE-2026", "", ""),  # 10 % x 50,000
        ("E2", "COMMISSION", "300.00", "AE-2026", "", ""),  # 10 % x 3,000
    ]


def test_a_month_whose_only_lines_are_adjustments_publishes_them_and_never_pays_negative(company):
    # Nobody closed a deal in February. Bob's late O3 (10 % x 3,000) is owed; Alice's clawback
    # of O1 (-10 % x 50,000 = -5,000.00) has nothing to be taken from: she is not in the file.
    assert _lines(company, "2026-02") == [("E2", "ADJUSTMENT", "300.00", "AE-2026", "late_deal", "O3")]
    # the warehouse keeps the clawback line with what it could not pay (carried)
    assert _query(
        company,
        "select employee_id, earning_code, amount, carried_amount, plan_id from fct_payout_line "
        "where period = '2026-02' and line_type = 'adjustment' order by 1",
    ) == [
        ("E1", "CLAWBACK", D("0"), D("-5000"), "AE-2026"),
        ("E2", "ADJUSTMENT", D("300"), D("0"), "AE-2026"),
    ]


def test_a_carried_clawback_is_taken_from_later_pay_under_its_own_code_and_plan(company):
    # commission_only: O1 stays booked at 50,000 for attainment, the commission counts 0
    assert _query(
        company, "select credit_amount, commission_credit_amount, credit_status from fct_credit where opportunity_id = 'O1'"
    ) == [(D("50000"), D("0"), "commission_clawed_back")]
    # March: Alice earns 10 % x 20,000 = 2,000.00; 2,000.00 of the -5,000.00 is taken from it.
    assert _lines(company, "2026-03") == [
        ("E1", "CLAWBACK", "-2000.00", "AE-2026", "deal_lost", "O1"),
        ("E1", "COMMISSION", "2000.00", "AE-2026", "", ""),
    ]
    # April (the open period after March's publication) still owes -3,000.00 of it, as a
    # CLAWBACK, and pays nothing: April's draft file has no line for Alice.
    assert _query(
        company,
        "select earning_code, amount, carried_amount, reason, deal_ids from fct_payout_line "
        "where period = '2026-04' and employee_id = 'E1' order by 1",
    ) == [("CLAWBACK", D("0"), D("-3000"), "deal_lost", "O1")]
    with (company.export_dir / "payouts" / "2026-04" / "payout_2026-04.csv").open(newline="") as handle:
        assert [r for r in csv.DictReader(handle) if r["employee_id"] == "E1"] == []
    text = (company.export_dir / "statements" / "2026-04" / "E1.html").read_text()
    assert "CLAWBACK still owed" in text and "-3,000.00" in text
    # no payee's lines of a period ever add up to less than zero
    assert _query(
        company,
        "select employee_id, period from fct_payout_line group by 1, 2 having sum(amount) < 0",
    ) == []


def test_the_statement_shows_the_clawback_carried_to_the_next_period(company):
    # February's statement (the daily run of February): Alice is paid nothing and still owes
    # the -5,000.00 clawback, which the statement says.
    text = (company.export_dir / "statements" / "2026-02" / "E1.html").read_text()
    assert "CLAWBACK still owed" in text and "-5,000.00" in text


def test_a_balance_left_at_termination_is_reported_to_finance(company):
    # Alice left on 2026-03-31 owing -3,000.00 of the clawback: from March's close on, the
    # manifest says so (April's draft here).
    manifest = json.loads((company.export_dir / "payouts" / "2026-04" / "manifest.json").read_text())
    assert manifest["balances_owed_at_termination"] == [
        {"employee_id": "E1", "currency": "USD", "balance_owed": "-3000.00", "termination_date": "2026-03-31"},
    ]
    assert _query(
        company,
        "select period, calculated_balance, retro_deductions_carried, balance_owed, is_terminated "
        "from fct_payee_balance_owed where employee_id = 'E1' and period <= '2026-04' order by period",
    ) == [
        ("2026-02", D("0"), D("-5000"), D("-5000"), False),
        ("2026-03", D("0"), D("-3000"), D("-3000"), True),  # her last day is March's last day
        ("2026-04", D("0"), D("-3000"), D("-3000"), True),
    ]


# ---- payroll files (docs/payroll.md)


def _payroll_rows(paths: SpmPaths, period: str, name: str) -> list[dict]:
    folder = store.latest_published_version(paths.export_dir, period).path(paths.export_dir)
    with (folder / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_payroll_files_never_carry_what_is_owed_back(company):
    # February: Bob's ADJUSTMENT +300.00 is ADP code COM; Alice's clawback is in no file
    assert _payroll_rows(company, "2026-02", "adp_2026-02_US_USD.csv") == [
        {"Co Code": "K7Q", "Batch ID": "B01", "File #": "E2", "Earnings 3 Code": "COM", "Earnings 3 Amount": "300.00"},
    ]
    # March: the payout file keeps CLAWBACK -2,000.00 and COMMISSION 2,000.00 (above); both are ADP's COM,
    # which nets to 0.00: Alice is not paid through payroll, and her -3,000.00 stays owed in the ledger
    assert _payroll_rows(company, "2026-03", "adp_2026-03_US_USD.csv") == []
    assert _payroll_rows(company, "2026-03", "payroll_2026-03_US_USD.csv") == []
    for period in ("2026-01", "2026-02", "2026-03"):
        folder = store.latest_published_version(company.export_dir, period).path(company.export_dir)
        manifest = json.loads((folder / "payroll_manifest.json").read_text())
        assert sorted(manifest["files"]) == [f"adp_{period}_US_USD.csv", f"payroll_{period}_US_USD.csv"]
        for name, entry in manifest["files"].items():
            assert entry["total"] == entry["payout_file_total"], (period, name)
            amounts = [r.get("amount") or r.get("Earnings 3 Amount") for r in _payroll_rows(company, period, name)]
            assert all(D(a) > 0 for a in amounts), (period, name)


def test_bad_payroll_configuration_rows_are_quarantined_with_one_line_each(company):
    rows = _query(
        company,
        "select dataset, source_row, rule, column_name, value, message from fct_quarantine "
        "where dataset in ('payrolls', 'payroll_codes') order by dataset, source_row",
    )
    assert rows == [
        ("payroll_codes", 5, "unknown_gusto_column", "payroll_code", "spiff",
         "payroll_codes.csv row 5: the gusto code of SPIF is spiff, which is not a column of the Gusto file "
         "(bonus, commission): mapping not used"),
        ("payrolls", 2, "unknown_payroll_adapter", "adapter", "sap",
         "payrolls.csv row 2: the payroll of DE names adapter sap, which is not one of adp, workday, gusto: "
         "payroll not used, generic payroll files only"),
        ("payrolls", 3, "missing_company_code", "company_code", "K7R/",
         "payrolls.csv row 3: the payroll of GB is ADP without its Co Code (company_code) or Batch ID "
         "(batch_id): payroll not used, generic payroll files only"),
    ]
    assert _query(company, "select * from dim_payroll") == [("US", "adp", "K7Q", "B01")]
    assert _query(company, "select count(*) from dim_payroll_code") == [(4,)]


def test_an_unmapped_code_stops_the_payroll_files_in_one_line(company):
    # March's draft pays CLAWBACK: without its mapping the step refuses, naming the code, and
    # writes nothing (the draft folder of March is not created)
    try:
        _write_payroll_config(company, [c for c in PAYROLL_CODES if c["earning_code"] != "CLAWBACK"])
        result = run_pipeline(company, period="2026-03", log_level="CRITICAL", leave_out=WITHOUT_FORECASTS)
        assert not result.success
        failure = publish_failure(result)
        assert "Refusing to write the payroll files of 2026-03: payroll_codes.csv maps no payroll code for adp: "\
               "CLAWBACK." in failure
        assert not (company.export_dir / "payouts" / "2026-03").exists()
    finally:
        _write_payroll_config(company, PAYROLL_CODES)
