"""The demo's outputs, file by file, as SHA-256 digests: record them, or compare a run with a record.

A refactoring that must not change behaviour is checked with it: record the
digests before, change the code, compare after.

    python -m bench.digests record before.json [--scale 0.05]
    python -m bench.digests compare before.json [--scale 0.05]

Each call generates the demo company in a temporary folder, runs
``python -m orchestration.cli run`` on it with every SPM_* folder and
DAGSTER_HOME inside that folder, and digests every file under the export
folder: payout files and manifests, payroll files, journals, statements,
forecasts and the BI snapshot's Parquet files. ``compare`` prints one line per
file that differs, or is in one side only, and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# A DuckDB database file is never byte-stable: DuckDB writes a random database
# identifier into every new file's header. The BI snapshot's DuckDB file holds
# the same rows as its Parquet files, which are digested.
NOT_BYTE_STABLE = {"spm_bi.duckdb"}


def export_digests(export_dir: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``export_dir`` (a symlink -> its target,
    not followed), but for the files of ``NOT_BYTE_STABLE``."""
    digests: dict[str, str] = {}
    for folder, dirs, files in os.walk(export_dir):  # does not descend into symlinked folders
        for name in dirs + files:
            path = Path(folder) / name
            relative = path.relative_to(export_dir).as_posix()
            if path.is_symlink():
                digests[relative] = "symlink to " + os.readlink(path)
            elif path.is_file() and name not in NOT_BYTE_STABLE:
                digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(digests.items()))


def differences(first: dict[str, str], second: dict[str, str], names: tuple[str, str] = ("the record", "this run")) -> list[str]:
    """One line per file that differs or is on one side only (relative paths, sorted)."""
    return (
        [f"differs: {p}" for p in sorted(first.keys() & second.keys()) if first[p] != second[p]]
        + [f"only in {names[0]}: {p}" for p in sorted(first.keys() - second.keys())]
        + [f"only in {names[1]}: {p}" for p in sorted(second.keys() - first.keys())]
    )


def demo_run_digests(scale: float) -> dict[str, str]:
    """Generate the demo at ``scale`` in a temporary folder, run the pipeline, digest the exports."""
    with tempfile.TemporaryDirectory(prefix="spm-digests-") as folder:
        root = Path(folder)
        env = {
            **os.environ,
            "SPM_LANDING_DIR": str(root / "landing"),
            "SPM_CONFIG_DIR": str(root / "config"),
            "SPM_WAREHOUSE": str(root / "warehouse" / "spm.duckdb"),
            "SPM_RAW_DIR": str(root / "warehouse" / "raw"),
            "SPM_EXPORT_DIR": str(root / "exports"),
            "DAGSTER_HOME": str(root / "dagster_home"),
        }
        command = [sys.executable, "-m", "orchestration.cli", "run", "--scale", str(scale)]
        completed = subprocess.run(command, cwd=REPO_ROOT, env=env)
        if completed.returncode != 0:
            raise SystemExit(f"the demo run failed (exit {completed.returncode}); no digests")
        return export_digests(root / "exports")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digests", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["record", "compare"])
    parser.add_argument("record_file", type=Path, help="JSON file of digests")
    parser.add_argument("--scale", type=float, default=0.05, help="demo company size (default 0.05)")
    args = parser.parse_args(argv)
    digests = demo_run_digests(args.scale)
    if args.action == "record":
        args.record_file.write_text(json.dumps({"scale": args.scale, "files": digests}, indent=1) + "\n")
        print(f"{len(digests)} files digested into {args.record_file}")
        return 0
    record = json.loads(args.record_file.read_text())
    if record["scale"] != args.scale:
        raise SystemExit(f"{args.record_file} was recorded at scale {record['scale']}, not {args.scale}")
    diff = differences(record["files"], digests)
    for line in diff:
        print(line)
    print(f"{len(digests)} files compared with {args.record_file}: "
          + ("the same bytes" if not diff else f"{len(diff)} difference(s)"))
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
