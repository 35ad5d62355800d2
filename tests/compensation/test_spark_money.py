"""Money keeps 10 decimals on Spark (macros/money.sql, profiles.yml's spark target).

Spark narrows a DECIMAL(38,10) product or quotient to scale 6 unless
spark.sql.decimalOperations.allowPrecisionLoss is false; the spark target sets
it, the run refuses to start without it (macros/spark.sql), and
``spark__divide_money`` rounds half away from zero at the 10th decimal as
DuckDB's does. Every expected value below needs the 7th-10th decimals; worked
by hand (and with Python's Decimal):

    0.1234567891 x 0.0000123456 = 0.00000152414813551296 -> 0.0000015241 (6 decimals: 0.000002)
    1.2345678901 x 3.3333333333 = 4.11522630029218107033 -> 4.1152263003
    1234.5678901234 / 9 = 137.17421001371111...          -> 137.1742100137
    100 / 3 = 33.333...                                   -> 33.3333333333
    -2 / 3 = -0.666...                                    -> -0.6666666667 (half away from zero)
    0.0000000001 / 2 = 0.00000000005 (a tie)              -> 0.0000000001
    -0.0000000001 / 2                                     -> -0.0000000001
    1 / 16000000000 = 0.0000000000625                     -> 0.0000000001
    1 / 0                                                 -> null
"""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal

import pytest

from tests.support.warehouse import dbt_command, env_without_spm

pytestmark = pytest.mark.slow

M = "cast({} as decimal(38, 10))"

CASES = {
    "tiny_product": ("{{ spm.money('" + M.format("0.1234567891") + " * " + M.format("0.0000123456") + "') }}",
                     "0.0000015241"),
    "product": ("{{ spm.money('" + M.format("1.2345678901") + " * " + M.format("3.3333333333") + "') }}",
                "4.1152263003"),
    "quotient": ("{{ spm.divide_money('1234.5678901234', '9') }}", "137.1742100137"),
    "third": ("{{ spm.divide_money('100', '3') }}", "33.3333333333"),
    "negative": ("{{ spm.divide_money('-2', '3') }}", "-0.6666666667"),
    "tie": ("{{ spm.divide_money('0.0000000001', '2') }}", "0.0000000001"),
    "negative_tie": ("{{ spm.divide_money('-0.0000000001', '2') }}", "-0.0000000001"),
    "below_half_ulp_up": ("{{ spm.divide_money('1', '16000000000') }}", "0.0000000001"),
    "by_zero": ("{{ spm.divide_money('1', '0') }}", None),
}


def show_on_spark(tmp_path) -> dict[str, str | None]:
    """The cases computed by the project's macros in a local Spark session, as text."""
    select = ", ".join(f"cast({sql} as string) as {name}" for name, (sql, _) in CASES.items())
    env = env_without_spm() | {"SPM_ENGINE": "spark", "SPM_WAREHOUSE": str(tmp_path / "spm.duckdb"),
                               "SPM_SPARK_MASTER": "local[1]"}
    completed = subprocess.run(
        dbt_command("show", tmp_path, "--inline", f"select {select}", "--output", "json", "--quiet", "--limit", "1"),
        capture_output=True, text=True, env=env, check=False, cwd=os.getcwd(),
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    start = completed.stdout.index("{")
    return json.loads(completed.stdout[start:])["show"][0]


def test_money_products_and_quotients_keep_ten_decimals_on_spark(tmp_path):
    row = show_on_spark(tmp_path)
    # Decimal: Spark writes a small value as text in exponent form (1E-10)
    got = {name: None if row[name] is None else Decimal(row[name]) for name in CASES}
    assert got == {name: None if expected is None else Decimal(expected) for name, (_, expected) in CASES.items()}
