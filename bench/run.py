"""Benchmark: generate the demo company at a scale, run the whole pipeline, print JSON.

    python -m bench.run --scale 10 [--keep DIR]

Prints wall time per stage (generate, ingest, checks, dbt, exports), rows per
stage and peak memory (this process and, separately, its largest child: dbt
runs as a subprocess). Everything goes to a temporary folder unless --keep.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def _stage_of(step_key: str) -> str:
    if step_key.endswith("gx_contract_suite"):
        return "checks"
    if step_key.startswith("raw__"):
        return "ingest"
    if "dbt" in step_key:
        return "dbt"  # the models and their tests run in one dbt build step
    if "payout" in step_key:
        return "exports"
    return "other"


def _step_seconds(run_id: str) -> dict[str, float]:
    """Wall time per stage, from the run's step start and end events in the Dagster event log."""
    import dagster as dg

    starts: dict[str, float] = {}
    seconds: dict[str, float] = defaultdict(float)
    with dg.DagsterInstance.get() as instance:
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.is_step_start:
                starts[event.step_key] = entry.timestamp
            elif (event.is_step_success or event.is_step_failure) and event.step_key in starts:
                seconds[_stage_of(event.step_key)] += entry.timestamp - starts[event.step_key]
    return dict(seconds)


def _rows(paths) -> dict[str, int]:
    import duckdb
    import polars as pl

    rows: dict[str, int] = {}
    raw_files = [p for p in paths.raw_dir.rglob("*.parquet") if "quarantine" not in p.parts]
    rows["raw_rows"] = sum(pl.scan_parquet(p).select(pl.len()).collect().item() for p in raw_files)
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        for table in ("fct_credit", "fct_attainment", "fct_commission", "fct_quarantine"):
            rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()
    rows["payout_lines"] = sum(
        json.loads(m.read_text())["row_count"] for m in (paths.export_dir / "payouts").glob("*/manifest.json")
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="spm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "SPM_LANDING_DIR": str(work / "landing"),
            "SPM_CONFIG_DIR": str(work / "config"),
            "SPM_WAREHOUSE": str(work / "warehouse" / "spm.duckdb"),
            "SPM_RAW_DIR": str(work / "warehouse" / "raw"),
            "SPM_EXPORT_DIR": str(work / "exports"),
            "DAGSTER_HOME": str(work / "dagster_home"),
        }
    )
    from core.settings import SpmPaths
    from demo.generate import generate
    from orchestration.cli import prepare_dbt, run_pipeline

    paths = SpmPaths.from_env()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    generated = generate(work, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=args.scale)
    timings["generate"] = time.perf_counter() - started

    prepare_dbt()
    started = time.perf_counter()
    # The run's log (dbt's included) goes to stderr, so stdout is only the JSON report.
    with contextlib.redirect_stdout(sys.stderr):
        result = run_pipeline(paths)
    timings["pipeline_total"] = time.perf_counter() - started
    timings.update(_step_seconds(result.run_id))

    report = {
        "scale": args.scale,
        "success": result.success,
        "seconds": {k: round(v, 2) for k, v in sorted(timings.items())},
        "rows": {"generated": generated.get("counts", {}), **(_rows(paths) if result.success else {})},
        "peak_rss_mb": {
            "pipeline_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            # ru_maxrss of RUSAGE_CHILDREN is the largest finished child (the dbt subprocess)
            "largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        },
        "work_dir": str(work),
    }
    if args.keep is None:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
        report["work_dir"] = None
    print(json.dumps(report, indent=2, default=str))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
