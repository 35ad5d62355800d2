"""``make docs``: the dbt documentation site (models, columns, contracts, lineage), offline.

    python -m orchestration.dbt_docs [--target-path DIR]

Runs ``dbt docs generate`` on the project with the pipeline's settings
(``SPM_WAREHOUSE``, ``SPM_RAW_DIR``; core/settings.py) and prints the
path of ``index.html``; open it in a browser, or ``dbt docs serve``. dbt ships
the page with the package, so nothing is downloaded. With a warehouse file the
catalog holds every table's columns and types as built; without one
(``--empty-catalog`` on an in-memory DuckDB) the site still has every
description and contract, and no warehouse file is created. Do not run it while the pipeline builds: DuckDB
has one writer.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, SpmPaths


def docs_generate_args(target_path: Path | None, warehouse_exists: bool) -> list[str]:
    args = ["docs", "generate", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    if not warehouse_exists:
        args.append("--empty-catalog")
    return args


def generate_docs(target_path: Path | None = None) -> Path:
    """Run ``dbt docs generate``; return the generated ``index.html``."""
    from dbt.cli.main import dbtRunner

    settings = SpmPaths.from_env()
    os.environ.update(settings.as_env())
    warehouse_exists = settings.warehouse.is_file()
    if not warehouse_exists:
        os.environ["SPM_WAREHOUSE"] = ":memory:"  # nothing to describe; create no file
    result = dbtRunner().invoke(docs_generate_args(target_path, warehouse_exists))
    if not result.success:
        raise RuntimeError(f"dbt docs generate failed: {result.exception}")
    target = Path(target_path) if target_path is not None else DBT_PROJECT_DIR / "target"
    return target / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", type=Path, default=None, help="where dbt writes the site (default dbt_project/target)")
    args = parser.parse_args(argv)
    print(f"dbt docs: {generate_docs(args.target_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
