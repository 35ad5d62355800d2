"""Dagster asset: publish one pay period into the payout ledger (SPEC §6, docs/ledger.md).

Monthly-partitioned (partition key = pay period ``YYYY-MM``), so a range of
months is backfilled from the UI or ``python -m orchestration.cli backfill``.
Pure logic lives in ``assets/payouts/publish.py`` (files, versions, deltas) and
``assets/payouts/checks.py`` (the pre-publish checks); this module only reads
the warehouse, asks the Dagster instance for the latest upstream check
evaluations, and reports.
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

from dataclasses import dataclass
from datetime import date, datetime, timezone

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster_dbt import DbtCliResource

from assets.compensation.assets import mart_keys
from assets.ingest.assets import QUARANTINE_KEY
from assets.payouts import checks as payout_checks
from assets.payouts import ledger as store
from assets.payouts.assets import lines_preview, prepublish_checks
from assets.payouts.extract import PayoutLine
from assets.payouts.ledger_layout import LEDGER_TABLES, ledger_file
from assets.payouts.plan_acceptance import PLAN_ACCEPTANCE_CHECK, check_plan_acceptance, current_documents
from assets.payouts.publish import content_sha256, publish_period
from assets.payouts.payroll_layouts import payroll_refusal
from assets.payouts.warehouse import read_credits_up_to, read_payroll_config, read_period_payouts, source_batches
from assets.payouts.warehouse import OpenInquiry, read_open_inquiries
from core.dbt import DbtCommandFailed, prepare_dbt_environment, run_dbt
from core.failures import user_error
from core.fingerprint import inputs_fingerprint
from core.money import in_minor_units
from core.periods import first_day, last_day, next_period, previous_period
from core.resources import CodeLocationResource, SpmPathsResource
from core.settings import Settings
from core.warehouse import read_only

PUBLICATION_KEY = dg.AssetKey(["payout_publication"])
# The ledger's tables (SPM_EXPORT_DIR/payouts/ledger/<table>/): the dbt source
# `ledger` (models/staging/ledger/), written by the publication only.
LEDGER_KEYS = {table: dg.AssetKey(["payout_ledger", table]) for table in LEDGER_TABLES}
LEDGER_SPECS = [
    dg.AssetSpec(
        key,
        group_name="payouts",
        kinds={"parquet"},
        description=f"The payout ledger's {table} (docs/ledger.md): appended by payout_publication when it records "
        f"a version, read by dbt as the source ledger.{table}.",
    )
    for table, key in LEDGER_KEYS.items()
]
# The demo company's first pay period; months before it have nothing to publish.
FIRST_PAY_PERIOD = "2025-01"
PAY_PERIODS = dg.MonthlyPartitionsDefinition(start_date=FIRST_PAY_PERIOD, fmt="%Y-%m")


def publish_refusal(period: str, today: date) -> str | None:
    """Why ``period`` cannot be published on ``today`` (a UTC date), or None when it can.

    A pay period is published once it has ended: from the first day of the next
    month, never the month still running nor a future one (its deals, quota and
    leave are not final yet). These are exactly the months PAY_PERIODS lists on
    that day, and the month-close schedule publishes the previous month. Nothing
    before FIRST_PAY_PERIOD exists.
    """
    starts, ends = first_day(period), last_day(period)
    publish_from = first_day(next_period(period))
    if period < FIRST_PAY_PERIOD:
        return f"Refusing to publish {period}: the first pay period is {FIRST_PAY_PERIOD}."
    if today < starts:
        return (
            f"Refusing to publish {period}: the period is in the future (it runs from {starts} to {ends}); "
            f"publish it from {publish_from}."
        )
    if today < publish_from:
        return f"Refusing to publish {period}: the period has not ended (it ends on {ends}); publish it from {publish_from}."
    return None


def stale_inquiries_warning(period: str, open_inquiries: list[OpenInquiry], warn_days: int) -> str | None:
    """The warning line for publishing ``period`` while inquiries about it or an earlier period
    have been open more than ``warn_days`` days (SPM_INQUIRY_WARN_DAYS; fct_inquiry.age_days,
    at the run's as-of date), or None. A warning, never a refusal: an open question does not
    stop a payroll (docs/payment_workflow.md, "Inquiries")."""
    stale = sorted((i for i in open_inquiries if i.period <= period and i.age_days > warn_days),
                   key=lambda i: (-i.age_days, i.inquiry_id))
    if not stale:
        return None
    shown = ", ".join(f"{i.inquiry_id} ({i.employee_id}, {i.period}, {i.category}, {i.age_days} days)" for i in stale[:10])
    more = f" and {len(stale) - 10} more" if len(stale) > 10 else ""
    return (f"Publishing {period} with {len(stale)} inquiry(ies) open more than {warn_days} days "
            f"(SPM_INQUIRY_WARN_DAYS): {shown}{more}.")


# The dbt models that read the ledger, and everything downstream of them.
LEDGER_MODELS = ("stg_ledger__publications+", "stg_ledger__published_lines+", "stg_ledger__published_credits+")

CHECK_SPECS = [
    *[
        dg.AssetCheckSpec(name, asset=PUBLICATION_KEY, blocking=True, description=description)
        for name, description in (
            (payout_checks.TOTAL_CHECK, "The file's total equals the warehouse's payout total (within rounding)."),
            (payout_checks.HR_CHECK, "Every payee of the file is in HR (dim_payee)."),
            (payout_checks.NEGATIVE_CHECK, "Negative amounts only under earning codes that allow them."),
            (payout_checks.UNIQUE_CHECK, "No payee paid twice for one earning code and period."),
            (payout_checks.UPSTREAM_CHECK, "The latest evaluation of every blocking check upstream passed."),
        )
    ],
    dg.AssetCheckSpec(
        payout_checks.CHANGE_CHECK,
        asset=PUBLICATION_KEY,
        blocking=False,
        description="Warns when a payee's or the total payout moves more than SPM_PAYOUT_CHANGE_WARN_SHARE "
        "from the previous period.",
    ),
    dg.AssetCheckSpec(
        PLAN_ACCEPTANCE_CHECK,
        asset=PUBLICATION_KEY,
        blocking=False,
        description="Every payee the period pays has accepted the current document of the plan paying them "
        "(fct_plan_acceptance against plan_documents.json); warns, or refuses with SPM_PLAN_ACCEPTANCE=refuse.",
    ),
]


def plan_acceptance_outcome(paths, period: str, lines: list[PayoutLine]) -> payout_checks.CheckOutcome:
    """The period's paid payees against their accepted plan documents (assets/payouts/plan_acceptance.py):
    the documents' manifest (plan_documents asset), the acceptances and the period's plan year (marts);
    refuses or warns as SPM_PLAN_ACCEPTANCE says (``Settings.plan_acceptance``)."""
    refuse = Settings.from_env(paths).plan_acceptance == "refuse"
    with read_only(paths.warehouse) as con:
        plan_year = con.execute("select plan_year from dim_period where period = ?", [period]).fetchall()
        accepted = con.execute("select employee_id, plan_id, plan_year, document_sha256 from fct_plan_acceptance").fetchall()
    year = int(plan_year[0][0]) if plan_year else int(period[:4])
    return check_plan_acceptance(lines, year, current_documents(paths.export_dir),
                                 {(e, p, int(y), s) for e, p, y, s in accepted}, refuse=refuse)


class PublishConfig(dg.Config):
    # YYYY-MM-DD (cli ``publish --pay-date``): an explicit override of the period's pay date in the
    # warehouse (fct_payout_file_line: the pay calendar, the 15th of the following month or the business day before)
    pay_date: str | None = None
    # cli ``publish --allow-unchecked --reason``: publish although the newest run that built the
    # payout lines failed or left blocking checks unevaluated; the reason and ``allowed_by`` (the
    # USER who asked) go into the ledger's publication record. A check that failed still refuses.
    allow_unchecked_reason: str | None = None
    allowed_by: str | None = None


# The pay period's upstream: the run that built these lines built what publish copies.
PAYOUT_LINES_KEY = mart_keys("fct_payout_file_line")[0]
ALLOW_UNCHECKED_HINT = 'publish anyway with --allow-unchecked --reason "..." (recorded in the ledger)'


@dataclass(frozen=True)
class UpstreamState:
    """What the Dagster instance knows of the publication's upstream."""

    failed: list[str]  # blocking checks whose latest evaluation failed (severity ERROR)
    unevaluated: list[str]  # blocking checks without a completed evaluation
    run_id: str | None  # the newest run that set out to build the payout lines (None: no run yet)
    run_status: str | None  # its status: SUCCESS, FAILURE, CANCELED, STARTED, ...


def upstream_state(instance: dg.DagsterInstance, asset_graph) -> UpstreamState:
    failed, unevaluated = failed_upstream_checks(instance, asset_graph, PUBLICATION_KEY)
    planned = instance.get_latest_planned_materialization_info(PAYOUT_LINES_KEY)
    record = instance.get_run_record_by_id(planned.run_id) if planned is not None else None
    return UpstreamState(
        failed,
        unevaluated,
        record.dagster_run.run_id if record else None,
        record.dagster_run.status.value if record else None,
    )


def upstream_outcome(state: UpstreamState, allowed_unchecked: str | None = None) -> payout_checks.CheckOutcome:
    """The ``upstream_blocking_checks_passed`` check: no blocking check upstream failed in its latest
    evaluation (``allowed_unchecked``: the reason it was published without the rest checked)."""
    failed = state.failed
    return payout_checks.CheckOutcome(
        payout_checks.UPSTREAM_CHECK,
        not failed,
        True,
        f"latest evaluation failed: {', '.join(failed)}" if failed
        else f"not checked, published anyway: {allowed_unchecked}" if allowed_unchecked
        else "every upstream blocking check passed",
        {"failed": failed, "never_evaluated": state.unevaluated[:20], "run_id": state.run_id or "",
         "run_status": state.run_status or ""},
    )


def upstream_refusal(period: str, state: UpstreamState, allow_unchecked: bool = False) -> str | None:
    """Why ``period`` is not published on this upstream, in one line, or None: a blocking check
    that failed (always), else ``unchecked_refusal`` (unless ``allow_unchecked``). The CLI asks
    before it starts a publish run; the publish step asks again."""
    failed = payout_checks.refusal_message(period, [upstream_outcome(state)])
    if failed:
        return failed
    return None if allow_unchecked else unchecked_refusal(period, state)


def unchecked_refusal(period: str, state: UpstreamState) -> str | None:
    """Why ``period`` is not published on an upstream nobody checked, in one line, or None.

    Refused when the newest run that set out to build the payout lines (fct_payout_file_line)
    did not succeed (it failed, was canceled or still runs: the warehouse is an older one, or
    half rebuilt), or when a blocking check upstream has no completed evaluation (the run
    stopped before it). ``--allow-unchecked --reason`` overrides this refusal, never a check
    that failed (``failed_upstream_checks``: refused in any case)."""
    reasons = []
    if state.run_id is None:
        reasons.append("no pipeline run has built its payout lines (fct_payout_file_line) on this Dagster instance")
    elif state.run_status != "SUCCESS":
        verb = "failed" if state.run_status == "FAILURE" else f"did not succeed (status {state.run_status})"
        reasons.append(f"the newest run that built its payout lines (run {state.run_id[:8]}) {verb}")
    if state.unevaluated:
        shown = ", ".join(state.unevaluated[:3]) + (", ..." if len(state.unevaluated) > 3 else "")
        reasons.append(f"{len(state.unevaluated)} blocking check(s) upstream were not evaluated ({shown})")
    if not reasons:
        return None
    return f"Refusing to publish {period}: {'; '.join(reasons)}. Run the pipeline again, or {ALLOW_UNCHECKED_HINT}."


def ledger_models_behind(export_dir, warehouse) -> bool:
    """Whether the ledger holds a publication the warehouse's ledger models (``LEDGER_MODELS``,
    tables built by the last run or publish step) were not built with: then the lines the
    warehouse holds are not what the publish step, which refreshes them first, would publish
    (a period's lines depend on the publication of the periods before it). ``spm approve``
    refreshes them first then; ``spm publish``'s approval pre-check leaves the decision to the step."""
    from core.warehouse import read_only

    newest: dict[str, int] = {}
    for publication in store.read_publications(export_dir):
        newest[publication.period] = max(publication.version, newest.get(publication.period, 0))
    if not newest:
        return False
    try:  # the mart of what the published files paid: each period's newest version, as built
        with read_only(warehouse) as con:
            built = dict(con.execute("select distinct period, version from fct_published_payout_line").fetchall())
    except Exception:  # no such table: a warehouse that never read the ledger
        return True
    return built != newest


def publish_approval_refusal(export_dir, config_dir, period: str, lines: list[PayoutLine]) -> str | None:
    """Why ``lines`` (what publishing ``period`` would publish now) are not published for want of
    approval, in one line, or None (docs/payment_workflow.md#approval): every step of
    approvals.yaml (default: one approval by anyone) must have approved exactly this content
    (``publish.content_sha256``, the hash of the published manifest). Publishing content that is
    already the newest published version is a no-op and needs no approval. ``--allow-unchecked``
    does not override it. The CLI asks before it starts a publish run; the publish step asks
    again on the lines it publishes."""
    from assets.payouts.approvals import ApprovalConfigError, approval_refusal, load_approval_policy

    if not lines:  # nothing to publish: the publish step says so
        return None
    digest = content_sha256(lines)
    newest = store.latest_published_version(export_dir, period)
    if newest is not None and newest.content_sha256 == digest:
        return None
    try:
        policy = load_approval_policy(config_dir)
    except ApprovalConfigError as error:
        return f"Refusing to publish {period}: {'; '.join(error.errors)}"
    return approval_refusal(period, digest, store.read_approvals(export_dir, period), policy)


def failed_upstream_checks(instance: dg.DagsterInstance, asset_graph, asset_key: dg.AssetKey) -> tuple[list[str], list[str]]:
    """(failed, never evaluated): upstream asset checks whose latest evaluation failed
    with severity ERROR (GX suites, the quarantine threshold, dbt tests), and the blocking
    ones with no completed evaluation yet. WARN failures (freshness) do not count."""
    ancestors = asset_graph.get_ancestor_asset_keys(asset_key)
    check_keys = sorted(
        (key for key in asset_graph.asset_check_keys if key.asset_key in ancestors),
        key=lambda k: k.to_user_string(),
    )
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    failed, unevaluated = [], []
    for key in check_keys:
        record = latest.get(key)
        if record is None or record.status == AssetCheckExecutionRecordStatus.PLANNED:
            if asset_graph.get_check_spec(key).blocking:
                unevaluated.append(key.to_user_string())
        elif record.status == AssetCheckExecutionRecordStatus.FAILED:
            evaluation = record.evaluation
            if evaluation is None or evaluation.severity == dg.AssetCheckSeverity.ERROR:
                failed.append(key.to_user_string())
    return failed, unevaluated


def _run_started_at(context: dg.AssetExecutionContext) -> str:
    """When the publishing run was created (UTC, ISO 8601): the "when" of an override."""
    record = context.instance.get_run_record_by_id(context.run_id)
    created = record.create_timestamp if record else datetime.now(timezone.utc)
    return created.astimezone(timezone.utc).isoformat(timespec="seconds")


def refresh_ledger_models(dbt: DbtCliResource, settings) -> None:
    """Rebuild the dbt models that read the ledger (``LEDGER_MODELS``) against the ledger as it is now.

    The daily run built fct_payout_adjustment against the ledger of that
    moment; a publication since (an earlier month of a backfill, a correction)
    changes what is still owed, so the publish step refreshes these models
    (and runs their tests) through the dbt resource before reading them. dbt
    stays the only writer of the warehouse, and the step holds the warehouse pool.
    """
    prepare_dbt_environment(settings)
    try:
        run_dbt(["build", "--select", " ".join(LEDGER_MODELS), "--quiet"], dbt=dbt)
    except DbtCommandFailed as error:
        # Retried (not a user_error): the usual cause is a lock on the warehouse file.
        raise dg.Failure(f"Refusing to publish: rebuilding the ledger models failed: {str(error)[-3000:]}") from error


def _previous_lines(export_dir, warehouse, period: str) -> list[PayoutLine] | None:
    """The previous period as published (newest version), else as the warehouse computes it now."""
    before = previous_period(period)
    published = store.latest_published_version(export_dir, before)
    if published is not None:
        frame = store.read_published_lines(export_dir, before, published.version)
        # the ledger keeps the paid amounts (minor units) as DECIMAL(38,10)
        return [
            PayoutLine(before, r["employee_id"], r["full_name"], r["cost_center"], r["earning_code"], r["currency"],
                       in_minor_units(r["amount"], r["currency"]), r["pay_date"], r["plan_id"], r["calculation_id"])
            for r in frame.iter_rows(named=True)
        ]
    payouts = read_period_payouts(warehouse, before)
    return payouts.lines if payouts.has_lines else None


@dg.asset(
    key=PUBLICATION_KEY,
    partitions_def=PAY_PERIODS,
    deps=[
        *mart_keys("fct_payout_line", "fct_payout_file_line", "fct_payee_balance_owed", "fct_payable", "fct_credit", "dim_payee",
                   "dim_payroll", "dim_payroll_code"),
        # The ingest quarantine is not upstream of the payout marts, but its
        # blocking threshold check must be: a run it stopped left an older
        # warehouse behind, which is not to be published.
        QUARANTINE_KEY,
        # A period's adjustments are owed against the earlier publications: a
        # backfill of a range of months runs them oldest first.
        dg.AssetDep(PUBLICATION_KEY, partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)),
    ],
    check_specs=CHECK_SPECS,
    group_name="payouts",
    kinds={"python", "csv", "parquet"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Publishes one pay period into the payout ledger: immutable files under "
    "SPM_EXPORT_DIR/payouts/published/<period>/v<N>/ and a ledger record; unchanged results are a no-op, "
    "a correction makes v<N+1> and a delta file.",
)
def payout_publication(
    context: dg.AssetExecutionContext,
    config: PublishConfig,
    paths: SpmPathsResource,
    dbt: DbtCliResource,
    code_location: CodeLocationResource,
) -> dg.MaterializeResult:
    settings = paths.paths()
    period = context.partition_key
    pay_date_override = date.fromisoformat(config.pay_date) if config.pay_date else None
    calculation_id = inputs_fingerprint(settings.landing_dir, settings.config_dir)

    state = upstream_state(context.instance, code_location.asset_graph())
    allow_unchecked = bool(config.allow_unchecked_reason)
    refusal = upstream_refusal(period, state, allow_unchecked)
    if refusal:  # the warehouse itself is not to be trusted: stop before touching it
        raise user_error(refusal)
    unchecked = unchecked_refusal(period, state)
    override = None
    if unchecked:  # allowed unchecked: recorded in the ledger with the refusal it overrode
        override = {"reason": config.allow_unchecked_reason, "by": config.allowed_by or "",
                    "at": _run_started_at(context), "refusal": unchecked}
        context.log.warning(f"{unchecked} Published anyway (--allow-unchecked): {config.allow_unchecked_reason}")
    upstream = upstream_outcome(state, config.allow_unchecked_reason if override else None)
    refresh_ledger_models(dbt, settings)
    payouts = read_period_payouts(settings.warehouse, period, calculation_id, pay_date_override)
    if not payouts.has_lines:
        raise user_error(f"Nothing to publish for {period}: fct_payout_line has no line for it.")
    lines = payouts.lines
    outcomes = [*prepublish_checks(lines, payouts), upstream]
    acceptance = plan_acceptance_outcome(settings, period, lines)  # warns, or refuses when configured
    refusal = payout_checks.refusal_message(period, [*outcomes, acceptance])
    if refusal:
        raise user_error(refusal, metadata={o.name: o.message for o in outcomes})
    payroll_config = read_payroll_config(settings.warehouse)
    payroll_problem = payroll_refusal(lines, payroll_config, period)
    if payroll_problem:
        raise user_error(payroll_problem.replace("Refusing to write the payroll files of", "Refusing to publish"))
    unapproved = publish_approval_refusal(settings.export_dir, settings.config_dir, period, lines)
    if unapproved:  # --allow-unchecked does not override it
        raise user_error(unapproved)

    change = payout_checks.check_payout_change(
        lines, _previous_lines(settings.export_dir, settings.warehouse, period)
    )
    if not change.passed:
        context.log.warning(change.message)
    if not acceptance.passed:
        context.log.warning(f"{period}: {acceptance.message}")
    stale = stale_inquiries_warning(period, read_open_inquiries(settings.warehouse), Settings.from_env().inquiry_warn_days)
    if stale:
        context.log.warning(stale)

    outcome = publish_period(
        lines,
        read_credits_up_to(settings.warehouse, period),
        settings.export_dir,
        period,
        payouts.pay_date,
        calculation_id,
        context.run_id,
        checks_passed=[o.name for o in outcomes if not (override and o.name == payout_checks.UPSTREAM_CHECK)],
        source_batches=source_batches(settings.landing_dir),
        balances_owed=payouts.balances_owed_at_termination,
        payroll_config=payroll_config,
        unchecked_override=override,
    )
    publication = outcome.publication
    if outcome.status == "published":  # a new version's rows are in the ledger: its tables changed
        for table, key in LEDGER_KEYS.items():
            context.log_event(dg.AssetMaterialization(
                key, description=f"{period} version {publication.version} recorded",
                metadata={"file": dg.MetadataValue.path(str(ledger_file(settings.export_dir, table, period, publication.version)))},
            ))
    context.log.info(
        f"{period}: {'published version ' if outcome.status == 'published' else 'unchanged, still version '}"
        f"{publication.version} in {publication.path(settings.export_dir)}"
    )
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "status": outcome.status,
            "version": publication.version,
            "publication_seq": publication.publication_seq,
            "published_by_run": publication.run_id,
            "calculation_id": publication.calculation_id,
            "row_count": publication.row_count,
            "delta_rows": outcome.delta_rows,
            "totals_by_currency": dg.MetadataValue.json(publication.totals["by_currency"]),
            "directory": dg.MetadataValue.path(str(publication.path(settings.export_dir))),
            "preview": dg.MetadataValue.md(lines_preview(lines)),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=o.name,
                passed=o.passed,
                severity=dg.AssetCheckSeverity.ERROR if o.blocking else dg.AssetCheckSeverity.WARN,
                description=o.message,
                metadata={"details": dg.MetadataValue.json(o.details)},
            )
            for o in [*outcomes, change, acceptance]
        ],
    )
