"""The payroll layouts against hand-made expected files, byte for byte (docs/payroll.md).

One period (2026-10, paid 2026-11-13) of a company with four payrolls: US on ADP
(Co Code K7Q, Batch ID SPM10), GB and DE on Workday, CA on Gusto; NL has none
(generic file only). The payout lines, and what each payroll file must hold, by hand:

  E101 US  COMMISSION 1,500.00  SPIF 200.00  CLAWBACK -300.00  ADJUSTMENT 25.50   total 1,425.50
           ADP: COM = 1,500.00 - 300.00 + 25.50 = 1,225.50, SPF 200.00
           generic: CLAWBACK -300.00 taken from COMMISSION (first in order): 1,200.00; SPIF 200.00; ADJUSTMENT 25.50
  E102 US  COMMISSION -350.00 (a true-up)  BONUS 500.00  SPIF 100.00          total 250.00
           COM nets to -350.00: taken from BON (the first positive code): BON 150.00, SPF 100.00
  E103 US  DRAW 1,000.00                                                       DRW 1,000.00
  E201 GB  COMMISSION 800.00  DRAW_RECOVERY -800.00  BONUS 250.00            total 250.00
           Sales Commission nets to 0.00 (not written), Quota Bonus 250.00
  E202 GB  SPIF 75.25  ADJUSTMENT -10.00                                      SPIF 65.25
  E301 DE  COMMISSION 1,234.56                                                Sales Commission 1,234.56 EUR
  E401 CA  COMMISSION 900.00  SPIF 50.00  CLAWBACK -100.00                    commission 800.00, bonus 50.00
  E402 CA  BONUS 300.00                                                       bonus 300.00, commission empty
  E501 NL  COMMISSION 100.00                                                  generic only
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assets.payouts.extract import PayoutLine
from assets.payouts.payroll import PAYROLL_MANIFEST, payroll_files, write_payroll
from assets.payouts.payroll_layouts import Payroll, PayrollConfig, payroll_refusal

EXPECTED = Path(__file__).parent / "payroll_expected"
PERIOD = "2026-10"
PAY_DATE = date(2026, 11, 13)

ADP_CODES = {"COMMISSION": "COM", "CLAWBACK": "COM", "ADJUSTMENT": "COM", "DRAW_RECOVERY": "COM",
             "BONUS": "BON", "SPIF": "SPF", "DRAW": "DRW"}
WORKDAY_CODES = {"COMMISSION": "Sales Commission", "CLAWBACK": "Sales Commission", "ADJUSTMENT": "Sales Commission",
                 "DRAW_RECOVERY": "Sales Commission", "BONUS": "Quota Bonus", "SPIF": "SPIF",
                 "DRAW": "Recoverable Draw"}
GUSTO_CODES = {"COMMISSION": "commission", "CLAWBACK": "commission", "ADJUSTMENT": "commission",
               "DRAW_RECOVERY": "commission", "DRAW": "commission", "BONUS": "bonus", "SPIF": "bonus"}
CONFIG = PayrollConfig(
    payrolls={
        "US": Payroll("US", "adp", "K7Q", "SPM10"),
        "GB": Payroll("GB", "workday"),
        "DE": Payroll("DE", "workday"),
        "CA": Payroll("CA", "gusto"),
    },
    codes={"adp": ADP_CODES, "workday": WORKDAY_CODES, "gusto": GUSTO_CODES},
)
PAYEES = {  # employee id -> (name, country, currency)
    "E101": ("Ada Lovelace", "US", "USD"), "E102": ("Grace Hopper", "US", "USD"), "E103": ("Alan Turing", "US", "USD"),
    "E201": ("Mary Somerville", "GB", "GBP"), "E202": ("Seán Ó Briain", "GB", "GBP"),
    "E301": ("Émilie du Châtelet", "DE", "EUR"),
    "E401": ("Katherine Johnson", "CA", "CAD"), "E402": ("Hedy Lamarr", "CA", "CAD"),
    "E501": ("Jan de Vries", "NL", "EUR"),
}


def _line(employee_id: str, code: str, amount: str) -> PayoutLine:
    name, country, currency = PAYEES[employee_id]
    return PayoutLine(PERIOD, employee_id, name, "CC-1", code, currency, Decimal(amount), PAY_DATE, "PLAN", "calc-1",
                      country=country)


# in the payout file's order (employee id, earning code), as the warehouse reads them
LINES = [
    _line("E101", "ADJUSTMENT", "25.50"), _line("E101", "CLAWBACK", "-300.00"),
    _line("E101", "COMMISSION", "1500.00"), _line("E101", "SPIF", "200.00"),
    _line("E102", "BONUS", "500.00"), _line("E102", "COMMISSION", "-350.00"), _line("E102", "SPIF", "100.00"),
    _line("E103", "DRAW", "1000.00"),
    _line("E201", "BONUS", "250.00"), _line("E201", "COMMISSION", "800.00"), _line("E201", "DRAW_RECOVERY", "-800.00"),
    _line("E202", "ADJUSTMENT", "-10.00"), _line("E202", "SPIF", "75.25"),
    _line("E301", "COMMISSION", "1234.56"),
    _line("E401", "CLAWBACK", "-100.00"), _line("E401", "COMMISSION", "900.00"), _line("E401", "SPIF", "50.00"),
    _line("E402", "BONUS", "300.00"),
    _line("E501", "COMMISSION", "100.00"),
]


@pytest.mark.parametrize("name", sorted(p.name for p in EXPECTED.glob("*.csv")))
def test_each_layout_matches_its_hand_made_file_byte_for_byte(name):
    files = payroll_files(LINES, PERIOD, CONFIG)
    assert files[name] == (EXPECTED / name).read_bytes()


def test_the_files_of_the_period():
    assert sorted(payroll_files(LINES, PERIOD, CONFIG)) == [
        "adp_2026-10_US_USD.csv",
        "gusto_2026-10_CA_CAD.csv",
        "payroll_2026-10_CA_CAD.csv",
        "payroll_2026-10_DE_EUR.csv",
        "payroll_2026-10_GB_GBP.csv",
        "payroll_2026-10_NL_EUR.csv",
        "payroll_2026-10_US_USD.csv",
        "workday_2026-10_DE_EUR.csv",
        "workday_2026-10_GB_GBP.csv",
    ]
    # no payrolls.csv: the generic files only, as before
    assert sorted(payroll_files(LINES, PERIOD)) == [
        "payroll_2026-10_CA_CAD.csv", "payroll_2026-10_DE_EUR.csv", "payroll_2026-10_GB_GBP.csv",
        "payroll_2026-10_NL_EUR.csv", "payroll_2026-10_US_USD.csv",
    ]


def test_no_payroll_file_holds_a_negative_amount_though_the_payout_file_does():
    assert any(line.amount < 0 for line in LINES)
    for name, content in payroll_files(LINES, PERIOD, CONFIG).items():
        text = content.decode()
        assert ",-" not in text, name
        for code in ("CLAWBACK", "DRAW_RECOVERY"):
            assert code not in text, name


def test_manifest_lists_every_file_with_adapter_layout_sha_and_totals(tmp_path):
    manifest = write_payroll(LINES, tmp_path, PERIOD, "calc-1", ["a_check"], config=CONFIG)
    assert json.loads((tmp_path / PAYROLL_MANIFEST).read_text()) == manifest
    assert manifest["schema_version"] == "3"
    assert manifest["payrolls"] == {"CA": "gusto", "DE": "workday", "GB": "workday", "US": "adp"}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == entry["sha256"]
        assert entry["total"] == entry["payout_file_total"], name
    adp = manifest["files"]["adp_2026-10_US_USD.csv"]
    assert adp == adp | {
        "adapter": "adp", "layout": "ADP Workforce Now paydata import", "layout_version": "1",
        "columns": ["Co Code", "Batch ID", "File #", "Earnings 3 Code", "Earnings 3 Amount"],
        "company_code": "K7Q", "batch_id": "SPM10", "row_count": 5, "payee_count": 3, "country": "US",
        "currency": "USD",
        # 1,425.50 + 250.00 + 1,000.00
        "total": "2675.50", "payout_file_total": "2675.50",
        "totals_by_payroll_code": {"BON": "150.00", "COM": "1225.50", "DRW": "1000.00", "SPF": "300.00"},
    }
    gusto = manifest["files"]["gusto_2026-10_CA_CAD.csv"]
    assert (gusto["row_count"], gusto["payee_count"], gusto["total"]) == (2, 2, "1150.00")
    assert manifest["files"]["payroll_2026-10_GB_GBP.csv"]["totals_by_payroll_code"] == {
        "BONUS": "250.00", "SPIF": "65.25"}


def test_rerun_writes_the_same_bytes_and_drops_files_the_configuration_no_longer_makes(tmp_path):
    write_payroll(LINES, tmp_path / "a", PERIOD, "calc-1", [], config=CONFIG)
    write_payroll(LINES, tmp_path / "b", PERIOD, "calc-1", [], config=CONFIG)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # CA leaves Gusto: the draft folder no longer holds its Gusto file
    without_ca = PayrollConfig({k: v for k, v in CONFIG.payrolls.items() if k != "CA"}, CONFIG.codes)
    write_payroll(LINES, tmp_path / "a", PERIOD, "calc-1", [], config=without_ca)
    assert not (tmp_path / "a" / "gusto_2026-10_CA_CAD.csv").exists()
    assert (tmp_path / "a" / "payroll_2026-10_CA_CAD.csv").exists()


def test_an_unmapped_code_refuses_in_one_line_naming_the_codes():
    codes = {**CONFIG.codes, "adp": {k: v for k, v in ADP_CODES.items() if k not in ("CLAWBACK", "DRAW")},
             "gusto": {k: v for k, v in GUSTO_CODES.items() if k != "SPIF"}}
    message = payroll_refusal(LINES, PayrollConfig(CONFIG.payrolls, codes), PERIOD)
    assert message == (
        "Refusing to write the payroll files of 2026-10: payroll_codes.csv maps no payroll code for "
        "adp: CLAWBACK, DRAW; gusto: SPIF."
    )
    assert "\n" not in message
    assert payroll_refusal(LINES, CONFIG, PERIOD) is None
    # a code the period does not pay need not be mapped (no MANUAL_ADJUSTMENT above), nor anything
    # of a country without a payroll (NL)
    assert payroll_refusal(LINES, PayrollConfig(), PERIOD) is None


def test_two_gusto_payees_of_one_name_are_refused():
    twin = PayoutLine(PERIOD, "E403", "katherine  Johnson", "CC-1", "BONUS", "CAD", Decimal("1.00"), PAY_DATE, "P",
                      "calc-1", country="CA")
    message = payroll_refusal([*LINES, twin], CONFIG, PERIOD)
    assert message == ("Refusing to write the payroll files of 2026-10: payees of one Gusto file share a name "
                       "(Gusto would need their SSN): E401/E403 (CA).")


def test_adapters_and_gusto_columns_are_one_list_in_python_and_dbt():
    import yaml

    from assets.payouts.payroll_layouts import ADAPTERS, GUSTO_COLUMNS, WRITERS
    from core.settings import DBT_PROJECT_DIR

    dbt_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert dbt_vars["payroll_adapters"] == list(ADAPTERS) == ["adp", "workday", "gusto"]
    assert dbt_vars["gusto_payroll_codes"] == list(GUSTO_COLUMNS) == ["bonus", "commission"]
    assert set(WRITERS) == {"generic", *ADAPTERS}
