"""Start the pipeline when a new extract batch lands, and never twice for one batch."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.ingest.landing import list_batches
from core.resources import SpmPathsResource

BATCH_SYSTEMS = ("crm", "hr")


def landed_batches(landing_dir: Path) -> list[str]:
    """Every batch folder under the landing folder, as ``<system>/<YYYY-MM-DD>``, sorted."""
    return sorted(
        f"{system}/{name}" for system in BATCH_SYSTEMS for name, _, _ in list_batches(Path(landing_dir), system)
    )


def new_batches(landed: list[str], cursor: str | None) -> list[str]:
    seen = set(json.loads(cursor)) if cursor else set()
    return [batch for batch in landed if batch not in seen]


def validation_skip(paths) -> str | None:
    """Why a run would stop at once (``spm validate``'s fatal problems, one line), or None.

    A sensor or a schedule starts no run on a configuration the pipeline refuses: the
    run would fail its first steps and mark everything downstream failed."""
    from orchestration.validation import validate

    report = validate(paths)
    if report.ok:
        return None
    shown = " | ".join(p.message for p in report.errors[:5]) + (" | ..." if len(report.errors) > 5 else "")
    return f"not started: {len(report.errors)} problem(s) the pipeline would stop on (`spm validate` lists them): {shown}"


def build_new_batch_sensor(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_landing_batch",
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Runs the pipeline once for each new CRM or HR batch folder in the landing folder.",
    )
    def new_landing_batch(context: dg.SensorEvaluationContext, paths: SpmPathsResource):
        landed = landed_batches(paths.paths().landing_dir)
        fresh = new_batches(landed, context.cursor)
        if not fresh:
            return dg.SkipReason(f"no new batch ({len(landed)} seen)")
        problem = validation_skip(paths.paths())
        if problem:  # the cursor stays: the batches start a run once the problem is fixed
            return dg.SkipReason(problem)
        context.update_cursor(json.dumps(landed))
        # The run key names the batches: Dagster never starts two runs with one key.
        return dg.RunRequest(run_key="batches:" + ",".join(fresh), tags={"spm/batches": ",".join(fresh)})

    return new_landing_batch
