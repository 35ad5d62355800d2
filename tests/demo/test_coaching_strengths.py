"""The demo reps' hidden strengths and weaknesses by stage and product family (demo/deals.py):
deterministic from the seed, only reps have them, and they move the generated funnel."""

from __future__ import annotations

import numpy as np

from demo.deals import (
    NEVER,
    S_CLOSE,
    S_DELETE,
    STAGES,
    STRONG_WEAKNESS,
    WON,
    build_sellers,
    deal_block,
    seller_strengths,
)
from demo.generate import PAYEES_PER_SCALE, hidden_strengths
from demo.people import AE, SDR, build_org

SEED, SCALE = 7, 0.1


def test_the_hidden_truth_is_a_pure_function_of_the_seed():
    first = hidden_strengths(SCALE, SEED)
    assert first == hidden_strengths(SCALE, SEED)
    assert first != hidden_strengths(SCALE, SEED + 1)
    org = build_org(round(PAYEES_PER_SCALE * SCALE), SEED)
    reps = {p.employee_id for p in org.people if p.role in (AE, SDR)}
    assert {r["employee_id"] for r in first} == reps
    assert any(r["weak_stage"] for r in first) and any(r["weak_family"] for r in first)
    for r in first:
        assert r["weak_stage"] is None or r["weak_stage"] != r["strong_stage"]
        assert r["weak_family"] in (None, "Analytics", "Services")


def test_non_reps_have_none():
    is_rep = np.array([True, False, True, False])
    st = seller_strengths(4, is_rep, SEED)
    assert (st.weak_stage[~is_rep] == -1).all() and (st.weak_stage_factor[~is_rep] == 1.0).all()
    assert (st.strong_stage[~is_rep] == -1).all() and (st.weak_family[~is_rep] == -1).all()


def test_a_weak_stage_lowers_that_stage_conversion_in_the_generated_deals():
    org = build_org(round(PAYEES_PER_SCALE * SCALE), SEED)
    n_deals = 1000 * len(org.people)
    sellers = build_sellers(org, n_deals, SEED)
    block = deal_block(sellers, n_deals, SEED, 0)
    closed = (block.ts[:, S_CLOSE] != NEVER) & (block.ts[:, S_DELETE] == NEVER)
    won = closed & (block.stage[:, 4] == WON)
    reached = np.column_stack([block.ts[:, k] != NEVER for k in range(4)] + [won]) & closed[:, None]
    by_id = {p.employee_id: p.index for p in org.people}
    strong = [r for r in hidden_strengths(SCALE, SEED) if r["weak_stage"] and r["weak_stage_factor"] <= STRONG_WEAKNESS]
    assert strong
    for r in strong:
        s = STAGES.index(r["weak_stage"])
        mine = block.owner == by_id[r["employee_id"]]
        plain = np.isin(block.owner, [by_id[q["employee_id"]] for q in hidden_strengths(SCALE, SEED)
                                      if q["weak_stage"] is None and q["strong_stage"] is None])
        rate = reached[mine, s + 1].sum() / reached[mine, s].sum()
        peer = reached[plain, s + 1].sum() / reached[plain, s].sum()
        assert rate < peer - 0.1, (r, rate, peer)
