"""Plan configuration files: a one-component plan, a plan with every rule, and writing them."""

from __future__ import annotations

from pathlib import Path

GOOD_PLAN = """\
plan_id: AE-2026
name: Account Executive 2026
effective_start: 2026-01-01
effective_end: 2026-12-31
components:
  - component_id: commission
    name: Commission on own bookings
    earning_code: COMMISSION        # COMMISSION|BONUS|SPIF|DRAW|DRAW_RECOVERY|ADJUSTMENT
    measure: own_credit             # own_credit|rollup_credit
    basis: period                   # period|quarter|ytd
    rule:
      type: flat_rate
      rate: "0.08"
"""


def write_plan(config: Path, name: str, text: str) -> Path:
    path = config / "plans" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


FULL_PLAN = """\
plan_id: AE-FULL
name: Account Executive, every rule
effective_start: 2026-01-01
effective_end: 2026-12-31
currency: EUR
eligible_job_families: [Account Executive]
clawback_window_days: 90
ramp: [0.25, "0.5", 0.75]
draw: {type: recoverable, monthly_amount: "3000", months: 3}
components:
  - component_id: commission
    name: Commission, marginal tiers
    earning_code: COMMISSION
    measure: own_credit
    basis: ytd
    weight: "0.8"
    gate: 0.5
    cap_multiple_of_ti: 2.0
    filters: {opportunity_types: [New Business, Upsell]}
    rule:
      type: marginal_tiers
      tiers:
        - {from: 0, to: 0.5, multiplier: 0.5}
        - {from: 0.5, to: 1.0, multiplier: 1.0}
        - {from: 1.0, to: 1.5, multiplier: 1.5}
        - {from: 1.5, multiplier: 2.0}
  - component_id: retro
    name: Retroactive tiers
    earning_code: COMMISSION
    measure: rollup_credit
    basis: quarter
    rule:
      type: retroactive_tiers
      tiers:
        - {from: 0, to: 1, multiplier: "0.8"}
        - {from: 1, multiplier: "1.2"}
  - component_id: bonus
    name: Quarterly bonus at 100%
    earning_code: BONUS
    measure: own_credit
    basis: quarter
    rule: {type: quota_bonus, threshold: 1.0, amount: "2000"}
  - component_id: spif
    name: Analytics SPIF
    earning_code: SPIF
    measure: product_units
    basis: period
    filters: {product_families: [Analytics]}
    rule: {type: spif, amount_per_unit: "150", window_start: 2026-04-01, window_end: 2026-06-30}
  - component_id: spif-deal
    name: Per-deal SPIF
    earning_code: SPIF
    measure: product_amount
    basis: period
    rule: {type: spif, amount_per_deal: "500.50", window_start: 2026-07-01, window_end: 2026-07-31}
"""
