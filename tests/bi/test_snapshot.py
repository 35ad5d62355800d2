"""The BI snapshot: each mart's Parquet file sorted by the mart's declared grain (its unique key in
the dbt project), and a DuckDB file of views over those files."""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

from assets.bi.snapshot import VIEWS_FILE, load_manifest, mart_sort_keys, sort_columns, write_snapshot


def _model(name: str, sql: str = "select 1", parents: tuple[str, ...] = (), columns: dict | None = None) -> dict:
    return {
        "resource_type": "model", "name": name, "raw_code": sql,
        "depends_on": {"nodes": list(parents)}, "columns": columns or {},
    }


def _test(model: str, name: str, severity: str = "error", where: str | None = None, error_if: str = "!= 0",
          **kwargs) -> dict:
    return {
        "resource_type": "test", "attached_node": f"model.spm.{model}",
        "test_metadata": {"name": name, "kwargs": kwargs},
        "config": {"enabled": True, "severity": severity, "where": where, "error_if": error_if},
    }


def _manifest(models: list[dict], tests: list[dict]) -> dict:
    nodes = {f"model.spm.{m['name']}": m for m in models}
    nodes.update({f"test.spm.t{i}": t for i, t in enumerate(tests)})
    return {"nodes": nodes}


def test_the_sort_key_of_a_mart_is_its_declared_unique_key():
    manifest = _manifest(
        [
            _model("fct_commission"), _model("dim_payee"), _model("fct_nullable_id"), _model("fct_warned"),
            _model("fct_partly_unique"), _model("fct_tolerant"), _model("fct_two_keys"), _model("int_credits"),
            _model("fct_plain"), _model("fct_ruled"), _model("fct_ruled_nullable"), _model("fct_ruled_combined"),
            _model("dim_contracted", columns={"code": {"constraints": [{"type": "not_null"}]}}),
            _model("fct_credit", "-- the mart of int_credits\nselect * from {{ ref('int_credits') }}\n",
                   ("model.spm.int_credits",)),
            _model("fct_filtered", "select * from {{ ref('int_credits') }} where credit_type = 'owner'",
                   ("model.spm.int_credits",)),
        ],
        [
            _test("fct_commission", "unique_combination_of_columns",
                  combination_of_columns=["employee_id", "period", "plan_id", "component_id"]),
            # dbt's unique skips nulls: a key only with not_null (a test, or a contract's constraint)
            _test("dim_payee", "unique", column_name="employee_id"),
            _test("dim_payee", "not_null", column_name="employee_id"),
            _test("fct_nullable_id", "unique", column_name="id"),
            _test("dim_contracted", "unique", column_name="code"),
            # a warning does not stop the build, nor do a few failures under a threshold, and a
            # where clause checks only some rows: no key
            _test("fct_warned", "unique_combination_of_columns", severity="warn", combination_of_columns=["id"]),
            _test("fct_partly_unique", "unique_combination_of_columns", where="kind = 'a'",
                  combination_of_columns=["id"]),
            _test("fct_tolerant", "unique_combination_of_columns", error_if=">10", combination_of_columns=["id"]),
            # several keys: the one of fewest columns
            _test("fct_two_keys", "unique_combination_of_columns", combination_of_columns=["employee_id", "period"]),
            _test("fct_two_keys", "unique_combination_of_columns", combination_of_columns=["row_id"]),
            # row_rules: its unique column is a key with its not_null; a combination always is
            _test("fct_ruled", "row_rules", not_null=["code"], unique=["code"]),
            _test("fct_ruled_nullable", "row_rules", not_null=["other"], unique=["code"]),
            _test("fct_ruled_combined", "row_rules", unique_combinations=[["payee", "period"]]),
            # a mart that is a select * of an intermediate model has that model's key
            _test("int_credits", "unique_combination_of_columns", combination_of_columns=["opportunity_id", "employee_id"]),
        ],
    )

    assert mart_sort_keys(manifest) == {
        "fct_commission": ("employee_id", "period", "plan_id", "component_id"),
        "dim_payee": ("employee_id",),
        "dim_contracted": ("code",),
        "fct_two_keys": ("row_id",),
        "fct_credit": ("opportunity_id", "employee_id"),
        "fct_ruled": ("code",),
        "fct_ruled_combined": ("payee", "period"),
    }


def test_the_project_declares_the_grain_of_its_marts():
    sort_keys = mart_sort_keys(load_manifest())
    assert sort_keys["fct_credit"] == ("opportunity_id", "employee_id", "credit_type", "credited_from_employee_id")
    assert sort_keys["fct_commission"] == ("employee_id", "period", "plan_id", "component_id")
    assert "fct_quarantine" not in sort_keys  # its unique test only warns


def test_a_mart_without_a_usable_key_is_sorted_by_all_its_columns():
    assert sort_columns(["a", "b", "c"], ("b",)) == ("b",)
    assert sort_columns(["a", "b", "c"], None) == ("a", "b", "c")
    assert sort_columns(["a", "b", "c"], ("b", "gone")) == ("a", "b", "c")


def _digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def test_the_snapshot_is_sorted_by_grain_and_read_through_views(tmp_path):
    warehouse = tmp_path / "spm.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table fct_sale (region varchar, sale_id integer, amount decimal(38, 10))")
    con.execute("insert into fct_sale values ('west', 2, 5), ('east', 3, 1), ('west', 1, 9), ('east', 1, 7)")
    con.execute("create table dim_region (region varchar, name varchar)")
    con.execute("insert into dim_region values ('west', 'B'), ('east', 'A'), ('east', 'C')")
    con.execute("create table int_helper (x integer)")  # not a mart
    con.close()
    keys = {"fct_sale": ("sale_id", "region")}

    folder, counts, orders = write_snapshot(warehouse, tmp_path / "exports", "calc-1", keys)

    assert counts == {"dim_region": 3, "fct_sale": 4}
    assert orders == {"dim_region": ("region", "name"), "fct_sale": ("sale_id", "region")}
    assert (tmp_path / "exports" / "bi" / "current").resolve() == folder.resolve()
    sale = pl.read_parquet(folder / "fct_sale.parquet")
    assert list(sale.select("sale_id", "region").iter_rows()) == [(1, "east"), (1, "west"), (2, "west"), (3, "east")]
    region = pl.read_parquet(folder / "dim_region.parquet")
    assert list(region.iter_rows()) == [("east", "A"), ("east", "C"), ("west", "B")]
    assert not (folder / "int_helper.parquet").exists()

    views = duckdb.connect(str(folder / VIEWS_FILE), read_only=True)
    try:
        listed = views.execute("select table_name, table_type from information_schema.tables order by 1").fetchall()
        columns = views.execute("select column_name, data_type from information_schema.columns "
                                "where table_name = 'fct_sale' order by ordinal_position").fetchall()
        total = views.execute("select sum(amount) from fct_sale").fetchone()[0]
    finally:
        views.close()
    assert listed == [("dim_region", "VIEW"), ("fct_sale", "VIEW")]
    assert columns == [("region", "VARCHAR"), ("sale_id", "INTEGER"), ("amount", "DECIMAL(38,10)")]
    assert total == 22

    first = _digests(folder)
    again, _, _ = write_snapshot(warehouse, tmp_path / "exports", "calc-1", keys)
    assert _digests(again) == first


def test_marts_written_at_once_on_one_thread_each_are_the_bytes_of_one_copy_at_a_time(tmp_path, monkeypatch):
    # Several row groups (DuckDB's are 122,880 rows) and a twin mart's view: the files that
    # write_snapshot writes two at a time, one DuckDB thread each, are byte for byte those
    # of one sorted COPY at a time on every thread.
    from assets.bi import snapshot

    warehouse = tmp_path / "spm.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table fct_big as select (i * 7919) % 300000 as id, 'deal-' || (i % 977) as name, "
                "(i % 1000) * 0.01::decimal(38, 10) as amount, date '2026-01-01' + (i % 90)::integer as day "
                "from range(300000) t(i)")
    con.execute("create table int_lines as select i % 5000 as line_id, i // 5000 as part, 'x' || i as label "
                "from range(200000) t(i)")
    con.execute("create view fct_lines as select * from int_lines")
    con.execute("create table dim_small (code varchar, n integer)")
    con.execute("insert into dim_small values ('b', 2), ('a', 1), ('a', 0)")
    con.close()
    keys = {"fct_big": ("id",), "fct_lines": ("line_id", "part")}

    expected = {}
    reference = duckdb.connect(str(warehouse), read_only=True)
    try:
        reference.execute("SET threads = 2")
        for table, order in [("dim_small", "code, n"), ("fct_big", "id"), ("fct_lines", "line_id, part")]:
            target = tmp_path / f"{table}.parquet"
            reference.execute(f"copy (select * from {table} order by {order}) to '{target}' (format parquet)")
            expected[f"{table}.parquet"] = hashlib.sha256(target.read_bytes()).hexdigest()
    finally:
        reference.close()

    monkeypatch.setattr(snapshot, "snapshot_writers", lambda: 2)
    folder, counts, _ = write_snapshot(warehouse, tmp_path / "exports", "calc-1", keys)
    assert counts == {"dim_small": 3, "fct_big": 300000, "fct_lines": 200000}
    assert pl.read_parquet(folder / "fct_big.parquet").height == 300000
    assert _digests(folder) == expected
