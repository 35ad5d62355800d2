"""Observability metadata every asset reports: row counts, money totals and a markdown preview.

One way to render a preview (``markdown_table``) and one way to describe a
warehouse relation (``relation_metadata``), so the ingest assets, the dbt
models and the export assets show the same thing in the Dagster UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import dagster as dg
import duckdb

PREVIEW_ROWS = 5


def markdown_table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A markdown table of ``rows`` under ``columns``; ``_none_`` when there is no row."""
    rows = list(rows)
    if not rows:
        return "_none_"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = ["" if v is None else str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def relation_metadata(con: duckdb.DuckDBPyConnection, relation: str) -> dict:
    """Row count, the exact total of every DECIMAL column and a preview of ``relation``.

    ``relation`` is a bare table name in the connection's default schema.
    """
    described = con.execute(f"describe {_quote(relation)}").fetchall()
    columns = [row[0] for row in described]
    decimals = [row[0] for row in described if str(row[1]).upper().startswith("DECIMAL")]
    sums = "".join(f", sum({_quote(c)})" for c in decimals)
    counted = con.execute(f"select count(*){sums} from {_quote(relation)}").fetchone()
    metadata: dict = {"dagster/row_count": dg.MetadataValue.int(int(counted[0]))}
    for column, total in zip(decimals, counted[1:]):
        metadata[f"total__{column}"] = dg.MetadataValue.text(str(total if total is not None else Decimal(0)))
    preview = con.execute(f"select * from {_quote(relation)} limit {PREVIEW_ROWS}").fetchall()
    metadata["preview"] = dg.MetadataValue.md(markdown_table(columns, preview))
    return metadata
