"""The warehouse's money division (dbt macro ``divide_money``) is exact to 10 decimals.

DuckDB turns DECIMAL / DECIMAL into DOUBLE, so the project estimates the
quotient in DOUBLE and makes it exact with DECIMAL products
(``dbt_project/macros/money.sql``). These tests compile the
macro with dbt and compare what DuckDB computes with Python's Decimal, rounded
half away from zero at the 10th decimal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).with_name("dbt"))
TENTH_DECIMAL = Decimal("1e-10")


def python_divide_money(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """The reference: numerator as money (10 decimals), divided, rounded half away from zero."""
    if denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 80
        numerator = numerator.quantize(TENTH_DECIMAL, rounding=ROUND_HALF_UP)
        denominator = denominator.quantize(TENTH_DECIMAL, rounding=ROUND_HALF_UP)
        return (numerator / denominator).quantize(TENTH_DECIMAL, rounding=ROUND_HALF_UP)


def compile_inline(sql: str, tmp: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPM_")}
    env["SPM_WAREHOUSE"] = str(tmp / "compile.duckdb")
    env["SPM_RAW_DIR"] = str(tmp / "raw")
    completed = subprocess.run(
        [
            DBT, "compile", "--inline", sql,
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
            "--quiet", "--output", "json",
        ],
        capture_output=True, text=True, env=env, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(completed.stdout)["compiled"]


@pytest.fixture(scope="module")
def divide_sql(tmp_path_factory) -> str:
    """The compiled macro over a table ``cases(n, d)``, one result per case id."""
    tmp = tmp_path_factory.mktemp("dbt_money")
    return compile_inline(
        "select id, {{ divide_money('n', 'd') }} as q, typeof({{ divide_money('n', 'd') }}) as t "
        "from cases order by id",
        tmp,
    )


def run_cases(divide_sql: str, cases: list[tuple[Decimal | str, Decimal | str]]) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute("create table cases (id integer, n decimal(38, 10), d decimal(38, 10))")
        con.executemany(
            "insert into cases values (?, cast(? as decimal(38, 10)), cast(? as decimal(38, 10)))",
            [(i, str(n), str(d)) for i, (n, d) in enumerate(cases)],
        )
        return con.execute(divide_sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        ("10", "3", "3.3333333333"),
        ("-2", "3", "-0.6666666667"),
        ("2", "-3", "-0.6666666667"),
        ("-2", "-3", "0.6666666667"),
        ("1234567.89", "0.9234", "1336980.6042884990"),
        ("100000", "12", "8333.3333333333"),
        ("0.00000000005", "1", "0.0000000001"),  # the numerator is money first: rounded to 10 decimals
        ("1", "20000000000", "0.0000000001"),  # 0.00000000005: a tie, away from zero
        ("-1", "20000000000", "-0.0000000001"),
        ("0", "7", "0E-10"),
        ("1000000000000000", "7", "142857142857142.8571428571"),  # amounts up to 1e15 do not overflow
        ("-1000000000000000", "0.9234", "-1082954299328568.3344162876"),
        ("5", "0", None),
        ("1000000000000000", "0.0001", "10000000000000000000.0000000000"),  # a quotient far beyond DOUBLE's digits
        ("99999999999999.9999999999", "3", "33333333333333.3333333333"),
        ("0.0000000003", "2", "0.0000000002"),  # 1.5 ulp: a tie, away from zero
        ("-0.0000000003", "2", "-0.0000000002"),
        ("0.0000000001", "3", "0E-10"),
    ],
)
def test_divide_money_examples(divide_sql, numerator, denominator, expected):
    ((_, quotient, type_name),) = run_cases(divide_sql, [(numerator, denominator)])
    assert type_name == "DECIMAL(38,10)"
    if expected is None:
        assert quotient is None
    else:
        assert quotient == Decimal(expected)
        assert quotient == python_divide_money(Decimal(numerator), Decimal(denominator))


def test_plain_decimal_division_in_duckdb_is_binary_floating_point():
    """Why the macro exists: DuckDB's own DECIMAL division returns DOUBLE."""
    con = duckdb.connect()
    try:
        (type_name,) = con.execute(
            "select typeof(cast(10 as decimal(38, 10)) / cast(3 as decimal(38, 10)))"
        ).fetchone()
    finally:
        con.close()
    assert type_name == "DOUBLE"


money = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=10, allow_nan=False, allow_infinity=False
)
divisors = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("1e6"), places=10, allow_nan=False, allow_infinity=False
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(money, divisors, st.booleans()), min_size=1, max_size=40))
def test_divide_money_matches_python_decimal(divide_sql, cases):
    signed = [(n, -d if negative else d) for n, d, negative in cases]
    results = run_cases(divide_sql, signed)
    for (numerator, denominator), (_, quotient, _) in zip(signed, results):
        assert quotient == python_divide_money(numerator, denominator), (numerator, denominator)
