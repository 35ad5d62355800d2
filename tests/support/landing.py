"""Landing files made of rows: a good Opportunity row, CSV or Parquet files of text values, the ingest folders."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.ingest import contract as c
from assets.ingest.load import ingest_dataset
from assets.ingest.raw_layout import QUARANTINE_SCHEMA, dataset_dir, quarantine_root, raw_schema

OPPORTUNITY_ROW = {
    "Id": "0061",
    "AccountId": "0011",
    "OwnerId": "0051",
    "Name": "Acme renewal",
    "StageName": "Closed Won",
    "Amount": "1234.56",
    "CurrencyIsoCode": "USD",
    "CloseDate": "2026-11-20",
    "IsClosed": "true",
    "IsWon": "true",
    "Type": "Renewal",
    "Probability": "100",
    "CreatedDate": "2026-10-01T09:00:00.000+0000",
    "LastModifiedDate": "2026-11-20T10:15:00.000+0000",
    "IsDeleted": "false",
}


def opportunity(**changes) -> dict:
    row = dict(OPPORTUNITY_ROW)
    row.update(changes)
    return row


def write_rows(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    """CSV or Parquet (by extension) with every value as text; None is an empty field / null."""
    columns = columns or list(rows[0])
    frame = pl.DataFrame({k: [r.get(k) for r in rows] for k in columns}, schema={k: pl.Utf8 for k in columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    return path


class Folders:
    def __init__(self, root: Path):
        self.landing = root / "landing"
        self.config = root / "config"
        self.raw = root / "raw"
        self.config.mkdir(parents=True, exist_ok=True)

    def crm(self, batch: str, name: str) -> Path:
        return self.landing / "crm" / batch / name

    def ingest(self, contract: c.DatasetContract, **kwargs):
        return ingest_dataset(contract, self.landing, self.config, self.raw, **kwargs)

    def raw_rows(self, contract: c.DatasetContract) -> pl.DataFrame:
        files = sorted(dataset_dir(self.raw, contract).glob("batch=*/*.parquet"))
        if not files:
            return pl.DataFrame(schema=raw_schema(contract))
        return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed").sort("_source_file", "_source_row")

    def quarantine(self, contract: c.DatasetContract) -> pl.DataFrame:
        folder = quarantine_root(self.raw) / contract.system / contract.name
        files = sorted(folder.glob("batch=*/*.parquet"))
        if not files:
            return pl.DataFrame(schema=QUARANTINE_SCHEMA)
        return pl.concat([pl.read_parquet(f) for f in files]).sort("source_file", "source_row", "rule")
