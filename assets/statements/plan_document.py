"""Plan documents (docs/payment_workflow.md, "Plan documents and acceptance"): per payee, plan and
plan year, the plan's rules in words and the payee's own quota, target incentive (TI), BCR, tier
table and draws, rendered as HTML and PDF by the statements' machinery (layout blocks, the Jinja2
environment, the PDF printer), with a SHA-256 the payee accepts.

What the SHA-256 is over. Not the PDF's or the HTML's bytes: those depend on the renderer, the
fonts and the payee's locale, and an acceptance must be reproducible by whoever lands it (an
e-sign export, the demo generator) without running the renderer. The document's SHA-256
(:func:`document_sha256`) is over its *terms*: a canonical JSON (:func:`terms_json`: sorted keys,
no whitespace, UTF-8, decimals as plain normalised text) of what the payee agrees to: the payee,
plan and plan year, currency, annual quota, TI and the plan definition as validated by
:mod:`assets.ingest.plans` (every rule field, without its file name). One function,
:func:`plan_terms`, builds the terms, for the ``plan_documents`` asset (from the marts and the
validated plan configuration) and for the demo generator's acceptances (from the files it
writes), so both compute the same digest. Every figure the document prints is derived from the
terms; a changed plan, quota or TI is a new SHA-256, a new document to accept. The document
prints its SHA-256 and the manifest lists it with the SHA-256 of each file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from assets.ingest.plans import DEFAULT_WEIGHT, Plan, PlanComponent
from assets.payouts.extract import sha256_hex
from assets.payouts.plan_acceptance import PLAN_DOCUMENTS_MANIFEST, plan_documents_dir  # noqa: F401 (re-exported)
from assets.statements.formatting import Formatter, basis_label, measure_label, rule_label
from assets.statements.layout import Column, Document, Fields, Heading, Note, Row, Table, Title
from assets.statements.render_html import distinct_stems, environment, file_stem
from core.engine import update_with_files
from core.parallel import map_in_order

TERMS_VERSION = "1"  # change with the terms' fields: every document gets a new SHA-256
TENTH = Decimal("1e-10")


@dataclass(frozen=True)
class PayeePlanYear:
    """A payee's own figures for one plan and plan year (fct_quota, dim_payee)."""

    employee_id: str
    plan_id: str
    plan_year: int
    currency: str
    annual_quota: Decimal
    annual_target_incentive: Decimal


def canonical_decimal(value) -> str | None:
    """``Decimal('120000.0000000000')`` and ``120000`` both as ``'120000'``; ``0.50`` as ``'0.5'``."""
    if value is None:
        return None
    number = Decimal(str(value))
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def _canonical(value):
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def plan_definition(plan: Plan) -> dict:
    """Every rule field of a validated plan (tiers, caps, gates, draws, clawback, ramp, ...),
    without the file it was read from."""
    definition = dataclasses.asdict(plan)
    definition.pop("source_file")
    return _canonical(definition)


def plan_terms(payee: PayeePlanYear, plan: Plan) -> dict:
    """The terms a plan document states and its SHA-256 is over (the one place that decides them)."""
    if payee.plan_id != plan.plan_id:
        raise ValueError(f"plan {plan.plan_id} given for {payee.employee_id}'s plan {payee.plan_id}")
    return {
        "terms_version": TERMS_VERSION,
        "employee_id": payee.employee_id,
        "plan_id": payee.plan_id,
        "plan_year": int(payee.plan_year),
        "currency": payee.currency,
        "annual_quota": canonical_decimal(payee.annual_quota),
        "annual_target_incentive": canonical_decimal(payee.annual_target_incentive),
        "plan": plan_definition(plan),
    }


def terms_json(terms: dict) -> bytes:
    return json.dumps(terms, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def document_sha256(terms: dict) -> str:
    return hashlib.sha256(terms_json(terms)).hexdigest()


BASIS_END = {"period": "month", "quarter": "quarter", "ytd": "plan year"}


def uses_bcr(component: PlanComponent) -> bool:
    """Tiers on attainment pay multiples of BCR; flat rates, bands on amount, bonuses and SPIFs do not."""
    return component.rule_type in ("marginal_tiers", "retroactive_tiers") and component.tiers_on != "amount"


def component_bcr(component: PlanComponent, payee: PayeePlanYear) -> Decimal | None:
    """BCR = weight x TI / annual quota, to 10 decimals (the rate the engine multiplies by); None without
    quota or for a component that pays no multiple of BCR."""
    if not payee.annual_quota or not uses_bcr(component):
        return None
    weight = component.weight if component.weight is not None else DEFAULT_WEIGHT
    with localcontext() as ctx:
        ctx.prec = 60
        return (weight * payee.annual_target_incentive / payee.annual_quota).quantize(TENTH, ROUND_HALF_UP)


# --- the document in words -----------------------------------------------------------------------


def _tier_rows(component: PlanComponent, payee: PayeePlanYear, bcr: Decimal | None, fmt: Formatter) -> list[Row]:
    cur = payee.currency
    rows = []
    for index, tier in enumerate(component.tiers, start=1):
        if component.tiers_on == "amount":
            band = (f"credit {fmt.amount(tier.band_from, cur)} to {fmt.amount(tier.band_to, cur)}"
                    if tier.band_to is not None else f"credit from {fmt.amount(tier.band_from, cur)}")
            rows.append(Row((str(index), band, "–", fmt.rate(tier.rate), band.replace("credit ", ""))))
            continue
        band = fmt.band(tier.band_from, tier.band_to)
        rate = fmt.rate((bcr * tier.multiplier).quantize(TENTH, ROUND_HALF_UP)) if bcr is not None else "–"
        lo = fmt.amount(tier.band_from * payee.annual_quota, cur)
        credit = (f"{lo} to {fmt.amount(tier.band_to * payee.annual_quota, cur)}" if tier.band_to is not None
                  else f"from {lo}")
        rows.append(Row((str(index), band, fmt.multiplier(tier.multiplier), rate, credit)))
    return rows


def component_in_words(component: PlanComponent, payee: PayeePlanYear, plan: Plan, fmt: Formatter) -> list[str]:
    """The component's rule as sentences (measure, basis, rule, gate, cap, filters)."""
    cur = plan.currency or payee.currency
    sentences = [f"Pays {component.earning_code} on {measure_label(component.measure)}, "
                 f"measured per {basis_label(component.basis)} ({rule_label(component.rule_type)})."]
    if component.rule_type == "flat_rate" and component.rate is not None:
        sentences.append(f"Every unit of credit pays {fmt.rate(component.rate)}.")
    elif component.rule_type == "marginal_tiers":
        sentences.append("Marginal tiers: each band's rate pays the credit that falls inside the band.")
    elif component.rule_type == "retroactive_tiers":
        sentences.append("Retroactive tiers: the band your attainment reaches sets one rate for all of your credit.")
    elif component.rule_type == "quota_bonus":
        when = ("as soon as it is reached" if component.bonus_pay_when == "threshold_reached"
                else f"at the end of the {BASIS_END.get(component.basis, component.basis)}")
        sentences.append(f"A bonus of {fmt.money(component.bonus_amount, cur)} when attainment reaches "
                         f"{fmt.percent(component.bonus_threshold, 0)}, paid {when}.")
    elif component.rule_type == "spif":
        per = (f"{fmt.money(component.spif_amount_per_unit, cur)} per unit" if component.spif_amount_per_unit is not None
               else f"{fmt.money(component.spif_amount_per_deal, cur)} per deal")
        sentences.append(f"A SPIF of {per} closed from {fmt.date(component.spif_window_start)} "
                         f"to {fmt.date(component.spif_window_end)}.")
    if component.weight is not None and uses_bcr(component):
        sentences.append(f"It carries {fmt.percent(component.weight, 0)} of your target incentive.")
    if component.gate_attainment is not None:
        sentences.append(f"Nothing is earned until attainment reaches {fmt.percent(component.gate_attainment, 0)}.")
    if component.cap_multiple_of_ti is not None:
        cap = component.cap_multiple_of_ti * payee.annual_target_incentive
        sentences.append(f"Earnings in the plan year are capped at {fmt.multiplier(component.cap_multiple_of_ti)} "
                         f"your target incentive: {fmt.money(cap, payee.currency)}.")
    if component.opportunity_types:
        sentences.append("Counts deals of type " + ", ".join(component.opportunity_types) + " only.")
    if component.product_families:
        sentences.append("Counts products of the families " + ", ".join(component.product_families) + " only.")
    return sentences


def plan_rules_in_words(plan: Plan, payee: PayeePlanYear, fmt: Formatter) -> list[str]:
    """The plan-level rules: effective dates, draws, ramp, clawback window."""
    cur = plan.currency or payee.currency
    sentences = [f"The plan is in effect from {fmt.date(plan.effective_start)} to {fmt.date(plan.effective_end)}."]
    if plan.draw_type is not None and plan.draw_monthly_amount is not None:
        months = plan.draw_months
        kind = ("Recoverable draw: what the draw pays above your earnings is recovered from your later earnings."
                if plan.draw_type == "recoverable"
                else "Non-recoverable draw: what the draw pays above your earnings is forgiven.")
        sentences.append(f"Draw: you are paid at least {fmt.money(plan.draw_monthly_amount, cur)} a month for the "
                         f"first {months} month(s) of your plan. {kind}")
    else:
        sentences.append("No draw.")
    if plan.ramp:
        steps = ", ".join(fmt.percent(r, 0) for r in plan.ramp)
        sentences.append(f"Ramp: a new hire's quota is {steps} of the full monthly quota in their first "
                         f"{len(plan.ramp)} month(s), then 100%.")
    if plan.clawback_window_days is not None:
        what = ("its credit is reversed" if plan.clawback_policy == "reverse_credit"
                else "its commission is reversed (credit and attainment stay as booked)")
        sentences.append(f"Clawback: a deal lost, deleted or reduced within {plan.clawback_window_days} days "
                         f"after its close date is clawed back ({what}); after that the credit stands.")
    else:
        sentences.append("No clawback window: a credited deal that is later lost is not clawed back.")
    sentences.append("Earnings are never paid as negative pay: a negative balance is recovered from later payouts.")
    return sentences


def plan_document(payee: PayeePlanYear, plan: Plan, full_name: str, locale: str, sha256: str) -> Document:
    fmt = Formatter(locale)
    cur = payee.currency
    blocks: list = [Title(f"Compensation plan {plan.name} ({payee.plan_year})")]
    blocks.append(Fields((
        ("Payee", full_name), ("Employee id", payee.employee_id), ("Plan", f"{plan.plan_id}: {plan.name}"),
        ("Plan year", str(payee.plan_year)), ("Currency", cur),
        ("Annual quota", fmt.money(payee.annual_quota, cur)),
        ("Target incentive (TI)", fmt.money(payee.annual_target_incentive, cur)),
        ("Document SHA-256", sha256), ("Formats", locale),
    )))
    blocks.append(Heading("1. Your numbers"))
    rows = []
    for c in plan.components:
        bcr = component_bcr(c, payee)
        share = fmt.percent(c.weight if c.weight is not None else DEFAULT_WEIGHT, 0) if uses_bcr(c) else "–"
        rows.append(Row((f"{c.name} ({c.earning_code})", share, fmt.rate(bcr) if bcr is not None else "–")))
    blocks.append(Table((Column("Component", 50), Column("Share of TI", 20, True), Column("BCR", 30, True)), tuple(rows)))
    blocks.append(Note("BCR (base commission rate) = target incentive × the component's share ÷ annual quota: "
                       "what each unit of credit pays at 100% of quota; a tier pays a multiple of it. "
                       "Bonuses, SPIFs, flat rates and bands on amount pay their own amounts and rates."))
    blocks.append(Heading("2. The plan's rules"))
    for sentence in plan_rules_in_words(plan, payee, fmt):
        blocks.append(Note(sentence))
    blocks.append(Heading("3. Components"))
    for c in plan.components:
        blocks.append(Heading(f"{c.name} ({c.component_id})", 3))
        for sentence in component_in_words(c, payee, plan, fmt):
            blocks.append(Note(sentence))
        if c.tiers:
            bcr = component_bcr(c, payee)
            blocks.append(Table(
                (Column("Tier", 8), Column("Band", 22), Column("× BCR", 14, True), Column("Rate of credit", 18, True),
                 Column(f"Annual credit ({cur})", 38, True)),
                tuple(_tier_rows(c, payee, bcr, fmt)),
            ))
    blocks.append(Heading("4. Acceptance"))
    blocks.append(Note(f"By accepting this document you accept the plan {plan.plan_id} for {payee.plan_year} with the "
                       f"figures above. Your acceptance names the document by its SHA-256, {sha256}; a changed plan, "
                       "quota or target incentive makes a new document to accept."))
    return Document(f"Plan {plan.plan_id} {payee.plan_year}: {full_name}",
                    f"{payee.employee_id} · {plan.plan_id} · {payee.plan_year} · SHA-256 {sha256[:16]}…", tuple(blocks))


def document_stem(payee: PayeePlanYear) -> str:
    return file_stem(f"{payee.employee_id}_{payee.plan_id}_{payee.plan_year}")


def render_plan_html(document: Document, payee: PayeePlanYear, locale: str) -> str:
    return environment().get_template("plan_document.html.j2").render(
        doc=document, lang=locale.split("_")[0], pdf_name=f"{document_stem(payee)}.pdf")


def render_plan_pdf(document: Document, payee: PayeePlanYear) -> bytes:
    """Byte-identical on rerun: the creation date is the plan year's first day (render_pdf.py)."""
    from assets.statements.render_pdf import render_document

    return render_document(document, datetime(int(payee.plan_year), 1, 1, tzinfo=timezone.utc))


# --- the set on disk -------------------------------------------------------------------------------
#
# <export>/plan_documents/
#     <employee>_<plan>_<year>.html / .pdf   the document
#     <employee>_<plan>_<year>.terms.json    its terms, canonical: the file's SHA-256 is the document's
#     plan_documents.json                     manifest: per payee, plan and year the document SHA-256 and
#                                             its files; SHA-256 and size of every file
# written like the statements (writer.write_set: atomic swap, same bytes on rerun).

MANIFEST_VERSION = "1"


@dataclass(frozen=True)
class PlanDocumentInput:
    """What one document is made from: the payee's figures, the plan, and how to print them."""

    payee: PayeePlanYear
    plan: Plan
    full_name: str
    locale: str


def render_plan_document_files(job: tuple[PlanDocumentInput, dict, str]) -> dict[str, bytes]:
    """One document's files, name -> bytes, from its input, its terms and their SHA-256
    (``plan_terms``, ``document_sha256``): the terms, the HTML and the PDF."""
    item, terms, sha = job
    stem = document_stem(item.payee)
    document = plan_document(item.payee, item.plan, item.full_name, item.locale, sha)
    return {
        f"{stem}.terms.json": terms_json(terms),
        f"{stem}.html": render_plan_html(document, item.payee, item.locale).encode("utf-8"),
        f"{stem}.pdf": render_plan_pdf(document, item.payee),
    }


# What a document's HTML and PDF are made of besides its input: the statements' code and templates
# (the layout, the printers, the number formats) and the versions of the packages that render.
RENDERER_PACKAGES = ("fpdf2", "fonttools", "jinja2", "babel", "matplotlib")


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """SHA-256 over the statements package's files (path and bytes) and the renderers' versions."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    update_with_files(digest, package, sorted(
        p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"))
    for name in RENDERER_PACKAGES:
        digest.update(f"{name}=={metadata.version(name)}\0".encode())
    return digest.hexdigest()


def render_key(item: PlanDocumentInput, sha: str) -> str:
    """What one document's files are a function of: its terms' SHA-256, the name and locale it is
    printed with, and the renderer. The same key, the same bytes."""
    parts = (renderer_version(), sha, item.full_name, item.locale, document_stem(item.payee))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def reusable_documents(folder: Path | None, keys: set[str]) -> dict[str, dict[str, bytes]]:
    """The documents of the set in ``folder`` (the one a previous run wrote) whose render key is
    one of ``keys``, by key, their files read back; a document whose files are missing or differ
    from the manifest is left out (rendered again)."""
    manifest_path = None if folder is None else Path(folder) / PLAN_DOCUMENTS_MANIFEST
    if manifest_path is None or not manifest_path.is_file():
        return {}
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        recorded = manifest["files"]
        documents = manifest["documents"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    reusable: dict[str, dict[str, bytes]] = {}
    for entry in documents:
        key = entry.get("render_key") if isinstance(entry, dict) else None
        key = key if key in keys else None
        names = [entry.get(kind) for kind in ("terms", "html", "pdf")] if key else []
        if not key or not all(isinstance(name, str) and name in recorded for name in names):
            continue
        try:
            files = {name: (Path(folder) / name).read_bytes() for name in names}
        except OSError:
            continue
        if all(sha256_hex(content) == recorded[name]["sha256"] for name, content in files.items()):
            reusable[key] = files
    return reusable


def render_plan_documents(inputs: list[PlanDocumentInput], previous: Path | None = None) -> dict[str, bytes]:
    """Every file of the set, name -> bytes (the manifest last). ``previous``: the folder of the set
    a previous run wrote; a document whose render key (``render_key``) is there, its files intact,
    is read back instead of rendered again: the same bytes, without the PDF printer's cost."""
    files: dict[str, bytes] = {}
    documents = []
    ordered = sorted(inputs, key=lambda i: (i.payee.employee_id, i.payee.plan_year, i.payee.plan_id))
    stems = distinct_stems([document_stem(item.payee) for item in ordered], "plan documents")
    terms = [plan_terms(item.payee, item.plan) for item in ordered]
    shas = [document_sha256(item_terms) for item_terms in terms]
    keys = [render_key(item, sha) for item, sha in zip(ordered, shas)]
    kept = reusable_documents(previous, set(keys))
    jobs = [(item, item_terms, sha) for item, item_terms, sha, key in zip(ordered, terms, shas, keys) if key not in kept]
    rendered = iter(map_in_order(render_plan_document_files, jobs))
    for item, stem, sha, key in zip(ordered, stems, shas, keys):
        files.update(kept[key] if key in kept else next(rendered))
        documents.append({
            "employee_id": item.payee.employee_id, "plan_id": item.payee.plan_id, "plan_year": int(item.payee.plan_year),
            "document_sha256": sha, "render_key": key,
            "terms": f"{stem}.terms.json", "html": f"{stem}.html", "pdf": f"{stem}.pdf",
        })
    manifest = {
        "schema_version": MANIFEST_VERSION,
        "terms_version": TERMS_VERSION,
        "document_count": len(documents),
        "documents": documents,
        "files": {name: {"sha256": sha256_hex(content), "bytes": len(content)} for name, content in sorted(files.items())},
    }
    files[PLAN_DOCUMENTS_MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return files

