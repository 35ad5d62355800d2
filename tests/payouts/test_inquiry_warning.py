"""Publishing warns on inquiries open too long (docs/payment_workflow.md, "Inquiries", rule 6):
a warning line, never a refusal, for the open inquiries about the published period or an
earlier one older than SPM_INQUIRY_WARN_DAYS (default 30)."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.payouts.publication import stale_inquiries_warning
from assets.payouts.warehouse import OpenInquiry
from core.settings import Settings

OPEN = [
    OpenInquiry("INQ-7", "E002", "2026-01", "missing_credit", 45),
    OpenInquiry("INQ-8", "E001", "2026-02", "rate", 31),
    OpenInquiry("INQ-9", "E001", "2026-02", "other", 30),  # exactly 30 days: not more than 30
    OpenInquiry("INQ-10", "E003", "2026-03", "wrong_split", 90),  # a later period than the one published
]


def test_inquiries_open_more_than_the_setting_give_one_warning_line_oldest_first():
    assert stale_inquiries_warning("2026-02", OPEN, 30) == (
        "Publishing 2026-02 with 2 inquiry(ies) open more than 30 days (SPM_INQUIRY_WARN_DAYS): "
        "INQ-7 (E002, 2026-01, missing_credit, 45 days), INQ-8 (E001, 2026-02, rate, 31 days)."
    )


def test_no_warning_when_none_is_older_than_the_setting():
    assert stale_inquiries_warning("2026-02", OPEN, 45) is None
    assert stale_inquiries_warning("2025-12", OPEN, 0) is None  # every one is about a later period


def test_a_long_list_is_cut_after_ten():
    many = [OpenInquiry(f"INQ-{n:02d}", "E1", "2026-01", "other", 100 + n) for n in range(12)]
    warning = stale_inquiries_warning("2026-01", many, 30)
    assert warning.startswith("Publishing 2026-01 with 12 inquiry(ies) open more than 30 days")
    assert warning.endswith("INQ-02 (E1, 2026-01, other, 102 days) and 2 more.")


def test_the_setting_defaults_to_30_days_and_is_checked(monkeypatch):
    monkeypatch.delenv("SPM_INQUIRY_WARN_DAYS", raising=False)
    assert Settings.from_env().inquiry_warn_days == 30
    monkeypatch.setenv("SPM_INQUIRY_WARN_DAYS", "14")
    assert Settings.from_env().inquiry_warn_days == 14
    monkeypatch.setenv("SPM_INQUIRY_WARN_DAYS", "two weeks")
    with pytest.raises(dg.Failure, match="SPM_INQUIRY_WARN_DAYS must be a whole number of days"):
        Settings.from_env()
