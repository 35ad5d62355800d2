"""The landing contract (SPEC §2), as data.

One :class:`DatasetContract` per landing object: where its files are, which
columns are required, how each value is typed and which rules a row must keep.
Ingest, the raw layer, the demo generator and the data-quality suites all read
this one table, so a rule changes in one place.

Value types (as written in the landing files, CSV text or Parquet; a typed
Parquet column is read by its type, :mod:`assets.ingest.typed_parquet`):

* ``string``   any text; empty is null
* ``decimal``  a plain decimal number (``1234.50``, ``-3``); kept as DECIMAL(38,10)
* ``integer``  a whole number
* ``date``     ``YYYY-MM-DD``
* ``datetime`` ISO 8601: a date (``2026-11-27``, midnight UTC) or a date-time
  (``2026-11-27T10:15:00.000+0000``, ``...Z``, ``+02:00``, a space instead of
  ``T``, seconds optional); normalised to UTC
* ``boolean``  ``true``/``false`` (also ``1``/``0``), case-insensitive
* ``currency`` an ISO 4217 code known to :mod:`core.money`
* ``period``   a pay period ``YYYY-MM`` (month 01-12); kept as that text
* ``sha256``   a SHA-256 digest: 64 hexadecimal digits, stored lower-case
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Quarantine rules, one name each, as they appear in quarantine tables.
RULE_MISSING_VALUE = "missing_required_value"
RULE_BAD_DECIMAL = "unparseable_decimal"
RULE_BAD_INTEGER = "unparseable_integer"
RULE_BAD_DATE = "unparseable_date"
RULE_BAD_DATETIME = "unparseable_datetime"
RULE_BAD_BOOLEAN = "unparseable_boolean"
RULE_UNKNOWN_CURRENCY = "unknown_currency"
RULE_OUT_OF_RANGE = "value_out_of_range"
RULE_DUPLICATE_KEY = "duplicate_key_in_file"
RULE_BAD_PERIOD = "unparseable_period"
RULE_BAD_SHA256 = "unparseable_sha256"
# configuration adjustments.csv (docs/payment_workflow.md): an adjustment is paid
# only when someone other than its requester approved it
RULE_ADJUSTMENT_WITHOUT_APPROVER = "adjustment_without_approver"
RULE_ADJUSTMENT_APPROVED_BY_REQUESTER = "adjustment_approved_by_requester"
# configuration inquiries.csv (docs/payment_workflow.md, "Inquiries")
RULE_UNKNOWN_INQUIRY_CATEGORY = "unknown_inquiry_category"
RULE_UNKNOWN_INQUIRY_STATUS = "unknown_inquiry_status"
RULE_INQUIRY_CLOSED_WITHOUT_RESOLVED_AT = "inquiry_closed_without_resolved_at"
RULE_INQUIRY_RESOLVED_BEFORE_OPENED = "inquiry_resolved_before_opened"
# a value outside a column's list of allowed values (an invoice's status: one_of)
RULE_NOT_ALLOWED = "value_not_allowed"

ROW_RULES = (
    RULE_MISSING_VALUE,
    RULE_BAD_DECIMAL,
    RULE_BAD_INTEGER,
    RULE_BAD_DATE,
    RULE_BAD_DATETIME,
    RULE_BAD_BOOLEAN,
    RULE_UNKNOWN_CURRENCY,
    RULE_OUT_OF_RANGE,
    RULE_DUPLICATE_KEY,
    RULE_BAD_PERIOD,
    RULE_BAD_SHA256,
    RULE_ADJUSTMENT_WITHOUT_APPROVER,
    RULE_ADJUSTMENT_APPROVED_BY_REQUESTER,
    RULE_UNKNOWN_INQUIRY_CATEGORY,
    RULE_UNKNOWN_INQUIRY_STATUS,
    RULE_INQUIRY_CLOSED_WITHOUT_RESOLVED_AT,
    RULE_INQUIRY_RESOLVED_BEFORE_OPENED,
    RULE_NOT_ALLOWED,
)


# Load metadata the ingest adds to every accepted row (typed in raw_layout.LOAD_COLUMNS):
# batch, batch date, source file (relative to the landing or config root),
# 1-based data row, load time.
LOAD_COLUMN_NAMES = ("_batch", "_batch_date", "_source_file", "_source_row", "_loaded_at")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    required: bool = False  # a value must be present (keys are always required)
    min_value: Decimal | None = None  # inclusive lower bound for decimal/integer
    max_value: Decimal | None = None  # inclusive upper bound for decimal/integer
    # When a value is required only in some state of the record (a won deal's
    # Amount), the rule that checks it, for the landing contract page.
    note: str = ""
    # The rule a missing required value breaks (default missing_required_value).
    missing_rule: str = RULE_MISSING_VALUE
    # (other column, rule): a present value equal to the other column's present
    # value (compared trimmed, case-insensitive) breaks the rule.
    differs_from: tuple[str, str] | None = None
    # (allowed values, rule): a present value not among them (compared trimmed,
    # case-insensitive; the warehouse's staging model lower-cases it) breaks the rule.
    one_of: tuple[tuple[str, ...], str] | None = None
    # (other column, its values, rule): a missing value while the other column's
    # value is one of those (trimmed, case-insensitive) breaks the rule.
    required_when: tuple[str, tuple[str, ...], str] | None = None
    # (other column, rule): a value earlier than the other column's (both read in
    # their types) breaks the rule.
    not_before: tuple[str, str] | None = None
    # A decimal column whose present value other than 0 makes this column
    # required (an invoice's paid_date when paid_amount is not 0).
    required_when_nonzero: str | None = None


@dataclass(frozen=True)
class DatasetContract:
    """One landing object.

    ``system`` is ``crm`` or ``hr`` (batched: ``<landing>/<system>/<YYYY-MM-DD>/``)
    or ``config`` (one current version under the configuration folder).
    ``file_stem`` is the file name without extension: ``Opportunity.csv``,
    ``Opportunity.parquet`` and chunks ``Opportunity-<anything>.parquet`` all
    belong to the ``Opportunity`` object.
    """

    name: str
    system: str
    file_stem: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Newest version wins by this column, then by batch date (SPEC §2).
    version_column: str | None = None
    deleted_column: str | None = None
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def raw_column_names(self) -> tuple[str, ...]:
        """The columns of the dataset's raw rows: the contract's, then the load metadata."""
        return (*self.column_names, *LOAD_COLUMN_NAMES)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def asset_name(self) -> str:
        return f"raw_{self.system}__{self.name}"


def _c(
    name: str,
    type_: str = "string",
    required: bool = False,
    lo=None,
    hi=None,
    note: str = "",
    missing_rule: str = RULE_MISSING_VALUE,
    differs_from: tuple[str, str] | None = None,
    one_of: tuple[tuple[str, ...], str] | None = None,
    required_when: tuple[str, tuple[str, ...], str] | None = None,
    not_before: tuple[str, str] | None = None,
    required_when_nonzero: str | None = None,
) -> Column:
    return Column(
        name,
        type_,
        required,
        None if lo is None else Decimal(str(lo)),
        None if hi is None else Decimal(str(hi)),
        note,
        missing_rule,
        differs_from,
        one_of,
        required_when,
        not_before,
        required_when_nonzero,
    )


CRM_OPPORTUNITY = DatasetContract(
    name="opportunity",
    system="crm",
    file_stem="Opportunity",
    key=("Id",),
    version_column="LastModifiedDate",
    deleted_column="IsDeleted",
    description="Salesforce Opportunity: one deal.",
    columns=(
        _c("Id", required=True),
        _c("AccountId", note="no: may be empty (an open deal often has no account yet)"),
        _c("OwnerId", required=True),
        _c("Name"),
        _c("StageName", required=True),
        _c(
            "Amount",
            "decimal",
            note="when won: `won_deal_without_amount`; below 0 when won: `won_deal_negative_amount` "
            "(warehouse, newest version)",
        ),
        _c("CurrencyIsoCode", "currency", required=True),
        _c("CloseDate", "date", required=True),
        _c("IsClosed", "boolean", required=True),
        _c("IsWon", "boolean", required=True),
        _c("Type"),
        _c("Probability", "decimal", lo=0, hi=100),
        _c("CreatedDate", "datetime", required=True),
        _c("LastModifiedDate", "datetime", required=True),
        _c("IsDeleted", "boolean", required=True),
    ),
)

CRM_OPPORTUNITY_LINE_ITEM = DatasetContract(
    name="opportunity_line_item",
    system="crm",
    file_stem="OpportunityLineItem",
    key=("Id",),
    version_column="LastModifiedDate",
    description="Salesforce OpportunityLineItem: a product on a deal.",
    columns=(
        _c("Id", required=True),
        _c("OpportunityId", required=True),
        _c("Product2Id", required=True, note="yes; not in Product2 on a won deal: `unknown_product` (warehouse)"),
        _c("Quantity", "decimal"),
        _c("UnitPrice", "decimal"),
        _c("TotalPrice", "decimal", required=True),
        _c("LastModifiedDate", "datetime", required=True),
    ),
)

CRM_OPPORTUNITY_SPLIT = DatasetContract(
    name="opportunity_split",
    system="crm",
    file_stem="OpportunitySplit",
    key=("Id",),
    version_column="LastModifiedDate",
    description="Salesforce OpportunitySplit: a revenue split of a deal.",
    columns=(
        _c("Id", required=True),
        _c("OpportunityId", required=True),
        _c("SplitOwnerId", required=True),
        _c("SplitPercentage", "decimal", required=True, lo=0, hi=100),
        _c("LastModifiedDate", "datetime", required=True),
    ),
)

CRM_OPPORTUNITY_HISTORY = DatasetContract(
    name="opportunity_history",
    system="crm",
    file_stem="OpportunityHistory",
    key=("Id",),
    description="Salesforce OpportunityHistory: stage, amount and close date changes.",
    columns=(
        _c("Id", required=True),
        _c("OpportunityId", required=True),
        _c("StageName", required=True),
        _c("Amount", "decimal"),
        _c("CloseDate", "date"),
        _c("CreatedDate", "datetime", required=True),
    ),
)

# The ERP's invoices of won deals and their payments (docs/payment_workflow.md,
# Holds and releases). An export lands beside the CRM objects of its batch; each
# batch holds an invoice's state as of the extract: paid_amount is the amount
# paid to date (cumulative) and paid_date the date of the last payment. Every
# version is kept in the raw layer, so the batches give the invoice's payment
# history: (paid_date, paid to date) of each version.
INVOICE_STATUSES = ("open", "partially_paid", "paid", "written_off")

ERP_INVOICE = DatasetContract(
    name="invoice",
    system="crm",
    file_stem="Invoice",
    key=("invoice_id",),
    description=(
        "ERP invoice of a won deal, as of the batch's extract: paid_amount is the amount paid to date "
        "(cumulative), paid_date the date of the last payment; every version is kept, so the batches give the "
        "payment history. Read only by components with release: on_invoice_paid (docs/payment_workflow.md). "
        "Optional."
    ),
    columns=(
        _c("invoice_id", required=True),
        _c("opportunity_id", required=True),
        _c("account_id"),
        _c("amount", "decimal", required=True, lo=0),
        _c("currency", "currency", required=True),
        _c("invoice_date", "date", required=True),
        _c("due_date", "date", required=True),
        _c("paid_amount", "decimal", lo=0, note="no; empty = nothing paid"),
        _c("paid_date", "date", note="when paid_amount is not 0", required_when_nonzero="paid_amount"),
        _c("status", required=True, one_of=(INVOICE_STATUSES, RULE_NOT_ALLOWED)),
    ),
)

CRM_ACCOUNT = DatasetContract(
    name="account",
    system="crm",
    file_stem="Account",
    key=("Id",),
    version_column="LastModifiedDate",
    description="Salesforce Account.",
    columns=(
        _c("Id", required=True),
        _c("Name"),
        _c("Industry"),
        _c("BillingCountry"),
        _c("AnnualRevenue", "decimal"),
        _c("NumberOfEmployees", "integer", lo=0),
        _c("OwnerId"),
        _c("LastModifiedDate", "datetime", required=True),
    ),
)

CRM_PRODUCT = DatasetContract(
    name="product",
    system="crm",
    file_stem="Product2",
    key=("Id",),
    description="Salesforce Product2.",
    columns=(
        _c("Id", required=True),
        _c("Name"),
        _c("ProductCode"),
        _c("Family"),
        _c("IsActive", "boolean", required=True),
    ),
)

CRM_USER = DatasetContract(
    name="user",
    system="crm",
    file_stem="User",
    key=("Id",),
    description="Salesforce User; EmployeeNumber links to the HR worker.",
    columns=(
        _c("Id", required=True),
        _c("Name"),
        _c("Email"),
        _c("EmployeeNumber"),
        _c("ManagerId"),
        _c("IsActive", "boolean", required=True),
    ),
)

CRM_DATED_CONVERSION_RATE = DatasetContract(
    name="dated_conversion_rate",
    system="crm",
    file_stem="DatedConversionRate",
    key=("IsoCode", "StartDate"),
    description="Salesforce DatedConversionRate: units of IsoCode per one unit of the corporate currency.",
    columns=(
        _c("IsoCode", "currency", required=True),
        _c("StartDate", "date", required=True),
        _c("NextStartDate", "date", required=True),
        _c("ConversionRate", "decimal", required=True, lo="0.0000000001"),
    ),
)

HR_WORKERS = DatasetContract(
    name="workers",
    system="hr",
    file_stem="workers",
    key=("employee_id",),
    description="Workday-style worker export; employee_id equals User.EmployeeNumber.",
    columns=(
        _c("employee_id", required=True),
        _c("full_name", required=True),
        _c("email"),
        _c("hire_date", "date", required=True),
        _c("termination_date", "date"),
        _c("job_family"),
        _c("job_title"),
        _c("manager_employee_id"),
        _c("cost_center"),
        _c("country"),
        _c("currency", "currency", required=True),
        _c("annual_base_salary", "decimal", lo=0),
        _c("annual_target_incentive", "decimal", lo=0),
    ),
)

HR_JOB_HISTORY = DatasetContract(
    name="job_history",
    system="hr",
    file_stem="job_history",
    key=("employee_id", "effective_date"),
    description="Effective-dated job, manager and target-incentive changes.",
    columns=(
        _c("employee_id", required=True),
        _c("effective_date", "date", required=True),
        _c("job_family"),
        _c("job_title"),
        _c("manager_employee_id"),
        _c("cost_center"),
        _c("annual_target_incentive", "decimal", lo=0),
    ),
)

HR_LEAVE = DatasetContract(
    name="leave",
    system="hr",
    file_stem="leave",
    key=("employee_id", "start_date"),
    description="Leaves of absence; unpaid leave days are not quota-eligible.",
    columns=(
        _c("employee_id", required=True),
        _c("start_date", "date", required=True),
        _c("end_date", "date", required=True),
        _c("leave_type"),
        _c("paid", "boolean", required=True),
    ),
)

def _config(name: str, key: tuple[str, ...], description: str, *columns: Column) -> DatasetContract:
    """A configuration table: one current version under the configuration folder, in ``<name>.csv``."""
    return DatasetContract(name=name, system="config", file_stem=name, key=key, description=description, columns=columns)


# Columns and keys the configuration tables share.
_PLAN_YEAR = _c("plan_year", "integer", required=True, lo=1900, hi=2999)
_CURRENCY = _c("currency", "currency", required=True)
_EMPLOYEE_ID = _c("employee_id", required=True)
_EFFECTIVE_KEY = ("employee_id", "start_date")
_EFFECTIVE_DATES = (_c("start_date", "date", required=True), _c("end_date", "date"))

CONFIG_QUOTAS = _config(
    "quotas",
    ("employee_id", "plan_year"),
    "Annual quota per payee and plan year, in the quota currency.",
    _EMPLOYEE_ID,
    _PLAN_YEAR,
    _c("annual_quota", "decimal", required=True, lo=0),
    _CURRENCY,
    _c("seasonality_profile"),
)

CONFIG_PLAN_ASSIGNMENTS = _config(
    "plan_assignments",
    _EFFECTIVE_KEY,
    "Effective-dated assignment of payees to plans (end_date inclusive, empty = open).",
    _EMPLOYEE_ID,
    _c("plan_id", required=True),
    *_EFFECTIVE_DATES,
)

CONFIG_SEASONALITY = _config(
    "seasonality",
    ("seasonality_profile", "month_of_year"),
    "Monthly quota seasonality: the weight of each month in a profile named by "
    "quotas.seasonality_profile (weights of a profile sum to 1; no profile = 1/12 each).",
    _c("seasonality_profile", required=True),
    _c("month_of_year", "integer", required=True, lo=1, hi=12),
    _c("weight", "decimal", required=True, lo=0, hi=1),
)

CONFIG_TERRITORY_ASSIGNMENTS = _config(
    "territory_assignments",
    _EFFECTIVE_KEY,
    "Effective-dated assignment of payees to sales territories (end_date inclusive, empty = open); "
    "territory_id names a territory of territories.yaml (docs/planning.md).",
    _c("territory_id", required=True),
    _EMPLOYEE_ID,
    *_EFFECTIVE_DATES,
)

CONFIG_COMPANY_TARGETS = _config(
    "company_targets",
    ("plan_year",),
    "Company bookings target per plan year, allocated to territories and payees as quota proposals "
    "(docs/planning.md); new_hire_plan_id names the plan whose ramp a planned new hire gets.",
    _PLAN_YEAR,
    _c("target_amount", "decimal", required=True, lo=0),
    _CURRENCY,
    _c("new_hire_plan_id"),
)

CONFIG_COST_CENTERS = _config(
    "cost_centers",
    ("cost_center",),
    "Cost centers named by HR (workers.cost_center, job_history.cost_center) with the country whose "
    "payroll and books they belong to (ISO 3166 alpha-2); a payout line whose cost center is in another "
    "country than the payee's payroll is flagged (docs/payout_extract.md). Optional.",
    _c("cost_center", required=True),
    _c("country", required=True),
    _c("name"),
)

CONFIG_PAYROLLS = _config(
    "payrolls",
    ("country",),
    "The payroll each HR country is paid through (docs/payroll.md): adapter adp, workday or gusto; "
    "company_code and batch_id are ADP's Co Code and Batch ID (required for adp). A country without a row "
    "gets the generic payroll files only.",
    _c("country", required=True),
    _c("adapter", required=True),
    _c("company_code"),
    _c("batch_id"),
)

CONFIG_PAYROLL_CODES = _config(
    "payroll_codes",
    ("adapter", "earning_code"),
    "The earning-code map (docs/payroll.md): per payroll adapter, the payroll's code of each internal earning "
    "code (ADP earnings code, Workday one-time payment plan, Gusto column bonus or commission).",
    _c("adapter", required=True),
    _c("earning_code", required=True),
    _c("payroll_code", required=True),
)

CONFIG_ADJUSTMENTS = _config(
    "adjustments",
    ("employee_id", "period", "earning_code", "reason"),
    "Manual adjustments (docs/payment_workflow.md): an amount paid to (or, negative, deducted from) a payee "
    "in a pay period as a MANUAL_ADJUSTMENT payout line with its reason; earning_code names the code it "
    "corrects. Only a row approved by someone other than its requester is paid. Optional.",
    _EMPLOYEE_ID,
    _c("period", "period", required=True),
    _c("earning_code", required=True),
    _c("amount", "decimal", required=True),
    _CURRENCY,
    _c("reason", required=True),
    _c("requested_by", required=True),
    _c(
        "approved_by",
        required=True,
        missing_rule=RULE_ADJUSTMENT_WITHOUT_APPROVER,
        differs_from=("requested_by", RULE_ADJUSTMENT_APPROVED_BY_REQUESTER),
    ),
    # an approval is an approver and a time: without either the row is not approved
    _c("approved_at", "datetime", required=True, missing_rule=RULE_ADJUSTMENT_WITHOUT_APPROVER),
    _c("inquiry_id"),
)

CONFIG_PLAN_ACCEPTANCES = _config(
    "plan_acceptances",
    ("employee_id", "plan_id", "plan_year", "document_sha256"),
    "Plan document acceptances (docs/payment_workflow.md, e.g. an e-sign export): a payee accepted the plan "
    "document whose SHA-256 is document_sha256 (plan_documents.json). Only an acceptance of the current "
    "document counts; publishing warns (or refuses, SPM_PLAN_ACCEPTANCE=refuse) when a paid payee has none. Optional.",
    _EMPLOYEE_ID,
    _c("plan_id", required=True),
    _PLAN_YEAR,
    _c("document_sha256", "sha256", required=True),
    _c("accepted_at", "datetime", required=True),
)

INQUIRY_CATEGORIES = ("missing_credit", "wrong_split", "rate", "other")
INQUIRY_STATUSES = ("open", "resolved", "rejected")
INQUIRY_CLOSED_STATUSES = ("resolved", "rejected")

CONFIG_INQUIRIES = _config(
    "inquiries",
    ("inquiry_id",),
    "Inquiries (docs/payment_workflow.md): a payee's question or dispute about a pay period (missing credit, "
    "a wrong split, a rate, other), optionally about one deal, with its status and resolution; fct_inquiry ties "
    "it to the payee's credits and payout lines of the period and to the manual adjustments that resolve it. "
    "Optional.",
    _c("inquiry_id", required=True),
    _EMPLOYEE_ID,
    _c("period", "period", required=True),
    _c("opportunity_id"),
    _c(
        "category",
        required=True,
        note="yes; one of " + ", ".join(INQUIRY_CATEGORIES) + ": `unknown_inquiry_category`",
        one_of=(INQUIRY_CATEGORIES, RULE_UNKNOWN_INQUIRY_CATEGORY),
    ),
    _c("text", required=True),
    _c("opened_at", "datetime", required=True),
    _c(
        "status",
        required=True,
        note="yes; one of " + ", ".join(INQUIRY_STATUSES) + ": `unknown_inquiry_status`",
        one_of=(INQUIRY_STATUSES, RULE_UNKNOWN_INQUIRY_STATUS),
    ),
    _c("resolution", note="text; expected when resolved or rejected"),
    _c(
        "resolved_at",
        "datetime",
        note="when resolved or rejected: `inquiry_closed_without_resolved_at`; "
        "before opened_at: `inquiry_resolved_before_opened`",
        required_when=("status", INQUIRY_CLOSED_STATUSES, RULE_INQUIRY_CLOSED_WITHOUT_RESOLVED_AT),
        not_before=("opened_at", RULE_INQUIRY_RESOLVED_BEFORE_OPENED),
    ),
)

CONTRACTS: tuple[DatasetContract, ...] = (
    CRM_OPPORTUNITY,
    CRM_OPPORTUNITY_LINE_ITEM,
    CRM_OPPORTUNITY_SPLIT,
    CRM_OPPORTUNITY_HISTORY,
    CRM_ACCOUNT,
    CRM_PRODUCT,
    CRM_USER,
    CRM_DATED_CONVERSION_RATE,
    ERP_INVOICE,
    HR_WORKERS,
    HR_JOB_HISTORY,
    HR_LEAVE,
    CONFIG_QUOTAS,
    CONFIG_PLAN_ASSIGNMENTS,
    CONFIG_SEASONALITY,
    CONFIG_TERRITORY_ASSIGNMENTS,
    CONFIG_COMPANY_TARGETS,
    CONFIG_COST_CENTERS,
    CONFIG_PAYROLLS,
    CONFIG_PAYROLL_CODES,
    CONFIG_ADJUSTMENTS,
    CONFIG_PLAN_ACCEPTANCES,
    CONFIG_INQUIRIES,
)

BY_NAME: dict[tuple[str, str], DatasetContract] = {(c.system, c.name): c for c in CONTRACTS}


def contract(system: str, name: str) -> DatasetContract:
    return BY_NAME[(system, name)]
