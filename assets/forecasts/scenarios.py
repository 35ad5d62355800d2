"""Run the compensation engine (dbt) on a simulated scenario, never touching the main warehouse.

For a scenario, a scratch raw layer mirrors the real one file by file (symbolic
links, nothing copied) and adds one Parquet file to ``crm/opportunity``: the
deals the scenario wins, as a newer version of each (StageName Closed Won,
IsWon, the simulated CloseDate). ``dbt run --select +fct_payable`` then builds
the engine into a scratch DuckDB file with its own target and log folders;
fct_payable of that file is the scenario's payout. The plan arithmetic is the
engine's: nothing here computes an earning.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

from assets.ingest.contract import CRM_OPPORTUNITY
from assets.ingest.raw_layout import dataset_dir, raw_schema
from orchestration.settings import DBT_PROJECT_DIR

ENGINE_SELECT = "+fct_payable"


def mirror_raw(raw_dir: Path, scratch_raw: Path) -> int:
    """Symlink every file of the raw layer into ``scratch_raw`` (same relative paths); return the count."""
    raw_dir, scratch_raw = Path(raw_dir), Path(scratch_raw)
    count = 0
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file():
            target = scratch_raw / path.relative_to(raw_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path.resolve(), target)
            count += 1
    return count


def scenario_opportunities(raw_dir: Path, won: pl.DataFrame, name: str) -> pl.DataFrame:
    """Newest raw version of each won deal, turned Closed Won on its simulated CloseDate (raw schema).

    The new version's LastModifiedDate is one second after the newest in the
    raw layer, so staging takes it as the deal's newest version.
    """
    schema = raw_schema(CRM_OPPORTUNITY)
    files = sorted(dataset_dir(raw_dir, CRM_OPPORTUNITY).rglob("*.parquet"))
    if not files or won.height == 0:
        return pl.DataFrame(schema=schema)
    versions = pl.concat([pl.scan_parquet(f) for f in files], how="diagonal_relaxed")  # lazy: only what is needed
    newest_modified = versions.select(pl.col("LastModifiedDate").max()).collect().item()
    stamp = pl.lit(newest_modified).cast(schema["LastModifiedDate"]) + pl.duration(seconds=1)
    newest = (
        versions.filter(pl.col("Id").is_in(won["opportunity_id"].to_list()))
        .collect()
        .sort(["Id", "LastModifiedDate", "_batch_date", "_source_file", "_source_row"],
              descending=[False, True, True, True, True], nulls_last=True)
        .group_by("Id", maintain_order=True)
        .first()
        .join(won, left_on="Id", right_on="opportunity_id", how="inner")
        .sort("Id")
    )
    return newest.with_columns(
        StageName=pl.lit("Closed Won"),
        IsClosed=pl.lit(True),
        IsWon=pl.lit(True),
        Probability=pl.lit(100).cast(schema["Probability"]),
        CloseDate=pl.col("close_date"),
        LastModifiedDate=stamp,
        _batch=pl.lit(f"forecast-{name}"),
        _source_file=pl.lit(f"forecast/{name}.parquet"),
        _source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        _loaded_at=stamp,
    ).select([pl.col(c).cast(t) for c, t in schema.items()])


def run_engine(scratch_raw: Path, work_dir: Path) -> Path:
    """``dbt run --select +fct_payable`` into ``work_dir/engine.duckdb``; return that file."""
    work_dir = Path(work_dir)
    warehouse = work_dir / "engine.duckdb"
    env = dict(os.environ, SPM_RAW_DIR=str(scratch_raw), SPM_WAREHOUSE=str(warehouse), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    command = [
        str(Path(sys.executable).parent / "dbt"), "run", "--select", ENGINE_SELECT,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=work_dir)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise RuntimeError(f"dbt engine run for the scenario in {work_dir} failed:\n{tail}")
    return warehouse


def read_payable(warehouse: Path, periods: list[str]) -> pl.DataFrame:
    """fct_payable per payee, period and currency (exact DECIMAL), read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select employee_id, period, currency, sum(payable_amount)
            from fct_payable where period in (select unnest(?::varchar[]))
            group by employee_id, period, currency
            order by employee_id, period, currency
            """,
            [periods],
        ).fetchall()
    finally:
        con.close()
    return pl.DataFrame(
        rows,
        schema={"employee_id": pl.Utf8, "period": pl.Utf8, "currency": pl.Utf8, "payable_amount": pl.Decimal(38, 10)},
        orient="row",
    )


def scenario_payable(raw_dir: Path, won: pl.DataFrame, name: str, work_dir: Path, periods: list[str]) -> pl.DataFrame:
    """The engine's payable per payee and period with the scenario's won deals added to the raw layer."""
    work_dir = Path(work_dir)
    scratch_raw = work_dir / "raw"
    mirror_raw(raw_dir, scratch_raw)
    extra = scenario_opportunities(raw_dir, won, name)
    out = dataset_dir(scratch_raw, CRM_OPPORTUNITY) / f"batch=forecast-{name}" / f"{name}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    extra.write_parquet(out)
    return read_payable(run_engine(scratch_raw, work_dir), periods)
