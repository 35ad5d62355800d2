"""``spm validate``: the configuration and the landing headers checked in seconds, every problem at once.

Nothing here holds a rule of its own: each check calls the code the pipeline runs
(docs/operations.md, "Validating before a run"):

* the ``SPM_*`` settings: ``core.settings.Settings.from_env``;
* the plans: ``assets.ingest.plans.load_plans`` (schema and semantic checks);
* the territories: ``assets.planning.territories.load_territories``;
* the statements' settings: ``assets.statements.config.load_statements_config``;
* every configuration table of the landing contract (quotas, plan assignments,
  seasonality, territory assignments, company targets, cost centers, payrolls,
  payroll codes): ``assets.ingest.load.ingest_file`` into a scratch folder, so the
  header and every row rule are the ingest's own;
* every CRM and HR landing file: its header only (``landing_columns``,
  ``check_header``; a Parquet file's column types, ``scan_text``), and the batch
  folders' names (``assets.ingest.landing.discover``).

A problem is **fatal** when it stops the pipeline too (a broken plan, a missing
column, a setting that does not parse): ``spm validate`` then exits 2. A row that
breaks a row rule is quarantined by the ingest and the run goes on, so it is a
**warning** (exit 0), as is a column the contract does not know (the ingest keeps
it as an extra column but nothing reads it: often a typo of an optional column).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import SpmPaths

ERROR = "ERROR"
WARNING = "WARNING"
# A file with more bad rows than this is reported by its first rows and a count.
ROWS_PER_FILE = 20


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR (fatal in the pipeline too) or WARNING (the row is quarantined, the run goes on)
    message: str  # one line: file, row if any, rule

    @property
    def fatal(self) -> bool:
        return self.severity == ERROR

    def line(self) -> str:
        return f"{self.severity}: {self.message}"


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.fatal]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str) -> None:
        self.problems.append(Problem(ERROR, _one_line(message)))

    def warning(self, message: str) -> None:
        self.problems.append(Problem(WARNING, _one_line(message)))

    def summary(self) -> str:
        """The closing line: OK with the count of files, or the count of problems."""
        warned = f" ({len(self.warnings)} warning(s): rows the ingest will quarantine, unknown columns)" if self.warnings else ""
        if self.ok:
            return f"configuration and landing headers OK: {self.files_checked} files checked{warned}"
        return (
            f"{len(self.errors)} problem(s) that stop the pipeline in {self.files_checked} files checked{warned}; "
            "fix them and run `spm validate` again"
        )


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def validate(paths: SpmPaths) -> ValidationReport:
    """Every check of this module on ``paths``; nothing is written outside a scratch folder."""
    report = ValidationReport()
    _check_settings(paths, report)
    _check_plans(paths.config_dir, report)
    _check_territories(paths.config_dir, report)
    _check_statements(paths.config_dir, report)
    _check_approvals(paths.config_dir, report)
    _check_config_tables(paths.config_dir, report)
    _check_landing_headers(paths, report)
    return report


def _check_settings(paths: SpmPaths, report: ValidationReport) -> None:
    from core.failures import is_user_error
    from core.settings import Settings

    try:
        Settings.from_env(paths)
    except Exception as error:  # a setting that does not parse is a user error: its one line
        if not is_user_error(error):
            raise
        report.error(f"settings: {error.description}")


def _check_plans(config_dir: Path, report: ValidationReport) -> None:
    from assets.ingest.plans import PlanConfigError, load_plans, plan_files

    report.files_checked += len(plan_files(config_dir))
    try:
        load_plans(config_dir)
    except PlanConfigError as error:
        for line in error.errors:
            report.error(line)


def _check_territories(config_dir: Path, report: ValidationReport) -> None:
    from assets.planning.territories import TERRITORY_FILE, TerritoryConfigError, load_territories

    _check_config_file(config_dir, TERRITORY_FILE, load_territories, TerritoryConfigError, report)


def _check_statements(config_dir: Path, report: ValidationReport) -> None:
    from assets.statements.config import STATEMENTS_FILE, StatementsConfigError, load_statements_config

    _check_config_file(config_dir, STATEMENTS_FILE, load_statements_config, StatementsConfigError, report)


def _check_approvals(config_dir: Path, report: ValidationReport) -> None:
    from assets.payouts.approvals import APPROVALS_FILE, ApprovalConfigError, load_approval_policy

    _check_config_file(config_dir, APPROVALS_FILE, load_approval_policy, ApprovalConfigError, report)


def _check_config_file(config_dir: Path, file_name: str, load, error_class: type, report: ValidationReport) -> None:
    """One optional configuration file through its own loader (``load(config_dir)``): each line of the
    loader's error (``error_class``, which carries ``errors``) is a problem that stops the pipeline."""
    if (Path(config_dir) / file_name).is_file():
        report.files_checked += 1
    try:
        load(config_dir)
    except error_class as error:
        for line in error.errors:
            report.error(line)


def _unknown_columns(contract, columns: list[str], where: str, report: ValidationReport) -> None:
    unknown = [name for name in columns if name not in contract.column_names]
    if unknown:
        report.warning(
            f"{where}: column(s) {', '.join(unknown)} not in the contract of {contract.system}/{contract.name} "
            f"(kept as extra columns, read by nothing; known: {', '.join(contract.column_names)})"
        )


def _check_config_tables(config_dir: Path, report: ValidationReport) -> None:
    """Each configuration table through the ingest's own ``ingest_file``, into a scratch raw folder."""
    import polars as pl

    from assets.ingest.contract import CONTRACTS
    from assets.ingest.landing import CONFIG_SYSTEM, discover
    from assets.ingest.load import ContractError, ingest_file, landing_columns

    with tempfile.TemporaryDirectory(prefix="spm-validate-") as scratch:
        for contract in CONTRACTS:
            if contract.system != CONFIG_SYSTEM:
                continue
            for landing in discover(contract, Path(), config_dir):
                report.files_checked += 1
                try:
                    outcome = ingest_file(landing, Path(scratch))
                except ContractError as error:
                    report.error(str(error))
                    continue
                _unknown_columns(contract, landing_columns(landing.path), landing.relative_path, report)
                if outcome.quarantine_file is None:
                    continue
                quarantine = pl.read_parquet(outcome.quarantine_file, columns=["source_row", "rule", "message"])
                for row in quarantine.head(ROWS_PER_FILE).iter_rows(named=True):
                    report.warning(f"{row['message']} [{row['rule']}: the row is quarantined]")
                if quarantine.height > ROWS_PER_FILE:
                    report.warning(
                        f"{landing.relative_path}: {quarantine.height - ROWS_PER_FILE} more row rule violation(s) "
                        f"({outcome.rows_rejected} row(s) quarantined in all)"
                    )


def _check_landing_headers(paths: SpmPaths, report: ValidationReport) -> None:
    """Every CRM and HR landing file's header (and a Parquet file's column types); no row is read."""
    from assets.ingest.contract import CONTRACTS
    from assets.ingest.landing import BATCHED_SYSTEMS, LandingLayoutError, discover, list_batches
    from assets.ingest.load import ContractError, check_header, header_as_read, landing_columns, scan_text

    for system in BATCHED_SYSTEMS:
        try:
            list_batches(paths.landing_dir, system)
        except LandingLayoutError as error:
            report.error(str(error))
    for contract in CONTRACTS:
        if contract.system not in BATCHED_SYSTEMS:
            continue
        try:
            files = discover(contract, paths.landing_dir, paths.config_dir)
        except LandingLayoutError:
            continue  # said once per system above
        for landing in files:
            report.files_checked += 1
            try:
                columns = landing_columns(landing.path)
                check_header(contract, landing.path, columns, header_as_read(landing.path))
                if landing.format == "parquet":
                    scan_text(landing.path, contract)  # column types against the contract
            except ContractError as error:
                report.error(str(error))
                continue
            _unknown_columns(contract, columns, str(landing.path), report)


def print_report(report: ValidationReport, out, err) -> None:
    """Every problem on ``err``, one line each, then the closing line (``out`` when OK)."""
    for problem in report.problems:
        print(problem.line(), file=err)
    print(report.summary(), file=out if report.ok else err)
