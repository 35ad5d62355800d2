"""The earning codes of payout and payroll lines: one documented list (SPEC §5-§6).

docs/ledger.md explains each code; dbt_project.yml's ``earning_codes`` var is
the same list for the dbt tests (tests/payouts/test_payout_extract.py checks they
agree), and a plan component may pay only :data:`COMPONENT_CODES`.
"""

from __future__ import annotations

# code -> what the line is, in the order a payout file lists them
EARNING_CODES: dict[str, str] = {
    "COMMISSION": "a commission component's earnings of the period (a to-date true-up may be a deduction)",
    "BONUS": "a quota bonus",
    "SPIF": "a SPIF (per qualifying deal or unit)",
    "DRAW": "the draw top-up: what a guaranteed draw pays above the period's earnings",
    "DRAW_RECOVERY": "the recovery of a recoverable draw paid earlier (a deduction)",
    "ADJUSTMENT": "a retro adjustment of a published period: late deals, corrected amounts, plan corrections",
    "CLAWBACK": "the commission taken back on a deal lost, deleted or reduced inside the clawback window",
    "MANUAL_ADJUSTMENT": "an approved manual adjustment (config adjustments.csv, docs/payment_workflow.md)",
    "COMMISSION_RELEASE": "earnings held until the deal's invoice is paid, released in the period the payment lands "
    "(release: on_invoice_paid, docs/payment_workflow.md)",
}

# what a plan component may pay (the engine writes the other codes itself)
COMPONENT_CODES: tuple[str, ...] = ("COMMISSION", "BONUS", "SPIF")

# codes of lines that may be negative in a file (deductions from the payee's
# other lines of the period; the payee's total is never negative). A DRAW never is.
DEDUCTION_CODES: frozenset[str] = frozenset(EARNING_CODES) - {"DRAW"}

# the retro lines of fct_payout_adjustment
ADJUSTMENT_CODES: frozenset[str] = frozenset({"ADJUSTMENT", "CLAWBACK"})


def unknown_codes(codes) -> list[str]:
    """The codes not in the list, sorted."""
    return sorted(set(codes) - set(EARNING_CODES))
