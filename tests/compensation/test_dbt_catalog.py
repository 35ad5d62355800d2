"""The dbt catalog a BI analyst and finance read (dbt docs, the Dagster UI): every mart
contracted and described column by column, every model column typed, the exposures that
carry lineage past the marts to the files the Python assets write, and the overview page.

Read from the project's manifest (no build); that the declared types are the built ones is
tests/compensation/test_dbt_build.py's (it needs a warehouse).
"""

from __future__ import annotations

import json
import re

import pytest

from core.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def _marts(manifest: dict) -> dict[str, dict]:
    return {name: n for name, n in _models(manifest).items() if n["fqn"][1] == "marts"}


def test_every_mart_is_contracted_and_described_column_by_column(manifest):
    marts = _marts(manifest)
    assert len(marts) >= 40
    assert sorted(name for name, n in marts.items() if not n["config"]["contract"]["enforced"]) == []
    assert sorted(name for name, n in marts.items() if not n["description"].strip()) == []
    undescribed = [(name, column) for name, n in marts.items() for column, c in n["columns"].items()
                   if not c.get("description", "").strip()]
    assert undescribed == []
    # a contract lists every column, so no mart is without columns
    assert sorted(name for name, n in marts.items() if not n["columns"]) == []


def test_every_column_of_every_model_declares_a_data_type(manifest):
    untyped = [(name, column) for name, n in _models(manifest).items() for column, c in n["columns"].items()
               if not c.get("data_type")]
    assert untyped == []
    assert sorted(name for name, n in _models(manifest).items() if not n["columns"]) == []


def test_money_columns_of_the_marts_are_decimal_38_10(manifest):
    """Amount-like mart columns are declared DECIMAL(38,10), never a float (the contracts hold the build to it)."""
    money_named = re.compile(r"(amount|balance|quota|credit|debit|commission|earnings|payable|bcr|rate)")
    declared = {c.get("data_type") for n in _marts(manifest).values() for name, c in n["columns"].items()
                if money_named.search(name) and c.get("data_type") not in ("string", "bigint", "integer", "boolean", "date")}
    assert declared <= {"decimal(38,10)"}, declared
    floats = [(n["name"], name) for n in _models(manifest).values() for name, c in n["columns"].items()
              if (c.get("data_type") or "").lower() in ("double", "float", "real")]
    assert floats == []


def _exposures(manifest: dict) -> dict[str, dict]:
    return {e["name"]: e for e in manifest["exposures"].values()}


def _depends_on(manifest: dict, exposure: str) -> set[str]:
    return {node.split(".")[-1] for node in _exposures(manifest)[exposure]["depends_on"]["nodes"]}


def test_exposures_name_the_files_leaving_the_warehouse_with_owner_and_marts(manifest):
    exposures = _exposures(manifest)
    assert set(exposures) >= {"payout_file", "payroll_files", "payee_statements", "journal_entries", "bi_snapshot"}
    marts = set(_marts(manifest))
    for name, exposure in exposures.items():
        assert exposure["owner"].get("name") or exposure["owner"].get("email"), name
        assert len(exposure["description"]) > 100, name
        assert exposure["depends_on"]["nodes"] and _depends_on(manifest, name) <= marts, name  # Python reads marts only
    assert "fct_payout_file_line" in _depends_on(manifest, "payout_file")
    assert {"fct_payout_file_line", "dim_payroll", "dim_payroll_code"} <= _depends_on(manifest, "payroll_files")
    assert _depends_on(manifest, "journal_entries") == {"fct_journal_line"}


def test_exposures_depend_on_the_marts_their_assets_read(manifest):
    """The exposures' lineage is the Dagster assets': a mart an asset starts reading is an edge to add here."""
    from assets.bi.snapshot import MART_PREFIXES
    from assets.finance.assets import journal_entries
    from assets.payouts.assets import payout_extract
    from assets.statements.assets import payee_statements

    def mart_deps(asset) -> set[str]:
        return {key.to_user_string() for key in asset.dependency_keys} & set(_marts(manifest))

    # payout_extract writes the payout file and the payroll files beside it
    assert _depends_on(manifest, "payout_file") | _depends_on(manifest, "payroll_files") == mart_deps(payout_extract)
    assert _depends_on(manifest, "payee_statements") == mart_deps(payee_statements)
    assert _depends_on(manifest, "journal_entries") == mart_deps(journal_entries)
    # the BI snapshot copies every dim_ / fct_ mart
    assert _depends_on(manifest, "bi_snapshot") == {m for m in _marts(manifest) if m.startswith(MART_PREFIXES)}


def test_the_docs_open_on_the_project_overview_naming_every_mart(manifest):
    overview = manifest["docs"].get("doc.spm.__overview__")
    assert overview is not None, "models/overview.md: {% docs __overview__ %} replaces dbt's Welcome page"
    text = overview["block_contents"]
    assert "Welcome" not in text
    assert sorted(m for m in _marts(manifest) if f"`{m}`" not in text) == []
    for topic in ("Who is paid what", "Attainment", "Quota", "Credits", "Forecasts", "Quarantine", "Payroll",
                  "Journals", "DECIMAL(38,10)"):
        assert topic in text, topic


_PLACEHOLDER = re.compile(r"<[A-Za-z][^>]*>")


def _bare_placeholders(text: str) -> list[str]:
    """``<period>``-like placeholders outside backticks: the docs site and the Dagster UI render
    descriptions as Markdown and would drop them as HTML tags."""
    return [hit for i, part in enumerate(text.split("`")) if i % 2 == 0 for hit in _PLACEHOLDER.findall(part)]


def test_descriptions_keep_their_placeholders_in_backticks(manifest):
    texts = [(n["name"], n["description"]) for n in _models(manifest).values()]
    texts += [(f"{n['name']}.{c}", col.get("description", "")) for n in _models(manifest).values()
              for c, col in n["columns"].items()]
    texts += [(e["name"], e["description"]) for e in _exposures(manifest).values()]
    assert [(name, _bare_placeholders(text)) for name, text in texts if _bare_placeholders(text)] == []
    assert _bare_placeholders("a `<period>` b") == [] and _bare_placeholders("a <period> b") == ["<period>"]
