"""The month-close schedule: publish the previous month's payouts on the N-th business day.

``SPM_MONTH_CLOSE_BUSINESS_DAY`` (default ``3``, core/settings.py): on the N-th
business day of a month (Monday to Friday; public holidays are not known here),
the schedule publishes the previous month's payouts (partition ``YYYY-MM`` of
the publish job). It ticks every weekday at 07:00 UTC and skips the other days.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from core.periods import period_of, previous_period
from core.settings import Settings


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
        n = Settings.from_env().month_close_business_day
        close_day = nth_business_day(today.year, today.month, n)
        if today != close_day:
            return dg.SkipReason(f"{today} is not business day {n} of the month ({close_day})")
        period = period_before(today)
        # One run per period: Dagster never starts two runs with one run key.
        return dg.RunRequest(run_key=f"month-close:{period}", partition_key=period, tags={"spm/period": period})

    return month_close
