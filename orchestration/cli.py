"""Command line behind the Makefile.

``python -m orchestration.cli prepare``   dbt parse (Dagster needs the manifest to load)
``python -m orchestration.cli run``       demo data (if the landing folder is empty), the whole
                                          pipeline job, and a one-screen summary
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, SpmPaths


def prepare_dbt() -> Path:
    """Parse the dbt project so ``target/manifest.json`` exists; return its path."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ]
    )
    if not result.success:
        raise SystemExit(f"dbt parse failed: {result.exception}")
    return DBT_PROJECT_DIR / "target" / "manifest.json"


def _has_landing_data(paths: SpmPaths) -> bool:
    return any(any((paths.landing_dir / system).glob("*/*")) for system in ("crm", "hr"))


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME (default ``.dagster_home``) with the project's instance settings."""
    import shutil

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return home


def run_pipeline(paths: SpmPaths, period: str | None = None, log_level: str = "INFO"):
    """Materialize the whole asset graph with its checks, in process; return the result."""
    import dagster as dg

    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    os.environ.update(paths.as_env())
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if period:
        run_config["ops"] = {"payout_extract": {"config": {"period": period}}}
    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)


def summary(paths: SpmPaths) -> str:
    """One screen: where the outputs are, what was quarantined, what the payout file holds."""
    import json

    import duckdb

    lines = [
        f"warehouse      {paths.warehouse}",
        f"raw layer      {paths.raw_dir}",
        f"exports        {paths.export_dir}",
    ]
    if paths.warehouse.exists():
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            for table in ("dim_payee", "fct_credit", "fct_attainment", "fct_commission"):
                (count,) = con.execute(f"select count(*) from {table}").fetchone()
                lines.append(f"  {table:<16} {count:>10,} rows")
            quarantine = con.execute(
                "select stage, rule, count(*) from fct_quarantine group by all order by all"
            ).fetchall()
        finally:
            con.close()
        lines.append("quarantine (rows kept with the rule they broke):")
        lines += [f"  {stage:<10} {rule:<32} {n:>8,}" for stage, rule, n in quarantine] or ["  none"]
    for manifest_path in sorted((paths.export_dir / "payouts").glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        lines.append(f"payout extract {manifest_path.parent}")
        lines.append(f"  period {manifest['period']}, {manifest['row_count']} lines, {manifest['payee_count']} payees")
        for currency, total in manifest["totals"]["by_currency"].items():
            lines.append(f"  {currency} {total:>16}")
    return "\n".join(lines)


def configure_console_logging() -> None:
    """Library warnings on stderr once; Dagster's events through its own console logger only.

    dbt's telemetry dependency calls ``logging.basicConfig()`` on import, which
    made the root logger print every Dagster event a second time. A root
    handler set first turns that call into a no-op.
    """
    import logging

    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.addFilter(lambda record: not record.name.startswith("dagster"))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    configure_console_logging()
    parser = argparse.ArgumentParser(prog="spm")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="dbt parse, so the Dagster definitions can load")
    sub.add_parser("dev", help="the Dagster UI on workspace.yaml")
    run = sub.add_parser("run", help="generate demo data if needed, run the pipeline, print a summary")
    run.add_argument("--scale", type=float, default=1.0, help="demo company size (1 = 200 payees)")
    run.add_argument("--regenerate", action="store_true", help="rewrite the demo data even if present")
    run.add_argument("--period", default=None, help="pay period YYYY-MM (default: month before newest batch)")
    args = parser.parse_args(argv)

    if args.command == "prepare":
        print(f"dbt manifest: {prepare_dbt()}")
        return 0

    if args.command == "dev":
        prepare_dbt()
        ensure_dagster_home()
        dagster = str(Path(sys.executable).parent / "dagster")
        os.execv(dagster, [dagster, "dev", "-w", str(REPO_ROOT / "workspace.yaml")])

    paths = SpmPaths.from_env()
    if args.regenerate or not _has_landing_data(paths):
        from demo.generate import generate

        print(f"Generating the demo company (scale {args.scale}) into {paths.landing_dir} ...", flush=True)
        generate(paths.landing_dir.parent, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=args.scale)
    prepare_dbt()
    result = run_pipeline(paths, period=args.period)
    print()
    print(summary(paths))
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(f"\nThe pipeline run failed at: {', '.join(failed) or 'see the Dagster log above'}", file=sys.stderr)
        return 1
    print("\nThe pipeline run succeeded. Browse it with `make dev`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
