"""Benchmark: generate the demo company at a scale, run the whole pipeline, measure it against its floors, print JSON.

    python -m bench.run --scale 10 [--keep DIR] [--incremental]

Prints wall time per stage (generate, ingest, checks, dbt, exports), rows per
stage and peak memory, then runs the two floors on the same landing folder and
reports how far the pipeline is from them:

* ``bench.floor``: the same credit, quota, attainment and commission per
  payee-month in one DuckDB query, no checks, no quarantine (a subprocess);
* ``bench.pandas_floor``: the same job as a plain pandas script (a subprocess);
  the two floors must agree to the cent (``floor.agree``).

Peak memory: ``ru_maxrss`` of this process (``pipeline_process``; it also
generated the company) and of its largest finished child (``largest_child``),
plus ``sampled``: a background thread samples the RSS of the whole process tree
every 0.2 s during the pipeline run (psutil when installed, else /proc) and
keeps the peak of each command (``spm-dbt build``, ``spm-dbt --version``,
``tail``, ...) and of the tree's sum. ``largest_child`` is an upper bound only:
Linux carries the RSS a child had when it was forked from this (big) process
into its ru_maxrss across exec, so it reads at least this process's size then;
``sampled.by_command`` has the children's own peaks. Each floor reports its
own peak (VmHWM, which exec resets).

``--incremental``: generate the company, hold the last CRM batch back (and any
HR batch dated after the CRM batch before it), run the pipeline (the build-up
run: ``incremental.build_up_seconds``), land the held-back batches and time
only the second run: ``seconds`` and the stage times are that run's, and
``incremental.incremental_over_build_up`` = second run / build-up run is the
figure an incremental engine should bring well below 1.

The JSON report goes to stdout, a short table to stderr. Everything goes to a
temporary folder unless --keep.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

SAMPLE_SECONDS = 0.2
FLOORS = {"duckdb": "bench.floor", "pandas": "bench.pandas_floor"}
_DBT_COMMANDS = frozenset(
    "build clean clone compile debug deps docs init list ls parse retry run run-operation seed show snapshot source test".split()
)


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


# ---------------------------------------------------------------- memory of the process tree


def _proc_tree(root: int) -> list[tuple[int, str, int]]:
    """(pid, command name, RSS bytes) of ``root`` and every descendant, from /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    stats: dict[int, tuple[int, str, int]] = {}  # pid -> (ppid, comm, rss)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        head, _, tail = text.rpartition(")")
        fields = tail.split()
        if len(fields) < 22:
            continue
        # after the command: state, ppid, ... rss is field 24 of stat, the 22nd after the name
        stats[int(entry.name)] = (int(fields[1]), head.partition("(")[2], int(fields[21]) * page)
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _, _) in stats.items():
        children[ppid].append(pid)
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            tree.append((pid, stats[pid][1], stats[pid][2]))
        stack += children.get(pid, [])
    return tree


def _psutil_tree(root: int) -> list[tuple[int, str, int]]:
    import psutil

    tree = []
    parent = psutil.Process(root)
    for process in [parent, *parent.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            tree.append((process.pid, process.name(), process.memory_info().rss))
    return tree


def _command_line(pid: int) -> list[str]:
    try:
        return [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return []


def _command_key(name: str, args: list[str]) -> str:
    """The command name; for a dbt child also its dbt command (``spm-dbt build``, ``spm-dbt --version``)."""
    if name != "spm-dbt":
        return name
    # python /venv/bin/spm-dbt build ... (a script's interpreter comes first)
    rest = args[next((i + 1 for i, a in enumerate(args) if Path(a).name == name), len(args)):]
    command = next((a for a in rest if a in _DBT_COMMANDS), rest[0] if rest else "")
    return f"{name} {command}".strip()


class TreeSampler(threading.Thread):
    """Samples the RSS of a process and all its descendants every ``interval`` seconds until stopped."""

    def __init__(self, root: int, interval: float = SAMPLE_SECONDS):
        super().__init__(name="rss-sampler", daemon=True)
        self.root = root
        self.interval = interval
        try:
            import psutil  # noqa: F401

            self.source, self._tree = "psutil", _psutil_tree
        except ImportError:
            self.source, self._tree = "/proc", _proc_tree
        self._halt = threading.Event()
        self._keys: dict[tuple[int, str], str] = {}
        self.samples = 0
        self.tree_peak = 0
        self.by_command: dict[str, int] = defaultdict(int)
        self.pids_by_command: dict[str, set[int]] = defaultdict(set)
        self.command_lines: dict[str, str] = {}  # the first command line seen per command

    def sample(self) -> None:
        total = 0
        for pid, name, rss in self._tree(self.root):
            if rss == 0:  # exited, not yet reaped
                continue
            if (pid, name) not in self._keys:  # keyed with the name: a forked child changes it at exec
                args = _command_line(pid)
                key = "pipeline process" if pid == self.root else _command_key(name, args)
                self._keys[(pid, name)] = key
                self.command_lines.setdefault(key, " ".join(args)[:160])
            key = self._keys[(pid, name)]
            self.by_command[key] = max(self.by_command[key], rss)
            self.pids_by_command[key].add(pid)
            total += rss
        self.tree_peak = max(self.tree_peak, total)
        self.samples += 1

    def run(self) -> None:
        while not self._halt.is_set():
            with contextlib.suppress(Exception):  # a process may vanish between listing and reading
                self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> dict:
        self._halt.set()
        self.join()
        return {
            "process_tree": _mb(self.tree_peak),
            "by_command": {k: _mb(v) for k, v in sorted(self.by_command.items())},
            "processes_by_command": {k: len(v) for k, v in sorted(self.pids_by_command.items())},
            "command_lines": dict(sorted(self.command_lines.items())),
            "samples": self.samples,
            "sample_seconds": self.interval,
            "sampled_with": self.source,
        }


def _mb(value: float) -> float:
    return round(value / 2**20, 1)


# ---------------------------------------------------------------- one pipeline run, measured


def _measured_run(paths) -> tuple[object, float, dict[str, float], dict]:
    """Run the pipeline with the tree sampler on: (result, seconds, stage seconds, sampled memory)."""
    from orchestration.cli import run_pipeline

    sampler = TreeSampler(os.getpid())
    sampler.start()
    started = time.perf_counter()
    try:
        # The run's log (dbt's included) goes to stderr, so stdout is only the JSON report.
        with contextlib.redirect_stdout(sys.stderr):
            result = run_pipeline(paths)
    finally:
        seconds = time.perf_counter() - started
        memory = sampler.stop()
    return result, seconds, _step_seconds(result.run_id), memory


def _hold_back(landing: Path, held: Path) -> list[str]:
    """Move the last CRM batch, and the HR batches dated after the CRM batch before it, to ``held``."""
    from demo.clock import CRM_BATCHES, HR_BATCHES, batch_name

    moves = [f"crm/{batch_name(CRM_BATCHES[-1])}"]
    moves += [f"hr/{batch_name(b)}" for b in HR_BATCHES if b > CRM_BATCHES[-2]]
    for relative in moves:
        (held / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(landing / relative, held / relative)
    return moves


def _land(landing: Path, held: Path, moves: list[str]) -> None:
    for relative in moves:
        shutil.move(held / relative, landing / relative)


# ---------------------------------------------------------------- the floors


def _pipeline_own_credit(paths) -> dict[tuple[str, str], object]:
    """The pipeline's own (owner and split) credit per payee-month, as fct_credit has it."""
    import duckdb

    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select employee_id, period, round(sum(credit_amount), 2) from fct_credit "
            "where credit_type in ('owner', 'split') group by employee_id, period"
        ).fetchall()
    finally:
        con.close()
    return {(e, p): c for e, p, c in rows}


def _run_floors(paths, folder: Path, pipeline_ok: bool) -> dict:
    """Both floors on the landing folder; their reports, whether they agree, and how the floor's
    own credit compares with the pipeline's (which also quarantines, claws back and validates splits)."""
    from decimal import Decimal

    from bench.floor import disagreements, read_result, run_floor

    folder.mkdir(parents=True, exist_ok=True)
    reports = {
        name: run_floor(module, paths.landing_dir, paths.config_dir, folder / f"{name}.csv")
        for name, module in FLOORS.items()
    }
    differences = disagreements(folder / "duckdb.csv", folder / "pandas.csv")
    out = {**reports, "agree": not differences, "disagreements": differences[:10]}
    if pipeline_ok:
        floor = {k: Decimal(r["own_credit"]) for k, r in read_result(folder / "duckdb.csv").items()}
        pipeline = _pipeline_own_credit(paths)
        months = {k for k, v in floor.items() if v} | set(pipeline)
        differing = sorted(k for k in months if floor.get(k, Decimal(0)) != pipeline.get(k, Decimal(0)))
        out["own_credit_vs_pipeline"] = {
            "payee_months": len(months),
            "differing": len(differing),
            "examples": [
                {"employee_id": e, "period": p, "floor": str(floor.get((e, p), 0)),
                 "pipeline": str(pipeline.get((e, p), 0))}
                for e, p in differing[:5]
            ],
        }
    return out


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 1) if denominator > 0 else None


# ---------------------------------------------------------------- the report


def _table(report: dict) -> str:
    """The human-readable summary printed to stderr."""
    seconds, memory, rows = report["seconds"], report["peak_rss_mb"], report["rows"]
    lines = [f"bench scale {report['scale']} ({report['mode']}): success={report['success']}"]
    lines.append(f"{'':30} {'seconds':>9} {'peak MB':>9} {'rows':>12}")

    def line(label: str, secs=None, mb=None, count=None) -> None:
        cells = [f"{secs:9.2f}" if secs is not None else " " * 9, f"{mb:9.1f}" if mb is not None else " " * 9,
                 f"{count:12,}" if count is not None else ""]
        lines.append(f"{label:30} " + " ".join(cells))

    line("generate", seconds.get("generate"), None, sum(rows.get("generated", {}).values()) or None)
    if "incremental" in report:
        line("build-up run (held back)", report["incremental"]["build_up_seconds"])
    line("pipeline" + (" (incremental run)" if "incremental" in report else ""), seconds.get("pipeline_total"),
         memory.get("pipeline_process"))
    stage_rows = {"ingest": rows.get("raw_rows"), "checks": rows.get("fct_quarantine"), "dbt": rows.get("fct_credit"),
                  "exports": rows.get("payout_lines")}
    for stage in ("ingest", "checks", "dbt", "exports", "other"):
        if stage in seconds:
            line(f"  {stage}", seconds[stage], None, stage_rows.get(stage))
    sampled = memory.get("sampled", {})
    for command, mb in sampled.get("by_command", {}).items():
        line(f"  [{command}]", None, mb)
    if "process_tree" in sampled:
        line("  [whole process tree]", None, sampled["process_tree"])
    for name in FLOORS:
        floor = report.get("floor", {}).get(name)
        if floor:
            line(f"floor: {name}", floor["seconds"], floor["peak_rss_mb"], floor["rows"])
    ratios = report.get("ratios", {})
    if ratios:
        lines.append(
            f"pipeline / duckdb floor = {ratios.get('pipeline_over_floor')}x, "
            f"pipeline / pandas floor = {ratios.get('pipeline_over_pandas')}x, "
            f"floors agree: {report['floor']['agree']}"
        )
    if "incremental" in report:
        lines.append(f"incremental run / build-up run = {report['incremental']['incremental_over_build_up']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parser.add_argument(
        "--incremental", action="store_true",
        help="run once without the last batch (untimed), land it, and time the second run",
    )
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
    from orchestration.cli import prepare_run

    paths = SpmPaths.from_env()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    generated = generate(work, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=args.scale)
    timings["generate"] = time.perf_counter() - started

    prepare_run()  # as `spm run` prepares: dbt's parse, Great Expectations imported meanwhile
    incremental: dict | None = None
    if args.incremental:
        held = work / "held_back"
        moves = _hold_back(paths.landing_dir, held)
        build_up, build_up_seconds, build_up_stages, build_up_memory = _measured_run(paths)
        _land(paths.landing_dir, held, moves)
        incremental = {
            "held_back": moves,
            "build_up_success": build_up.success,
            "build_up_seconds": round(build_up_seconds, 2),
            "build_up_stage_seconds": {k: round(v, 2) for k, v in sorted(build_up_stages.items())},
            "build_up_peak_rss_mb": build_up_memory,
        }
    result, pipeline_seconds, stage_seconds, sampled = _measured_run(paths)
    timings["pipeline_total"] = pipeline_seconds
    timings.update(stage_seconds)
    success = result.success and (incremental is None or incremental["build_up_success"])

    peak_rss = {
        "pipeline_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # ru_maxrss of RUSAGE_CHILDREN is the largest finished child (a dbt subprocess); read before the floors run
        "largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "sampled": sampled,
    }
    rows = {"generated": generated.get("counts", {}), **(_rows(paths) if result.success else {})}
    floors = _run_floors(paths, work / "floors", result.success)
    for name in FLOORS:
        timings[f"floor_{name}"] = floors[name]["seconds"]
        peak_rss[f"floor_{name}"] = floors[name]["peak_rss_mb"]
    rows["floor_payee_months"] = floors["duckdb"]["rows"]
    rows_by_stage = {
        "generate": sum(rows["generated"].values()),
        "ingest": rows.get("raw_rows"),
        "checks_quarantined": rows.get("fct_quarantine"),
        "dbt": {k: rows[k] for k in ("fct_credit", "fct_attainment", "fct_commission") if k in rows},
        "exports": rows.get("payout_lines"),
        "floor": floors["duckdb"]["rows"],
        "pandas_floor": floors["pandas"]["rows"],
    }

    report = {
        "scale": args.scale,
        "mode": "incremental" if args.incremental else "full",
        "success": success,
        "seconds": {k: round(v, 2) for k, v in sorted(timings.items())},
        "rows": rows,
        "rows_by_stage": rows_by_stage,
        "peak_rss_mb": peak_rss,
        "floor": floors,
        "ratios": {
            "pipeline_over_floor": _ratio(pipeline_seconds, floors["duckdb"]["seconds"]),
            "pipeline_over_pandas": _ratio(pipeline_seconds, floors["pandas"]["seconds"]),
            "pandas_over_floor": _ratio(floors["pandas"]["seconds"], floors["duckdb"]["seconds"]),
        },
        "work_dir": str(work),
    }
    if incremental is not None:
        incremental["incremental_seconds"] = round(pipeline_seconds, 2)
        incremental["incremental_over_build_up"] = (
            round(pipeline_seconds / incremental["build_up_seconds"], 3) if incremental["build_up_seconds"] else None
        )
        report["incremental"] = incremental
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
        report["work_dir"] = None
    print(json.dumps(report, indent=2, default=str))
    print(_table(report), file=sys.stderr)
    return 0 if success and floors["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
