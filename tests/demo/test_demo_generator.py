"""The demo company generator: deterministic, on the landing contract, internally consistent.

One small company (scale 0.05: 10 payees, 10,000 deals) is generated per module
and read back the way ingest would: every file as text, the contract's columns,
every value parsed per its type. The only rows that may break the contract are
the ones the generator says it planted.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from assets.ingest.contract import CONTRACTS, DatasetContract
from core.money import KNOWN_CURRENCIES
from demo.clock import CRM_BATCHES, HR_BATCHES
from demo.generate import generate
from demo.people import FIRST_NAMES, LAST_NAMES, build_org, middle_initials

SCALE = 0.05
LANDING_CONTRACTS = [c for c in CONTRACTS if c.system in ("crm", "hr")]
CONFIG_CONTRACTS = {c.file_stem: c for c in CONTRACTS if c.system == "config"}
FILE_NAME = re.compile(r"^(?P<stem>[A-Za-z0-9_]+?)(-(?P<chunk>[^.]+))?\.(?P<ext>csv|parquet)$")


# ---------------------------------------------------------------- helpers


def _read(path: Path) -> pl.DataFrame:
    if path.suffix == ".csv":
        return pl.read_csv(path, infer_schema=False)
    return pl.read_parquet(path)


def _files(landing: Path) -> dict[tuple[str, str, str], list[Path]]:
    """(system, batch, stem) -> files, chunks in name order."""
    out: dict[tuple[str, str, str], list[Path]] = {}
    for path in sorted(landing.rglob("*")):
        if path.is_file():
            system, batch = path.relative_to(landing).parts[:2]
            match = FILE_NAME.match(path.name)
            assert match, f"unexpected file name {path}"
            out.setdefault((system, batch, match["stem"]), []).append(path)
    return out


def _frame(landing: Path, system: str, batch: str, stem: str) -> pl.DataFrame:
    return pl.concat([_read(p) for p in _files(landing)[(system, batch, stem)]], how="vertical")


def _all_batches(landing: Path, contract: DatasetContract) -> pl.DataFrame:
    batches = CRM_BATCHES if contract.system == "crm" else HR_BATCHES
    frames = [
        _frame(landing, contract.system, b.isoformat(), contract.file_stem).with_columns(pl.lit(b.isoformat()).alias("_batch"))
        for b in batches
    ]
    return pl.concat(frames, how="vertical")


def _newest(frame: pl.DataFrame, contract: DatasetContract) -> pl.DataFrame:
    """SPEC §2: newest version by the version column, then batch date, wins."""
    order = ([contract.version_column] if contract.version_column else []) + ["_batch"]
    return frame.sort(order).unique(subset=list(contract.key), keep="last", maintain_order=True)


def _violations(frame: pl.DataFrame, contract: DatasetContract) -> set[tuple[str, str]]:
    """(row key, column) of every value that breaks the contract's type, presence or range."""
    key = pl.concat_str([pl.col(k).fill_null("") for k in contract.key], separator="|")
    bad: set[tuple[str, str]] = set()
    for col in contract.columns:
        v = pl.col(col.name)
        present = v.is_not_null()
        if col.type == "decimal":
            ok = v.str.contains(r"^-?\d+(\.\d+)?$")
        elif col.type == "integer":
            ok = v.str.contains(r"^-?\d+$")
        elif col.type == "date":
            ok = v.str.contains(r"^\d{4}-\d{2}-\d{2}$") & v.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        elif col.type == "datetime":
            ok = v.str.contains(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$") & v.str.slice(0, 19).str.to_datetime(
                "%Y-%m-%dT%H:%M:%S", strict=False
            ).is_not_null()
        elif col.type == "boolean":
            ok = v.is_in(["true", "false"])
        elif col.type == "currency":
            ok = v.is_in(sorted(KNOWN_CURRENCIES))
        else:
            ok = pl.lit(True)
        required = col.required or col.name in contract.key
        rows = frame.select(key.alias("k"), (present & ~ok).alias("bad_type"), (~present & required).alias("missing"), v)
        for k, bad_type, missing, value in rows.iter_rows():
            if bad_type or missing:
                bad.add((k, col.name))
            elif value is not None and (col.min_value is not None or col.max_value is not None):
                number = Decimal(value)
                if (col.min_value is not None and number < col.min_value) or (
                    col.max_value is not None and number > col.max_value
                ):
                    bad.add((k, col.name))
    return bad


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    summary = generate(root, scale=SCALE, seed=7)
    return root / "landing", root / "config", summary


@pytest.fixture(scope="module")
def newest(company):
    landing, _, _ = company
    return {c.name: _newest(_all_batches(landing, c), c) for c in LANDING_CONTRACTS}


# ---------------------------------------------------------------- determinism and layout


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_and_scale_give_the_same_bytes(company, tmp_path):
    landing, config, summary = company
    again = generate(tmp_path, scale=SCALE, seed=7)
    assert _tree(tmp_path / "landing") == _tree(landing)
    assert _tree(tmp_path / "config") == _tree(config)
    assert {k: v for k, v in again.items() if not k.endswith("_dir")} == {
        k: v for k, v in summary.items() if not k.endswith("_dir")
    }


def test_another_seed_gives_another_company(company, tmp_path):
    landing, _, _ = company
    generate(tmp_path, scale=SCALE, seed=8)
    assert _tree(tmp_path / "landing") != _tree(landing)


def test_every_batch_holds_every_object_in_the_mixed_formats(company):
    landing, _, summary = company
    files = _files(landing)
    assert summary["batches"] == {"crm": [b.isoformat() for b in CRM_BATCHES], "hr": [b.isoformat() for b in HR_BATCHES]}
    for contract in LANDING_CONTRACTS:
        batches = CRM_BATCHES if contract.system == "crm" else HR_BATCHES
        for batch in batches:
            paths = files[(contract.system, batch.isoformat(), contract.file_stem)]
            big = contract.file_stem in ("Opportunity", "OpportunityLineItem", "OpportunityHistory")
            assert {p.suffix for p in paths} == {".parquet" if big else ".csv"}
    stems = {c.file_stem for c in LANDING_CONTRACTS}
    assert {stem for (_, _, stem) in files} == stems


def test_every_file_has_exactly_the_contract_columns_as_text(company):
    landing, _, _ = company
    by_stem = {c.file_stem: c for c in LANDING_CONTRACTS}
    for (_, _, stem), paths in _files(landing).items():
        for path in paths:
            frame = _read(path)
            assert tuple(frame.columns) == by_stem[stem].column_names, path
            assert all(dtype == pl.Utf8 for dtype in frame.dtypes), path


def test_csv_files_are_utf8_with_a_header_and_rfc4180_quoting(company):
    landing, _, _ = company
    text = (landing / "crm" / "2026-09-30" / "Account.csv").read_text(encoding="utf-8")
    assert text.startswith("Id,Name,Industry,")
    names = _read(landing / "crm" / "2026-09-30" / "Account.csv")["Name"].to_list()
    # the generator plants commas, quotes and non-ASCII letters in names on purpose
    assert any("," in n for n in names) and any('"' in n for n in names)
    assert any(ord(ch) > 127 for n in names for ch in n)


# ---------------------------------------------------------------- values


def test_every_value_parses_except_the_planted_bad_rows(company):
    landing, _, summary = company
    planted = {(r["id"], r["column"]) for r in summary["planted_bad_rows"]}
    found: set[tuple[str, str]] = set()
    for contract in LANDING_CONTRACTS:
        batches = CRM_BATCHES if contract.system == "crm" else HR_BATCHES
        for batch in batches:
            frame = _frame(landing, contract.system, batch.isoformat(), contract.file_stem)
            found |= _violations(frame, contract)
    assert found == planted


def test_planted_bad_rows_cover_the_rules_ingest_must_quarantine(company):
    _, _, summary = company
    rules = {r["rule"] for r in summary["planted_bad_rows"]}
    assert {"unparseable_decimal", "unknown_currency", "missing_required_value"} <= rules
    assert 3 <= len(summary["planted_bad_rows"]) <= 10
    values = {r["value"] for r in summary["planted_bad_rows"]}
    assert {"12,34x", "XXX", ""} <= values


def test_keys_are_unique_within_each_file(company):
    landing, _, _ = company
    by_stem = {c.file_stem: c for c in LANDING_CONTRACTS}
    for (system, batch, stem) in _files(landing):
        contract = by_stem[stem]
        frame = _frame(landing, system, batch, stem)
        assert frame.select(pl.struct(list(contract.key)).is_duplicated().any()).item() is False, (batch, stem)


def test_line_items_sum_exactly_to_the_amount_in_every_batch_state(company):
    landing, _, summary = company
    from assets.ingest.contract import CRM_OPPORTUNITY, CRM_OPPORTUNITY_LINE_ITEM

    planted = {r["id"] for r in summary["planted_bad_rows"]}
    opps = _all_batches(landing, CRM_OPPORTUNITY)
    items = _all_batches(landing, CRM_OPPORTUNITY_LINE_ITEM)
    for batch in CRM_BATCHES:
        upto = batch.isoformat()
        o = _newest(opps.filter(pl.col("_batch") <= upto), CRM_OPPORTUNITY).filter(~pl.col("Id").is_in(planted))
        li = _newest(items.filter(pl.col("_batch") <= upto), CRM_OPPORTUNITY_LINE_ITEM)
        assert li.select(
            (pl.col("Quantity").cast(pl.Decimal(38, 2)) * pl.col("UnitPrice").cast(pl.Decimal(38, 2))
             == pl.col("TotalPrice").cast(pl.Decimal(38, 2))).all()
        ).item()
        sums = li.group_by("OpportunityId").agg(pl.col("TotalPrice").cast(pl.Decimal(38, 2)).sum().alias("total"))
        joined = o.join(sums, left_on="Id", right_on="OpportunityId", how="left")
        assert joined["total"].null_count() == 0, "a deal without line items"
        mismatch = joined.filter(pl.col("Amount").cast(pl.Decimal(38, 2)) != pl.col("total"))
        assert mismatch.height == 0, mismatch.head()
        # and no line item points at an unknown deal
        assert set(li["OpportunityId"]) <= set(o["Id"])


def test_splits_sum_to_100_except_the_planted_breaks(company, newest):
    _, _, summary = company
    sums = newest["opportunity_split"].group_by("OpportunityId").agg(
        pl.col("SplitPercentage").cast(pl.Decimal(38, 2)).sum().alias("total"), pl.len().alias("parts")
    )
    breaks = {b["opportunity_id"]: Decimal(b["split_percentage_sum"]) for b in summary["planted_split_breaks"]}
    assert 1 <= len(breaks) <= 3
    assert set(breaks.values()) == {Decimal("90.00"), Decimal("110.00")}
    for opp, total, parts in sums.iter_rows():
        assert parts in (2, 3)
        assert total == breaks.get(opp, Decimal("100.00")), opp
    assert breaks.keys() <= set(sums["OpportunityId"])
    # splits are on won deals, by known users
    won = newest["opportunity"].filter(pl.col("IsWon") == "true")
    assert set(sums["OpportunityId"]) <= set(newest["opportunity"]["Id"])
    assert sums.height >= 0.05 * won.height
    assert set(newest["opportunity_split"]["SplitOwnerId"]) <= set(newest["user"]["Id"])


def test_references_resolve(newest):
    opp = newest["opportunity"]
    assert set(opp["OwnerId"]) <= set(newest["user"]["Id"])
    assert set(opp["AccountId"]) <= set(newest["account"]["Id"])
    assert set(newest["account"]["OwnerId"]) <= set(newest["user"]["Id"])
    assert set(newest["opportunity_line_item"]["Product2Id"]) <= set(newest["product"]["Id"])
    assert set(newest["opportunity_history"]["OpportunityId"]) <= set(opp["Id"])


def test_deal_mix(newest):
    opp = newest["opportunity"].filter(pl.col("IsDeleted") == "false")
    stages = set(opp["StageName"])
    assert {"Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"} <= stages
    assert set(opp["Type"]) == {"New Business", "Existing Business - Upgrade", "Renewal"}
    closes = opp["CloseDate"].drop_nulls()
    assert closes.min() < "2025-02-01" and closes.max() > "2027-01-01"
    open_ = opp.filter(pl.col("IsClosed") == "false")
    assert open_.height > 0 and (open_["StageName"].is_in(["Closed Won", "Closed Lost"])).sum() == 0
    assert (opp["CreatedDate"].str.slice(0, 10) < opp["CloseDate"].fill_null("9999")).all()
    won = opp.filter(pl.col("IsWon") == "true")
    assert (won["Probability"] == "100").all() and (won["StageName"] == "Closed Won").all()
    assert len(set(opp["CurrencyIsoCode"]) - {"XXX"}) >= 3


def test_later_batches_are_increments_with_deletions_cancellations_and_corrections(company):
    landing, _, summary = company
    from assets.ingest.contract import CRM_OPPORTUNITY

    opps = _all_batches(landing, CRM_OPPORTUNITY)
    for k in (1, 2):
        previous_end = CRM_BATCHES[k - 1].isoformat() + "T23:59:59"
        batch = opps.filter(pl.col("_batch") == CRM_BATCHES[k].isoformat())
        assert batch.height < opps.filter(pl.col("_batch") == CRM_BATCHES[0].isoformat()).height / 3
        assert (batch["LastModifiedDate"] > previous_end).all()
        assert (batch["IsDeleted"] == "true").any()
    stories = {d["story"]: d["opportunity_id"] for d in summary["scripted_deals"]}
    cancelled = stories["won, cancelled (Closed Lost) in batch 2026-10-31"]
    versions = opps.filter(pl.col("Id") == cancelled).sort("_batch")
    assert versions["StageName"].to_list() == ["Closed Won", "Closed Lost"]
    corrected = stories["won, amount corrected in batch 2026-10-31"]
    amounts = opps.filter(pl.col("Id") == corrected).sort("_batch")["Amount"].to_list()
    assert len(amounts) == 2 and amounts[0] != amounts[1]
    rewon = stories["won, cancelled in batch 2026-10-31, re-won in batch 2026-11-27 (new CloseDate)"]
    assert opps.filter(pl.col("Id") == rewon).sort("_batch")["StageName"].to_list() == [
        "Closed Won", "Closed Lost", "Closed Won"
    ]


def test_opportunity_history_follows_the_stages(newest):
    history = newest["opportunity_history"].sort("OpportunityId", "CreatedDate")
    first = history.group_by("OpportunityId", maintain_order=True).first()
    assert (first["StageName"] == "Prospecting").all()
    won = newest["opportunity"].filter((pl.col("IsWon") == "true") & (pl.col("IsDeleted") == "false"))
    last = history.group_by("OpportunityId", maintain_order=True).last()
    joined = won.join(last, left_on="Id", right_on="OpportunityId", suffix="_h")
    assert joined.height > 0
    assert (joined["StageName_h"] == "Closed Won").all()
    assert (joined["Amount_h"] == joined["Amount"]).all()
    assert (joined["CloseDate_h"] == joined["CloseDate"]).all()


def test_conversion_rates_cover_every_month_for_every_currency(newest):
    rates = newest["dated_conversion_rate"]
    assert set(rates["IsoCode"]) >= {"USD", "EUR", "GBP"}
    for code, group in rates.group_by("IsoCode"):
        g = group.sort("StartDate")
        assert g["StartDate"][0] == "2024-12-01" and g["NextStartDate"][-1] == "2027-01-01"
        assert g["StartDate"][1:].to_list() == g["NextStartDate"][:-1].to_list()
        if code[0] == "USD":
            assert all(Decimal(r) == 1 for r in g["ConversionRate"])
    eur = rates.filter(pl.col("IsoCode") == "EUR")["ConversionRate"].cast(pl.Float64)
    assert 0.7 < eur.min() and eur.max() < 1.2


# ---------------------------------------------------------------- people


def test_hr_managers_exist_and_form_one_tree(company, newest):
    landing, _, _ = company
    from assets.ingest.contract import HR_JOB_HISTORY

    workers = newest["workers"]
    ids = set(workers["employee_id"])
    managers = dict(zip(workers["employee_id"], workers["manager_employee_id"]))
    assert set(m for m in managers.values() if m) <= ids
    history = _all_batches(landing, HR_JOB_HISTORY)
    assert set(history["manager_employee_id"].drop_nulls()) <= ids
    assert set(history["employee_id"]) <= ids
    roots = [e for e, m in managers.items() if m is None]
    assert len(roots) == 1
    for employee in ids:  # no cycles: every chain ends at the root
        seen, e = set(), employee
        while managers[e] is not None:
            assert e not in seen
            seen.add(e)
            e = managers[e]
        assert e == roots[0]
    assert set(workers["job_family"]) == {"Sales Leadership", "Account Executive", "Sales Development"}
    # the first HR batch only knows people hired by then
    first = _frame(landing, "hr", HR_BATCHES[0].isoformat(), "workers")
    assert (first["hire_date"] <= HR_BATCHES[0].isoformat()).all()


def test_hr_increment_has_a_new_hire_and_a_termination(company):
    landing, _, _ = company
    increment = _frame(landing, "hr", HR_BATCHES[1].isoformat(), "workers")
    assert (increment["hire_date"] > HR_BATCHES[0].isoformat()).any()
    assert (increment["termination_date"].drop_nulls() > HR_BATCHES[0].isoformat()).any()


def test_leave_is_paid_and_unpaid_inside_employment(newest):
    leave = newest["leave"].join(newest["workers"], on="employee_id")
    assert {"true", "false"} <= set(leave["paid"])
    assert ((leave["paid"] == "false") & (leave["start_date"] >= "2026-01-01")).any()
    assert (leave["start_date"] <= leave["end_date"]).all()
    assert (leave["start_date"] >= leave["hire_date"]).all()
    ended = leave.filter(pl.col("termination_date").is_not_null())
    assert (ended["end_date"] <= ended["termination_date"]).all()


def test_crm_users_map_to_workers_except_the_orphans(company, newest):
    _, _, summary = company
    users = newest["user"]
    workers = set(newest["workers"]["employee_id"])
    orphans = set(summary["orphan_owner_deals"]["user_ids"])
    assert len(orphans) in (1, 2)
    for user_id, number in zip(users["Id"], users["EmployeeNumber"]):
        assert (number in workers) != (user_id in orphans), user_id
    assert set(users["ManagerId"].drop_nulls()) <= set(users["Id"])
    owners = newest["opportunity"].filter(pl.col("OwnerId").is_in(sorted(orphans)))
    assert set(owners["Id"]) == set(summary["orphan_owner_deals"]["opportunity_ids"])
    assert (owners["IsWon"] == "true").sum() >= 3


# ---------------------------------------------------------------- configuration


def test_plan_files_load_and_follow_the_format(company):
    _, config, summary = company
    plans = {}
    for path in sorted((config / "plans").glob("*.yaml")):
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
        plans[plan["plan_id"]] = plan
        assert path.stem == plan["plan_id"]
        assert list(plan)[:4] == ["plan_id", "name", "effective_start", "effective_end"]
        assert list(plan)[-1] == "components"
        year = int(plan["plan_id"].split("-")[1])
        assert plan["effective_start"] == date(year, 1, 1) and plan["effective_end"] == date(year, 12, 31)
        for component in plan["components"]:
            assert list(component)[:5] == ["component_id", "name", "earning_code", "measure", "basis"]
            assert list(component)[-1] == "rule"
            # amounts and rates are written as strings: exact decimals
            for key in ("rate", "amount", "threshold", "amount_per_unit"):
                assert isinstance(component["rule"].get(key, ""), str)
    families = ("AE", "AE_RAMP", "MGR", "SDR")
    assert set(plans) == {f"{f}-{y}" for f in families for y in (2025, 2026)}
    assert sorted(plans) == summary["company"]["plans"]
    for year in (2025, 2026):
        ae, ramp, mgr, sdr = (plans[f"{f}-{year}"] for f in families)
        # account executives: marginal tiers on ytd (decelerator below 50%, accelerators above 100%) + quarterly bonus
        commission, bonus = ae["components"]
        assert (commission["earning_code"], commission["measure"], commission["basis"]) == ("COMMISSION", "own_credit", "ytd")
        assert commission["rule"]["type"] == "marginal_tiers"
        assert [(t["from"], t.get("to"), t["multiplier"]) for t in commission["rule"]["tiers"]] == [
            ("0", "0.5", "0.5"), ("0.5", "1.0", "1.0"), ("1.0", "1.5", "1.5"), ("1.5", None, "2.0")
        ]
        assert (bonus["earning_code"], bonus["basis"], bonus["rule"]) == (
            "BONUS", "quarter", {"type": "quota_bonus", "threshold": "1.0", "amount": "2000"}
        )
        assert ae["clawback_window_days"] == ramp["clawback_window_days"] == 90
        # new hires: the AE plan with a ramp and a recoverable draw for 3 months
        assert ramp["components"] == ae["components"]
        assert ramp["ramp"] == ["0.25", "0.5", "0.75"]
        assert ramp["draw"] == {"type": "recoverable", "monthly_amount": "3000", "months": 3}
        # managers: retroactive tiers on roll-up credit, per quarter
        (team,) = mgr["components"]
        assert (team["measure"], team["basis"], team["rule"]["type"]) == ("rollup_credit", "quarter", "retroactive_tiers")
        # SDRs: a flat base commission; in 2026 a SPIF on one product family
        base = sdr["components"][0]
        assert (base["measure"], base["rule"]) == ("own_credit", {"type": "flat_rate", "rate": "0.03"})
    (spif,) = plans["SDR-2026"]["components"][1:]
    assert plans["SDR-2025"]["components"][1:] == []
    assert (spif["earning_code"], spif["measure"], spif["filters"]["product_families"]) == ("SPIF", "product_units", ["Analytics"])
    assert date(2026, 1, 1) <= spif["rule"]["window_start"] <= spif["rule"]["window_end"] <= date(2026, 12, 31)


def _config(config: Path, stem: str) -> pl.DataFrame:
    frame = pl.read_csv(config / f"{stem}.csv", infer_schema=False)
    assert tuple(frame.columns) == CONFIG_CONTRACTS[stem].column_names
    assert _violations(frame, CONFIG_CONTRACTS[stem]) == set()
    return frame


def test_plan_assignments_one_per_year_and_non_overlapping(company, newest):
    _, config, _ = company
    assignments = _config(config, "plan_assignments")
    workers = newest["workers"]
    assert set(assignments["employee_id"]) == set(workers["employee_id"])
    plans = {p.stem for p in (config / "plans").glob("*.yaml")}
    assert set(assignments["plan_id"]) <= plans
    promoted_in_year = 0
    for (employee, year), group in assignments.with_columns(pl.col("start_date").str.slice(0, 4).alias("year")).group_by(
        "employee_id", "year"
    ):
        g = group.sort("start_date")
        assert all(p.endswith(year) for p in g["plan_id"])
        assert (g["start_date"] <= g["end_date"]).all()
        assert g["start_date"][1:].to_list() > g["end_date"][:-1].to_list() or g.height == 1
        if g.height == 2:
            promoted_in_year += 1
            assert g["plan_id"].to_list() in ([f"AE-{year}", f"MGR-{year}"], [f"AE_RAMP-{year}", f"MGR-{year}"])
        assert g.height in (1, 2)
    assert promoted_in_year >= 1
    # AEs hired during a plan year are on the new-hire plan (ramp + draw) that year, and only then
    hires = dict(zip(workers["employee_id"], workers["hire_date"].str.slice(0, 4)))
    for employee, plan in zip(assignments["employee_id"], assignments["plan_id"]):
        if plan.startswith("AE_RAMP-"):
            assert hires[employee] == plan[-4:]
        elif plan.startswith("AE-"):
            assert hires[employee] != plan[-4:]
    assert assignments["plan_id"].str.starts_with("AE_RAMP-").any()


def test_plan_assignments_match_the_plans_eligible_job_families(company, newest):
    # The warehouse pays a plan only on days the payee's job family (newest job_history row effective on or
    # before the day, else the worker record) is one of the plan's eligible_job_families: in the demo company
    # every day of every assignment is eligible, so no assignment is quarantined for its job family.
    _, config, _ = company
    eligible = {
        path.stem: set(yaml.safe_load(path.read_text())["eligible_job_families"])
        for path in (config / "plans").glob("*.yaml")
    }
    current = dict(zip(newest["workers"]["employee_id"], newest["workers"]["job_family"]))
    history: dict[str, list[tuple[str, str]]] = {}
    for employee, effective, family in newest["job_history"].select("employee_id", "effective_date", "job_family").rows():
        history.setdefault(employee, []).append((effective, family))
    checked = 0
    for employee, plan, start, end in _config(config, "plan_assignments").select(
        "employee_id", "plan_id", "start_date", "end_date"
    ).rows():
        rows = sorted(history.get(employee, []))
        before_start = [family for effective, family in rows if effective <= start]
        families = {before_start[-1] if before_start else current[employee]}
        families |= {family for effective, family in rows if start < effective <= (end or "9999-12-31")}
        assert families <= eligible[plan], (employee, plan, start, end, families)
        checked += 1
    assert checked >= 10


def test_quotas_per_payee_and_year_in_the_payee_currency(company, newest):
    _, config, _ = company
    quotas = _config(config, "quotas")
    assert quotas["seasonality_profile"].null_count() == quotas.height
    assert not quotas.select(pl.struct("employee_id", "plan_year").is_duplicated().any()).item()
    currency = dict(zip(newest["workers"]["employee_id"], newest["workers"]["currency"]))
    assert all(currency[e] == c for e, c in zip(quotas["employee_id"], quotas["currency"]))
    assert (quotas["annual_quota"].cast(pl.Decimal(38, 2)) > 0).all()
    assignments = _config(config, "plan_assignments")
    assigned = set(zip(assignments["employee_id"], assignments["start_date"].str.slice(0, 4)))
    assert set(zip(quotas["employee_id"], quotas["plan_year"])) == assigned


# ---------------------------------------------------------------- formats, chunks, scales


def test_csv_and_parquet_formats_carry_the_same_text(company, tmp_path):
    landing, _, _ = company
    generate(tmp_path, scale=SCALE, seed=7, fmt="csv")
    csv_files, mixed_files = _files(tmp_path / "landing"), _files(landing)
    assert {p.suffix for paths in csv_files.values() for p in paths} == {".csv"}
    for key in mixed_files:
        a = pl.concat([_read(p) for p in mixed_files[key]])
        b = pl.concat([_read(p) for p in csv_files[key]])
        assert a.equals(b), key


def test_chunking_changes_the_files_not_the_rows(company, tmp_path):
    landing, _, summary = company
    chunked = generate(tmp_path, scale=SCALE, seed=7, fmt="parquet", chunk_rows=2000)
    files = _files(tmp_path / "landing")
    key = ("crm", CRM_BATCHES[0].isoformat(), "Opportunity")
    names = [p.name for p in files[key]]
    assert len(names) > 2 and names[0] == "Opportunity-00001.parquet" and names[1] == "Opportunity-00002.parquet"
    for paths in files.values():
        assert all(_read(p).height <= 2000 for p in paths)
        if len(paths) == 1:
            assert FILE_NAME.match(paths[0].name)["chunk"] is None
    reference = _files(landing)
    for key in reference:
        a = pl.concat([_read(p) for p in reference[key]])
        b = pl.concat([_read(p) for p in files[key]])
        assert a.equals(b), key
    assert chunked["counts"] == summary["counts"]


def test_the_smallest_scale_still_has_a_valid_company(tmp_path):
    summary = generate(tmp_path, scale=0.02, seed=3)
    assert summary["company"]["payees"] == 4
    workers = pl.read_csv(tmp_path / "landing" / "hr" / HR_BATCHES[0].isoformat() / "workers.csv", infer_schema=False)
    ids = set(workers["employee_id"])
    assert workers["manager_employee_id"].null_count() == 1
    assert set(workers["manager_employee_id"].drop_nulls()) <= ids
    assert len(summary["planted_bad_rows"]) >= 3
    assert summary["company"]["deals_opportunities"] == 4000


def test_scale_fifty_is_ten_thousand_payees_and_ten_million_deals():
    from demo.deals import BLOCK_ROWS, DEALS_PER_PAYEE, n_blocks

    org = build_org(round(200 * 50), seed=7)
    assert len(org.people) == 10_000
    assert DEALS_PER_PAYEE * len(org.people) == 10_000_000
    # deals are generated and written in bounded blocks, never all at once
    assert BLOCK_ROWS <= 100_000 and n_blocks(10_000_000) == 10_000_000 // BLOCK_ROWS
    # every full name is one person's, though 10,000 people draw from 70 x 70 names (payrolls that
    # match by name refuse homonyms): a repeated name gets a middle initial
    assert len({p.full_name for p in org.people}) == len(org.people)
    assert len({(p.first_name.split(" ")[0], p.last_name) for p in org.people}) <= len(FIRST_NAMES) * len(LAST_NAMES)
    leaders = {p.index for p in org.people if p.role in ("vp", "director", "manager")}
    current = {p.index: p.history[-1][1].manager for p in org.people}
    assert [i for i, m in current.items() if m is None] == [0]
    assert {m for m in current.values() if m is not None} <= leaders
    assert sum(p.role == "manager" for p in org.people) > sum(p.role == "director" for p in org.people) > 1


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, scale=0.05, fmt="xlsx")
    with pytest.raises(ValueError):
        generate(tmp_path, scale=0)


def test_plan_files_pass_the_plan_loader(company):
    plans = pytest.importorskip("assets.ingest.plans")
    _, config, _ = company
    loaded = plans.load_plans(config)
    assert sorted(p.plan_id for p in loaded) == sorted(p.stem for p in (config / "plans").glob("*.yaml"))
    tiers, filters, ramps = (
        f(loaded) for f in (plans.plan_component_tiers_frame, plans.plan_component_filters_frame, plans.plan_ramps_frame)
    )
    assert tiers.height == 2 * (4 + 4 + 3)  # per year: AE, AE_RAMP (4 bands each), MGR (3 bands)
    assert filters.filter(pl.col("filter_type") == "product_family")["filter_value"].to_list() == ["Analytics"]
    assert ramps.height == 2 * 3


def test_middle_initials_count_like_spreadsheet_columns():
    assert [middle_initials(k) for k in (1, 2, 26, 27, 28, 52, 53)] == [
        "A.", "B.", "Z.", "A. A.", "A. B.", "A. Z.", "B. A."]
