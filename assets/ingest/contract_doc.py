"""Render the landing contract as Markdown: ``python -m assets.ingest.contract_doc > docs/landing_contract.md``.

The document is generated from :mod:`assets.ingest.contract`, so it cannot
drift from what ingest enforces (a test compares the two).
"""

from __future__ import annotations

from assets.ingest.contract import CONTRACTS, ROW_RULES

HEADER = """# The landing contract

Generated from `assets/ingest/contract.py` by
`python -m assets.ingest.contract_doc > docs/landing_contract.md`; edit the
contract, not this page.

CRM and HR files arrive in batches: `<SPM_LANDING_DIR>/<system>/<YYYY-MM-DD>/<file>`,
the folder named by the extract date. A file is CSV (UTF-8, header row, comma,
RFC 4180 quoting) or Parquet with the same columns; an object may be split into
chunks named `<Stem>-<anything>.csv|parquet`. Configuration files sit directly
in `<SPM_CONFIG_DIR>/` and are re-read in full on every run. Unknown extra
columns are kept in the raw layer and ignored after.

A file that lacks a required column fails ingest, naming the file and the
column. A row that breaks a rule is quarantined (kept, with the file, the row
number, the rule, the column and the value), never dropped. Row rules:
"""


def render() -> str:
    out = [HEADER]
    out += [f"* `{rule}`" for rule in ROW_RULES]
    for c in CONTRACTS:
        where = "config folder" if c.system == "config" else f"`{c.system}/<batch>/`"
        out.append(f"\n## `{c.file_stem}` ({c.system}.{c.name})\n")
        out.append(f"{c.description} File: {where}, `{c.file_stem}.csv|parquet`. Key: {', '.join(c.key)}.")
        if c.version_column:
            out.append(f"Newest version by `{c.version_column}`, then batch date.")
        else:
            out.append("Newest version by batch date.")
        if c.deleted_column:
            out.append(f"`{c.deleted_column} = true` removes the record.")
        out.append("\n| column | type | value required | range |\n|---|---|---|---|")
        for col in c.columns:
            required = "yes" if col.required or col.name in c.key else ""
            bounds = ""
            if col.min_value is not None or col.max_value is not None:
                lo = "" if col.min_value is None else f">= {col.min_value}"
                hi = "" if col.max_value is None else f"<= {col.max_value}"
                bounds = " and ".join(x for x in (lo, hi) if x)
            out.append(f"| `{col.name}` | {col.type} | {required} | {bounds} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
