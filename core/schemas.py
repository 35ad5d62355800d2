"""JSON Schema validation of configuration documents (plans, territories, statements.yaml): one loader.

Each configuration file kind has its schema file beside its code; ``schema_errors`` returns the
document's violations in a stable order (by JSON path), which each caller turns into one line per
problem naming the file and the path.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema


@lru_cache(maxsize=None)
def schema_validator(path: Path) -> jsonschema.protocols.Validator:
    """The validator of the schema in ``path`` (the schema itself checked once)."""
    schema = json.loads(Path(path).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(path: Path, document) -> list[jsonschema.ValidationError]:
    """Every violation of the schema in ``path`` by ``document``, ordered by JSON path."""
    return sorted(schema_validator(path).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
