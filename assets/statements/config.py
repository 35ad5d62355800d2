"""The statements' configuration: ``<config>/statements.yaml`` (optional), checked against
``statements.schema.json`` (unknown fields are errors) and for what a schema cannot say (a locale
Babel knows). Without the file every setting has its default (``StatementsConfig()``).

    contact:                        # the contact / inquiry line on every statement
      team: Sales Compensation      # required when contact is given
      email: sales-comp@example.com
      phone: +1 555 0100
      inquiry_window_days: 30       # "within 30 days of the pay date"
    deal_appendix:
      managers: false               # deal-by-deal roll-up credit as an appendix (default false)
    locales:                        # statement locale per HR country (default: the country's
      CA: fr_CA                     # most likely language, formatting.locale_for_country)

A problem is one line naming the file and the field; all of them are reported at once in a
``StatementsConfigError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from assets.ingest.plans import _explain, _field_path, read_config_yaml
from core.schemas import schema_errors

SCHEMA_PATH = Path(__file__).with_name("statements.schema.json")
STATEMENTS_FILE = "statements.yaml"
DEFAULT_TEAM = "Sales Compensation"
DEFAULT_INQUIRY_WINDOW_DAYS = 30


class StatementsConfigError(ValueError):
    """statements.yaml is invalid; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the statements configuration:\n"
                         + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class Contact:
    team: str = DEFAULT_TEAM
    email: str | None = None
    phone: str | None = None
    inquiry_window_days: int = DEFAULT_INQUIRY_WINDOW_DAYS

    def line(self) -> str:
        """``Questions about this statement? Ask Sales Compensation (sales-comp@example.com,
        +1 555 0100) within 30 days of the pay date.``"""
        reach = ", ".join(v for v in (self.email, self.phone) if v)
        who = f"{self.team} ({reach})" if reach else self.team
        return f"Questions about this statement? Ask {who} within {self.inquiry_window_days} days of the pay date."


@dataclass(frozen=True)
class StatementsConfig:
    contact: Contact = Contact()
    manager_deal_appendix: bool = False
    locales: dict[str, str] = field(default_factory=dict)  # HR country -> locale tag
    source_file: str | None = None  # relative to the config folder; None: the defaults



def parse_statements_config(document, source: str = STATEMENTS_FILE) -> StatementsConfig:
    """A parsed statements.yaml document -> the configuration; ``StatementsConfigError`` naming
    ``source`` and the field for every problem."""
    if document is None:
        return StatementsConfig(source_file=source)
    if not isinstance(document, dict):
        raise StatementsConfigError([f"{source}: must hold one mapping (contact, deal_appendix, locales), "
                                     f"found {type(document).__name__}"])
    problems = []
    for error in schema_errors(SCHEMA_PATH, document):
        for detail in _explain(error):
            problems.append(f"{source} {_field_path(detail.absolute_path).replace('(plan)', '(file)')}: {detail.message}")
    locales = document.get("locales") or {}
    if isinstance(locales, dict):
        for country, tag in sorted(locales.items()):
            if isinstance(tag, str):
                try:
                    Locale.parse(tag)
                except (UnknownLocaleError, ValueError):
                    problems.append(f"{source} locales.{country}: {tag!r} is not a locale Babel knows")
    if problems:
        raise StatementsConfigError(problems)
    contact = document.get("contact")
    return StatementsConfig(
        contact=Contact(
            team=contact["team"],
            email=contact.get("email"),
            phone=contact.get("phone"),
            inquiry_window_days=contact.get("inquiry_window_days", DEFAULT_INQUIRY_WINDOW_DAYS),
        ) if contact else Contact(),
        manager_deal_appendix=bool((document.get("deal_appendix") or {}).get("managers", False)),
        locales=dict(sorted(locales.items())),
        source_file=source,
    )


def load_statements_config(config_dir: Path) -> StatementsConfig:
    """``<config_dir>/statements.yaml`` checked, or the defaults when there is no such file."""
    path = Path(config_dir) / STATEMENTS_FILE
    if not path.exists():
        return StatementsConfig()
    document, problem = read_config_yaml(path, STATEMENTS_FILE)
    if problem:
        raise StatementsConfigError([problem])
    return parse_statements_config(document, STATEMENTS_FILE)


def statements_yaml_example() -> str:
    """What the demo generator writes to the configuration folder."""
    return (
        "# Payee statements (docs/statements.md); every field is optional.\n"
        "contact:\n"
        "  team: Sales Compensation\n"
        "  email: sales-comp@example.com\n"
        "  inquiry_window_days: 30\n"
        "deal_appendix:\n"
        "  managers: false\n"
    )
