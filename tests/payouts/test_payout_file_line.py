"""The rules of a payout file line live once, in the warehouse (issue #13, SPEC §5-§6):

* one table of minor units, the seed ``dbt_project/seeds/currencies.csv``: Python reads it
  as a file (core/money.py), the rounding macro ``round_to_minor_unit`` from the warehouse;
* ``fct_payout_file_line`` sums fct_payout_line per period x payee x earning code x currency,
  rounds once, marks the 0.00 lines unpaid and carries the pay date (the pay calendar:
  tests/payouts/test_pay_calendar.py); the files only write it (the mart's rows:
  tests/compensation/test_dbt_rounding.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from core.money import CURRENCIES_SEED, MINOR_UNITS, load_minor_units, round_money
from core.settings import DBT_PROJECT_DIR
from tests.support.warehouse import dbt_command
from tests.support.warehouse import env_without_spm as _env_without_spm

D = Decimal

# hand-computed: half away from zero to 0 (JPY), 3 (BHD) and 2 (USD) decimals
CASES = [
    ("JPY", "1234.5", "1235"), ("JPY", "-1234.5", "-1235"), ("JPY", "99.4999999999", "99"),
    ("BHD", "1.0005", "1.001"), ("BHD", "-1.0005", "-1.001"), ("BHD", "2.0004", "2.000"),
    ("USD", "2.345", "2.35"), ("USD", "-2.345", "-2.35"), ("USD", "2.3449999999", "2.34"),
]
ROUND_SQL = "select id, {{ round_to_minor_unit('amount', 'currency') }} as rounded from cases order by id"


pytestmark = pytest.mark.slow  # runs dbt (seed, compile, build)

def _dbt(project: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = _env_without_spm() | {"SPM_WAREHOUSE": str(tmp / "spm.duckdb"), "SPM_RAW_DIR": str(tmp / "raw")}
    command = dbt_command(args[0], tmp, *args[1:])
    command[command.index("--project-dir") + 1] = str(project)
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


def _round_in_warehouse(project: Path, tmp: Path, cases) -> list[Decimal]:
    """Load the project's seed into a fresh warehouse, compile the macro there and run it on ``cases``."""
    _dbt(project, tmp, "seed", "--quiet")
    compiled = json.loads(_dbt(project, tmp, "compile", "--inline", ROUND_SQL, "--quiet", "--output", "json").stdout)
    con = duckdb.connect(str(tmp / "spm.duckdb"))
    try:
        con.execute("create table cases (id integer, currency varchar, amount decimal(38, 10))")
        con.executemany("insert into cases values (?, ?, cast(? as decimal(38, 10)))",
                        [(i, currency, amount) for i, (currency, amount, _) in enumerate(cases)])
        return [rounded for _, rounded in con.execute(compiled["compiled"]).fetchall()]
    finally:
        con.close()


def _copy_project(tmp: Path) -> Path:
    project = tmp / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    return project


def test_the_currencies_seed_drives_python_and_the_warehouse_rounding(tmp_path):
    # the one table: Python's MINOR_UNITS is the seed file
    assert load_minor_units(CURRENCIES_SEED) == MINOR_UNITS
    assert (MINOR_UNITS["JPY"], MINOR_UNITS["BHD"], MINOR_UNITS["USD"]) == (0, 3, 2)
    # the warehouse rounds the hand-computed cases as expected, and as Python does
    rounded = _round_in_warehouse(_copy_project(tmp_path), tmp_path, CASES)
    assert rounded == [D(expected) for _, _, expected in CASES]
    assert rounded == [round_money(D(amount), currency) for currency, amount, _ in CASES]
    seeded = dict(duckdb.connect(str(tmp_path / "spm.duckdb"), read_only=True)
                  .execute("select currency_code, minor_unit from currencies").fetchall())
    assert seeded == MINOR_UNITS


def test_changing_the_seed_changes_both_sides(tmp_path):
    # a (hypothetical) USD of 3 decimals and a new 4-decimal currency: one edit of the seed file
    project = _copy_project(tmp_path)
    seed = project / "seeds" / "currencies.csv"
    seed.write_text(seed.read_text().replace("USD,2", "USD,3") + "CLF,4\n")
    units = load_minor_units(seed)
    assert (units["USD"], units["CLF"], units["JPY"]) == (3, 4, 0)
    cases = [("USD", "2.3455", None), ("CLF", "1.00005", None), ("JPY", "1234.5", None)]
    assert _round_in_warehouse(project, tmp_path, cases) == [D("2.346"), D("1.0001"), D("1235")]
