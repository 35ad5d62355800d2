"""Schedules of the pipeline: the daily refresh and the month-close publication.

``SPM_MONTH_CLOSE_BUSINESS_DAY`` (default ``3``): on the N-th business day of a
month (Monday to Friday; public holidays are not known here), the month-close
schedule publishes the previous month's payouts (partition ``YYYY-MM`` of the
publish job). It ticks every weekday at 07:00 UTC and skips the other days.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import dagster as dg

from core.periods import period_of, previous_period

DEFAULT_MONTH_CLOSE_BUSINESS_DAY = 3


def build_daily_refresh_schedule(job_name: str) -> dg.ScheduleDefinition:
    """Every morning: ingest what landed overnight, rebuild the warehouse, rerun every check."""
    return dg.ScheduleDefinition(
        name="daily_refresh",
        job_name=job_name,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Daily refresh: ingest -> warehouse -> checks -> payout extract.",
    )


def month_close_business_day() -> int:
    value = os.environ.get("SPM_MONTH_CLOSE_BUSINESS_DAY", str(DEFAULT_MONTH_CLOSE_BUSINESS_DAY))
    day = int(value)
    if not 1 <= day <= 20:
        raise ValueError(f"SPM_MONTH_CLOSE_BUSINESS_DAY must be 1..20, not {value!r}")
    return day


def nth_business_day(year: int, month: int, n: int) -> date:
    """The n-th Monday-to-Friday of a month (n >= 1)."""
    day = date(year, month, 1)
    seen = 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def period_before(day: date) -> str:
    return previous_period(period_of(day))


def build_month_close_schedule(job_name: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="month_close",
        job_name=job_name,
        cron_schedule="0 7 * * 1-5",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Publishes the previous month's payouts on the SPM_MONTH_CLOSE_BUSINESS_DAY-th "
        "business day of the month (default 3).",
    )
    def month_close(context):
        if context.scheduled_execution_time is None:
            return dg.SkipReason("no scheduled execution time")
        today = context.scheduled_execution_time.date()
        n = month_close_business_day()
        close_day = nth_business_day(today.year, today.month, n)
        if today != close_day:
            return dg.SkipReason(f"{today} is not business day {n} of the month ({close_day})")
        period = period_before(today)
        # One run per period: Dagster never starts two runs with one run key.
        return dg.RunRequest(run_key=f"month-close:{period}", partition_key=period, tags={"spm/period": period})

    return month_close
