"""Approval before a period is paid (issue #18 item 3, docs/payment_workflow.md#approval), by hand.

The period 2026-10 pays E1 100.00 USD (COMMISSION 100.004, rounded) and E2 50.00 EUR. Its
content is ``publish.content_sha256`` of those lines, the hash the published manifest carries.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from assets.payouts import ledger as store
from assets.payouts.approvals import (
    ANYONE,
    ApprovalConfigError,
    ApprovalRefused,
    approve,
    load_approval_policy,
    parse_approval_policy,
)
from assets.payouts.extract import PayoutLine
from assets.payouts.ledger_layout import approval_file
from assets.payouts.publication import publish_approval_refusal
from assets.payouts.publish import content_sha256, publish_period
from core.money import round_money

PERIOD = "2026-10"
PAY_DATE = date(2026, 11, 15)
NINE = datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc)
TEN = datetime(2026, 11, 3, 10, 30, tzinfo=timezone.utc)
HINT = "spm approve --period 2026-10 --by NAME"
TWO_STEPS = "steps:\n  - role: sales_ops\n  - role: finance\n"


def _lines(*extra):
    rows = [("E1", "COMMISSION", "USD", "100.004"), ("E2", "COMMISSION", "EUR", "50"), *extra]
    return [
        PayoutLine(PERIOD, e, f"Name {e}", "CC-1", code, currency, round_money(Decimal(amount), currency), PAY_DATE,
                   "AE", "calc-1", exact_amount=Decimal(amount))
        for e, code, currency, amount in sorted(rows)
    ]


def _dirs(tmp_path, approvals_yaml: str | None = None):
    export_dir, config_dir = tmp_path / "exports", tmp_path / "config"
    config_dir.mkdir(parents=True)
    if approvals_yaml is not None:
        (config_dir / "approvals.yaml").write_text(approvals_yaml)
    return export_dir, config_dir


def _approve(export_dir, config_dir, by, at=NINE, role=None, lines=None):
    return approve(export_dir, load_approval_policy(config_dir), PERIOD, lines or _lines(), "calc-1", by, at, role)


def _publish(export_dir, lines):
    return publish_period(lines, [], export_dir, PERIOD, PAY_DATE, "calc-1", "run-a", ["payees_in_hr"], [])


def test_approve_then_publish(tmp_path):
    export_dir, config_dir = _dirs(tmp_path)
    approval = _approve(export_dir, config_dir, "Dana Ops")
    # No approvals.yaml: one step, role "approver", anyone may give it.
    assert (approval.number, approval.step, approval.role, approval.approver) == (1, 1, "approver", "Dana Ops")
    assert approval.approved_at == NINE and approval.row_count == 2
    assert approval.totals["by_currency"] == {"EUR": "50.00", "USD": "100.00"}
    assert approval_file(export_dir, PERIOD, 1).name == "2026-10_a0001.parquet"
    assert store.read_approvals(export_dir, PERIOD) == [approval]

    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) is None
    outcome = _publish(export_dir, _lines())
    manifest = json.loads((outcome.publication.path(export_dir) / "manifest.json").read_text())
    # The approved content is the published one: one hash, the manifest's.
    assert manifest["content_sha256"] == approval.content_sha256 == content_sha256(_lines())


def test_publish_without_approval_is_refused(tmp_path):
    export_dir, config_dir = _dirs(tmp_path)
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) == (
        f"Refusing to publish 2026-10: its payout content is not approved; {HINT}."
    )
    export_dir, config_dir = _dirs(tmp_path / "two", TWO_STEPS)
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) == (
        f"Refusing to publish 2026-10: its payout content is not approved (2 steps, in order: sales_ops, finance); {HINT}."
    )


def test_publish_is_refused_when_the_content_changed_since_the_approval(tmp_path):
    export_dir, config_dir = _dirs(tmp_path)
    _approve(export_dir, config_dir, "Dana Ops")
    # An approved manual adjustment of 25.00 for E1 arrives after the approval: a new line.
    changed = _lines(("E1", "MANUAL_ADJUSTMENT", "USD", "25"))
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, changed) == (
        f"Refusing to publish 2026-10: approved content changed since 2026-11-03 09:00 UTC by Dana Ops: approve again ({HINT})."
    )
    # So does one cent on a line: 100.004 -> 100.005 rounds to 100.01.
    cent = [*_lines()[:1], *_lines(("E1", "COMMISSION", "USD", "0.001"))[1:]]
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, cent) is not None
    # Approving the new content again (anyone, even the same person) lets it publish.
    again = _approve(export_dir, config_dir, "Dana Ops", at=TEN, lines=changed)
    assert again.number == 2 and again.row_count == 3
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, changed) is None
    # The first content stays approved too (its record is kept): approvals are never rewritten.
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) is None


def test_two_steps_in_order_by_two_people(tmp_path):
    export_dir, config_dir = _dirs(tmp_path, TWO_STEPS)
    with pytest.raises(ApprovalRefused) as refused:
        _approve(export_dir, config_dir, "Fin Lee", role="finance")
    assert str(refused.value) == (
        "Refusing to approve 2026-10 as finance: sales_ops approves first (the steps, in order: sales_ops, finance)."
    )
    first = _approve(export_dir, config_dir, "Dana Ops")  # no --role: the next step
    assert (first.step, first.role) == (1, "sales_ops")
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) == (
        "Refusing to publish 2026-10: the approval of finance is missing (approved: sales_ops by Dana Ops at "
        f"2026-11-03 09:00 UTC); {HINT} --role finance."
    )
    with pytest.raises(ApprovalRefused) as refused:
        _approve(export_dir, config_dir, "  dana   OPS ", role="finance")  # the same person, written otherwise
    assert str(refused.value) == (
        "Refusing to approve 2026-10 as finance: Dana Ops approved this content as sales_ops at 2026-11-03 09:00 UTC; "
        "the same person cannot approve two steps."
    )
    with pytest.raises(ApprovalRefused, match="as sales_ops: Dana Ops approved this content as sales_ops"):
        _approve(export_dir, config_dir, "Kim", role="sales_ops")
    second = _approve(export_dir, config_dir, "Fin Lee", at=TEN, role="finance")
    assert (second.number, second.step, second.role) == (2, 2, "finance")
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) is None
    with pytest.raises(ApprovalRefused, match=r"its content is approved already \(sales_ops by Dana Ops at 2026-11-03 "
                                              r"09:00 UTC; finance by Fin Lee at 2026-11-03 10:30 UTC\)"):
        _approve(export_dir, config_dir, "Kim")
    # Refusals write nothing: two records, the two approvals.
    assert [a.number for a in store.read_approvals(export_dir, PERIOD)] == [1, 2]


def test_a_changed_content_starts_the_steps_again(tmp_path):
    export_dir, config_dir = _dirs(tmp_path, TWO_STEPS)
    _approve(export_dir, config_dir, "Dana Ops")
    _approve(export_dir, config_dir, "Fin Lee", at=TEN)
    changed = _lines(("E2", "SPIF", "EUR", "10"))
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, changed) == (
        f"Refusing to publish 2026-10: approved content changed since 2026-11-03 10:30 UTC by Fin Lee: approve again ({HINT})."
    )
    with pytest.raises(ApprovalRefused, match="finance: sales_ops approves first"):
        _approve(export_dir, config_dir, "Fin Lee", role="finance", lines=changed)
    assert _approve(export_dir, config_dir, "Dana Ops", lines=changed).role == "sales_ops"


def test_a_step_with_named_approvers_and_an_unknown_role(tmp_path):
    export_dir, config_dir = _dirs(tmp_path, "steps:\n  - role: sales_ops\n    approvers: [Dana Ops]\n  - role: finance\n")
    with pytest.raises(ApprovalRefused) as refused:
        _approve(export_dir, config_dir, "Kim")
    assert str(refused.value) == "Refusing to approve 2026-10 as sales_ops: Kim is not one of its approvers (approvals.yaml: Dana Ops)."
    with pytest.raises(ApprovalRefused) as refused:
        _approve(export_dir, config_dir, "Dana Ops", role="payroll")
    assert str(refused.value) == (
        "Refusing to approve 2026-10: there is no approval step 'payroll' (the steps, in order: sales_ops, finance)."
    )
    assert _approve(export_dir, config_dir, "dana ops").approver == "dana ops"


def test_nothing_to_approve_and_no_approver(tmp_path):
    export_dir, config_dir = _dirs(tmp_path)
    with pytest.raises(ApprovalRefused, match="Nothing to approve for 2026-10: fct_payout_line has no line for it."):
        approve(export_dir, ANYONE, PERIOD, [], "calc-1", "Dana", NINE)
    with pytest.raises(ApprovalRefused, match="--by names the approver, and it is empty"):
        approve(export_dir, ANYONE, PERIOD, _lines(), "calc-1", "  ", NINE)
    assert not export_dir.exists()


def test_publishing_the_published_content_again_needs_no_approval(tmp_path):
    export_dir, config_dir = _dirs(tmp_path)
    _approve(export_dir, config_dir, "Dana Ops")
    _publish(export_dir, _lines())
    # A no-op publish (the newest version holds these lines) moves no money.
    assert publish_approval_refusal(export_dir, tmp_path / "config", PERIOD, _lines()) is None
    (config_dir / "approvals.yaml").write_text(TWO_STEPS)
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines()) is None
    assert publish_approval_refusal(export_dir, config_dir, PERIOD, _lines(("E2", "SPIF", "EUR", "1"))) is not None


def test_the_approvals_are_append_only_and_an_older_ledger_has_none(tmp_path):
    export_dir, config_dir = _dirs(tmp_path)
    assert store.read_approvals(export_dir, PERIOD) == []
    _publish(export_dir, _lines())  # a ledger of before approvals: no approvals folder
    assert store.read_approvals(export_dir, PERIOD) == []
    approval = _approve(export_dir, config_dir, "Dana Ops")
    with pytest.raises(FileExistsError, match="approval 1 of 2026-10 is already recorded"):
        store.write_approval(export_dir, approval)
    assert store.read_approvals(export_dir, "2026-11") == []


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("steps: []\n", ["approvals.yaml steps: [] should be non-empty"]),
        ("steps:\n  - role: Finance Team\n", [
            "approvals.yaml steps[0].role: 'Finance Team' is not a role name (lower case letters, digits and _, starting with a letter)"
        ]),
        ("steps:\n  - role: finance\n    who: [Kim]\n", [
            "approvals.yaml steps[0].who: unknown field (allowed here: approvers, role)"
        ]),
        ("steps:\n  - role: finance\n  - role: finance\n", [
            "approvals.yaml steps[1].role: 'finance' is a step already; each role approves once"
        ]),
        ("approvers: [Kim]\n", [
            "approvals.yaml (file): 'steps' is a required property",
            "approvals.yaml approvers: unknown field (allowed here: description, steps)",
        ]),
        ("steps: [\n", None),
    ],
)
def test_a_bad_approvals_yaml_names_the_file_and_the_field(tmp_path, text, problems):
    export_dir, config_dir = _dirs(tmp_path, text)
    with pytest.raises(ApprovalConfigError) as error:
        load_approval_policy(config_dir)
    if problems is None:
        (line,) = error.value.errors
        assert line.startswith("approvals.yaml line 2: not valid YAML")
    else:
        assert sorted(error.value.errors) == sorted(problems)
    # Publishing says it in one line.
    refusal = publish_approval_refusal(export_dir, config_dir, PERIOD, _lines())
    assert refusal.startswith("Refusing to publish 2026-10: approvals.yaml") and "\n" not in refusal


def test_the_default_and_a_configured_policy():
    assert load_approval_policy.__doc__ and ANYONE.roles() == "approver"
    policy = parse_approval_policy({"steps": [{"role": "sales_ops", "approvers": ["Dana  Ops"]}, {"role": "finance"}]})
    assert policy.roles() == "sales_ops, finance"
    assert policy.steps[0].approvers == ("Dana Ops",) and policy.steps[1].approvers is None
    assert parse_approval_policy(None) == ANYONE


# --- the command: `spm approve`, and `spm publish`'s pre-check -------------------------------


def _warehouse(path, lines):
    """A warehouse holding what publishing reads (fct_payout_file_line, dim_payee,
    fct_payee_balance_owed), written by hand: ``lines`` are (employee, code, currency, amount)."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("""create table fct_payout_file_line (period varchar, employee_id varchar, full_name varchar,
        cost_center varchar, earning_code varchar, currency varchar, amount decimal(38,10), pay_date date,
        plan_id varchar, reason varchar, deal_ids varchar, country varchar, exact_amount decimal(38,10), is_paid boolean)""")
    con.execute("create table dim_payee (employee_id varchar)")
    con.execute("""create table fct_payee_balance_owed (period varchar, employee_id varchar, currency varchar,
        balance_owed decimal(38,10), termination_date date, is_terminated boolean)""")
    for e, code, currency, amount in lines:
        con.execute("insert into fct_payout_file_line values (?, ?, ?, 'CC-1', ?, ?, ?, ?, 'AE', null, null, 'US', ?, true)",
                    [PERIOD, e, f"Name {e}", code, currency, round_money(Decimal(amount), currency), PAY_DATE, amount])
        con.execute("insert into dim_payee values (?)", [e])
    con.close()


@pytest.fixture
def company(tmp_path, monkeypatch):
    from core.settings import SpmPaths

    for name, folder in (("SPM_LANDING_DIR", "landing"), ("SPM_CONFIG_DIR", "config"), ("SPM_EXPORT_DIR", "exports"),
                         ("SPM_WAREHOUSE", "warehouse/spm.duckdb"), ("DAGSTER_HOME", "dagster_home")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "approvals.yaml").write_text(TWO_STEPS)
    paths = SpmPaths.from_env()
    _warehouse(paths.warehouse, [("E1", "COMMISSION", "USD", "100.004"), ("E2", "COMMISSION", "USD", "50")])
    return paths


def test_spm_approve_records_each_step_and_says_what_is_next(company, capfd):
    from orchestration.cli import approve_period, main

    first = approve_period(company, PERIOD, "Dana Ops", now=NINE)
    (approval,) = store.read_approvals(company.export_dir, PERIOD)
    assert first == (
        f"2026-10: approved as sales_ops (step 1 of 2) by Dana Ops at 2026-11-03 09:00 UTC: content "
        f"{approval.content_sha256[:12]} (2 lines; USD 150.00); next: finance"
    )
    assert approval.calculation_id.startswith("calc-")  # the run's inputs fingerprint, as publish stamps the lines
    # The same person again: one line on stderr, exit 2, nothing written.
    assert main(["approve", "--period", PERIOD, "--by", "Dana Ops"]) == 2
    (line,) = capfd.readouterr().err.splitlines()
    assert line.startswith("Refusing to approve 2026-10 as finance: Dana Ops approved this content as sales_ops at ")
    assert main(["approve", "--period", PERIOD, "--by", "Fin Lee", "--role", "finance"]) == 0
    out = capfd.readouterr().out
    assert "approved as finance (step 2 of 2) by Fin Lee" in out and "ready to publish (spm publish --period 2026-10)" in out
    assert [a.role for a in store.read_approvals(company.export_dir, PERIOD)] == ["sales_ops", "finance"]


def test_spm_approve_refuses_the_running_month_and_a_missing_warehouse(company, capfd):
    from orchestration.cli import main

    running = datetime.now(timezone.utc).strftime("%Y-%m")
    assert main(["approve", "--period", running, "--by", "Dana Ops"]) == 2
    assert capfd.readouterr().err.startswith(f"Refusing to approve {running}: the period has not ended")
    company.warehouse.unlink()
    assert main(["approve", "--period", PERIOD, "--by", "Dana Ops"]) == 2
    assert "Refusing to approve 2026-10: there is no warehouse at" in capfd.readouterr().err


@pytest.mark.slow  # `spm publish` parses the dbt project and loads the definitions
def test_publish_pre_check_refuses_a_changed_content_even_when_allowed_unchecked(company, capfd):
    from orchestration.cli import main, publish_approval_precheck

    assert publish_approval_precheck(company, PERIOD).startswith("Refusing to publish 2026-10: its payout content is not approved")
    assert main(["approve", "--period", PERIOD, "--by", "Dana Ops"]) == 0
    assert main(["approve", "--period", PERIOD, "--by", "Fin Lee"]) == 0
    assert publish_approval_precheck(company, PERIOD) is None
    # A deal lands for E2 after the approvals: the next run pays 30.00 more.
    _warehouse(company.warehouse, [("E1", "COMMISSION", "USD", "100.004"), ("E2", "COMMISSION", "USD", "80")])
    capfd.readouterr()
    # --allow-unchecked passes the unchecked upstream (no pipeline run here), never the approval.
    assert main(["publish", "--period", PERIOD, "--allow-unchecked", "--reason", "test"]) == 2
    (line,) = capfd.readouterr().err.splitlines()
    assert line.startswith("Refusing to publish 2026-10: approved content changed since ")
    assert line.endswith(" by Fin Lee: approve again (spm approve --period 2026-10 --by NAME).")
    assert not (company.export_dir / "payouts" / "published").exists()


def test_the_warehouse_is_behind_the_ledger_after_a_publication_it_did_not_read(company):
    from assets.payouts.publication import ledger_models_behind

    assert not ledger_models_behind(company.export_dir, company.warehouse)  # nothing published
    _publish(company.export_dir, _lines())  # publication 1: the warehouse never read the ledger
    assert ledger_models_behind(company.export_dir, company.warehouse)
    import duckdb

    con = duckdb.connect(str(company.warehouse))
    con.execute("create table fct_published_payout_line as select '2026-10' as period, 1 as version")
    con.close()
    assert not ledger_models_behind(company.export_dir, company.warehouse)
    _publish(company.export_dir, _lines(("E2", "SPIF", "EUR", "10")))  # a correction: version 2
    assert ledger_models_behind(company.export_dir, company.warehouse)
