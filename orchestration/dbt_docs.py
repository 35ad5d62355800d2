"""``make docs``: the dbt documentation site (models, columns, contracts, lineage), offline, one file.

    python -m orchestration.dbt_docs [--target-path DIR]

Runs ``dbt docs generate --static`` on the project with the pipeline's settings
(``SPM_WAREHOUSE``, ``SPM_RAW_DIR``; core/settings.py) and prints the path of
``static_index.html``: one self-contained HTML file, the manifest and the catalog
inlined, that a browser opens from disk (``file://``) or that can be mailed or
attached as it is; no ``dbt docs serve`` needed. dbt ships the page with the
package, so nothing is downloaded. The page loads nothing from the network
either: its scripts and styles are inline, and its one remote script (dbt's
usage tracker) loads only when the manifest says ``send_anonymous_usage_stats``,
which dbt_project.yml turns off (``offline_problems`` checks a generated file). With a warehouse file the
catalog holds every table's columns and types as built; without one
(``--empty-catalog --no-compile`` on an in-memory DuckDB) the site still has every
description and contract (each model's SQL as written), and no warehouse file is created. Do not run it while the pipeline builds: DuckDB
has one writer.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, Settings


STATIC_SITE = "static_index.html"  # what ``dbt docs generate --static`` writes into the target folder


def docs_generate_args(warehouse_exists: bool) -> list[str]:
    # Without a warehouse there is nothing to compile against either: the rounding
    # macros read the currencies seed from the warehouse, so the site then shows
    # each model's SQL as written, not compiled.
    generate = ["docs", "generate", "--static"]
    return generate if warehouse_exists else [*generate, "--empty-catalog", "--no-compile"]


# What would make a browser fetch something: an element loading a remote address (script, style
# sheet, image, frame, font) or a CSS import. Plain links (``<a href>``) fetch nothing until clicked.
_REMOTE_LOAD = re.compile(
    r"""<(?:script|img|iframe|embed|source|audio|video)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
# dbt's page adds its usage tracker's script (from a CDN) only when the inlined manifest says so.
_TRACKING_ON = re.compile(r'"send_anonymous_usage_stats"\s*:\s*true')
_PLACEHOLDERS = ('"MANIFEST.JSON INLINE DATA"', '"CATALOG.JSON INLINE DATA"')


def offline_problems(html: str) -> list[str]:
    """Why a generated site would not be one self-contained offline file: the manifest or catalog
    not inlined, a remote resource loaded by the markup, or dbt's usage tracker switched on."""
    problems = [f"{placeholder} not replaced (not a --static site)" for placeholder in _PLACEHOLDERS
                if placeholder in html]
    problems += [f"loads a remote resource: {m.group(0)[:120]!r}" for m in _REMOTE_LOAD.finditer(html)]
    if _TRACKING_ON.search(html):
        problems.append("send_anonymous_usage_stats is true: the page would load dbt's tracker from a CDN")
    return problems


def generate_docs(target_path: Path | None = None) -> Path:
    """Run ``dbt docs generate --static``; return the generated single-file site (``STATIC_SITE``),
    after checking that it is self-contained (``offline_problems``; ``RuntimeError`` otherwise)."""
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
    site = target / STATIC_SITE
    problems = offline_problems(site.read_text(encoding="utf-8"))
    if problems:
        raise RuntimeError(f"{site} is not a self-contained offline page: " + "; ".join(problems))
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", type=Path, default=None, help="where dbt writes the site (default dbt_project/target)")
    args = parser.parse_args(argv)
    site = generate_docs(args.target_path)
    print(f"dbt docs (one file, offline; open it in a browser): {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
