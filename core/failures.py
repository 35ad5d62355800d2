"""The one way a step says "this is not going to work on a retry" (docs/operations.md).

A missing landing column, a plan YAML that breaks the schema, a pay period that
does not exist, a check that refuses to publish: rerunning the same step on the
same files gives the same error, so such a failure skips the job's retry
policy (``allow_retries=False``) and fails at once. The console prints its
description as one line, without a stack trace (``orchestration.console``).

Anything else a step raises (a locked file, a full disk, a bug) keeps the
retry policy and its traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# Dagster is imported where a failure is made, not here: core.settings imports
# this module, and so does every dbt process the pipeline starts (core/dbt_child.py),
# which has no use for Dagster (importing it costs the dbt child 2-5 s).
if TYPE_CHECKING:
    import dagster as dg


def user_error(description: str, metadata: Mapping[str, Any] | None = None) -> dg.Failure:
    """A failure a rerun cannot fix: bad input, bad configuration, a refused check.

    ``raise user_error(...) from error`` keeps the cause for the event log.
    """
    import dagster as dg

    return dg.Failure(description=description, metadata=dict(metadata or {}), allow_retries=False)


def is_user_error(error: BaseException) -> bool:
    import dagster as dg

    return isinstance(error, dg.Failure) and not error.allow_retries
