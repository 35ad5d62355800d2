"""The dbt project on a small raw layer: every model, data test and unit test, then the numbers.

``tests/support/raw.py`` writes a hand-checkable company as the ingest assets
would (Parquet per dataset and batch); ``dbt build`` runs once per module in its
own warehouse, target and log folders; the tests read the marts as finance
would and compare them, to the 10th decimal, with amounts computed here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.support.raw import build_small_company, write_empty_layout
from tests.support.warehouse import build_warehouse, dbt_command, divide_money, money, query, run_dbt
from tests.support.warehouse import env_without_spm as _env_without_spm

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> tuple[Path, dict]:
    """Build the project once for the module; return the warehouse file and dbt's run results."""
    return build_warehouse(tmp_path_factory.mktemp("dbt_build"), build_small_company)


@pytest.fixture(scope="module")
def warehouse(build) -> Path:
    return build[0]


# ---------------------------------------------------------------- the build


def test_build_runs_every_model_data_test_and_unit_test(build):
    _, results = build
    kinds: dict[str, int] = {}
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["model"] >= 33
    assert kinds["unit_test"] >= 6
    assert kinds["test"] >= 120  # a model's row rules are one test (row_rules)
    assert any(r["unique_id"].startswith("test.spm.row_rules_int_credits") for r in results["results"])


def test_marts_and_intermediate_are_tables_and_staging_are_views(warehouse):
    rows = query(warehouse, "select table_name, table_type from information_schema.tables")
    kinds = {name: kind for name, kind in rows}
    marts = {"dim_opportunity", "dim_plan_component", "fct_quarantine", "fct_journal_line"}
    assert {kinds[m] for m in marts} == {"BASE TABLE"}
    # A mart that is a plain select * of its intermediate twin is a view of the twin's table.
    twin_marts = {"dim_payee", "dim_period", "fct_credit", "fct_quota", "fct_attainment", "fct_commission", "fct_payable"}
    assert {kinds[m] for m in twin_marts} == {"VIEW"}
    # Intermediate models are read by many marts and tests: tables, computed once.
    assert {kind for name, kind in kinds.items() if name.startswith("int_")} == {"BASE TABLE"}
    # Staging models are views, but the two largest CRM tables, ranked once per build.
    ranked_once = {"stg_salesforce__opportunity_history", "stg_salesforce__opportunity_line_items"}
    assert {kinds[name] for name in ranked_once} == {"BASE TABLE"}
    assert {kind for name, kind in kinds.items() if name.startswith("stg_") and name not in ranked_once} == {"VIEW"}


def test_marts_hold_money_as_decimal_38_10_never_floating_point(warehouse):
    rows = query(
        warehouse,
        """
        select table_name, column_name, data_type from information_schema.columns
        where table_name like 'fct_%' or table_name like 'dim_%'
        """,
    )
    numeric = {(t, c): d for t, c, d in rows if d.startswith("DECIMAL") or d in ("DOUBLE", "FLOAT", "REAL")}
    assert set(numeric.values()) == {"DECIMAL(38,10)"}, numeric
    for column in ("credit_amount", "deal_amount", "fx_rate_deal", "fx_rate_payee", "credit_amount_deal_currency"):
        assert ("fct_credit", column) in numeric
    for table, column in [("fct_quota", "monthly_quota"), ("fct_attainment", "attainment_ytd"),
                          ("fct_commission", "commission_amount"), ("fct_commission", "rate")]:
        assert (table, column) in numeric


# The yml spelling of a data_type (portable: Spark reads the same words; the timestamp with time
# zone is spelled per adapter in the yml, rendered here for DuckDB) -> DuckDB's information_schema name.
DECLARED_TO_DUCKDB = {
    "string": "VARCHAR", "integer": "INTEGER", "bigint": "BIGINT", "boolean": "BOOLEAN", "date": "DATE",
    "double": "DOUBLE", "timestamp": "TIMESTAMP", "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
}


def declared_as_duckdb(data_type: str | None) -> str | None:
    if data_type is None:
        return None
    spelled = data_type.strip().lower().replace(", ", ",")
    return spelled.upper() if spelled.startswith("decimal(") else DECLARED_TO_DUCKDB.get(spelled, spelled)


def test_every_model_declares_each_built_column_with_its_built_type(warehouse):
    """Every column of every model (staging, intermediate, marts) is in its yml with the data_type
    DuckDB builds, in the order the model produces: the catalog (dbt docs, the Dagster column
    schema) cannot drift from the warehouse. Contracts enforce this on the marts at build time;
    this holds it for the views and tables without one. After changing a model:
    ``.venv/bin/python dbt_project/scripts/declare_column_types.py <warehouse> <manifest>``."""
    manifest = json.loads((warehouse.parent / "target" / "manifest.json").read_text())
    built: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in query(
        warehouse,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main' order by table_name, ordinal_position",
    ):
        built.setdefault(table, []).append((column, data_type))
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 140 and all(n["name"] in built for n in models)
    drifted = {}
    for node in models:
        declared = [(name, declared_as_duckdb(column.get("data_type"))) for name, column in node["columns"].items()]
        if declared != built[node["name"]]:
            drifted[node["name"]] = {
                "built, not declared as such": [c for c in built[node["name"]] if c not in declared],
                "declared, not built as such": [c for c in declared if c not in built[node["name"]]],
            }
    assert not drifted, drifted


# ---------------------------------------------------------------- crediting (SPEC §3)

EUR_FEB, GBP = D("0.9234"), D("0.79")


def expected_credits() -> dict[tuple[str, str], tuple[str, Decimal, Decimal, str]]:
    """(deal, payee) -> (credit type, split %, credit in payee currency, payee currency)."""
    o2 = D("1234567.89")
    o2_usd_share = divide_money(o2 * 40, 100)  # 493827.156 EUR for U001 (E001, paid in USD)
    return {
        ("O1", "E001"): ("owner", D(100), D("10000"), "USD"),
        # O8: batch 2 carries an older LastModifiedDate; the 3000 version wins.
        ("O8", "E001"): ("owner", D(100), D("3000"), "USD"),
        # O12: its splits were re-versioned in batch 2 from 100% U001 to 50/50.
        ("O12", "E001"): ("split", D(50), D("500"), "USD"),
        ("O12", "E003"): ("split", D(50), D("500"), "USD"),
        # O2: 60/40 split of 1234567.89 EUR on 2026-02-10 (February EUR rate 0.9234).
        ("O2", "E002"): ("split", D(60), divide_money(o2 * 60, 100), "EUR"),
        ("O2", "E001"): ("split", D(40), divide_money(o2_usd_share * 1, EUR_FEB), "USD"),
        # O6: lost in batch 1, won in batch 2: 6000 USD for a GBP payee.
        ("O6", "E004"): ("owner", D(100), divide_money(D(6000) * GBP, 1), "GBP"),
        ("O10", "E003"): ("owner", D(100), D("12000"), "USD"),
        # O11: a GBP deal for a EUR payee: 2500 / 0.79 * 0.9234.
        ("O11", "E002"): ("owner", D(100), divide_money(D(2500) * EUR_FEB, GBP), "EUR"),
    }


def test_credit_amounts_to_the_tenth_decimal(warehouse):
    rows = query(
        warehouse,
        "select opportunity_id, employee_id, credit_type, split_percentage, credit_amount, payee_currency from fct_credit "
        "where credit_type <> 'rollup'",
    )
    actual = {(o, e): (t, p, a, c) for o, e, t, p, a, c in rows}
    expected = expected_credits()
    assert actual == expected
    # The hand arithmetic, spelled out for the two conversions:
    assert expected[("O2", "E001")][2] == D("534792.2417153996")
    assert expected[("O11", "E002")][2] == D("2922.1518987342")


def test_credit_reconciles_with_the_won_deal_amount(warehouse):
    rows = query(
        warehouse,
        "select opportunity_id, min(deal_amount), sum(credit_amount_deal_currency) from fct_credit "
        "where credit_type <> 'rollup' group by 1",
    )
    for opportunity_id, deal_amount, credited in rows:
        assert credited == deal_amount, opportunity_id


def test_deals_held_back_deleted_or_open_get_no_credit(warehouse):
    credited = {o for (o,) in query(warehouse, "select distinct opportunity_id from fct_credit")}
    # O3 bad splits, O4 owner without HR, O5 no JPY rate, O13 no amount, O7 deleted, O9 open
    assert credited.isdisjoint({"O3", "O4", "O5", "O13", "O7", "O9"})


# ---------------------------------------------------------------- quarantine (SPEC §2)


def test_warehouse_quarantine_names_each_held_back_record(warehouse):
    rows = query(
        warehouse,
        """
        select rule, dataset, column_name, value, message, record_json
        from fct_quarantine where stage = 'warehouse'
        """,
    )
    by_rule: dict[str, list[tuple]] = {}
    for rule, *rest in rows:
        by_rule.setdefault(rule, []).append(tuple(rest))

    ((dataset, column, value, message, record),) = by_rule["split_percentages_not_100"]
    assert (dataset, column, value) == ("opportunity_split", "SplitPercentage", "90.0000000000")
    assert "O3" in message and json.loads(record)["opportunity_id"] == "O3"

    ((_, column, value, message, _),) = by_rule["credit_user_without_hr_worker"]
    assert (column, value) == ("OwnerId", "U009") and "O4" in message

    ((_, column, value, message, record),) = by_rule["missing_fx_rate"]
    assert (column, value) == ("CurrencyIsoCode", "JPY")
    assert json.loads(record)["opportunity_id"] == "O5" and "never" not in message

    ((_, column, _, message, _),) = by_rule["won_deal_without_amount"]
    assert column == "Amount" and "O13" in message

    no_plan = {json.loads(record)["opportunity_id"] for *_, record in by_rule["no_plan_assignment"]}
    assert no_plan == {"O6", "O10", "O12"}  # E004 (unknown plan), E003 (no plan)

    ((dataset, column, value, message, _),) = by_rule["quota_currency_mismatch"]
    assert (dataset, column, value) == ("quotas", "currency", "USD") and "GBP" in message
    ((_, _, value, _, _),) = by_rule["quota_without_hr_worker"]
    assert value == "E999"
    ((dataset, column, value, _, _),) = by_rule["unknown_plan_id"]
    assert (dataset, column, value) == ("plan_assignments", "plan_id", "PLAN_XX")


def test_ingest_quarantine_is_carried_through(warehouse):
    rows = query(
        warehouse,
        "select system, dataset, source_row, rule, value from fct_quarantine where stage = 'ingest'",
    )
    assert rows == [("crm", "opportunity", 14, "unparseable_decimal", "12,5x")]


def test_quarantine_rows_trace_to_their_landing_row(warehouse):
    rows = query(
        warehouse,
        """
        select rule, batch, source_file, source_row from fct_quarantine
        where rule in ('missing_fx_rate', 'split_percentages_not_100')
        order by rule
        """,
    )
    assert rows == [
        ("missing_fx_rate", "2026-03-01", "crm/2026-03-01/Opportunity.csv", 4),
        ("split_percentages_not_100", "2026-03-01", "crm/2026-03-01/OpportunitySplit.csv", 4),
    ]


# ---------------------------------------------------------------- payees and periods


def test_dim_payee_joins_hr_and_crm(warehouse):
    rows = query(warehouse, "select employee_id, crm_user_id, job_title, currency from dim_payee order by 1")
    assert rows == [
        ("E001", "U001", "Senior Account Executive", "USD"),  # promoted in the newest HR batch
        ("E002", "U002", "Account Executive", "EUR"),
        ("E003", "U003", "Sales Manager", "USD"),
        ("E004", "U004", "Account Executive", "GBP"),
    ]


def test_dim_period_covers_the_plan_years(warehouse):
    ((first, last, count, feb),) = query(
        warehouse,
        """
        select min(period), max(period), count(*),
               max(case when period = '2026-02' then days_in_month || ' ' || quarter end)
        from dim_period
        """,
    )
    # 2026 credits and quotas; the newest batch (2026-03-01) asks for 2027 too.
    assert (first, last, count, feb) == ("2026-01", "2027-12", 24, "28 2026-Q1")


# ---------------------------------------------------------------- quota and attainment (SPEC §4)


def test_quota_is_spread_evenly_and_sums_to_the_annual_quota(warehouse):
    rows = query(
        warehouse,
        "select employee_id, count(*), sum(monthly_quota), min(monthly_quota), max(monthly_quota) "
        "from fct_quota group by 1 order by 1",
    )
    assert rows == [
        ("E001", 12, D("120000"), D("10000"), D("10000")),
        ("E002", 12, D("100000"), D("8333.3333333333"), D("8333.3333333334")),
        ("E003", 12, D("90000"), D("7500"), D("7500")),
    ]  # E004's quota is in USD but he is paid in GBP: quarantined, no quota rows


def test_attainment_per_period_and_year_to_date(warehouse):
    rows = query(
        warehouse,
        """
        select employee_id, period, credit_period, quota_period, attainment_period,
               credit_ytd, quota_ytd, attainment_ytd
        from fct_attainment where period in ('2026-01', '2026-02') order by 1, 2
        """,
    )
    e001_feb = expected_credits()[("O2", "E001")][2]
    e002_feb = expected_credits()[("O2", "E002")][2] + expected_credits()[("O11", "E002")][2]
    q_e002 = D("8333.3333333333")
    assert rows == [
        ("E001", "2026-01", D(13500), D(10000), D("1.35"), D(13500), D(10000), D("1.35")),
        ("E001", "2026-02", e001_feb, D(10000), divide_money(e001_feb, D(10000)),
         D(13500) + e001_feb, D(20000), divide_money(D(13500) + e001_feb, D(20000))),
        ("E002", "2026-01", D(0), q_e002, D(0), D(0), q_e002, D(0)),
        ("E002", "2026-02", e002_feb, D("8333.3333333334"), divide_money(e002_feb, D("8333.3333333334")),
         e002_feb, D("16666.6666666667"), divide_money(e002_feb, D("16666.6666666667"))),
        ("E003", "2026-01", D(500), D(7500), D("0.0666666667"), D(500), D(7500), D("0.0666666667")),
        ("E003", "2026-02", D(12000), D(7500), D("1.6"), D(12500), D(15000), D("0.8333333333")),
    ]
    ((attainment_rows, quota_rows),) = query(
        warehouse, "select (select count(*) from fct_attainment), (select count(*) from fct_quota)"
    )
    assert attainment_rows == quota_rows == 36


# ---------------------------------------------------------------- commission (SPEC §5)


def test_commission_is_credit_times_rate_under_the_plan_of_the_credit_date(warehouse):
    rows = query(
        warehouse,
        """
        select employee_id, period, plan_id, component_id, earning_code, currency,
               credit_amount, rate, exact_commission_amount, deal_count
        from fct_commission order by 1, 2
        """,
    )
    e001_feb = expected_credits()[("O2", "E001")][2]
    e002_feb = expected_credits()[("O2", "E002")][2] + expected_credits()[("O11", "E002")][2]
    rate = D("0.05")
    assert rows == [
        # O1 + O8 + half of O12; E001 was on PLAN_OLD in 2025 only
        ("E001", "2026-01", "PLAN_AE", "C_COMM", "COMMISSION", "USD", D(13500), rate, D(675), 3),
        ("E001", "2026-02", "PLAN_AE", "C_COMM", "COMMISSION", "USD", e001_feb, rate, money(e001_feb * rate), 1),
        ("E002", "2026-02", "PLAN_AE", "C_COMM", "COMMISSION", "EUR", e002_feb, rate, money(e002_feb * rate), 2),
    ]
    assert rows[1][8] == D("26739.6120857700")
    assert rows[2][8] == D("37183.1442949367")
    # paid: the change of the plan-year cumulative rounded to the cent (SPEC §5); February's
    # cumulative is 675 + 26,739.61208577 -> 27,414.61, less January's 675.00 = 26,739.61
    paid = query(warehouse, "select employee_id, period, commission_amount from fct_commission order by 1, 2")
    assert paid == [("E001", "2026-01", D("675")), ("E001", "2026-02", D("26739.61")), ("E002", "2026-02", D("37183.14"))]


# ---------------------------------------------------------------- reconciliation data tests can fail


def failing_data_tests(warehouse: Path, tmp: Path, tamper: list[str], *tests: str) -> set[str]:
    """Copy the warehouse, run ``tamper`` on the copy, ``dbt test`` the named tests; return those that fail."""
    copy = tmp / "tampered.duckdb"
    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        for statement in tamper:
            con.execute(statement)
    finally:
        con.close()
    env = _env_without_spm() | {"SPM_WAREHOUSE": str(copy), "SPM_RAW_DIR": str(tmp / "no_raw")}
    run_dbt("test", tmp, env, "--select", *tests)
    results = [r for r in json.loads((tmp / "target" / "run_results.json").read_text())["results"]
               if r["unique_id"].startswith("test.")]  # not the on-run-start hook
    assert {r["unique_id"].split(".")[2] for r in results} == set(tests)
    return {r["unique_id"].split(".")[2] for r in results if r["status"] != "pass"}


RECONCILIATION_TESTS = (
    "assert_credit_reconciles_with_deal_amounts",
    "assert_attainment_reconciles_with_quota_and_credit",
    "assert_plan_quotas_share_the_monthly_quota",
)


@pytest.mark.parametrize(
    ("tamper", "failing"),
    [
        # one cent more credit after FX on O2's USD share (the deal-currency sum still reconciles); the
        # attainment no longer carries the payee's credit either (fct_credit is a view of int_credits,
        # fct_attainment of int_attainment: the tables are tampered with)
        (["update int_credits set credit_amount = credit_amount + 0.01 "
          "where opportunity_id = 'O2' and employee_id = 'E001' and credit_type = 'split'"],
         {"assert_credit_reconciles_with_deal_amounts", "assert_attainment_reconciles_with_quota_and_credit"}),
        # a split share lost: the deal no longer adds up to its amount
        (["delete from int_credits where opportunity_id = 'O12' and employee_id = 'E003'"],
         {"assert_credit_reconciles_with_deal_amounts", "assert_attainment_reconciles_with_quota_and_credit"}),
        # a quota month without its attainment row, and a doubled one
        (["delete from int_attainment where employee_id = 'E001' and period = '2026-03'",
          "insert into int_attainment select * from int_attainment where employee_id = 'E002' and period = '2026-04'"],
         {"assert_attainment_reconciles_with_quota_and_credit"}),
        # a plan given more quota than the month has
        (["update int_quota_months_by_plan set plan_quota = plan_quota + 1 where employee_id = 'E001' and period = '2026-01'"],
         {"assert_plan_quotas_share_the_monthly_quota"}),
    ],
    ids=["credit_after_fx", "missing_split_share", "attainment_rows", "plan_quota"],
)
def test_reconciliation_tests_catch_a_broken_warehouse(warehouse, tmp_path, tamper, failing):
    # (they pass on the untouched warehouse: the module's build fixture requires every dbt test to pass)
    assert failing_data_tests(warehouse, tmp_path, tamper, *RECONCILIATION_TESTS) == failing


# ---------------------------------------------------------------- no data, no environment


def test_a_model_row_rules_test_fails_on_a_broken_row(warehouse, tmp_path):
    # one unknown credit type, one credit without its payee: int_credits' one row test fails, and only it
    tamper = ["update int_credits set credit_type = 'bogus' where opportunity_id = 'O2' and credit_type = 'split'",
              "update int_credits set employee_id = 'E999' where opportunity_id = 'O12' and employee_id = 'E003'"]
    tests = ("row_rules_int_credits", "row_rules_int_commission")
    assert failing_data_tests(warehouse, tmp_path, tamper, *tests) == {"row_rules_int_credits"}


def test_build_on_an_empty_raw_layer(tmp_path):
    """A first run with nothing ingested yet: every model builds (empty), every test passes."""
    write_empty_layout(tmp_path / "raw")
    env = _env_without_spm() | {"SPM_RAW_DIR": str(tmp_path / "raw"), "SPM_WAREHOUSE": str(tmp_path / "spm.duckdb")}
    completed = run_dbt("build", tmp_path, env)
    assert completed.returncode == 0, completed.stdout[-5000:]
    assert query(tmp_path / "spm.duckdb", "select count(*) from fct_commission") == [(0,)]



def test_dbt_parse_needs_no_environment_and_no_raw_data(tmp_path):
    """Dagster loads the manifest at import time, before any data or settings exist."""
    env = _env_without_spm()
    completed = subprocess.run(
        dbt_command("parse", tmp_path), capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    asset_keys = {
        tuple(source["meta"]["dagster"]["asset_key"]) for source in manifest["sources"].values()
    }
    assert ("raw", "crm", "opportunity") in asset_keys
    assert ("raw", "config", "plan_component") in asset_keys
    assert ("raw", "quarantine") in asset_keys
    assert ("payout_ledger", "lines") in asset_keys  # the payout ledger, a declared source
    # 27 raw (cost_centers, payrolls, payroll_codes, adjustments, inquiries, plan_acceptances, the ERP's
    # invoices too) + the 7 planning_config sources + the ledger's publications, lines and credits + the pay
    # calendar (reference)
    assert ("raw", "reference", "pay_calendar") in asset_keys
    assert ("raw", "crm", "invoice") in asset_keys
    assert len(asset_keys) == len(manifest["sources"]) == 38


def test_duckdb_memory_limit_comes_from_the_environment(tmp_path):
    # profiles.yml: settings.memory_limit = SPM_DUCKDB_MEMORY_LIMIT (default half the RAM); 1GB = 953.6 MiB
    env = _env_without_spm() | {
        "SPM_WAREHOUSE": str(tmp_path / "spm.duckdb"), "SPM_RAW_DIR": str(tmp_path / "raw"),
        "SPM_DUCKDB_MEMORY_LIMIT": "1GB",
    }
    completed = run_dbt("show", tmp_path, env, "--inline", "select current_setting('memory_limit') as memory_limit",
                        "--output", "json")
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert '"memory_limit": "953.6 MiB"' in completed.stdout
