"""The demo company's payroll configuration (docs/payroll.md).

* ``payrolls.csv``: US payees are paid through ADP Workforce Now (Co Code K7Q,
  Batch ID SPM), the European ones (GB, DE, FR, NL) through Workday, and the
  small Canadian payroll through Gusto (a demo stand-in: Gusto pays US
  employees; the point is a third layout on real data).
* ``payroll_codes.csv``: every earning code of core.earning_codes for each
  adapter. The retro and deduction codes (CLAWBACK, ADJUSTMENT, DRAW_RECOVERY,
  MANUAL_ADJUSTMENT) map to the payroll's commission code, so a deduction nets
  against the commission it takes back; Gusto has only bonus and commission
  columns (a SPIF is a bonus, a draw an advance on commission).
"""

from __future__ import annotations

from demo.market import COUNTRIES

ADP_COMPANY_CODE = "K7Q"
ADP_BATCH_ID = "SPM"
ADAPTER_OF_COUNTRY = {"US": "adp", "CA": "gusto", "GB": "workday", "DE": "workday", "FR": "workday", "NL": "workday"}

PAYROLL_CODES = {
    "adp": {"COMMISSION": "COM", "BONUS": "BON", "SPIF": "SPF", "DRAW": "DRW", "DRAW_RECOVERY": "COM",
            "ADJUSTMENT": "COM", "CLAWBACK": "COM", "MANUAL_ADJUSTMENT": "COM", "COMMISSION_RELEASE": "COM"},
    "workday": {"COMMISSION": "Sales_Commission", "BONUS": "Quota_Bonus", "SPIF": "SPIF", "DRAW": "Recoverable_Draw",
                "DRAW_RECOVERY": "Sales_Commission", "ADJUSTMENT": "Sales_Commission",
                "CLAWBACK": "Sales_Commission", "MANUAL_ADJUSTMENT": "Sales_Commission",
                "COMMISSION_RELEASE": "Sales_Commission"},
    "gusto": {"COMMISSION": "commission", "BONUS": "bonus", "SPIF": "bonus", "DRAW": "commission",
              "DRAW_RECOVERY": "commission", "ADJUSTMENT": "commission", "CLAWBACK": "commission",
              "MANUAL_ADJUSTMENT": "commission", "COMMISSION_RELEASE": "commission"},
}


def payroll_rows() -> list[dict]:
    """One row per country of the demo company."""
    return [
        {
            "country": country,
            "adapter": ADAPTER_OF_COUNTRY[country],
            "company_code": ADP_COMPANY_CODE if ADAPTER_OF_COUNTRY[country] == "adp" else None,
            "batch_id": ADP_BATCH_ID if ADAPTER_OF_COUNTRY[country] == "adp" else None,
        }
        for country in COUNTRIES
    ]


def payroll_code_rows() -> list[dict]:
    return [
        {"adapter": adapter, "earning_code": code, "payroll_code": payroll_code}
        for adapter, codes in PAYROLL_CODES.items()
        for code, payroll_code in codes.items()
    ]
