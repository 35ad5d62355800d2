"""The demo company's fixed calendar: as-of date, history window and extract batches.

Nothing in the generator reads the wall clock; every date comes from here, so a
seed and a scale always give the same files.
"""

from __future__ import annotations

from datetime import date

AS_OF = date(2026, 11, 27)  # the newest extract; nothing happens after its end of day
HISTORY_START = date(2025, 1, 1)  # first close date of a deal
PIPELINE_START = date(2024, 7, 1)  # first created date of a deal
HORIZON = date(2027, 3, 31)  # last expected close date of open pipeline
PLAN_YEARS = (2025, 2026)

# Extract batches (the landing sub-folders). CRM batch 1 is the full history up
# to its date; later ones hold only records created or changed since the one before.
CRM_BATCHES = (date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 27))
HR_BATCHES = (date(2026, 9, 30), date(2026, 11, 27))

# Monthly DatedConversionRate rows: StartDate from RATES_FROM, last NextStartDate RATES_TO.
RATES_FROM = date(2024, 12, 1)
RATES_TO = date(2027, 1, 1)

EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86_400
# Sentinel for "this event never happened" in event-time arrays (sorts after everything).
NEVER = 2**62


def day_number(d: date) -> int:
    """Days since 1970-01-01 (what polars' Date type stores)."""
    return (d - EPOCH).days


def cutoff_seconds(batch: date) -> int:
    """Epoch seconds at the end of a batch's extract day (exclusive bound)."""
    return (day_number(batch) + 1) * SECONDS_PER_DAY


def batch_name(batch: date) -> str:
    return batch.isoformat()
