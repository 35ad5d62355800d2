"""The ledger's pure parts: versions, no-op republish, delta, crash consistency, checks, payroll files."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from assets.payouts import checks
from assets.payouts import ledger as store
from assets.payouts.extract import PayoutLine, sha256_hex
from assets.payouts.ledger_layout import draft_dir, ledger_file, published_dir
from assets.payouts.payroll import payroll_files
from assets.payouts.publish import content_sha256, publish_period
from core.money import round_money

PERIOD = "2026-10"
PAY_DATE = date(2026, 11, 15)
CREDITS = [("2026-10", "E1", "O1", "USD", Decimal("1000"))]


def _lines(*rows, calc="calc-1"):
    """The paid lines of fct_payout_file_line for these exact amounts (one per payee x code x currency),
    as the warehouse rounds them, in its order: the input of the files."""
    lines = []
    for e, code, currency, amount, country in sorted(rows):
        rounded = round_money(Decimal(amount), currency)
        if rounded != 0:
            lines.append(PayoutLine(PERIOD, e, f"Name {e}", "CC-1", code, currency, rounded, PAY_DATE, "AE", calc,
                                    country=country, exact_amount=Decimal(amount)))
    return lines


BASE = (("E1", "COMMISSION", "USD", "100.004", "US"), ("E2", "COMMISSION", "EUR", "50", "DE"))


def _publish(tmp_path, lines, run_id="run-a"):
    return publish_period(lines, CREDITS, tmp_path, PERIOD, PAY_DATE, "calc-1", run_id, ["payees_in_hr"], ["crm/2026-11-27"])


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_layout_of_draft_published_and_ledger_files(tmp_path):
    assert draft_dir(tmp_path, PERIOD) == tmp_path / "payouts" / "2026-10"
    assert published_dir(tmp_path, PERIOD, 2) == tmp_path / "payouts" / "published" / "2026-10" / "v2"
    assert ledger_file(tmp_path, "lines", PERIOD, 2) == tmp_path / "payouts" / "ledger" / "lines" / "2026-10_v0002.parquet"
    with pytest.raises(ValueError, match="YYYY-MM"):
        draft_dir(tmp_path, "2026-13")


def test_first_publication_is_version_one_with_files_and_record(tmp_path):
    assert store.latest_published_version(tmp_path, PERIOD) is None
    outcome = _publish(tmp_path, _lines(*BASE))

    assert outcome.status == "published"
    publication = store.latest_published_version(tmp_path, PERIOD)
    assert (publication.version, publication.publication_seq, publication.run_id) == (1, 1, "run-a")
    folder = publication.path(tmp_path)
    assert folder == published_dir(tmp_path, PERIOD, 1)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run_id"] == "run-a" and manifest["version"] == 1 and manifest["source_batches"] == ["crm/2026-11-27"]
    for name, meta in manifest["files"].items():
        assert sha256_hex((folder / name).read_bytes()) == meta["sha256"]
        assert publication.files[name] == meta["sha256"]
    # 100.004 -> 100.00 paid; the exact amount is kept in the ledger.
    lines = store.read_published_lines(tmp_path, PERIOD, 1)
    assert lines.select("employee_id", "amount", "exact_amount").rows() == [
        ("E1", Decimal("100.00"), Decimal("100.004")),
        ("E2", Decimal("50.00"), Decimal("50")),
    ]
    with (folder / "payout_2026-10.csv").open() as handle:
        assert {row["run_id"] for row in csv.DictReader(handle)} == {"run-a"}


def test_publishing_the_same_content_again_is_a_no_op(tmp_path):
    _publish(tmp_path, _lines(*BASE), run_id="run-a")
    before = _files(tmp_path)

    outcome = _publish(tmp_path, _lines(*BASE), run_id="run-b")

    assert outcome.status == "unchanged" and outcome.publication.version == 1
    assert outcome.publication.run_id == "run-a"
    assert _files(tmp_path) == before


def test_the_run_id_is_not_part_of_the_content():
    assert content_sha256(_lines(*BASE)) == content_sha256([l for l in _lines(*BASE)])
    changed = _lines(("E1", "COMMISSION", "USD", "100.01", "US"), BASE[1])
    assert content_sha256(changed) != content_sha256(_lines(*BASE))


def test_a_correction_makes_version_two_and_a_delta_never_an_overwrite(tmp_path):
    _publish(tmp_path, _lines(*BASE))
    v1 = _files(published_dir(tmp_path, PERIOD, 1))

    corrected = _lines(("E1", "COMMISSION", "USD", "120", "US"), ("E3", "BONUS", "USD", "10", "US"))
    outcome = _publish(tmp_path, corrected, run_id="run-c")

    assert (outcome.status, outcome.publication.version, outcome.publication.previous_version) == ("published", 2, 1)
    assert _files(published_dir(tmp_path, PERIOD, 1)) == v1
    with (published_dir(tmp_path, PERIOD, 2) / "delta_2026-10_v2.csv").open() as handle:
        delta = [(r["employee_id"], r["earning_code"], r["previous_amount"], r["amount"], r["delta_amount"]) for r in csv.DictReader(handle)]
    # E1 100.00 -> 120.00 (+20.00); E2's 50.00 EUR is gone (-50.00); E3's bonus is new (+10.00).
    assert delta == [
        ("E1", "COMMISSION", "100.00", "120.00", "20.00"),
        ("E2", "COMMISSION", "50.00", "0.00", "-50.00"),
        ("E3", "BONUS", "0.00", "10.00", "10.00"),
    ]
    assert [p.version for p in store.read_publications(tmp_path)] == [1, 2]


def test_a_crash_before_the_record_leaves_no_publication_and_a_rerun_completes_it(tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise OSError("power cut (injected)")

    monkeypatch.setattr(store, "write_publication_record", crash)
    with pytest.raises(OSError, match="injected"):
        _publish(tmp_path, _lines(*BASE), run_id="run-a")
    assert store.read_publications(tmp_path) == []
    folder = published_dir(tmp_path, PERIOD, 1)
    written = _files(folder)
    assert "payout_2026-10.csv" in written and "payroll_manifest.json" in written
    assert [p for p in tmp_path.rglob(".*")] == []  # no temporary file or staging folder left

    # The rerun publishes the same lines: it completes run-a's version as written (the files are
    # visible, so they are never rewritten), and records it.
    monkeypatch.undo()
    outcome = _publish(tmp_path, _lines(*BASE), run_id="run-b")
    assert (outcome.status, outcome.publication.version, outcome.publication.run_id) == ("published", 1, "run-a")
    assert _files(folder) == written
    with (folder / "payout_2026-10.csv").open() as handle:
        assert {row["run_id"] for row in csv.DictReader(handle)} == {"run-a"}
    assert len(store.read_publications(tmp_path)) == 1


def test_an_unrecorded_version_with_other_lines_is_replaced_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "write_publication_record", lambda *args: (_ for _ in ()).throw(OSError("injected")))
    with pytest.raises(OSError):
        _publish(tmp_path, _lines(*BASE), run_id="run-a")
    monkeypatch.undo()
    # The landing changed before the rerun: E2 is paid 60, not 50. Version 1 was never
    # published, so its folder is replaced, by run-c's files.
    outcome = _publish(tmp_path, _lines(BASE[0], ("E2", "COMMISSION", "EUR", "60", "DE")), run_id="run-c")
    assert (outcome.publication.version, outcome.publication.run_id) == (1, "run-c")
    with (published_dir(tmp_path, PERIOD, 1) / "payout_2026-10.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["employee_id"], r["amount"], r["run_id"]) for r in rows] == [("E1", "100.00", "run-c"), ("E2", "60.00", "run-c")]
    assert [p for p in tmp_path.rglob(".*")] == []


def test_a_crash_while_writing_a_file_leaves_no_half_file_and_no_version_folder(tmp_path, monkeypatch):
    import assets.payouts.extract as extract

    real_replace = extract.os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("crash during rename (injected)")
        return real_replace(src, dst)

    monkeypatch.setattr(extract.os, "replace", failing_replace)
    with pytest.raises(OSError):
        _publish(tmp_path, _lines(*BASE))
    assert list(tmp_path.rglob("*.tmp")) == []
    assert not published_dir(tmp_path, PERIOD, 1).exists()  # the version appears whole or not at all
    assert store.read_publications(tmp_path) == []
    monkeypatch.undo()
    assert _publish(tmp_path, _lines(*BASE), run_id="run-b").publication.version == 1
    assert [p for p in tmp_path.rglob(".*")] == []  # the rerun cleared the staging folder


def test_payroll_files_split_by_country_and_currency_and_add_up():
    lines = _lines(*BASE, ("E3", "BONUS", "USD", "7.005", "US"))
    files = payroll_files(lines, PERIOD)
    assert sorted(files) == ["payroll_2026-10_DE_EUR.csv", "payroll_2026-10_US_USD.csv"]
    us = list(csv.DictReader(files["payroll_2026-10_US_USD.csv"].decode().splitlines()))
    assert list(us[0]) == ["employee_id", "earning_code", "amount", "currency", "pay_date"]
    # 100.004 -> 100.00 and 7.005 -> 7.01: 107.01
    assert sum(Decimal(r["amount"]) for r in us) == Decimal("107.01")


# --- pre-publish checks ---------------------------------------------------------------------


def test_total_check_allows_rounding_only():
    lines = _lines(("E1", "COMMISSION", "USD", "100.004", "US"), ("E2", "COMMISSION", "USD", "0.004", "US"))
    # exact 100.008, file 100.00 + 0.00: off by 0.008 <= 2 lines x 0.005
    assert checks.check_total_matches_warehouse(lines, {"USD": Decimal("100.008")}, {"USD": 2}).passed
    failed = checks.check_total_matches_warehouse(lines, {"USD": Decimal("101")}, {"USD": 2})
    assert not failed.passed and "USD" in failed.message


def test_hr_negative_and_duplicate_checks_name_what_failed():
    lines = _lines(("E1", "SPIF", "USD", "-5", "US"), ("E9", "COMMISSION", "USD", "-3", "US"), ("E1", "CLAWBACK", "USD", "-7", "US"))
    hr = checks.check_payees_in_hr(lines, {"E1"})
    assert not hr.passed and "E9" in hr.message
    negative = checks.check_negative_amounts(lines)
    # Never negative pay: a DRAW may not be negative, and no payee's total may be: E1 is paid
    # -5 - 7 = -12.00 and E9 -3.00 (deductions with nothing to be taken from).
    assert not negative.passed and negative.details["examples"] == ["E1 -12.00 USD", "E9 -3.00 USD"]
    draws = checks.check_negative_amounts(_lines(("E1", "DRAW", "USD", "-5", "US"), ("E1", "COMMISSION", "USD", "9", "US")))
    assert not draws.passed and draws.details["examples"] == ["E1 DRAW -5.00"]
    unknown = checks.check_negative_amounts(_lines(("E1", "BALANCE_CARRIED", "USD", "5", "US")))
    assert not unknown.passed and "unknown earning code" in unknown.message
    assert checks.check_negative_amounts(_lines(("E1", "CLAWBACK", "USD", "-5", "US"), ("E1", "COMMISSION", "USD", "5", "US"))).passed
    duplicated = lines + lines[:1]
    unique = checks.check_one_line_per_payee_code_period(duplicated)
    assert not unique.passed and unique.details["examples"] == [f"{lines[0].employee_id} {lines[0].earning_code} 2026-10"]
    message = checks.refusal_message(PERIOD, [hr, negative, unique])
    assert message.startswith("Refusing to publish 2026-10") and "payees_in_hr" in message
    assert "negative_amounts_allowed" in message and "one_line_per_payee_code_period" in message
    assert checks.refusal_message(PERIOD, [checks.check_payees_in_hr(lines, {"E1", "E9"})]) is None


def test_change_check_warns_beyond_the_configured_share(monkeypatch):
    previous = _lines(("E1", "COMMISSION", "USD", "100", "US"), ("E2", "COMMISSION", "USD", "100", "US"))
    now = _lines(("E1", "COMMISSION", "USD", "140", "US"), ("E2", "COMMISSION", "USD", "170", "US"))
    monkeypatch.setenv("SPM_PAYOUT_CHANGE_WARN_SHARE", "0.5")
    # E1 +40 % stays inside 50 %; E2 +70 % is beyond; the total 200 -> 310 (+55 %) too.
    outcome = checks.check_payout_change(now, previous)
    assert not outcome.passed and not outcome.blocking
    assert [p.split()[0] for p in outcome.details["payees"]] == ["E2"]
    assert outcome.details["totals"] == ["USD 200.00 -> 310.00"]
    monkeypatch.setenv("SPM_PAYOUT_CHANGE_WARN_SHARE", "0.8")
    assert checks.check_payout_change(now, previous).passed
    assert checks.check_payout_change(now, None).passed
    # a warning never refuses a publication
    assert checks.refusal_message(PERIOD, [outcome]) is None


def test_a_publication_allowed_unchecked_records_why_who_and_when(tmp_path):
    override = {"reason": "dbt test flaky on a lock, checked by hand", "by": "alice", "at": "2026-12-07T10:00:00+00:00",
                "refusal": "Refusing to publish 2026-10: the newest run that built its payout lines (run abcd1234) failed."}
    publish_period(_lines(*BASE), CREDITS, tmp_path, PERIOD, PAY_DATE, "calc-1", "run-a", ["payees_in_hr"],
                   ["crm/2026-11-27"], unchecked_override=override)
    assert store.latest_published_version(tmp_path, PERIOD).unchecked_override == override
    record = pl.read_parquet(ledger_file(tmp_path, "publications", PERIOD, 1))
    assert json.loads(record["unchecked_override_json"][0]) == override


def test_a_ledger_written_before_the_override_column_still_reads(tmp_path):
    _publish(tmp_path, _lines(*BASE))  # a checked publication: no override
    path = ledger_file(tmp_path, "publications", PERIOD, 1)
    record = pl.read_parquet(path)
    assert record["unchecked_override_json"].to_list() == [None]
    record.drop("unchecked_override_json").write_parquet(path)  # as an older version wrote it
    _publish(tmp_path, _lines(("E1", "COMMISSION", "USD", "120", "US")), run_id="run-b")  # v2, with the column

    versions = [(p.version, p.unchecked_override) for p in store.read_publications(tmp_path)]
    assert versions == [(1, None), (2, None)]
