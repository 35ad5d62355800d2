"""``make docs``: the dbt documentation site (models, columns, contracts, lineage), offline.

    python -m orchestration.dbt_docs [--target-path DIR]

Runs ``dbt docs generate`` on the project with the pipeline's settings
(``SPM_WAREHOUSE``, ``SPM_RAW_DIR``; core/settings.py) and prints the
path of ``index.html``; open it in a browser, or ``dbt docs serve``. dbt ships
the page with the package, so nothing is downloaded. With a warehouse file the
catalog holds every table's columns and types as built; without one
(``--empty-catalog --no-compile`` on an in-memory DuckDB) the site still has every
description and contract (each model's SQL as written), and no warehouse file is created. Do not run it while the pipeline builds: DuckDB
has one writer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, Settings


def docs_generate_args(warehouse_exists: bool) -> list[str]:
    # Without a warehouse there is nothing to compile against either: the rounding
    # macros read the currencies seed from the warehouse, so the site then shows
    # each model's SQL as written, not compiled.
    return ["docs", "generate"] if warehouse_exists else ["docs", "generate", "--empty-catalog", "--no-compile"]


def generate_docs(target_path: Path | None = None) -> Path:
    """Run ``dbt docs generate``; return the generated ``index.html``."""
    from core.dbt import run_dbt

    settings = Settings.from_env()
    warehouse_exists = settings.paths.warehouse.is_file()
    env = settings.dbt_env()
    if not warehouse_exists:
        env["SPM_WAREHOUSE"] = ":memory:"  # nothing to describe; create no file
    target = Path(target_path) if target_path is not None else DBT_PROJECT_DIR / "target"
    if not warehouse_exists:  # docs generate --no-compile writes no manifest: parse first
        run_dbt(["parse"], target_path=target, env=env)
    run_dbt(docs_generate_args(warehouse_exists), target_path=target, env=env)
    return target / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", type=Path, default=None, help="where dbt writes the site (default dbt_project/target)")
    args = parser.parse_args(argv)
    print(f"dbt docs: {generate_docs(args.target_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
