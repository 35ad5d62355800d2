"""Deals: Opportunity, OpportunityLineItem, OpportunityHistory, OpportunitySplit.

A deal is a short life story of timestamped events, one slot each:

    0 Prospecting  1 Qualification  2 Proposal  3 Negotiation   (stage changes)
    4 Closed Won / Closed Lost                                   (the close)
    5 amount correction  6 cancellation (won -> Closed Lost)  7 re-won
    8 deletion (IsDeleted = true)

An event that has not happened by the end of the as-of day does not exist. A CRM
extract batch holds every deal with an event since the previous batch, at its
newest state before the batch's end (LastModifiedDate = that event's time);
OpportunityHistory gets one row per event (but the deletion), line items a new
version when their quantity changes (at Proposal, at a correction), splits are
written when the deal is won. So the batches are consistent increments of one
underlying history.

Deals are generated in fixed blocks of :data:`BLOCK_ROWS` with one seeded
random stream per block, fully vectorised with numpy; a block's rows are written
and dropped before the next, so memory does not grow with the scale. The first
deals of block 0 are scripted (:data:`SCRIPTED`) so that every scale holds the
same edge cases: orphan owners, cancellations, re-wins, corrections, deletions
and split-percentage breaks in specific batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from demo.clock import (
    AS_OF,
    CRM_BATCHES,
    HISTORY_START,
    HORIZON,
    NEVER,
    PIPELINE_START,
    PLAN_YEARS,
    SECONDS_PER_DAY,
    cutoff_seconds,
    day_number,
)
from demo.market import (
    ACCOUNT_COUNTRIES,
    ACCOUNT_ID_PREFIX,
    COUNTRIES,
    CURRENCIES,
    FX_LEVEL_ARRAY,
    PRODUCT_ID_PREFIX,
    PRODUCTS,
    USER_ID_PREFIX,
    AccountBook,
    AccountSellerInfo,
    account_book,
    account_names,
)
from demo.output import boolean, iso_date, iso_datetime, labels, money, sf_id, sf_id_text
from demo.people import AE, DIRECTOR, MANAGER, SDR, VP, Org
from demo.territories import MAX_WIN_RATE, account_segment_index, seller_segment_strengths

BLOCK_ROWS = 50_000
DEALS_PER_PAYEE = 1000
STREAM_DEALS = 201
STREAM_SELLERS = 202

OPPORTUNITY_PREFIX = "006DM"
LINE_ITEM_PREFIX = "00kDM"
HISTORY_PREFIX = "008DM"
SPLIT_PREFIX = "149DM"

STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
PROBABILITY = ("10", "20", "50", "75", "100", "0")
WON, LOST = 4, 5
TYPES = ("New Business", "Existing Business - Upgrade", "Renewal")
TYPE_SHARE = np.array([0.45, 0.25, 0.30])
CYCLE_MEDIAN_DAYS = np.array([60.0, 40.0, 30.0])
# share of deals with 1, 2, 3 line items, per type
LINE_COUNT_SHARE = np.array([[0.45, 0.35, 0.20], [0.30, 0.45, 0.25], [0.75, 0.20, 0.05]])

N_SLOTS = 9
S_PROPOSAL, S_CLOSE, S_CORRECT, S_CANCEL, S_REWIN, S_DELETE = 2, 4, 5, 6, 7, 8
STATE_SLOTS = 8  # slots that carry a state (all but the deletion)
# amount version per state slot: 0 initial, 1 after the Proposal change, 2 after a correction
AMOUNT_VERSION = np.array([0, 0, 1, 1, 1, 2, 2, 2])

ROLE_DEAL_WEIGHT = {VP: 0.02, DIRECTOR: 0.03, MANAGER: 0.10, AE: 1.0, SDR: 0.15}

# split percentages in hundredths of a percent (sum 10000 = 100.00)
SPLIT_TWO = np.array([[5000, 5000, 0], [6000, 4000, 0], [7000, 3000, 0], [7500, 2500, 0], [8000, 2000, 0]])
SPLIT_THREE = np.array([[5000, 3000, 2000], [6000, 2000, 2000], [3334, 3333, 3333], [4000, 4000, 2000]])

PLATFORM_STANDARD = (0, 1, 2)  # indices into PRODUCTS
PLATFORM_LEGACY = 3
ANALYTICS_STANDARD = (4, 5)
ANALYTICS_NEW = 6
SERVICES_ALL = (7, 8, 9)

END_OF_AS_OF = cutoff_seconds(AS_OF)
AS_OF_DAY = day_number(AS_OF)

OPPORTUNITY_COLUMNS = (
    "Id", "AccountId", "OwnerId", "Name", "StageName", "Amount", "CurrencyIsoCode", "CloseDate", "IsClosed",
    "IsWon", "Type", "Probability", "CreatedDate", "LastModifiedDate", "IsDeleted",
)
LINE_ITEM_COLUMNS = ("Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice", "LastModifiedDate")
HISTORY_COLUMNS = ("Id", "OpportunityId", "StageName", "Amount", "CloseDate", "CreatedDate")
SPLIT_COLUMNS = ("Id", "OpportunityId", "SplitOwnerId", "SplitPercentage", "LastModifiedDate")


# ---------------------------------------------------------------- scripted deals


@dataclass(frozen=True)
class ScriptedDeal:
    story: str
    owner: str  # "anchor" (an AE employed throughout) or "orphan0"/"orphan1" (no HR record)
    close: date
    outcome: str  # won, lost, open
    correction: date | None = None
    cancel: date | None = None
    rewin: date | None = None
    delete: date | None = None
    split: tuple[int, int] | None = None  # hundredths of a percent for owner and the owner's manager


SCRIPTED: tuple[ScriptedDeal, ...] = (
    ScriptedDeal("won by the integration user (no HR record)", "orphan0", date(2026, 2, 17), "won"),
    ScriptedDeal("won by a contractor user (EmployeeNumber not in HR)", "orphan1", date(2026, 4, 21), "won"),
    ScriptedDeal("won by the integration user (no HR record)", "orphan0", date(2026, 6, 9), "won"),
    ScriptedDeal("won by a contractor user (EmployeeNumber not in HR)", "orphan1", date(2026, 7, 28), "won"),
    ScriptedDeal("won by the integration user, arrives 2026-10-31", "orphan0", date(2026, 10, 13), "won"),
    ScriptedDeal("open deal of the contractor user", "orphan1", date(2026, 12, 15), "open"),
    ScriptedDeal("won, cancelled (Closed Lost) in batch 2026-10-31", "anchor", date(2026, 9, 10), "won",
                 cancel=date(2026, 10, 15)),
    ScriptedDeal("won, cancelled (Closed Lost) in batch 2026-11-27", "anchor", date(2026, 8, 20), "won",
                 cancel=date(2026, 11, 10)),
    ScriptedDeal("won, cancelled in batch 2026-10-31, re-won in batch 2026-11-27 (new CloseDate)", "anchor",
                 date(2026, 9, 4), "won", cancel=date(2026, 10, 8), rewin=date(2026, 11, 5)),
    ScriptedDeal("won, amount corrected in batch 2026-10-31", "anchor", date(2026, 9, 15), "won",
                 correction=date(2026, 10, 20)),
    ScriptedDeal("won in batch 2026-10-31, amount corrected in batch 2026-11-27", "anchor", date(2026, 10, 6),
                 "won", correction=date(2026, 11, 12)),
    ScriptedDeal("won, deleted (IsDeleted=true) in batch 2026-10-31", "anchor", date(2026, 7, 14), "won",
                 delete=date(2026, 10, 22)),
    ScriptedDeal("open, deleted (IsDeleted=true) in batch 2026-11-27", "anchor", date(2027, 1, 29), "open",
                 delete=date(2026, 11, 18)),
    ScriptedDeal("lost in batch 2026-11-27", "anchor", date(2026, 11, 3), "lost"),
    ScriptedDeal("won in batch 2026-11-27", "anchor", date(2026, 11, 20), "won"),
    ScriptedDeal("won, split 50/50 with the owner's manager", "anchor", date(2026, 5, 12), "won", split=(5000, 5000)),
    ScriptedDeal("split percentages sum to 90 (contract break)", "anchor", date(2026, 6, 18), "won",
                 split=(6000, 3000)),
    ScriptedDeal("split percentages sum to 110 (contract break)", "anchor", date(2026, 8, 25), "won",
                 split=(7000, 4000)),
)


# ---------------------------------------------------------------- sellers


@dataclass
class Sellers:
    """Per deal owner (people, then the orphan users): what the deal generator needs."""

    user_number: np.ndarray
    currency: np.ndarray  # index into CURRENCIES
    hire_day: np.ndarray
    last_day: np.ndarray
    created_min: np.ndarray
    close_min: np.ndarray
    close_max: np.ndarray
    weight: np.ndarray  # probability of owning a random deal
    win_rate: np.ndarray
    is_rep: np.ndarray  # AE or SDR: may split deals with the team
    team_manager: np.ndarray  # seller index of the first-line manager, -1 if none
    team_start: np.ndarray  # into team_members
    team_size: np.ndarray
    team_members: np.ndarray
    book: AccountBook
    account_info: AccountSellerInfo
    anchor: int
    orphans: tuple[int, int]
    # hidden strengths by territory segment (demo/territories.py): account -> segment, and the
    # win-rate and value multipliers [seller, segment]
    account_segment: np.ndarray | None = None
    segment_win: np.ndarray | None = None
    segment_value: np.ndarray | None = None


def build_sellers(org: Org, n_deals: int, seed: int) -> Sellers:
    rng = np.random.default_rng([seed, STREAM_SELLERS])
    n_people = len(org.people)
    n = org.n_sellers
    far = day_number(date(9999, 12, 31))
    hire = np.full(n, day_number(date(2015, 1, 1)), dtype=np.int64)
    last = np.full(n, far, dtype=np.int64)
    currency = np.zeros(n, dtype=np.int64)
    country = np.zeros(n, dtype=np.int64)
    role_weight = np.zeros(n)
    is_rep = np.zeros(n, dtype=bool)
    team_manager = np.full(n, -1, dtype=np.int64)
    for p in org.people:
        hire[p.index] = day_number(p.hire)
        if p.termination is not None:
            last[p.index] = day_number(p.termination)
        currency[p.index] = CURRENCIES.index(p.currency)
        country[p.index] = ACCOUNT_COUNTRIES.index(COUNTRIES[p.country][1])
        role_weight[p.index] = ROLE_DEAL_WEIGHT[p.role]
        is_rep[p.index] = p.role in (AE, SDR)
        if p.role in (AE, SDR):
            team_manager[p.index] = p.team
    created_min = np.maximum(hire + 7, day_number(PIPELINE_START))
    close_min = np.maximum(day_number(HISTORY_START), created_min + 14)
    close_max = np.minimum(last - 1, day_number(HORIZON))
    window = np.maximum(0, close_max - close_min + 1)
    weight = role_weight * window / (day_number(HORIZON) - day_number(HISTORY_START) + 1)
    weight[n_people:] = 0.0  # orphan users own only the scripted deals
    weight = weight / weight.sum()
    win_rate = rng.uniform(0.22, 0.42, n)

    # teams: members of a first-line manager's team, contiguous in team_members
    team_of = np.array([p.team if p.role in (AE, SDR) else -1 for p in org.people] + [-1] * (n - n_people))
    order = np.lexsort((np.arange(n), team_of))
    order = order[team_of[order] >= 0]
    members = order.astype(np.int64)
    team_start = np.zeros(n, dtype=np.int64)
    team_size = np.zeros(n, dtype=np.int64)
    first: dict[int, int] = {}
    size: dict[int, int] = {}
    for pos, member in enumerate(members):
        t = int(team_of[member])
        first.setdefault(t, pos)
        size[t] = size.get(t, 0) + 1
    for i in range(n):
        t = int(team_of[i])
        if t >= 0:
            team_start[i], team_size[i] = first[t], size[t]

    expected = weight * n_deals
    book = account_book(expected)
    anchor = org.anchor
    orphans = (n_people, n_people + 1)
    for o in orphans:  # orphans sell into the anchor's accounts
        book.start[o], book.count[o] = book.start[anchor], book.count[anchor]
    user_number = np.array(
        [p.user_number for p in org.people] + [o.user_number for o in org.orphans], dtype=np.int64
    )
    return Sellers(
        user_number=user_number,
        currency=currency,
        hire_day=hire,
        last_day=last,
        created_min=created_min,
        close_min=close_min,
        close_max=close_max,
        weight=weight,
        win_rate=win_rate,
        is_rep=is_rep,
        team_manager=team_manager,
        team_start=team_start,
        team_size=team_size,
        team_members=members,
        book=book,
        account_info=AccountSellerInfo(
            user_number=user_number, country_name=country, hire_day=hire, created_min_day=created_min
        ),
        anchor=anchor,
        orphans=orphans,
        **segment_strength_fields(book, country, user_number, hire, created_min, seed),
    )


def segment_strength_fields(book: AccountBook, country: np.ndarray, user_number: np.ndarray, hire: np.ndarray,
                            created_min: np.ndarray, seed: int) -> dict:
    """The Sellers fields of the hidden strengths by territory segment (demo/territories.py)."""
    info = AccountSellerInfo(user_number=user_number, country_name=country, hire_day=hire, created_min_day=created_min)
    win, value = seller_segment_strengths(country, seed)
    return {"account_segment": account_segment_index(book, info, seed), "segment_win": win, "segment_value": value}


def segment_strength(s: Sellers, owner: np.ndarray, account: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(win rate, seat multiplier) of each deal: the owner's win rate times their strength in the
    segment of the deal's account, and their value strength there."""
    if s.account_segment is None:
        return s.win_rate[owner], np.ones(len(owner))
    segment = s.account_segment[account]
    win = np.minimum(s.win_rate[owner] * s.segment_win[owner, segment], MAX_WIN_RATE)
    return win, s.segment_value[owner, segment]


# ---------------------------------------------------------------- hidden stage and product-family strengths

STREAM_STRENGTHS = 203  # per seller: the hidden strengths
STREAM_STRENGTH_DEALS = 204  # per block: the draws that apply them
WEAK_STAGE_SHARE = 0.5  # reps with a weak stage
WEAK_STAGE_FACTOR = (0.45, 0.85)  # the share of that stage's conversions they keep
STRONG_STAGE_SHARE = 0.3  # reps with a strong stage (not their weak one)
STRONG_STAGE_RESCUE = (0.3, 0.6)  # share of the deals lost there that go on
WEAK_FAMILY_SHARE = 0.3  # reps with a weak product family (Analytics or Services: every deal holds Platform)
WEAK_FAMILY_FACTOR = (0.5, 0.85)  # the share of wins they keep on deals holding it
STRONG_WEAKNESS = 0.65  # a stage factor at most this is a strong planted weakness (what the tests recover)


@dataclass(frozen=True)
class SellerStrengths:
    """Per seller (people, then the orphan users); -1 = none. Never written into the landing data."""

    weak_stage: np.ndarray  # 0 Prospecting .. 3 Negotiation: conversion from it to the next is cut
    weak_stage_factor: np.ndarray  # share of the stage's conversions kept (1 without a weak stage)
    strong_stage: np.ndarray
    strong_stage_rescue: np.ndarray  # share of deals lost at the strong stage that convert anyway
    weak_family: np.ndarray  # index into FAMILIES (Analytics or Services)
    weak_family_factor: np.ndarray  # share of wins kept on deals holding the family


def seller_strengths(n_sellers: int, is_rep: np.ndarray, seed: int) -> SellerStrengths:
    """Every rep's (AE, SDR) hidden strengths and weaknesses by stage and product family, from the seed.

    The draws are made for every seller in a fixed order (a seller's strengths do not depend on who
    else is in the company's first rows); non-reps get none.
    """
    rng = np.random.default_rng([seed, STREAM_STRENGTHS])
    has_weak = (rng.random(n_sellers) < WEAK_STAGE_SHARE) & is_rep
    weak = rng.integers(0, 4, n_sellers)
    weak_factor = rng.uniform(*WEAK_STAGE_FACTOR, n_sellers)
    has_strong = (rng.random(n_sellers) < STRONG_STAGE_SHARE) & is_rep
    strong = (weak + 1 + rng.integers(0, 3, n_sellers)) % 4  # never the weak stage
    rescue = rng.uniform(*STRONG_STAGE_RESCUE, n_sellers)
    has_weak_family = (rng.random(n_sellers) < WEAK_FAMILY_SHARE) & is_rep
    family = np.where(rng.random(n_sellers) < 0.5, 1, 2)  # FAMILIES: 1 Analytics, 2 Services
    family_factor = rng.uniform(*WEAK_FAMILY_FACTOR, n_sellers)
    return SellerStrengths(
        weak_stage=np.where(has_weak, weak, -1),
        weak_stage_factor=np.where(has_weak, weak_factor, 1.0),
        strong_stage=np.where(has_strong, strong, -1),
        strong_stage_rescue=np.where(has_strong, rescue, 0.0),
        weak_family=np.where(has_weak_family, family, -1),
        weak_family_factor=np.where(has_weak_family, family_factor, 1.0),
    )


def apply_stage_family_strengths(
    strengths: SellerStrengths, owner: np.ndarray, n_lines: np.ndarray, heading_to_win: np.ndarray,
    lost_at: np.ndarray, movable: np.ndarray, seed: int, block: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(heading_to_win, lost_at) of a block's deals after their owners' hidden strengths.

    A deal's furthest stage F is 4 (the win) when heading to win, else lost_at. In this order:
    a weak stage s keeps a deal with F > s past s with the factor (else F = s); a strong stage t
    moves a deal with F = t on with the rescue share (F uniform in t + 1 .. 4, so the stages after
    t do not inherit the rescued deals as losses); a weak family (a deal holds
    Analytics with 2+ lines, Services with 3) keeps a win with the factor (else F = lost_at). Only
    ``movable`` deals change (not the scripted ones). Its own random stream: the deals' other draws
    are the same with or without it.
    """
    rng = np.random.default_rng([seed, STREAM_STRENGTH_DEALS, block])
    m = len(owner)
    u_weak, u_strong, u_family, u_path = rng.random(m), rng.random(m), rng.random(m), rng.random(m)
    furthest = np.where(heading_to_win, 4, lost_at)
    weak = strengths.weak_stage[owner]
    cut = movable & (weak >= 0) & (furthest > weak) & (u_weak >= strengths.weak_stage_factor[owner])
    furthest = np.where(cut, weak, furthest)
    strong = strengths.strong_stage[owner]
    rescued = movable & (strong >= 0) & (furthest == strong) & (u_strong < strengths.strong_stage_rescue[owner])
    # a rescued deal goes on as far as a deal that got there: uniformly to a later stage or the win
    onward = strong + 1 + np.floor(u_path * (4 - strong)).astype(np.int64)
    furthest = np.where(rescued, onward, furthest)
    family = strengths.weak_family[owner]
    holds = ((family == 1) & (n_lines >= 2)) | ((family == 2) & (n_lines >= 3))
    dropped = movable & holds & (furthest == 4) & (u_family >= strengths.weak_family_factor[owner])
    furthest = np.where(dropped, lost_at, furthest)
    return furthest == 4, np.where(furthest < 4, furthest, lost_at)


# ---------------------------------------------------------------- one block of deals


@dataclass
class DealBlock:
    number: np.ndarray  # deal number (Id suffix), 1-based
    owner: np.ndarray
    account: np.ndarray
    currency: np.ndarray
    deal_type: np.ndarray
    created_ts: np.ndarray
    ts: np.ndarray  # (m, N_SLOTS) event times, NEVER if the event does not exist
    stage: np.ndarray  # (m, STATE_SLOTS) stage code after each event
    amount: np.ndarray  # (m, STATE_SLOTS) Amount in cents after each event
    close_day: np.ndarray  # (m, STATE_SLOTS) CloseDate after each event
    n_lines: np.ndarray
    product: np.ndarray  # (m, 3)
    quantity: np.ndarray  # (m, 3) for lines 1 and 2; line 0 has versions
    line0_quantity: np.ndarray  # (m, 3) versions of line 0
    line0_ts: np.ndarray  # (m, 3) version times of line 0
    unit_cents: np.ndarray  # (m, 3)
    split_owner: np.ndarray  # (m, 3) seller index or -1
    split_pct: np.ndarray  # (m, 3) hundredths of a percent
    has_split: np.ndarray
    potential_won: np.ndarray  # closed and won but for the owner's hidden strengths (what quotas are set from)


def n_blocks(n_deals: int) -> int:
    return (n_deals + BLOCK_ROWS - 1) // BLOCK_ROWS


def deal_block(sellers: Sellers, n_deals: int, seed: int, block: int) -> DealBlock:
    g0 = block * BLOCK_ROWS
    m = min(BLOCK_ROWS, n_deals - g0)
    rng = np.random.default_rng([seed, STREAM_DEALS, block])
    s = sellers
    n_sellers = len(s.weight)
    D = SECONDS_PER_DAY

    # every random draw happens here, in a fixed order, whatever the data
    owner = rng.choice(n_sellers, size=m, p=s.weight)
    deal_type = rng.choice(3, size=m, p=TYPE_SHARE)
    foreign = rng.random(m) < 0.10
    foreign_currency = rng.integers(0, len(CURRENCIES), m)
    u_close = rng.random(m)
    cycle = np.clip(np.round(rng.lognormal(np.log(CYCLE_MEDIAN_DAYS[deal_type]), 0.55)), 7, 240).astype(np.int64)
    slack = rng.integers(0, 15, m)
    created_sec = rng.integers(8 * 3600, 18 * 3600, m)
    close_sec = rng.integers(9 * 3600, 19 * 3600, m)
    u_win = rng.random(m)
    lost_at = rng.integers(0, 4, m)  # last open stage reached by a lost deal
    pushed = rng.random(m) < 0.15
    push_days = rng.integers(14, 61, m)
    frac = np.column_stack(
        [np.zeros(m), rng.uniform(0.15, 0.25, m), rng.uniform(0.40, 0.50, m), rng.uniform(0.65, 0.75, m)]
    )
    quantity_changes = rng.random(m) < 0.30
    change_factor = rng.uniform(0.6, 1.5, m)
    corrected = rng.random(m) < 0.02
    correct_gap = rng.integers(3 * D, 20 * D, m)
    correct_factor = np.where(rng.random(m) < 0.6, rng.uniform(0.5, 0.9, m), rng.uniform(1.1, 1.4, m))
    cancelled = rng.random(m) < 0.02
    cancel_gap = rng.integers(21 * D, 75 * D, m)
    rewon = rng.random(m) < 0.30
    rewin_gap = rng.integers(7 * D, 40 * D, m)
    deleted = rng.random(m) < 0.004
    delete_gap = rng.integers(1 * D, 60 * D, m)
    u_lines = rng.random(m)
    platform_pick = rng.integers(0, len(PLATFORM_STANDARD), m)
    legacy = rng.random(m) < 0.15
    analytics_pick = rng.integers(0, len(ANALYTICS_STANDARD), m)
    new_analytics = rng.random(m) < 0.40
    services_pick = rng.integers(0, len(SERVICES_ALL), m)
    seats = np.clip(np.round(rng.lognormal(np.log(6.0), 0.8, m)), 1, 1500).astype(np.int64)
    analytics_share = rng.uniform(0.2, 0.8, m)
    service_days = rng.integers(1, 7, m)
    discount_pct = rng.integers(0, 6, m) * 5
    split_wanted = rng.random(m) < 0.10
    split_three = rng.random(m) < 0.30
    split_two_pattern = rng.integers(0, len(SPLIT_TWO), m)
    split_three_pattern = rng.integers(0, len(SPLIT_THREE), m)
    u_mate = rng.random(m)
    u_account = rng.random(m)

    # dates and outcome
    close_day = s.close_min[owner] + np.floor(u_close * (s.close_max[owner] - s.close_min[owner] + 1)).astype(np.int64)
    closed = close_day <= AS_OF_DAY
    # Open pipeline is generated like history: a deal is created a cycle before its close date, so a
    # deal closing more than a cycle after the as-of date does not exist yet (it is in no batch).
    created_day = np.maximum(
        np.where(closed, np.minimum(close_day - cycle, AS_OF_DAY - slack), close_day - cycle), s.created_min[owner]
    )
    account = s.book.start[owner] + np.floor(u_account * s.book.count[owner]).astype(np.int64)
    win_rate, value_strength = segment_strength(s, owner, account)
    won = np.zeros(m, dtype=bool)  # set below (scripted deals: in the loop)
    currency = np.where(foreign, foreign_currency, s.currency[owner])
    correct_at = np.full(m, NEVER, dtype=np.int64)
    cancel_at = np.full(m, NEVER, dtype=np.int64)
    rewin_at = np.full(m, NEVER, dtype=np.int64)
    delete_at = np.full(m, NEVER, dtype=np.int64)
    split_forced = np.zeros((m, 3), dtype=np.int64)
    scripted = np.zeros(m, dtype=bool)

    if block == 0:  # the scripted deals come first
        for i, deal in enumerate(SCRIPTED[:m]):
            scripted[i] = True
            o = s.anchor if deal.owner == "anchor" else s.orphans[int(deal.owner[-1])]
            owner[i] = o
            currency[i] = s.currency[o]
            close_day[i] = day_number(deal.close)
            created_day[i] = min(close_day[i] - 45, AS_OF_DAY - 60)
            created_sec[i], close_sec[i] = 10 * 3600, 15 * 3600
            closed[i] = deal.outcome != "open"
            won[i] = deal.outcome == "won"
            lost_at[i] = 2
            pushed[i] = False
            for when, target in ((deal.correction, correct_at), (deal.cancel, cancel_at),
                                 (deal.rewin, rewin_at), (deal.delete, delete_at)):
                if when is not None:
                    target[i] = day_number(when) * D + 11 * 3600
            if deal.split is not None:
                split_forced[i, :2] = deal.split

    seats = np.where(scripted, seats, np.clip(np.round(seats * value_strength), 1, 1500).astype(np.int64))
    # the funnel: a deal heads for the win with the owner's win rate, else is lost after lost_at;
    # the owner's hidden stage and product-family strengths move it (apply_stage_family_strengths)
    cumulative = np.cumsum(LINE_COUNT_SHARE[deal_type], axis=1)
    n_lines = 1 + (u_lines[:, None] > cumulative[:, :2]).sum(axis=1)
    natural_win = u_win < win_rate  # with the owner's strength in the account's segment
    heading_to_win, lost_at = apply_stage_family_strengths(
        seller_strengths(len(s.weight), s.is_rep, seed), owner, n_lines, natural_win, lost_at, ~scripted, seed, block
    )
    won = np.where(scripted, won, closed & heading_to_win)
    potential_won = np.where(scripted, won, closed & natural_win)

    created_ts = created_day * D + created_sec
    close_ts = close_day * D + close_sec
    span = close_ts - created_ts
    stage_ts = created_ts[:, None] + (frac * span[:, None]).astype(np.int64)
    # An open deal moves through the stages like a closed one: up to the last stage it will reach
    # (all of them when it is heading for a win, lost_at otherwise), as far as time has come.
    will_reach = heading_to_win[:, None] | (np.arange(4)[None, :] <= lost_at[:, None])
    reached = np.where(
        won[:, None],
        True,
        np.where(closed[:, None], np.arange(4)[None, :] <= lost_at[:, None], (stage_ts < END_OF_AS_OF) & will_reach),
    )
    ts = np.full((m, N_SLOTS), NEVER, dtype=np.int64)
    ts[:, :4] = np.where(reached, stage_ts, NEVER)
    ts[:, S_CLOSE] = np.where(closed, close_ts, NEVER)
    random_post = ~scripted
    correct_at = np.where(random_post & won & corrected, close_ts + correct_gap, correct_at)
    cancel_at = np.where(random_post & won & cancelled, close_ts + cancel_gap, cancel_at)
    cancel_at = np.where(cancel_at < END_OF_AS_OF, cancel_at, NEVER)
    rewin_at = np.where(random_post & (cancel_at != NEVER) & rewon, cancel_at + rewin_gap, rewin_at)
    ts[:, S_CORRECT] = np.where(correct_at < END_OF_AS_OF, correct_at, NEVER)
    ts[:, S_CANCEL] = cancel_at
    ts[:, S_REWIN] = np.where(rewin_at < END_OF_AS_OF, rewin_at, NEVER)
    last_event = np.where(ts[:, :STATE_SLOTS] == NEVER, -1, ts[:, :STATE_SLOTS]).max(axis=1)
    delete_at = np.where(random_post & deleted & (last_event >= 0), last_event + delete_gap, delete_at)
    ts[:, S_DELETE] = np.where(delete_at < END_OF_AS_OF, delete_at, NEVER)
    # nothing happens to a deal after it is deleted
    ts[:, :STATE_SLOTS] = np.where(ts[:, :STATE_SLOTS] > ts[:, S_DELETE : S_DELETE + 1], NEVER, ts[:, :STATE_SLOTS])

    # products, quantities, prices (integer cents)
    platform = np.where(
        legacy & (created_day < day_number(date(2025, 3, 1))),
        PLATFORM_LEGACY,
        np.array(PLATFORM_STANDARD)[platform_pick],
    )
    analytics = np.where(
        new_analytics & (created_day >= day_number(PRODUCTS[ANALYTICS_NEW].sold_from)),
        ANALYTICS_NEW,
        np.array(ANALYTICS_STANDARD)[analytics_pick],
    )
    product = np.column_stack([platform, analytics, np.array(SERVICES_ALL)[services_pick]])
    list_usd = np.array([p.list_price_usd for p in PRODUCTS], dtype=np.float64)[product]
    # local list price in whole units, then the discount, to the cent
    local_list = np.round(list_usd * FX_LEVEL_ARRAY[currency][:, None])
    unit_cents = np.maximum(100, np.round(local_list * (100 - discount_pct[:, None]))).astype(np.int64)
    quantity = np.column_stack(
        [seats, np.maximum(1, np.round(seats * analytics_share)).astype(np.int64), service_days]
    )
    line_exists = np.arange(3)[None, :] < n_lines[:, None]
    rest_cents = (np.where(line_exists[:, 1:], quantity[:, 1:] * unit_cents[:, 1:], 0)).sum(axis=1)
    q0 = seats
    changed = quantity_changes & (ts[:, S_PROPOSAL] != NEVER) & ~scripted
    q1 = np.where(changed, np.maximum(1, np.round(q0 * change_factor)).astype(np.int64), q0)
    q1 = np.where(changed & (q1 == q0), q0 + 1, q1)
    has_correction = ts[:, S_CORRECT] != NEVER
    q2 = np.where(has_correction, np.maximum(1, np.round(q1 * correct_factor)).astype(np.int64), q1)
    q2 = np.where(has_correction & (q2 == q1), q1 + 1, q2)
    line0_quantity = np.column_stack([q0, q1, q2])
    line0_ts = np.column_stack([ts[:, 0], np.where(changed, ts[:, S_PROPOSAL], NEVER), ts[:, S_CORRECT]])
    amount_versions = line0_quantity * unit_cents[:, :1] + rest_cents[:, None]  # (m, 3)

    # state after each event
    close_or_lost = np.where(won, WON, LOST)
    stage = np.column_stack(
        [np.full(m, 0), np.full(m, 1), np.full(m, 2), np.full(m, 3), close_or_lost,
         np.full(m, WON), np.full(m, LOST), np.full(m, WON)]
    )
    amount = amount_versions[:, AMOUNT_VERSION]
    first_close = np.where(pushed, np.maximum(close_day - push_days, created_day + 1), close_day)
    rewin_close = np.where(ts[:, S_REWIN] != NEVER, ts[:, S_REWIN] // D, close_day)
    close_days = np.column_stack(
        [first_close, first_close, first_close, close_day, close_day, close_day, close_day, rewin_close]
    )

    # splits, written when the deal is won: owner + a teammate (+ the team's manager)
    members = s.team_members if len(s.team_members) else np.array([-1], dtype=np.int64)
    start, size = s.team_start[owner], s.team_size[owner]
    pick = np.floor(u_mate * np.maximum(size - 1, 0)).astype(np.int64)  # 0 .. size - 2
    mate = np.where(size >= 2, members[np.clip(start + pick, 0, len(members) - 1)], -1)
    last_member = members[np.clip(start + size - 1, 0, len(members) - 1)]
    mate = np.where((size >= 2) & (mate == owner), last_member, mate)  # the owner sits before the last
    manager = s.team_manager[owner]

    def working(person: np.ndarray) -> np.ndarray:
        ok = person >= 0
        p = np.where(ok, person, 0)
        return ok & (s.hire_day[p] <= close_day) & (close_day <= s.last_day[p])

    mate_ok, manager_ok = working(mate), working(manager)
    three = split_three & mate_ok & manager_ok & (mate != manager)
    second = np.where(mate_ok, mate, np.where(manager_ok, manager, -1))
    has_split = split_wanted & won & s.is_rep[owner] & (second >= 0) & ~scripted
    split_owner = np.column_stack([owner, np.where(three, mate, second), np.where(three, manager, -1)])
    split_pct = np.where(three[:, None], SPLIT_THREE[split_three_pattern], SPLIT_TWO[split_two_pattern])
    forced = split_forced[:, 0] > 0
    split_owner = np.where(
        forced[:, None], np.column_stack([owner, manager, np.full(m, -1)]), split_owner
    )
    split_pct = np.where(forced[:, None], split_forced, split_pct)
    has_split = has_split | forced
    split_owner = np.where(split_pct > 0, split_owner, -1)

    return DealBlock(
        number=np.arange(g0, g0 + m, dtype=np.int64) + 1,
        owner=owner,
        account=account,
        currency=currency,
        deal_type=deal_type,
        created_ts=created_ts,
        ts=ts,
        stage=stage,
        amount=amount,
        close_day=close_days,
        n_lines=n_lines,
        product=product,
        quantity=quantity,
        line0_quantity=line0_quantity,
        line0_ts=line0_ts,
        unit_cents=unit_cents,
        split_owner=split_owner,
        split_pct=split_pct,
        has_split=has_split,
        potential_won=potential_won,
    )


# ---------------------------------------------------------------- batch snapshots


def _window(k: int) -> tuple[int, int]:
    lo = cutoff_seconds(CRM_BATCHES[k - 1]) if k else -1
    return lo, cutoff_seconds(CRM_BATCHES[k])


def _state_at(block: DealBlock, rows: np.ndarray, hi: int):
    """Index of the newest state slot before hi, whether deleted, LastModifiedDate."""
    ts = block.ts[rows]
    before = ts < hi
    state_slot = STATE_SLOTS - 1 - np.argmax(before[:, STATE_SLOTS - 1 :: -1], axis=1)
    deleted = before[:, S_DELETE]
    last_slot = np.where(deleted, S_DELETE, state_slot)
    modified = ts[np.arange(len(rows)), last_slot]
    return state_slot, deleted, modified


def opportunity_frame(block: DealBlock, sellers: Sellers, seed: int, k: int) -> pl.DataFrame:
    lo, hi = _window(k)
    rows = np.flatnonzero(((block.ts >= lo) & (block.ts < hi)).any(axis=1))
    slot, deleted, modified = _state_at(block, rows, hi)
    stage = block.stage[rows, slot]
    type_label = labels(TYPES, block.deal_type[rows])
    frame = pl.DataFrame(
        {
            "n": block.number[rows],
            "account": block.account[rows] + 1,
            "owner_user": sellers.user_number[block.owner[rows]],
            "account_name": account_names(block.account[rows], seed),
            "stage": stage,
            "amount": block.amount[rows, slot],
            "currency": labels(CURRENCIES, block.currency[rows]),
            "close": block.close_day[rows, slot],
            "type": type_label,
            "created": block.created_ts[rows],
            "modified": modified,
            "deleted": deleted,
            "stage_name": labels(STAGES, stage),
            "probability": labels(PROBABILITY, stage),
        }
    )
    return frame.select(
        sf_id(OPPORTUNITY_PREFIX, "n").alias("Id"),
        sf_id(ACCOUNT_ID_PREFIX, "account").alias("AccountId"),
        sf_id(USER_ID_PREFIX, "owner_user").alias("OwnerId"),
        pl.concat_str([pl.col("account_name"), pl.lit(" - "), pl.col("type")]).alias("Name"),
        pl.col("stage_name").alias("StageName"),
        money("amount").alias("Amount"),
        pl.col("currency").alias("CurrencyIsoCode"),
        iso_date("close").alias("CloseDate"),
        boolean(pl.col("stage") >= WON).alias("IsClosed"),
        boolean(pl.col("stage") == WON).alias("IsWon"),
        pl.col("type").alias("Type"),
        pl.col("probability").alias("Probability"),
        iso_datetime("created").alias("CreatedDate"),
        iso_datetime("modified").alias("LastModifiedDate"),
        boolean("deleted").alias("IsDeleted"),
    )


def line_item_frame(block: DealBlock, k: int) -> pl.DataFrame:
    lo, hi = _window(k)
    # line 0: newest quantity version before hi, when any version falls in the window
    v_ts = block.line0_ts
    rows0 = np.flatnonzero(((v_ts >= lo) & (v_ts < hi)).any(axis=1))
    before = v_ts[rows0] < hi
    version = 2 - np.argmax(before[:, ::-1], axis=1)
    # lines 1 and 2: one version, created with the deal
    created_in = (block.ts[:, 0] >= lo) & (block.ts[:, 0] < hi)
    rows_l, lines_l = np.nonzero(created_in[:, None] & (np.arange(1, 3)[None, :] < block.n_lines[:, None]))
    lines_l = lines_l + 1
    deal = np.concatenate([rows0, rows_l])
    line = np.concatenate([np.zeros(len(rows0), dtype=np.int64), lines_l])
    qty = np.concatenate([block.line0_quantity[rows0, version], block.quantity[rows_l, lines_l]])
    when = np.concatenate([v_ts[rows0, version], block.ts[rows_l, 0]])
    order = np.lexsort((line, deal))
    deal, line, qty, when = deal[order], line[order], qty[order], when[order]
    unit = block.unit_cents[deal, line]
    frame = pl.DataFrame(
        {
            "n": (block.number[deal] - 1) * 3 + line + 1,
            "opp": block.number[deal],
            "product": block.product[deal, line] + 1,
            "qty": qty,
            "unit": unit,
            "total": qty * unit,
            "ts": when,
        }
    )
    return frame.select(
        sf_id(LINE_ITEM_PREFIX, "n").alias("Id"),
        sf_id(OPPORTUNITY_PREFIX, "opp").alias("OpportunityId"),
        sf_id(PRODUCT_ID_PREFIX, "product").alias("Product2Id"),
        pl.col("qty").cast(pl.Utf8).alias("Quantity"),
        money("unit").alias("UnitPrice"),
        money("total").alias("TotalPrice"),
        iso_datetime("ts").alias("LastModifiedDate"),
    )


def history_frame(block: DealBlock, k: int) -> pl.DataFrame:
    lo, hi = _window(k)
    ts = block.ts[:, :STATE_SLOTS]
    rows, slots = np.nonzero((ts >= lo) & (ts < hi))
    stage = block.stage[rows, slots]
    frame = pl.DataFrame(
        {
            "n": (block.number[rows] - 1) * 10 + slots + 1,
            "opp": block.number[rows],
            "stage_name": labels(STAGES, stage),
            "amount": block.amount[rows, slots],
            "close": block.close_day[rows, slots],
            "ts": ts[rows, slots],
        }
    )
    return frame.select(
        sf_id(HISTORY_PREFIX, "n").alias("Id"),
        sf_id(OPPORTUNITY_PREFIX, "opp").alias("OpportunityId"),
        pl.col("stage_name").alias("StageName"),
        money("amount").alias("Amount"),
        iso_date("close").alias("CloseDate"),
        iso_datetime("ts").alias("CreatedDate"),
    )


def split_frame(block: DealBlock, sellers: Sellers, k: int) -> pl.DataFrame:
    lo, hi = _window(k)
    close = block.ts[:, S_CLOSE]
    wanted = block.has_split & (close >= lo) & (close < hi)
    rows, parts = np.nonzero(wanted[:, None] & (block.split_owner >= 0))
    frame = pl.DataFrame(
        {
            "n": (block.number[rows] - 1) * 3 + parts + 1,
            "opp": block.number[rows],
            "owner_user": sellers.user_number[block.split_owner[rows, parts]],
            "pct": block.split_pct[rows, parts],
            "ts": close[rows],
        }
    )
    return frame.select(
        sf_id(SPLIT_PREFIX, "n").alias("Id"),
        sf_id(OPPORTUNITY_PREFIX, "opp").alias("OpportunityId"),
        sf_id(USER_ID_PREFIX, "owner_user").alias("SplitOwnerId"),
        money("pct").alias("SplitPercentage"),
        iso_datetime("ts").alias("LastModifiedDate"),
    )


# ---------------------------------------------------------------- what the blocks add up to


@dataclass
class DealTally:
    """Small running aggregates over all blocks (for quotas and the summary)."""

    bookings_cents: np.ndarray  # [seller, plan year index, currency index], final won, not deleted
    counts: dict
    # the same, had no hidden strength moved a deal (potential_won, amount at the close): quotas
    # are set from it, as from a territory's potential, blind to the rep's strengths
    potential_bookings_cents: np.ndarray | None = None

    @classmethod
    def empty(cls, n_sellers: int) -> DealTally:
        keys = ("opportunities", "won", "lost", "open", "deleted", "cancelled", "re_won", "amount_corrections",
                "split_deals", "line_items", "not_yet_created")
        shape = (n_sellers, len(PLAN_YEARS), len(CURRENCIES))
        return cls(np.zeros(shape, dtype=np.int64), dict.fromkeys(keys, 0), np.zeros(shape, dtype=np.int64))

    def add(self, block: DealBlock) -> None:
        m = len(block.number)
        rows = np.arange(m)
        slot, deleted, _ = _state_at(block, rows, END_OF_AS_OF)
        stage = block.stage[rows, slot]
        exists = block.ts[:, 0] < END_OF_AS_OF  # created by the as-of date (else in no batch)
        deleted = deleted & exists
        stage = np.where(exists, stage, -1)
        won = (stage == WON) & ~deleted
        close = block.close_day[rows, slot]
        year = close.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        for y, plan_year in enumerate(PLAN_YEARS):
            take = won & (year == plan_year)
            np.add.at(self.bookings_cents, (block.owner[take], y, block.currency[take]), block.amount[take, slot[take]])
        potential = block.potential_won & exists & ~deleted
        potential_year = block.close_day[:, S_CLOSE].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        for y, plan_year in enumerate(PLAN_YEARS):
            take = potential & (potential_year == plan_year)
            np.add.at(self.potential_bookings_cents, (block.owner[take], y, block.currency[take]),
                      block.amount[take, S_CLOSE])
        c = self.counts
        c["opportunities"] += m
        c["won"] += int(won.sum())
        c["lost"] += int(((stage == LOST) & ~deleted).sum())
        c["open"] += int(((stage >= 0) & (stage < WON) & ~deleted).sum())
        c["deleted"] += int(deleted.sum())
        c["cancelled"] += int((block.ts[:, S_CANCEL] != NEVER).sum())
        c["re_won"] += int((block.ts[:, S_REWIN] != NEVER).sum())
        c["amount_corrections"] += int((block.ts[:, S_CORRECT] != NEVER).sum())
        c["split_deals"] += int(block.has_split.sum())
        c["line_items"] += int(block.n_lines[exists].sum())
        c["not_yet_created"] += int((~exists).sum())


def scripted_deal_ids() -> list[dict]:
    return [
        {"opportunity_id": sf_id_text(OPPORTUNITY_PREFIX, i + 1), "story": d.story, "close_date": d.close.isoformat()}
        for i, d in enumerate(SCRIPTED)
    ]


# ---------------------------------------------------------------- planted contract breaks

# (CRM batch index, column, value written, quarantine rule the ingest must apply)
PLANTED_BAD_OPPORTUNITIES = (
    (0, "Amount", "12,34x", "unparseable_decimal"),
    (0, "CurrencyIsoCode", "XXX", "unknown_currency"),
    (0, "CloseDate", None, "missing_required_value"),
    (1, "CloseDate", "31/10/2026", "unparseable_date"),
    (2, "Amount", "1.234,56", "unparseable_decimal"),
)


def planted_bad_opportunities(sellers: Sellers, n_deals: int, seed: int, k: int) -> tuple[pl.DataFrame, list[dict]]:
    """Opportunity rows of batch k that break one contract rule each (Ids after all real deals).

    They are otherwise ordinary won deals of the anchor AE without line items,
    history or splits, so quarantining the whole row loses nothing else.
    """
    batch = CRM_BATCHES[k]
    anchor = sellers.anchor
    account = int(sellers.book.start[anchor])
    account_name = account_names(np.array([account]), seed)[0]
    close = date.fromordinal(batch.toordinal() - 10)
    created = date.fromordinal(batch.toordinal() - 50)
    rows, planted = [], []
    for i, (batch_index, column, value, rule) in enumerate(PLANTED_BAD_OPPORTUNITIES):
        if batch_index != k:
            continue
        row = {
            "Id": sf_id_text(OPPORTUNITY_PREFIX, n_deals + 1 + i),
            "AccountId": sf_id_text(ACCOUNT_ID_PREFIX, account + 1),
            "OwnerId": sf_id_text(USER_ID_PREFIX, int(sellers.user_number[anchor])),
            "Name": f"{account_name} - New Business",
            "StageName": "Closed Won",
            "Amount": "25000.00",
            "CurrencyIsoCode": CURRENCIES[int(sellers.currency[anchor])],
            "CloseDate": close.isoformat(),
            "IsClosed": "true",
            "IsWon": "true",
            "Type": "New Business",
            "Probability": "100",
            "CreatedDate": f"{created.isoformat()}T10:00:00.000+0000",
            "LastModifiedDate": f"{close.isoformat()}T16:00:00.000+0000",
            "IsDeleted": "false",
        }
        row[column] = value
        rows.append(row)
        planted.append(
            {
                "dataset": "opportunity",
                "file_stem": "Opportunity",
                "batch": batch.isoformat(),
                "id": row["Id"],
                "column": column,
                "value": value if value is not None else "",
                "rule": rule,
            }
        )
    frame = pl.DataFrame(
        {c: [r[c] for r in rows] for c in OPPORTUNITY_COLUMNS}, schema={c: pl.Utf8 for c in OPPORTUNITY_COLUMNS}
    )
    return frame, planted
