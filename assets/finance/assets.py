"""Dagster asset: the journal files for finance, from the warehouse's fct_journal_line."""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.


from pathlib import Path

import dagster as dg

from assets.compensation.assets import mart_keys
from assets.finance.journals import (
    JOURNAL_FILE_CHECK,
    JournalError,
    journal_file_path,
    journal_file_problems,
    read_journal_file,
    read_journal_lines,
    read_journal_row_counts,
    write_journals,
)
from assets.payouts.assets import configured_period, materialized_metadata
from core.failures import user_error
from core.fingerprint import inputs_fingerprint
from core.resources import SpmPathsResource

(JOURNAL_MART,) = mart_keys("fct_journal_line")


class JournalEntriesConfig(dg.Config):
    # YYYY-MM: the last accounting period to write; default: the month before
    # the newest CRM batch (the period being closed, as the payout extract's)
    through_period: str | None = None


@dg.asset(
    key=["journal_entries"],
    deps=[JOURNAL_MART],
    group_name="finance",
    kinds={"python", "csv"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description=(
        "Journal entries (commission accrual and its settlement, ASC 340-40 capitalization and "
        "amortization): one CSV and manifest per accounting period under SPM_EXPORT_DIR/journals/<period>/."
    ),
)
def journal_entries(
    context: dg.AssetExecutionContext, config: JournalEntriesConfig, paths: SpmPathsResource
) -> dg.MaterializeResult:
    settings = paths.paths()
    through = configured_period(config.through_period, settings.landing_dir, "through_period")
    calculation_id = inputs_fingerprint(settings.landing_dir, settings.config_dir)
    lines = read_journal_lines(settings.warehouse, through)
    try:
        manifests = write_journals(lines, settings.export_dir, calculation_id)
    except JournalError as error:
        raise user_error(f"Journal lines of fct_journal_line break a rule: {error}") from error
    out_dir = Path(settings.export_dir) / "journals"
    context.log.info(f"Wrote {len(lines)} journal lines in {len(manifests)} periods through {through} to {out_dir}")
    last = manifests[max(manifests)] if manifests else None
    return dg.MaterializeResult(
        metadata={
            "through_period": through,
            "calculation_id": calculation_id,
            "periods": len(manifests),
            "row_count": len(lines),
            "last_period_totals": dg.MetadataValue.json(last["totals"] if last else {}),
            "directory": dg.MetadataValue.path(str(out_dir)),
        }
    )


def journal_files_problems(export_dir: Path, warehouse: Path, through_period: str) -> list[str]:
    """``journal_file_problems`` of the journal file of each period fct_journal_line has up to
    ``through_period``, as written under ``export_dir``."""
    counts = read_journal_row_counts(warehouse, through_period)
    files = {}
    for period in counts:
        path = journal_file_path(export_dir, period)
        files[period] = read_journal_file(path) if path.is_file() else None
    return journal_file_problems(files, counts)


@dg.asset_check(
    asset=journal_entries,
    name=JOURNAL_FILE_CHECK,
    blocking=True,
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Every written journal file balances: in each journal and currency its debits equal its "
    "credits, to the minor unit; every period of fct_journal_line up to the run's through_period has its "
    "file, with as many lines. Blocking: finance must not post an unbalanced journal.",
)
def journals_balance(context: dg.AssetCheckExecutionContext, paths: SpmPathsResource) -> dg.AssetCheckResult:
    settings = paths.paths()
    through = materialized_metadata(context.instance, journal_entries.key, "through_period")
    if through is None:
        return dg.AssetCheckResult(passed=False, description="journal_entries has not been materialized.")
    try:
        problems = journal_files_problems(settings.export_dir, settings.warehouse, through)
    except (OSError, ValueError, KeyError, ArithmeticError) as error:  # an unreadable file or column
        problems = [f"cannot read the journal files: {error!r}"]
    return dg.AssetCheckResult(
        passed=not problems,
        description=f"{len(problems)} problem(s): " + "; ".join(problems[:5]) if problems else
        f"every journal balances in every currency through {through}",
        metadata={"through_period": through, "problems": dg.MetadataValue.json(problems[:50])},
    )