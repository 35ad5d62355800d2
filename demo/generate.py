"""Generate a deterministic demo company into a landing folder and a config folder.

    python -m demo.generate --landing data/landing --config data/config --scale 1 --seed 7 --format mixed

The company (scale 1; ``round(200 * scale)`` payees, 1,000 deals per payee):

* ~200 payees: a VP Sales, ~17 managers (a few regional directors above
  first-line sales managers), ~150 account executives and ~30 sales
  development reps, in the US, Canada, the UK, Germany, France and the
  Netherlands (USD, CAD, GBP, EUR); hires, terminations, promotions (an AE made
  manager mid-year has two plan assignments that year), team transfers,
  target-incentive changes and paid and unpaid leave in 2025-2026.
* ~200,000 opportunities closing from 2025-01-01 to 2027-03-31 (open pipeline
  after the as-of date 2026-11-27: the deals created by then, a sales cycle
  before their close date, at the stage their eventual outcome lets them reach;
  the later ones are not created yet and appear in no batch), won, lost and
  open, with stage history,
  1-3 line items summing exactly to the Amount, revenue splits on ~10% of won
  deals, cancellations (won -> Closed Lost), re-wins, amount corrections and
  deletions; ~10% of deals in a currency other than the owner's.
* CRM batches 2026-09-30 (everything up to then), 2026-10-31 and 2026-11-27
  (records created or changed since the previous batch); HR batches
  2026-09-30 (full) and 2026-11-27 (new hires, a termination, changes, leave).
* Deliberate contract breaks downstream must quarantine: Opportunity rows with
  an unparseable Amount, an unknown currency, a missing or unparseable
  CloseDate (``planted_bad_rows``); two deals whose split percentages sum to
  90 and 110 (``planted_split_breaks``); deals owned by CRM users without an HR
  record (``orphan_owner_deals``).
* Configuration: plan YAML files AE, AE_RAMP (new hires), MGR and SDR for 2025
  and 2026 (tiers, quota bonus, SPIF, ramp, draw; see docs/plans.md),
  plan assignments and annual quotas per payee and plan year; territories,
  territory assignments and company targets (demo/territories.py); manual
  adjustments and inquiries (demo/workflow.py); plan document acceptances for
  most payees (demo/acceptances.py).

The same seed and scale give byte-identical files: no wall-clock time is read,
every random draw comes from a seeded numpy stream per component (deals per
fixed block of 50,000), and the chunk size only decides how rows are cut into
files, never what the rows are. Big objects stream to disk block by block, so
``--scale 50`` (10,000 payees, 10 million deals) runs in bounded memory.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np

from assets.ingest.contract import (
    CONFIG_COMPANY_TARGETS,
    CONFIG_ADJUSTMENTS,
    CONFIG_COST_CENTERS,
    CONFIG_INQUIRIES,
    CONFIG_PAYROLL_CODES,
    CONFIG_PAYROLLS,
    CONFIG_PLAN_ACCEPTANCES,
    CONFIG_PLAN_ASSIGNMENTS,
    CONFIG_QUOTAS,
    CONFIG_TERRITORY_ASSIGNMENTS,
    CRM_ACCOUNT,
    CRM_DATED_CONVERSION_RATE,
    CRM_OPPORTUNITY,
    CRM_OPPORTUNITY_HISTORY,
    CRM_OPPORTUNITY_LINE_ITEM,
    CRM_OPPORTUNITY_SPLIT,
    CRM_PRODUCT,
    CRM_USER,
    ERP_INVOICE,
    HR_JOB_HISTORY,
    HR_LEAVE,
    HR_WORKERS,
    DatasetContract,
)
from assets.statements.config import STATEMENTS_FILE, statements_yaml_example
from demo.acceptances import acceptance_rows
from demo.clock import AS_OF, CRM_BATCHES, HR_BATCHES, PLAN_YEARS, batch_name, cutoff_seconds
from demo.deals import (
    DEALS_PER_PAYEE,
    OPPORTUNITY_PREFIX,
    SCRIPTED,
    STAGES,
    DealTally,
    build_sellers,
    deal_block,
    history_frame,
    line_item_frame,
    n_blocks,
    opportunity_frame,
    planted_bad_opportunities,
    scripted_deal_ids,
    seller_strengths,
    split_frame,
)
from demo.invoices import InvoiceBook
from demo.market import (
    CURRENCIES,
    FAMILIES,
    PRODUCTS,
    account_batch_frame,
    account_blocks,
    conversion_rate_rows,
    product_rows,
)
from demo.output import ChunkedWriter, as_text_frame, sf_id_text
from demo.people import (
    AE,
    DIRECTOR,
    MANAGER,
    SDR,
    build_org,
    cost_center_rows,
    job_history_rows,
    leave_rows,
    plan_assignment_rows,
    plan_files,
    quota_rows,
    user_rows,
    worker_rows,
)
from demo.payroll import payroll_code_rows, payroll_rows
from demo.territories import company_target_rows, territories_yaml, territory_assignment_rows
from demo.workflow import adjustment_rows, inquiry_rows

FORMATS = ("mixed", "csv", "parquet")
DEFAULT_CHUNK_ROWS = 250_000
PAYEES_PER_SCALE = 200
# In "mixed" format the high-volume CRM objects are Parquet, everything else CSV.
BIG_OBJECTS = frozenset({"Opportunity", "OpportunityLineItem", "OpportunityHistory"})


def _file_format(stem: str, fmt: str) -> str:
    if fmt == "mixed":
        return "parquet" if stem in BIG_OBJECTS else "csv"
    return fmt


def _clear_previous_output(landing: Path, config: Path) -> None:
    """Remove what an earlier run of the generator wrote (its batch folders and config files)."""
    for system, batches in (("crm", CRM_BATCHES), ("hr", HR_BATCHES)):
        for batch in batches:
            folder = landing / system / batch_name(batch)
            if folder.exists():
                shutil.rmtree(folder)
    for name in ("quotas.csv", "plan_assignments.csv", "territory_assignments.csv", "company_targets.csv",
                 "cost_centers.csv", "territories.yaml", "payrolls.csv", "payroll_codes.csv", "adjustments.csv",
                 "inquiries.csv", STATEMENTS_FILE, "plan_acceptances.csv"):
        (config / name).unlink(missing_ok=True)
    for plan in plan_files():
        (config / "plans" / f"{plan}.yaml").unlink(missing_ok=True)


class _Landing:
    """One ChunkedWriter per (contract, batch), opened on first use."""

    def __init__(self, landing: Path, fmt: str, chunk_rows: int):
        self.landing = landing
        self.fmt = fmt
        self.chunk_rows = chunk_rows
        self.writers: dict[tuple[str, str], ChunkedWriter] = {}
        self.rows: dict[str, int] = {}

    def writer(self, contract: DatasetContract, batch: str) -> ChunkedWriter:
        key = (contract.name, batch)
        if key not in self.writers:
            self.writers[key] = ChunkedWriter(
                self.landing / contract.system / batch,
                contract.file_stem,
                contract.column_names,
                _file_format(contract.file_stem, self.fmt),
                self.chunk_rows,
            )
        return self.writers[key]

    def write(self, contract: DatasetContract, batch: str, frame) -> None:
        self.writer(contract, batch).write(frame)
        self.rows[contract.name] = self.rows.get(contract.name, 0) + frame.height

    def close(self) -> tuple[list[Path], dict[str, int]]:
        files: list[Path] = []
        by_file: dict[str, int] = {}
        for (name, batch), writer in sorted(self.writers.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            files += writer.close()
            by_file[f"{writer.directory.relative_to(self.landing).as_posix()}/{writer.stem}"] = writer.rows
        return files, by_file


# The payees' employee ids have five digits (E00001, demo/people.py): at most 99,999 payees.
MAX_PAYEES = 99_999


def check_scale(scale: float) -> float:
    """``scale`` when the generator can make a company of that size, else a ValueError saying the range.

    Any positive scale makes at least a few payees (``MIN_PAYEES``); the largest is the one whose
    ``round(PAYEES_PER_SCALE * scale)`` payees still fit the five-digit employee ids."""
    largest = MAX_PAYEES / PAYEES_PER_SCALE
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and 0 < scale and round(PAYEES_PER_SCALE * scale) <= MAX_PAYEES):
        raise ValueError(
            f"the demo company's scale is a number above 0 and at most {largest:g} "
            f"(1 = {PAYEES_PER_SCALE} payees), not {scale!r}"
        )
    return scale


def generate(
    out_dir: Path,
    landing_dir: Path | None = None,
    config_dir: Path | None = None,
    scale: float = 1.0,
    seed: int = 7,
    fmt: str = "mixed",
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> dict:
    """Write the demo company's landing batches and compensation configuration.

    ``landing_dir`` and ``config_dir`` default to ``<out_dir>/landing`` and
    ``<out_dir>/config``. ``fmt`` is ``mixed`` (Opportunity, OpportunityLineItem
    and OpportunityHistory as Parquet, the rest CSV), ``csv`` or ``parquet``.
    ``chunk_rows`` caps the rows per landing file (``<Stem>-00001.parquet`` ...);
    it changes how rows are cut into files, never the rows. Earlier output of the
    generator in those folders (its batch folders and config files) is replaced.
    Returns a summary: counts, batches, files, and the planted contract breaks.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    check_scale(scale)
    out_dir = Path(out_dir)
    landing = Path(landing_dir) if landing_dir is not None else out_dir / "landing"
    config = Path(config_dir) if config_dir is not None else out_dir / "config"
    _clear_previous_output(landing, config)

    org = build_org(round(PAYEES_PER_SCALE * scale), seed)
    n_deals = DEALS_PER_PAYEE * len(org.people)
    sellers = build_sellers(org, n_deals, seed)
    out = _Landing(landing, fmt, chunk_rows)
    crm_batches = [batch_name(b) for b in CRM_BATCHES]
    hr_batches = [batch_name(b) for b in HR_BATCHES]

    # CRM reference objects
    rates = conversion_rate_rows(seed)
    for k, batch in enumerate(crm_batches):
        out.write(CRM_USER, batch, as_text_frame(user_rows(org, k), CRM_USER.column_names))
        out.write(CRM_PRODUCT, batch, as_text_frame(product_rows(k), CRM_PRODUCT.column_names))
        out.write(
            CRM_DATED_CONVERSION_RATE,
            batch,
            as_text_frame(rates if k == 0 else [], CRM_DATED_CONVERSION_RATE.column_names),
        )

    # accounts, in blocks
    windows = [(cutoff_seconds(CRM_BATCHES[k - 1]) if k else -1, cutoff_seconds(b)) for k, b in enumerate(CRM_BATCHES)]
    for block in account_blocks(sellers.book, sellers.account_info, seed):
        for batch, (lo, hi) in zip(crm_batches, windows):
            out.write(CRM_ACCOUNT, batch, account_batch_frame(block, sellers.account_info, seed, lo, hi))

    # deals, in blocks
    tally = DealTally.empty(org.n_sellers)
    planted_bad_rows: list[dict] = []
    for b in range(n_blocks(n_deals)):
        block = deal_block(sellers, n_deals, seed, b)
        invoices = InvoiceBook(seed)  # the ERP's invoices of the block's won deals (demo/invoices.py)
        for k, batch in enumerate(crm_batches):
            opportunities = opportunity_frame(block, sellers, seed, k)
            out.write(CRM_OPPORTUNITY, batch, opportunities)
            invoices.update(opportunities)
            out.write(ERP_INVOICE, batch, invoices.frame(CRM_BATCHES[k]))
            if b == 0:
                bad, planted = planted_bad_opportunities(sellers, n_deals, seed, k)
                out.write(CRM_OPPORTUNITY, batch, bad)
                planted_bad_rows += planted
            out.write(CRM_OPPORTUNITY_LINE_ITEM, batch, line_item_frame(block, k))
            out.write(CRM_OPPORTUNITY_HISTORY, batch, history_frame(block, k))
            out.write(CRM_OPPORTUNITY_SPLIT, batch, split_frame(block, sellers, k))
        tally.add(block)
        del block

    # HR
    for k, batch in enumerate(hr_batches):
        out.write(HR_WORKERS, batch, as_text_frame(worker_rows(org, k), HR_WORKERS.column_names))
        out.write(HR_JOB_HISTORY, batch, as_text_frame(job_history_rows(org, k), HR_JOB_HISTORY.column_names))
        out.write(HR_LEAVE, batch, as_text_frame(leave_rows(org, k), HR_LEAVE.column_names))
    landing_files, rows_by_file = out.close()

    # compensation configuration (always CSV and YAML)
    config_files: list[Path] = []
    quotas = quota_rows(org, tally.potential_bookings_cents)
    assignments = plan_assignment_rows(org)
    planning = ((CONFIG_TERRITORY_ASSIGNMENTS, territory_assignment_rows(org)),
                (CONFIG_COMPANY_TARGETS, company_target_rows(tally.bookings_cents)),
                (CONFIG_COST_CENTERS, cost_center_rows(org)))
    payroll = ((CONFIG_PAYROLLS, payroll_rows()), (CONFIG_PAYROLL_CODES, payroll_code_rows()))
    workflow = ((CONFIG_ADJUSTMENTS, adjustment_rows(org)), (CONFIG_INQUIRIES, inquiry_rows(org)))
    for contract, rows in ((CONFIG_QUOTAS, quotas), (CONFIG_PLAN_ASSIGNMENTS, assignments), *planning, *payroll,
                           *workflow):
        writer = ChunkedWriter(config, contract.file_stem, contract.column_names, "csv", max(len(rows), 1))
        writer.write(as_text_frame(rows, contract.column_names))
        config_files += writer.close()
    (config / "territories.yaml").write_text(territories_yaml(), encoding="utf-8")
    config_files.append(config / "territories.yaml")
    (config / STATEMENTS_FILE).write_text(statements_yaml_example(), encoding="utf-8")
    config_files.append(config / STATEMENTS_FILE)
    (config / "plans").mkdir(parents=True, exist_ok=True)
    for plan, text in plan_files().items():
        path = config / "plans" / f"{plan}.yaml"
        path.write_text(text, encoding="utf-8")
        config_files.append(path)
    # plan document acceptances: SHA-256 of the documents' terms, from the files just written
    workers = [w for k in range(len(hr_batches)) for w in worker_rows(org, k)]
    acceptances = acceptance_rows(config, assignments, quotas, workers)
    writer = ChunkedWriter(config, CONFIG_PLAN_ACCEPTANCES.file_stem, CONFIG_PLAN_ACCEPTANCES.column_names, "csv",
                           max(len(acceptances), 1))
    writer.write(as_text_frame(acceptances, CONFIG_PLAN_ACCEPTANCES.column_names))
    config_files += writer.close()

    return _summary(
        org, sellers, tally, scale, seed, fmt, landing, config, crm_batches, hr_batches,
        landing_files, config_files, rows_by_file, out.rows, planted_bad_rows, len(quotas), len(assignments),
    )


def _summary(org, sellers, tally, scale, seed, fmt, landing, config, crm_batches, hr_batches,
             landing_files, config_files, rows_by_file, rows, planted_bad_rows, n_quotas, n_assignments) -> dict:
    people = org.people
    scripted = scripted_deal_ids()
    split_breaks = [
        {"opportunity_id": d["opportunity_id"], "split_percentage_sum": f"{sum(s.split) / 100:.2f}"}
        for d, s in zip(scripted, SCRIPTED)
        if s.split is not None and sum(s.split) != 10_000
    ]
    orphan_deals = [d["opportunity_id"] for d, s in zip(scripted, SCRIPTED) if s.owner.startswith("orphan")]
    counts = dict(sorted(rows.items()))
    counts["quotas"] = n_quotas
    counts["plan_assignments"] = n_assignments
    return {
        "as_of": AS_OF.isoformat(),
        "seed": seed,
        "scale": scale,
        "format": fmt,
        "landing_dir": str(landing),
        "config_dir": str(config),
        "batches": {"crm": crm_batches, "hr": hr_batches},
        "counts": counts,
        "rows_by_file": rows_by_file,
        "company": {
            "payees": len(people),
            "vp": sum(p.role == "vp" for p in people),
            "directors": sum(p.role == DIRECTOR for p in people),
            "managers": sum(p.role == MANAGER for p in people),
            "account_executives": sum(p.role == AE for p in people),
            "sdrs": sum(p.role == SDR for p in people),
            "promoted_to_manager": sum(p.promoted_on is not None for p in people),
            "hired_2025_2026": sum(p.hire.year in PLAN_YEARS for p in people),
            "terminated_2025_2026": sum(p.termination is not None for p in people),
            "leaves": sum(len(p.leaves) for p in people),
            "countries": sorted({p.country for p in people}),
            "currencies": list(CURRENCIES),
            "payee_currencies": sorted({p.currency for p in people}),
            "crm_users_without_hr_record": len(org.orphans),
            "accounts": int(sellers.book.total),
            "products": len(PRODUCTS),
            "plans": sorted(plan_files()),
            **{f"deals_{k}": v for k, v in tally.counts.items()},
        },
        "planted_bad_rows": planted_bad_rows,
        "planted_split_breaks": split_breaks,
        "orphan_owner_deals": {
            "user_ids": [sf_id_text("005DM", o.user_number) for o in org.orphans],
            "opportunity_ids": orphan_deals,
        },
        "scripted_deals": scripted,
        "opportunity_id_prefix": OPPORTUNITY_PREFIX,
        "files": sorted(
            [p.relative_to(landing).as_posix() for p in landing_files]
        ) + sorted("config:" + p.relative_to(config).as_posix() for p in config_files),
    }


def hidden_strengths(scale: float, seed: int) -> list[dict]:
    """The demo company's hidden truth per rep (for tests and docs; never in the landing data):
    employee_id, weak_stage and its factor, strong_stage and its rescue share, weak_family and its
    factor (names; None = none). The strengths themselves: demo/deals.py ``seller_strengths``."""
    org = build_org(round(PAYEES_PER_SCALE * scale), seed)
    n = org.n_sellers
    is_rep = np.zeros(n, dtype=bool)
    for p in org.people:
        is_rep[p.index] = p.role in (AE, SDR)
    st = seller_strengths(n, is_rep, seed)
    rows = []
    for p in org.people:
        if not is_rep[p.index]:
            continue
        i = p.index
        rows.append({
            "employee_id": p.employee_id,
            "weak_stage": STAGES[st.weak_stage[i]] if st.weak_stage[i] >= 0 else None,
            "weak_stage_factor": float(st.weak_stage_factor[i]),
            "strong_stage": STAGES[st.strong_stage[i]] if st.strong_stage[i] >= 0 else None,
            "strong_stage_rescue": float(st.strong_stage_rescue[i]),
            "weak_family": FAMILIES[st.weak_family[i]] if st.weak_family[i] >= 0 else None,
            "weak_family_factor": float(st.weak_family_factor[i]),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data"), help="base folder (default: data)")
    parser.add_argument("--landing", type=Path, default=None, help="landing folder (default: <out>/landing)")
    parser.add_argument("--config", type=Path, default=None, help="config folder (default: <out>/config)")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 200 payees and 200,000 deals")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="mixed")
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS, help="max rows per landing file")
    parser.add_argument("--json", action="store_true", help="print the whole summary as JSON")
    args = parser.parse_args(argv)
    summary = generate(
        args.out, landing_dir=args.landing, config_dir=args.config, scale=args.scale, seed=args.seed,
        fmt=args.fmt, chunk_rows=args.chunk_rows,
    )
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0
    print(f"landing {summary['landing_dir']}   config {summary['config_dir']}   as of {summary['as_of']}")
    print("company: " + ", ".join(f"{k}={v}" for k, v in summary["company"].items()))
    print("rows written: " + ", ".join(f"{k}={v:,}" for k, v in summary["counts"].items()))
    print(f"files: {len(summary['files'])}; planted bad rows: {len(summary['planted_bad_rows'])}; "
          f"split breaks: {len(summary['planted_split_breaks'])}; "
          f"orphan-owner deals: {len(summary['orphan_owner_deals']['opportunity_ids'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
