"""The pipeline's schedule: the daily refresh of the whole graph.

The month-close publication is the payouts domain's (assets/payouts/schedules.py).
"""

from __future__ import annotations

import dagster as dg


def build_daily_refresh_schedule(job_name: str) -> dg.ScheduleDefinition:
    """Every morning: ingest what landed overnight, rebuild the warehouse, rerun every check."""


    def validated(context: dg.ScheduleEvaluationContext):
        # The same validation as `spm validate` first: no run on a configuration the pipeline refuses.
        from core.settings import SpmPaths
        from orchestration.sensors import validation_skip

        problem = validation_skip(SpmPaths.from_env())
        return dg.SkipReason(problem) if problem else dg.RunRequest()

    return dg.ScheduleDefinition(
        name="daily_refresh",
        job_name=job_name,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        execution_fn=validated,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Daily refresh: ingest -> warehouse -> checks -> payout extract (skipped, with the problems, "
        "when `spm validate` finds one the pipeline would stop on).",
    )
