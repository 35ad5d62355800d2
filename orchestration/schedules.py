"""The pipeline's schedule: the daily refresh of the whole graph.

The month-close publication is the payouts domain's (assets/payouts/schedules.py).
"""

from __future__ import annotations

import dagster as dg


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
