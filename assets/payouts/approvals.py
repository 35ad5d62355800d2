"""Approval before a pay period is paid (issue #18 item 3; docs/payment_workflow.md#approval).

``<config>/approvals.yaml`` (optional) lists the approval steps a period's payout content needs
before it is published, in order; it is checked against ``approvals.schema.json`` (unknown fields
are errors) and for what a schema cannot say (a role named twice). Without the file one approval
by anyone is needed (``ANYONE``)::

    steps:
      - role: sales_ops            # approves first
        approvers: [Dana Ops, Lee Ops]   # optional: who may approve this step (default anyone)
      - role: finance              # then finance

An approval (``spm approve``) is of one content: ``publish.content_sha256`` of the lines the
publish step would publish now (the same hash the published manifest carries as
``content_sha256``). It is appended to the ledger (``ledger.write_approval``), never rewritten.
Publishing refuses a period whose content does not have every step approved (``approval_refusal``).
The pure rules are here; reading the warehouse and the clock is the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


from assets.ingest.plans import _explain, _field_path, read_config_yaml
from assets.payouts import ledger as store
from assets.payouts.extract import PayoutLine, totals
from assets.payouts.publish import content_sha256
from core.schemas import schema_errors

SCHEMA_PATH = Path(__file__).with_name("approvals.schema.json")
APPROVALS_FILE = "approvals.yaml"
DEFAULT_ROLE = "approver"


class ApprovalConfigError(ValueError):
    """approvals.yaml is invalid; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the approval configuration:\n"
                         + "\n".join(f"- {e}" for e in self.errors))


class ApprovalRefused(ValueError):
    """``spm approve`` refuses: the message is one line."""


@dataclass(frozen=True)
class ApprovalStep:
    role: str
    approvers: tuple[str, ...] | None = None  # None: anyone

    def allows(self, name: str) -> bool:
        return self.approvers is None or _person(name) in {_person(a) for a in self.approvers}


@dataclass(frozen=True)
class ApprovalPolicy:
    steps: tuple[ApprovalStep, ...]
    source_file: str | None = None  # relative to the config folder; None: the default

    def roles(self) -> str:
        return ", ".join(step.role for step in self.steps)


# Without approvals.yaml: one approval, by anyone.
ANYONE = ApprovalPolicy((ApprovalStep(DEFAULT_ROLE),))


def _person(name: str) -> str:
    """Who a name is, for the four-eyes rule: ``Alice``, `` alice`` and ``ALICE`` are one person."""
    return " ".join(name.split()).casefold()


def parse_approval_policy(document, source: str = APPROVALS_FILE) -> ApprovalPolicy:
    """A parsed approvals.yaml document -> the policy; ``ApprovalConfigError`` naming ``source``
    and the field for every problem."""
    if document is None:
        return ANYONE
    if not isinstance(document, dict):
        raise ApprovalConfigError([f"{source}: must hold one mapping (steps), found {type(document).__name__}"])
    problems = [
        f"{source} {_field_path(detail.absolute_path).replace('(plan)', '(file)')}: {detail.message}"
        for error in schema_errors(SCHEMA_PATH, document)
        for detail in _explain(error)
    ]
    if problems:
        raise ApprovalConfigError(problems)
    steps = tuple(
        ApprovalStep(step["role"], tuple(" ".join(a.split()) for a in step["approvers"]) if "approvers" in step else None)
        for step in document["steps"]
    )
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if step.role in seen:
            problems.append(f"{source} steps[{index}].role: {step.role!r} is a step already; each role approves once")
        seen.add(step.role)
    if problems:
        raise ApprovalConfigError(problems)
    return ApprovalPolicy(steps, source)


def load_approval_policy(config_dir: Path) -> ApprovalPolicy:
    """``<config_dir>/approvals.yaml`` checked, or ``ANYONE`` when there is no such file."""
    path = Path(config_dir) / APPROVALS_FILE
    if not path.exists():
        return ANYONE
    document, problem = read_config_yaml(path, APPROVALS_FILE)
    if problem:
        raise ApprovalConfigError([problem])
    return parse_approval_policy(document, APPROVALS_FILE)


def _when(approval: store.Approval) -> str:
    return approval.approved_at.strftime("%Y-%m-%d %H:%M UTC")


def approved_steps(policy: ApprovalPolicy, approvals: list[store.Approval], digest: str) -> dict[str, store.Approval]:
    """Role -> the approval that gave it, for the content ``digest``: the approvals of that
    content taken in the order given, each counting for the step of its role while every step
    before it is approved and its approver approved no other step (four eyes)."""
    given: dict[str, store.Approval] = {}
    people: set[str] = set()
    for approval in approvals:
        if approval.content_sha256 != digest or approval.role in given or _person(approval.approver) in people:
            continue
        position = next((i for i, s in enumerate(policy.steps) if s.role == approval.role), None)
        if position is None or any(s.role not in given for s in policy.steps[:position]):
            continue
        if not policy.steps[position].allows(approval.approver):
            continue
        given[approval.role] = approval
        people.add(_person(approval.approver))
    return given


def next_step(policy: ApprovalPolicy, approvals: list[store.Approval], digest: str, period: str, by: str,
              role: str | None = None) -> tuple[int, ApprovalStep]:
    """(1-based step number, step) that ``by`` approves now for the content ``digest``
    (``role``: the step asked for; None: the next one); ``ApprovalRefused`` in one line when
    the content is approved already, the role is unknown, out of order, approved already, not
    ``by``'s to approve, or ``by`` approved another step of this content (four eyes)."""
    given = approved_steps(policy, approvals, digest)
    missing = [(i, s) for i, s in enumerate(policy.steps, start=1) if s.role not in given]
    if not missing:
        done = "; ".join(f"{r} by {a.approver} at {_when(a)}" for r, a in given.items())
        raise ApprovalRefused(f"Refusing to approve {period}: its content is approved already ({done}).")
    if role is None:
        number, step = missing[0]
    else:
        found = next(((i, s) for i, s in enumerate(policy.steps, start=1) if s.role == role), None)
        if found is None:
            raise ApprovalRefused(
                f"Refusing to approve {period}: there is no approval step {role!r} (the steps, in order: {policy.roles()})."
            )
        number, step = found
        if role in given:
            a = given[role]
            raise ApprovalRefused(
                f"Refusing to approve {period} as {role}: {a.approver} approved this content as {role} at {_when(a)}."
            )
        if (number, step) != missing[0]:
            raise ApprovalRefused(
                f"Refusing to approve {period} as {role}: {missing[0][1].role} approves first "
                f"(the steps, in order: {policy.roles()})."
            )
    twice = next((a for a in given.values() if _person(a.approver) == _person(by)), None)
    if twice is not None:
        raise ApprovalRefused(
            f"Refusing to approve {period} as {step.role}: {twice.approver} approved this content as {twice.role} "
            f"at {_when(twice)}; the same person cannot approve two steps."
        )
    if not step.allows(by):
        raise ApprovalRefused(
            f"Refusing to approve {period} as {step.role}: {by} is not one of its approvers "
            f"({APPROVALS_FILE}: {', '.join(step.approvers or ())})."
        )
    return number, step


def approve(export_dir: Path, policy: ApprovalPolicy, period: str, lines: list[PayoutLine], calculation_id: str,
            by: str, approved_at: datetime, role: str | None = None) -> store.Approval:
    """Record ``by``'s approval of ``lines`` (the content publish would publish now) as the next
    step (or ``role``) of ``period``; ``ApprovalRefused`` in one line when it is not theirs to give."""
    by = " ".join(by.split())
    if not by:
        raise ApprovalRefused(f"Refusing to approve {period}: --by names the approver, and it is empty.")
    if not lines:
        raise ApprovalRefused(f"Nothing to approve for {period}: fct_payout_line has no line for it.")
    digest = content_sha256(lines)
    approvals = store.read_approvals(export_dir, period)
    number, step = next_step(policy, approvals, digest, period, by, role)
    approval = store.Approval(
        period=period,
        number=max((a.number for a in approvals), default=0) + 1,
        step=number,
        role=step.role,
        approver=by,
        approved_at=approved_at,
        content_sha256=digest,
        calculation_id=calculation_id,
        row_count=len(lines),
        totals=totals(lines),
    )
    store.write_approval(export_dir, approval)
    return approval


def approval_refusal(period: str, digest: str, approvals: list[store.Approval], policy: ApprovalPolicy) -> str | None:
    """Why the content ``digest`` of ``period`` is not published for want of approval, in one line, or None."""
    given = approved_steps(policy, approvals, digest)
    missing = [s for s in policy.steps if s.role not in given]
    if not missing:
        return None
    hint = f"spm approve --period {period} --by NAME"
    if not given:
        stale = approvals[-1] if approvals else None
        if stale is not None:
            return (f"Refusing to publish {period}: approved content changed since {_when(stale)} by {stale.approver}: "
                    f"approve again ({hint}).")
        steps = f" ({len(policy.steps)} steps, in order: {policy.roles()})" if len(policy.steps) > 1 else ""
        return f"Refusing to publish {period}: its payout content is not approved{steps}; {hint}."
    done = ", ".join(f"{r} by {a.approver} at {_when(a)}" for r, a in given.items())
    return (f"Refusing to publish {period}: the approval of {missing[0].role} is missing (approved: {done}); "
            f"{hint} --role {missing[0].role}.")
