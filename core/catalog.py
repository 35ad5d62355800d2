"""What the Dagster UI's catalog shows of an asset: its owner, descriptions the UI can render, dbt
tests described in words, and a dbt model's column schema (docs/operations.md "The catalog").

Pure functions of a domain name, a text or the dbt manifest: the dbt translator (core/dbt.py) and
the code location (orchestration/definitions.py, ``catalogued``) apply them; nothing here queries
the warehouse, so loading the definitions stays cheap.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg

# The owner of each domain (the Dagster group and the dbt folder under intermediate/ and marts/):
# the one place an asset's owner is decided (dbt models through the translator, Python assets by
# their group when the definitions are built). A dbt node's ``meta.owner`` overrides it.
OWNERS: Mapping[str, str] = {
    "ingest": "team:data-eng",  # landing contracts, raw layer, staging models, quarantine
    "planning": "team:sales-ops",  # territories, capacity, quota proposals
    "compensation": "team:sales-ops",  # credit, quota, attainment, commissions (the plans' arithmetic)
    "statements": "team:sales-ops",  # what each payee is shown
    "payouts": "team:finance",  # payout extract, payroll files, pay calendar, ledger, publication
    "finance": "team:finance",  # journals
    "insights": "team:bi",  # sales-performance marts for the BI analysts
    "forecasts": "team:bi",  # bookings, attainment and payout forecasts
    "bi": "team:bi",  # the BI snapshot
}


def owners_of(domain: str | None) -> list[str]:
    """The owners of a domain's assets (empty for a domain without an entry in ``OWNERS``)."""
    owner = OWNERS.get(domain or "")
    return [owner] if owner else []


# --- Descriptions the UI can render --------------------------------------------------------------
# The UI renders descriptions as Markdown and drops what looks like an HTML tag, so a placeholder
# such as ``SPM_EXPORT_DIR/payouts/<period>/`` loses ``<period>``. Placeholders outside code are
# put in code spans, which show them as written.

_FENCE = re.compile(r"(^```.*?^```[^\n]*$)", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
HTML_LIKE = re.compile(r"</?[A-Za-z][\w\-.:/]*>")
_TOKEN = re.compile(r"\S+")
_LEADING = "(\"'[*_"
_TRAILING = ".,;:)\"'!?]*_"


def _outside_code(text: str):
    """(is_code, part) pieces of ``text``: fenced blocks and inline code spans are code."""
    for i, block in enumerate(_FENCE.split(text)):
        if i % 2:
            yield True, block
            continue
        position = 0
        for match in _CODE_SPAN.finditer(block):
            yield False, block[position : match.start()]
            yield True, match.group(0)
            position = match.end()
        yield False, block[position:]


def _code_token(match: re.Match) -> str:
    token = match.group(0)
    if not HTML_LIKE.search(token):
        return token
    core = token.lstrip(_LEADING)
    lead = token[: len(token) - len(core)]
    stripped = core.rstrip(_TRAILING)
    trail = core[len(stripped) :]
    return f"{lead}`{stripped}`{trail}"


def ui_text(text: str | None) -> str | None:
    """``text`` with every HTML-like placeholder (``<period>``, ``<YYYY-MM-DD>``) outside code put in
    a code span (the whole word it is part of: ``SPM_EXPORT_DIR/payouts/<period>/``), so the UI
    shows it; code blocks and spans are left as they are."""
    if not text or "<" not in text:
        return text
    return "".join(part if code else _TOKEN.sub(_code_token, part) for code, part in _outside_code(text))


def html_like_tags(text: str | None) -> list[str]:
    """The HTML-like ``<word>`` s of ``text`` outside code (what the UI would drop)."""
    if not text:
        return []
    return [tag for code, part in _outside_code(text) if not code for tag in HTML_LIKE.findall(part)]


# --- dbt tests in words ---------------------------------------------------------------------------

_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")


def _model_name(value: Any) -> str:
    """A model named by a test argument (``ref('dim_payee')`` -> ``dim_payee``)."""
    match = _REF.search(str(value))
    return match.group(1) if match else str(value)


def _listed(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _quoted(values: Sequence[Any]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _accepted(accepted: Any) -> tuple[list, bool]:
    """A ``row_rules`` accepted-values entry: a list, or ``{values: [...], quote: false}``."""
    if isinstance(accepted, Mapping):
        return list(accepted.get("values", [])), accepted.get("quote", True)
    return list(accepted), True


def _row_rules(m: str, a: Mapping[str, Any]) -> str:
    """A ``row_rules`` test's rules in words, one clause each, in the order the test checks them."""
    clauses = []
    if a.get("not_null"):
        clauses.append(f"none of {m}.{{{_listed(a['not_null'])}}} is ever NULL")
    clauses += [f"no two rows have the same non-NULL {column}" for column in a.get("unique") or []]
    clauses += [f"one row per ({_listed(columns)})" for columns in a.get("unique_combinations") or []]
    for column, accepted in (a.get("accepted_values") or {}).items():
        values, quote = _accepted(accepted)
        clauses.append(f"every non-NULL {column} is one of {_quoted(values) if quote else _listed(values)}")
    clauses += [f"`{expression}` holds on every row" for expression in a.get("expressions") or []]
    clauses += [
        f"every non-NULL {column} is a {reference.get('field', column)} of {_model_name(reference.get('to', ''))}"
        for column, reference in (a.get("relationships") or {}).items()
    ]
    return f"the rows of {m}: " + "; ".join(clauses) + ". A failure names the rule and the column."


# Generic test name -> its rule in words, from (model, column, arguments).
_GENERIC_TESTS = {
    "row_rules": lambda m, c, a: _row_rules(m, a),
    "not_null": lambda m, c, a: f"{m}.{c} must never be NULL.",
    "unique": lambda m, c, a: f"no two rows of {m} have the same {c}.",
    "not_null_columns": lambda m, c, a: f"none of {m}.{{{_listed(a.get('columns', []))}}} is ever NULL.",
    "unique_combination_of_columns": lambda m, c, a: (
        f"one row of {m} per ({_listed(a.get('combination_of_columns', []))}): no combination appears twice."
    ),
    "accepted_values": lambda m, c, a: f"every non-NULL {m}.{c} is one of {_quoted(a.get('values', []))}.",
    "relationships": lambda m, c, a: (
        f"every non-NULL {m}.{c} is a {a.get('field', c)} of {_model_name(a.get('to', ''))}."
    ),
    "expression_is_true": lambda m, c, a: f"`{a.get('expression', '')}` holds on every row of {m}.",
    "not_overlapping_ranges": lambda m, c, a: (
        f"within each ({_listed(a.get('partition_by', []))}) of {m}, the ranges {a.get('start_column')} .. "
        f"{a.get('end_column')} ({'end included' if a.get('end_inclusive') else 'end excluded'}; "
        "a NULL end is open) never overlap."
    ),
    "balanced_per_group": lambda m, c, a: (
        f"in {m}, the {a.get('debit_column', 'debit')} total equals the {a.get('credit_column', 'credit')} "
        f"total within each ({_listed(a.get('group_by', []))})."
    ),
    "exactly_one_row_per": lambda m, c, a: (
        f"{m} has exactly one row per ({_listed(a.get('key_columns', []))}) of "
        f"{_model_name(a.get('compare_model', ''))}, and none for a key that model lacks."
    ),
}

_JINJA_COMMENT = re.compile(r"^\s*\{#-?(.*?)-?#\}", re.DOTALL)


def _leading_comment(code: str | None) -> str:
    """The comment a SQL file or macro opens with (``--`` lines or a ``{# #}`` block), as one line."""
    code = code or ""
    jinja = _JINJA_COMMENT.match(code)
    if jinja:
        lines = jinja.group(1).splitlines()
    else:
        lines = []
        for line in code.lstrip().splitlines():
            if not line.lstrip().startswith("--"):
                break
            lines.append(line.lstrip()[2:])
    return " ".join(" ".join(lines).split())


def _arguments(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(kwargs.items()) if k not in ("model", "column_name"))


def dbt_test_description(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    """The rule a dbt data test checks, in one sentence that starts with the test's name.

    A test's own ``description`` (or ``meta.description``) wins; a generic test is described from
    its name, column and arguments (``not_null: fct_payout_line.amount must never be NULL.``), one
    this module does not know from its macro's opening comment; a singular test from its SQL file's
    opening comment, else its file. A ``where`` config and a ``warn`` severity are said too.
    """
    config = test.get("config") or {}
    own = test.get("description") or (test.get("meta") or {}).get("description") or (
        (config.get("meta") or {}).get("description")
    )
    metadata = test.get("test_metadata") or {}
    name = metadata.get("name")
    nodes = manifest.get("nodes", {})
    attached = nodes.get(test.get("attached_node") or "", {}).get("name")
    if own:
        text = f"{name or test.get('name')}: {own}"
    elif name:
        arguments = metadata.get("kwargs") or {}
        model = attached or _model_name(arguments.get("model", ""))
        column = test.get("column_name") or arguments.get("column_name")
        rule = _GENERIC_TESTS.get(name)
        if rule:
            text = f"{name}: {rule(model, column, arguments)}"
        else:
            package = metadata.get("namespace") or test.get("package_name")
            macro = manifest.get("macros", {}).get(f"macro.{package}.test_{name}", {})
            comment = _leading_comment(macro.get("macro_sql"))
            text = f"{name} on {model}{'.' + column if column else ''} ({_arguments(arguments)})" + (
                f": {comment}" if comment else "."
            )
    else:
        comment = _leading_comment(test.get("raw_code"))
        text = f"{test.get('name')}: " + (comment or f"the query of {test.get('original_file_path')} returns no row.")
    where = config.get("where")
    if where:
        text += f" Only rows where `{where}`."
    if str(config.get("severity") or "error").lower() == "warn":
        text += " A failure warns; it does not stop the run."
    return ui_text(text)


# --- Column schema of a dbt model -----------------------------------------------------------------

UNKNOWN_TYPE = "unknown"  # a column whose yml declares no data_type


def _column_rules(manifest: Mapping[str, Any]) -> dict[tuple[str, str], dict]:
    """(model unique_id, column) -> what the manifest's tests say of the column (not null, unique, ...)."""
    rules: dict[tuple[str, str], dict] = {}
    for test in manifest.get("nodes", {}).values():
        if test.get("resource_type") != "test" or not test.get("attached_node"):
            continue
        metadata = test.get("test_metadata") or {}
        arguments = metadata.get("kwargs") or {}
        model = test["attached_node"]
        name = metadata.get("name")
        columns = [test.get("column_name")] if test.get("column_name") else []
        if name == "not_null_columns":
            columns = list(arguments.get("columns", []))
        if name == "row_rules":
            _add_row_rules(rules, model, arguments)
            continue
        for column in columns:
            rule = rules.setdefault((model, column), {"not_null": False, "unique": False, "other": []})
            if name in ("not_null", "not_null_columns"):
                rule["not_null"] = True
            elif name == "unique":
                rule["unique"] = True
            elif name == "accepted_values":
                rule["other"].append(f"one of {_quoted(arguments.get('values', []))}")
            elif name == "relationships":
                rule["other"].append(f"references {_model_name(arguments.get('to', ''))}.{arguments.get('field', column)}")
    return rules


def _add_row_rules(rules: dict[tuple[str, str], dict], model: str, arguments: Mapping[str, Any]) -> None:
    """What a ``row_rules`` test says of each column: not null, unique, its accepted values."""
    def rule(column: str) -> dict:
        return rules.setdefault((model, column), {"not_null": False, "unique": False, "other": []})

    for column in arguments.get("not_null") or []:
        rule(column)["not_null"] = True
    for column in arguments.get("unique") or []:
        rule(column)["unique"] = True
    for column, accepted in (arguments.get("accepted_values") or {}).items():
        values, _ = _accepted(accepted)
        rule(column)["other"].append(f"one of {_quoted(values)}")
    for column, reference in (arguments.get("relationships") or {}).items():
        rule(column)["other"].append(f"references {_model_name(reference.get('to', ''))}.{reference.get('field', column)}")


_RULES_CACHE: dict[int, tuple[Mapping[str, Any], dict]] = {}


def column_rules(manifest: Mapping[str, Any]) -> dict[tuple[str, str], dict]:
    """``_column_rules`` computed once per manifest object."""
    cached = _RULES_CACHE.get(id(manifest))
    if cached is None or cached[0] is not manifest:
        cached = (manifest, _column_rules(manifest))
        _RULES_CACHE.clear()
        _RULES_CACHE[id(manifest)] = cached
    return cached[1]


def column_schema(node: Mapping[str, Any], manifest: Mapping[str, Any]) -> dg.TableSchema | None:
    """The columns of a dbt model as its yml declares them: name, ``data_type`` (``unknown`` where
    none is declared), description, and the constraints its contract and tests state (not null,
    unique, accepted values, references). None for a model whose yml lists no column."""
    columns = node.get("columns") or {}
    if not columns:
        return None
    rules = column_rules(manifest)
    schema = []
    for name, column in columns.items():
        rule = rules.get((node["unique_id"], name), {})
        declared = {c.get("type") for c in column.get("constraints") or []}
        not_null = rule.get("not_null") or bool(declared & {"not_null", "primary_key"})
        unique = rule.get("unique") or bool(declared & {"unique", "primary_key"})
        schema.append(
            dg.TableColumn(
                name=name,
                type=(column.get("data_type") or "").strip() or UNKNOWN_TYPE,
                description=ui_text(column.get("description") or None),
                constraints=dg.TableColumnConstraints(
                    nullable=not not_null,
                    unique=bool(unique),
                    other=list(rule.get("other", [])),
                ),
                tags={tag: "" for tag in column.get("tags") or []},
            )
        )
    return dg.TableSchema(columns=schema)


# --- The whole code location ----------------------------------------------------------------------

DBT_UNIQUE_ID = "dagster_dbt/unique_id"  # metadata of the dbt project's assets (dagster-dbt)


def catalog_spec(spec: dg.AssetSpec, engine_kind: str = "duckdb") -> dg.AssetSpec:
    """An asset as the catalog shows it: its domain's owner when it names none, a description the UI
    renders (``ui_text``), and kinds that say what it is: ``dbt`` only on the dbt project's models; a
    Python asset that runs the engine (the payout forecast's scenarios) is of the engine's kind.
    The dbt models come from the translator (core/dbt.py) already so and are left as they are."""
    if DBT_UNIQUE_ID in spec.metadata:
        return spec
    kinds = set(spec.kinds)
    if "dbt" in kinds:
        kinds = (kinds - {"dbt"}) | {engine_kind}
    return spec.replace_attributes(
        owners=list(spec.owners) or owners_of(spec.group_name),
        description=ui_text(spec.description),
        kinds=kinds,
    )


def catalogued(*domains: dg.Definitions, engine_kind: str = "duckdb") -> dg.Definitions:
    """The domains' definitions merged, with ``catalog_spec`` applied to every asset and a reference
    to the code that defines each Python asset (a dbt model's own reference is its SQL file, from the
    translator)."""
    merged = dg.Definitions.merge(*domains)
    with warnings.catch_warnings():  # code references are a beta API: nothing to tell the user on every load
        warnings.simplefilter("ignore", dg.BetaWarning)
        assets = dg.with_source_code_references(merged.assets or [])
    return dg.Definitions(
        assets=dg.map_asset_specs(lambda spec: catalog_spec(spec, engine_kind), assets),
        asset_checks=merged.asset_checks,
        jobs=merged.jobs,
        schedules=merged.schedules,
        sensors=merged.sensors,
        resources=merged.resources,
        executor=merged.executor,
        loggers=merged.loggers,
        metadata=merged.metadata,
    )
