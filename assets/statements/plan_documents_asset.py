"""Dagster asset: every payee's plan documents (plan_document.py), one per payee, plan and plan
year, with the manifest of their SHA-256 that publishing checks acceptances against."""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import time
from decimal import Decimal
from pathlib import Path

import dagster as dg
import polars as pl

from assets.ingest.plans import PlanConfigError, load_plans
from assets.statements.formatting import locale_for_country
from assets.statements.plan_document import (
    PLAN_DOCUMENTS_MANIFEST,
    PayeePlanYear,
    PlanDocumentInput,
    plan_documents_dir,
    render_plan_documents,
)
from assets.statements.writer import write_set
from core.failures import user_error
from core.resources import SpmPathsResource
from core.warehouse import read_only

PLAN_DOCUMENTS = dg.AssetKey("plan_documents")
MARTS = [dg.AssetKey(name) for name in ("fct_quota", "dim_payee")]

# A payee's plans and plan years with their annual quota (fct_quota) and TI (dim_payee).
PAYEE_PLAN_YEARS_QUERY = """
    select q.employee_id, q.plan_id, q.plan_year, max(q.annual_quota) as annual_quota,
           p.currency, p.annual_target_incentive, p.full_name, p.country
    from fct_quota as q
    inner join dim_payee as p on p.employee_id = q.employee_id
    where q.plan_id is not null  -- a month without a plan assignment has no plan to document
    group by q.employee_id, q.plan_id, q.plan_year, p.currency, p.annual_target_incentive, p.full_name, p.country
    order by q.employee_id, q.plan_year, q.plan_id
"""


def read_payee_plan_years(warehouse: Path) -> pl.DataFrame:
    with read_only(warehouse) as con:
        return pl.from_arrow(con.sql(PAYEE_PLAN_YEARS_QUERY).to_arrow_table())


def document_inputs(rows: pl.DataFrame, plans: dict) -> tuple[list[PlanDocumentInput], list[str]]:
    """The documents to write, and the (employee, plan) pairs whose plan is not configured."""
    inputs, unknown = [], []
    for row in rows.iter_rows(named=True):
        plan = plans.get(row["plan_id"])
        if plan is None:
            unknown.append(f"{row['employee_id']} {row['plan_id']}")
            continue
        payee = PayeePlanYear(
            row["employee_id"], row["plan_id"], int(row["plan_year"]), row["currency"],
            Decimal(row["annual_quota"] or 0), Decimal(row["annual_target_incentive"] or 0),
        )
        inputs.append(PlanDocumentInput(payee, plan, row["full_name"] or row["employee_id"], locale_for_country(row["country"])))
    return inputs, unknown


@dg.asset(
    key=PLAN_DOCUMENTS,
    deps=MARTS,
    group_name="statements",
    kinds={"python", "html", "pdf"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Per payee, plan and plan year a plan document (HTML and PDF): the plan's rules in words and the "
    "payee's quota, TI, BCR, tiers and draws, with the SHA-256 of its terms that acceptances name; under "
    "SPM_EXPORT_DIR/plan_documents/ with the manifest plan_documents.json.",
)
def plan_documents(context: dg.AssetExecutionContext, paths: SpmPathsResource) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = paths.paths()
    try:
        plans = {p.plan_id: p for p in load_plans(settings.config_dir)}
    except PlanConfigError as error:
        raise user_error(str(error)) from error
    inputs, unknown = document_inputs(read_payee_plan_years(settings.warehouse), plans)
    if unknown:
        context.log.warning(f"{len(unknown)} payee plan(s) without a plan definition, no document: {', '.join(unknown[:5])}")
    target = plan_documents_dir(settings.export_dir)
    files = render_plan_documents(inputs, previous=target)  # unchanged documents are read back, not rendered
    write_set(target, files)
    elapsed = time.perf_counter() - started
    context.log.info(f"Wrote {len(inputs)} plan documents to {target} in {elapsed:.1f} s")
    return dg.MaterializeResult(metadata={
        "directory": dg.MetadataValue.path(str(target)),
        "manifest": dg.MetadataValue.path(str(target / PLAN_DOCUMENTS_MANIFEST)),
        "document_count": len(inputs),
        "without_plan_definition": len(unknown),
        "seconds": round(elapsed, 2),
    })
