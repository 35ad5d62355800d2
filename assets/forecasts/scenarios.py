"""Run the compensation engine (dbt) once for all the payout forecast's scenarios, never touching the main warehouse.

A scratch raw layer mirrors the real one file by file (symbolic links, nothing
copied) and adds, per scenario, one batch of deals of its own
(``scenario_records``): each deal the scenario wins as a copy of its newest
version, Closed Won on the simulated CloseDate, with copies of its splits and
line items, and its new business (clones of the payees' recent won deals),
every id ``FCST~<scenario>~<id>``. The engine then builds ``+fct_payable``
(models and seeds) once, on a copy of the main warehouse, with its own target
and log folders and ``SPM_FORECAST_SCENARIOS`` naming the scenarios: the
deal-level models credit the scenarios' deals like any new deal (the engine is
incremental by deal, docs/incremental.md: nothing else is recomputed), and the
payee-period arithmetic runs once per scenario in the same models, each payee
copied per scenario with the pipeline's deals (less those the scenario wins)
and the scenario's own (dbt macro per_scenario). On the copy only the models
that read the datasets the scenarios add to (``SCENARIO_SOURCES``) are built:
every other model of the copy already holds what it would compute, its inputs
being the same files. fct_payable of that copy holds every scenario's payout.
The plan arithmetic is the engine's: nothing here computes an earning.
"""

from __future__ import annotations

import os
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import polars as pl

from assets.forecasts.new_business import ID_PREFIX
from assets.ingest.contract import CRM_OPPORTUNITY, CRM_OPPORTUNITY_LINE_ITEM, CRM_OPPORTUNITY_SPLIT
from assets.ingest.raw_layout import dataset_dir, raw_schema
from core.dbt import DbtCommandFailed, run_dbt, scratch_warehouse
from core.progress import Progress, silent
from core.settings import engine
from core.warehouse import read_only

ENGINE_SELECT = "+fct_payable"
# The raw datasets a scenario adds rows to, as the dbt project names their sources.
SCENARIO_SOURCES = ("salesforce.opportunity", "salesforce.opportunity_line_item", "salesforce.opportunity_split")
# A scenario's own records: ids FCST~<scenario>~<id> (dbt macro forecast_scenario_prefix); the build names
# its scenarios in this variable (dbt macro forecast_scenarios).
SCENARIO_PREFIX = "FCST~"
SCENARIOS_VARIABLE = "SPM_FORECAST_SCENARIOS"
TEN_PLACES = Decimal("1E-10")  # the raw layer's DECIMAL(38,10)


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


def _versions(raw_dir: Path, contract) -> pl.LazyFrame | None:
    files = sorted(dataset_dir(raw_dir, contract).rglob("*.parquet"))
    if not files:
        return None
    return pl.concat([pl.scan_parquet(f) for f in files], how="diagonal_relaxed")  # lazy: only what is needed


def _newest(versions: pl.LazyFrame, key: str, values: list[str] | None) -> pl.DataFrame:
    """The newest raw version of each record among those whose ``key`` is in ``values`` (all: None),
    in staging's order."""
    return (
        (versions if values is None else versions.filter(pl.col(key).is_in(values)))
        .collect()
        .sort(["Id", "LastModifiedDate", "_batch_date", "_source_file", "_source_row"],
              descending=[False, True, True, True, True], nulls_last=True)
        .group_by("Id", maintain_order=True)
        .first()
    )


def _newest_of(versions: pl.LazyFrame, key: str, values: list[str]) -> pl.DataFrame:
    """The newest raw version of every record whose newest version has ``key`` in ``values`` (staging's
    order; a record moved to another deal by a later version is not one of them)."""
    ids = versions.filter(pl.col(key).is_in(values)).select("Id").unique()
    newest = _newest(versions.join(ids, on="Id", how="semi"), "Id", None)
    return newest.filter(pl.col(key).is_in(values)).sort("Id")


def _stamp(versions: pl.LazyFrame, schema: dict) -> pl.Expr:
    """One second after the newest LastModifiedDate of the raw opportunities: the scenario's versions are newest."""
    newest_modified = versions.select(pl.col("LastModifiedDate").max()).collect().item()
    return pl.lit(newest_modified).cast(schema["LastModifiedDate"]) + pl.duration(seconds=1)


def _forecast_load(name: str, stamp: pl.Expr, dataset: str) -> dict[str, pl.Expr]:
    return {
        "_batch": pl.lit(f"forecast-{name}"),
        "_source_file": pl.lit(f"forecast/{name}/{dataset}.parquet"),
        "_source_row": pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        "_loaded_at": stamp,
    }


def scenario_opportunities(raw_dir: Path, won: pl.DataFrame, name: str) -> pl.DataFrame:
    """Newest raw version of each won deal, turned Closed Won on its simulated CloseDate (raw schema).

    The new version's LastModifiedDate is one second after the newest in the
    raw layer, so staging takes it as the deal's newest version.
    """
    schema = raw_schema(CRM_OPPORTUNITY)
    versions = _versions(raw_dir, CRM_OPPORTUNITY)
    if versions is None or won.height == 0:
        return pl.DataFrame(schema=schema)
    stamp = _stamp(versions, schema)
    newest = (
        _newest(versions, "Id", won["opportunity_id"].to_list())
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


def _scaled(values: list, shares: list) -> list:
    """Decimal value x share, to the raw layer's 10 decimals (half away from zero); None stays None."""
    with localcontext() as context:
        context.prec = 80  # exact products of two DECIMAL(38,10)
        return [None if v is None else (Decimal(v) * s).quantize(TEN_PLACES, rounding=ROUND_HALF_UP)
                for v, s in zip(values, shares)]


def new_business_records(raw_dir: Path, deals: pl.DataFrame, name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """New-business deals (new_business.new_deals) as raw Opportunity and OpportunityLineItem rows.

    Each is a clone of the newest raw version of the deal it was drawn from:
    same account, Type and currency; owned by the payee who drew it, with no
    splits, Amount = that payee's credit of the original (deal currency) and
    the original's line items scaled by the payee's split percentage, so the
    engine credits the payee the amount, product families and units they were
    credited on the original. Closed Won on the drawn CloseDate, created that day.
    """
    opp_schema, line_schema = raw_schema(CRM_OPPORTUNITY), raw_schema(CRM_OPPORTUNITY_LINE_ITEM)
    versions = _versions(raw_dir, CRM_OPPORTUNITY)
    if versions is None or deals.height == 0:
        return pl.DataFrame(schema=opp_schema), pl.DataFrame(schema=line_schema)
    clashes = versions.filter(pl.col("Id").str.starts_with(ID_PREFIX)).select(pl.len()).collect().item()
    if clashes:
        raise ValueError(f"{dataset_dir(raw_dir, CRM_OPPORTUNITY)}: {clashes} raw Opportunity Id(s) start with "
                         f"{ID_PREFIX!r}, the prefix reserved for forecast new business")
    stamp = _stamp(versions, opp_schema)
    sources = deals["source_opportunity_id"].unique().sort().to_list()
    original = _newest(versions, "Id", sources).drop(
        "OwnerId", "Amount", "CloseDate", "CreatedDate", "Name", "LastModifiedDate", "_batch", "_source_file",
        "_source_row", "_loaded_at")
    opportunities = (
        deals.join(original, left_on="source_opportunity_id", right_on="Id", how="inner")
        .sort("opportunity_id")
        .with_columns(
            Id=pl.col("opportunity_id"),
            OwnerId=pl.col("crm_user_id"),
            Name=pl.lit("Forecast new business like ") + pl.col("source_opportunity_id"),
            Amount=pl.col("amount_deal_currency"),
            StageName=pl.lit("Closed Won"),
            IsClosed=pl.lit(True),
            IsWon=pl.lit(True),
            IsDeleted=pl.lit(False),
            Probability=pl.lit(100).cast(opp_schema["Probability"]),
            CloseDate=pl.col("close_date"),
            CreatedDate=pl.col("close_date").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            LastModifiedDate=stamp,
            **_forecast_load(name, stamp, "Opportunity"),
        )
        .select([pl.col(c).cast(t) for c, t in opp_schema.items()])
    )
    if opportunities.height != deals.height:
        missing = sorted(set(deals["source_opportunity_id"]) - set(original["Id"]))[:5]
        raise ValueError(f"new business of scenario {name}: no raw Opportunity for {missing}")
    lines = pl.DataFrame(schema=line_schema)
    line_versions = _versions(raw_dir, CRM_OPPORTUNITY_LINE_ITEM)
    if line_versions is not None:
        lines = (
            _newest(line_versions, "OpportunityId", sources)
            .rename({"Id": "source_line_id"})
            .join(deals.select("opportunity_id", "split_percentage", source="source_opportunity_id"),
                  left_on="OpportunityId", right_on="source", how="inner")
            .sort("opportunity_id", "source_line_id")
        )
        shares = [Decimal(p) / 100 for p in lines["split_percentage"].to_list()]
        lines = lines.with_columns(
            Id=pl.col("opportunity_id") + pl.lit("-") + pl.col("source_line_id"),
            OpportunityId=pl.col("opportunity_id"),
            Quantity=pl.Series(_scaled(lines["Quantity"].to_list(), shares), dtype=line_schema["Quantity"]),
            TotalPrice=pl.Series(_scaled(lines["TotalPrice"].to_list(), shares), dtype=line_schema["TotalPrice"]),
            LastModifiedDate=stamp,
            **_forecast_load(name, stamp, "OpportunityLineItem"),
        ).select([pl.col(c).cast(t) for c, t in line_schema.items()])
    return opportunities, lines


def copy_warehouse(warehouse: Path, target: Path) -> Path:
    """A copy of the (closed) warehouse file ``warehouse`` at ``target``, with its write-ahead log if any."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, target)
    wal = Path(f"{warehouse}.wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{target}.wal"))
    return target


def engine_selection(on_a_copy: bool) -> str:
    """dbt's ``--select`` for a scenario build: ``+fct_payable``; on a copy of the warehouse, only those
    of its models that read a dataset the scenarios add to (the union of one intersection per source)."""
    if not on_a_copy:
        return ENGINE_SELECT
    return " ".join(f"source:{source}+,{ENGINE_SELECT}" for source in SCENARIO_SOURCES)


def run_engine(scratch_raw: Path, work_dir: Path, base_warehouse: Path | None = None,
               scenarios: tuple[str, ...] = ()) -> Path:
    """The models ``+fct_payable`` and the seeds they read (the currencies' minor units, which the
    rounding macro reads from the warehouse) built into a DuckDB file in ``work_dir``, without
    tests (``dbt build --resource-type seed --resource-type model``); return that file.

    With ``base_warehouse`` the build starts from a copy of it, builds only the models that read
    what the scenarios add (``engine_selection``) and recomputes only the deals the scratch raw
    layer adds or changes (the incremental engine); without, it builds everything from nothing.
    ``scenarios``: the names of the scenarios whose deals the scratch raw layer holds
    (``scenario_records``): the payee-period arithmetic is then computed once per scenario in the
    same build (dbt macro per_scenario), fct_payable's employee_id ``<scenario>~<employee_id>``.
    The file is named as the pipeline's warehouse (``scratch_warehouse``), so dbt reuses the
    project's parse instead of parsing it again."""
    work_dir = Path(work_dir)
    warehouse = scratch_warehouse(work_dir)
    # A copy of a DuckDB file; on Spark (a catalog and folders) every scenario build starts from nothing.
    on_a_copy = engine() == "duckdb" and base_warehouse is not None and Path(base_warehouse).exists()
    if on_a_copy:
        copy_warehouse(Path(base_warehouse), warehouse)
    env = {"SPM_RAW_DIR": str(scratch_raw), "SPM_WAREHOUSE": str(warehouse)}
    if scenarios:
        env[SCENARIOS_VARIABLE] = ",".join(scenarios)
    try:
        # --no-write-json: no manifest.json / run_results.json in a scratch folder removed afterwards
        run_dbt(["build", "--no-write-json", "--select", engine_selection(on_a_copy),
                 "--resource-type", "seed", "--resource-type", "model"],
                target_path=work_dir / "target", env=env)
    except DbtCommandFailed as error:
        raise RuntimeError(f"dbt engine run for the scenarios in {work_dir} failed: {error}") from error
    return warehouse


PAYABLE_SCHEMA = {"employee_id": pl.Utf8, "period": pl.Utf8, "currency": pl.Utf8, "payable_amount": pl.Decimal(38, 10)}


def read_payable(warehouse: Path, periods: list[str]) -> pl.DataFrame:
    """fct_payable per payee, period and currency (exact DECIMAL), read-only."""
    with read_only(warehouse) as con:
        rows = con.execute(
            """
            select employee_id, period, currency, sum(payable_amount)
            from fct_payable where period in (select unnest(?::varchar[]))
            group by employee_id, period, currency
            order by employee_id, period, currency
            """,
            [periods],
        ).fetchall()
    return pl.DataFrame(rows, schema=PAYABLE_SCHEMA, orient="row")


def read_scenario_payable(warehouse: Path, periods: list[str], scenarios: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """fct_payable of a scenario build, per scenario: employee_id ``<scenario>~<employee_id>`` split
    into the scenario and the payee (the first ``~``), each frame as ``read_payable``'s."""
    with read_only(warehouse) as con:
        rows = con.execute(
            """
            select split_part(employee_id, '~', 1) as scenario,
                   substr(employee_id, strpos(employee_id, '~') + 1) as payee,
                   period, currency, sum(payable_amount)
            from fct_payable
            where period in (select unnest(?::varchar[])) and strpos(employee_id, '~') > 0
            group by all
            order by scenario, payee, period, currency
            """,
            [periods],
        ).fetchall()
    frame = pl.DataFrame(rows, schema={"scenario": pl.Utf8, **PAYABLE_SCHEMA}, orient="row")
    unknown = sorted(set(frame["scenario"]) - set(scenarios))
    if unknown:
        raise RuntimeError(f"{warehouse}: fct_payable holds scenarios {unknown} that the build did not name")
    return {name: frame.filter(pl.col("scenario") == name).drop("scenario") for name in scenarios}


def landed_records(raw_dir: Path, won: pl.DataFrame, name: str,
                   new_deals: pl.DataFrame | None = None) -> dict:
    """A scenario as the CRM would send it (raw schema, per contract): the deals it wins as newer
    versions of themselves (``scenario_opportunities``), its new business as new deals with their
    line items (``new_business_records``)."""
    records = {CRM_OPPORTUNITY: [scenario_opportunities(raw_dir, won, name)]}
    if new_deals is not None and new_deals.height:
        opportunities, lines = new_business_records(raw_dir, new_deals, name)
        records[CRM_OPPORTUNITY].append(opportunities)
        records[CRM_OPPORTUNITY_LINE_ITEM] = [lines]
    return {contract: pl.concat(frames) for contract, frames in records.items()}


def scenario_id(name: str, record_id: str) -> str:
    """The id of a scenario's copy of a record: ``FCST~<scenario>~<id>`` (dbt macro forecast_scenario_prefix)."""
    return f"{SCENARIO_PREFIX}{name}~{record_id}"


def _prefixed(column: str, name: str) -> pl.Expr:
    return pl.lit(f"{SCENARIO_PREFIX}{name}~") + pl.col(column)


def scenario_records(raw_dir: Path, won: pl.DataFrame, name: str, new_deals: pl.DataFrame | None = None) -> dict:
    """A scenario's deals as deals of their own, beside the other scenarios' in one raw layer (raw
    schema, per contract): the ``landed_records`` with every id ``scenario_id(name, id)``, and the
    newest split and line-item versions of each deal it wins copied onto the won deal's new id.
    The engine credits such a deal as it credits the deal it copies, and in the scenario
    ``name`` (dbt macro per_scenario) its copy takes the place of the deal."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"scenario name {name!r}: letters, digits and _ only")
    versions = _versions(raw_dir, CRM_OPPORTUNITY)
    if versions is not None:
        clashes = versions.filter(pl.col("Id").str.starts_with(SCENARIO_PREFIX)).select(pl.len()).collect().item()
        if clashes:
            raise ValueError(f"{dataset_dir(raw_dir, CRM_OPPORTUNITY)}: {clashes} raw Opportunity Id(s) start with "
                             f"{SCENARIO_PREFIX!r}, the prefix reserved for forecast scenarios")
    landed = landed_records(raw_dir, won, name, new_deals)
    stamp = landed[CRM_OPPORTUNITY]["LastModifiedDate"].max()
    won_ids = won["opportunity_id"].to_list() if won.height else []
    records = {CRM_OPPORTUNITY: landed[CRM_OPPORTUNITY].with_columns(Id=_prefixed("Id", name))}
    for contract, dataset in ((CRM_OPPORTUNITY_LINE_ITEM, "OpportunityLineItem"),
                              (CRM_OPPORTUNITY_SPLIT, "OpportunitySplit")):
        schema = raw_schema(contract)
        frames = [landed[contract]] if contract in landed else []
        current = _versions(raw_dir, contract)
        if current is not None and won_ids:
            copies = _newest_of(current, "OpportunityId", won_ids)
            frames.append(copies.with_columns(
                LastModifiedDate=pl.lit(stamp, dtype=schema["LastModifiedDate"]),
                **_forecast_load(name, pl.lit(stamp, dtype=schema["_loaded_at"]), dataset),
            ).select([pl.col(c).cast(t) for c, t in schema.items()]))
        if frames:
            records[contract] = pl.concat(frames).with_columns(
                Id=_prefixed("Id", name), OpportunityId=_prefixed("OpportunityId", name))
    return records


def write_records(scratch_raw: Path, records: dict, name: str) -> None:
    """Each contract's records of scenario ``name`` as one file of the batch ``forecast-<name>``."""
    for contract, frame in records.items():
        out = dataset_dir(scratch_raw, contract) / f"batch=forecast-{name}" / f"{name}.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(out)


def scenarios_payable(raw_dir: Path, scenarios: list, work_dir: Path, periods: list[str],
                      base_warehouse: Path | None = None, progress: Progress = silent) -> dict[str, pl.DataFrame]:
    """The engine's payable per payee and period of every scenario (``simulation.Scenario``: name,
    won deals, new business), from ONE engine build: the scenarios' deals added side by side to a
    mirror of the raw layer (``scenario_records``), the build on a copy of ``base_warehouse`` (the
    main warehouse) when given, from nothing otherwise. Returns name -> ``read_payable``'s frame.
    ``progress``: a line per scenario written and one before and after the engine build."""
    work_dir = Path(work_dir)
    scratch_raw = work_dir / "raw"
    mirror_raw(raw_dir, scratch_raw)
    names = tuple(s.name for s in scenarios)
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names repeat: {names}")
    for number, scenario in enumerate(scenarios, start=1):
        write_records(scratch_raw, scenario_records(raw_dir, scenario.won, scenario.name, scenario.new_deals),
                      scenario.name)
        progress(f"scenario {scenario.name} deals written", number, len(scenarios))
    progress(f"engine build of the {len(scenarios)} scenarios started (dbt, +fct_payable)")
    warehouse = run_engine(scratch_raw, work_dir, base_warehouse, scenarios=names)
    progress(f"engine build of the {len(scenarios)} scenarios done")
    return read_scenario_payable(warehouse, periods, names)
