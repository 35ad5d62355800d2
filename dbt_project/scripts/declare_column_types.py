"""Write each model's built column types into its YAML as ``data_type`` (a text edit that keeps
the files' comments, quoting and layout).

    .venv/bin/python dbt_project/scripts/declare_column_types.py <warehouse.duckdb> <manifest.json>

The warehouse is one ``dbt build`` of this project (e.g. tests/support/warehouse.py's
``build_warehouse``), the manifest that build's. For every model: a column entry without a
``data_type`` gets the built type, a built column missing from the YAML gets an entry (name and
type) in the order the model produces; a declared type that differs from the built one is
reported, never changed (a contract decides that). A model with no YAML entry is reported.
tests/compensation/test_dbt_build.py checks the declared types against a build.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[1]

# DuckDB's information_schema type -> the spelling the YAML uses (portable: Spark reads the same
# words; a timestamp with time zone is Spark's timestamp, as the contracted marts write it).
SPELLING = {
    "VARCHAR": "string",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "DOUBLE": "double",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "\"{{ 'timestamp' if target.type == 'spark' else 'timestamp with time zone' }}\"",
}


def spelled(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.lower().replace(" ", "")
    return SPELLING[duckdb_type]


def built_columns(warehouse: Path) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'main' order by table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    built: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        built.setdefault(table, []).append((column, data_type))
    return built


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the block opened at ``start``: the next content line indented <= ``indent``."""
    i = start + 1
    while i < len(lines) and not (_is_content(lines[i]) and _indent(lines[i]) <= indent):
        i += 1
    # trailing blank lines and comments belong to what follows
    while i > start + 1 and not _is_content(lines[i - 1]):
        i -= 1
    return i


def edit_model(lines: list[str], start: int, end: int, columns: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The model block ``lines[start:end]`` with every built column typed; and the problems found."""
    block = lines[start:end]
    problems: list[str] = []
    at = next((i for i, line in enumerate(block) if re.fullmatch(r"    columns:\s*", line)), None)
    if at is None:
        block = block + ["    columns:"]
        at = len(block) - 1
    close = _block_end(block, at, 4)
    body = block[at + 1:close]
    starts = [i for i, line in enumerate(body) if re.match(r"      - name: ", line)]
    head = body[: starts[0]] if starts else body
    chunks: dict[str, list[str]] = {}
    order: list[str] = []
    for n, s in enumerate(starts):
        e = starts[n + 1] if n + 1 < len(starts) else len(body)
        chunk = body[s:e]
        name = chunk[0].split(":", 1)[1].strip().strip("'\"")
        chunks[name] = chunk
        order.append(name)
    types = dict(columns)
    for name, chunk in chunks.items():
        if name not in types:
            problems.append(f"declared but not built: {name}")
        elif not any(re.match(r"        data_type:", line) for line in chunk):
            chunk.insert(1, f"        data_type: {spelled(types[name])}")
    built_order = [name for name, _ in columns]
    if [name for name in order if name in types] != [name for name in built_order if name in chunks]:
        problems.append("columns reordered as built")
    new_body = list(head)
    for name in built_order:
        new_body += chunks.get(name) or [f"      - name: {name}", f"        data_type: {spelled(types[name])}"]
    for name in order:
        if name not in types:
            new_body += chunks[name]  # kept, reported
    return block[: at + 1] + new_body + block[close:], problems


def edit_file(path: Path, built: dict[str, list[tuple[str, str]]], names: set[str]) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    problems: list[str] = []
    top = next((i for i, line in enumerate(lines) if re.fullmatch(r"models:\s*", line)), None)
    if top is None:
        return problems
    top_end = _block_end(lines, top, 0)
    i = top + 1
    out = lines[: top + 1]
    while i < top_end:
        match = re.match(r"  - name: (\S+)\s*$", lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        end = _block_end(lines, i, 2)
        name = match.group(1).strip("'\"")
        if name in names and name in built:
            block, found = edit_model(lines, i, end, built[name])
            problems += [f"{path.name}: {name}: {p}" for p in found]
            out.extend(block)
        else:
            out.extend(lines[i:end])
        i = end
    out.extend(lines[top_end:])
    text = "\n".join(out)
    if text != "\n".join(lines):
        path.write_text(text, encoding="utf-8")
    return problems


def main(warehouse: str, manifest: str) -> int:
    built = built_columns(Path(warehouse))
    nodes = json.loads(Path(manifest).read_text())["nodes"].values()
    models = [n for n in nodes if n["resource_type"] == "model" and n["package_name"] == "spm"]
    problems = [f"{n['original_file_path']}: no YAML entry" for n in models if not n.get("patch_path")]
    by_file: dict[str, set[str]] = {}
    for n in models:
        if n.get("patch_path"):
            by_file.setdefault(n["patch_path"].split("://", 1)[1], set()).add(n["name"])
    for relative, names in sorted(by_file.items()):
        problems += edit_file(PROJECT / relative, built, names)
    print("\n".join(problems))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
