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
from typing import Any

import dagster as dg


def user_error(description: str, metadata: Mapping[str, Any] | None = None) -> dg.Failure:
    """A failure a rerun cannot fix: bad input, bad configuration, a refused check.

    ``raise user_error(...) from error`` keeps the cause for the event log.
    """
    return dg.Failure(description=description, metadata=dict(metadata or {}), allow_retries=False)


def is_user_error(error: BaseException) -> bool:
    return isinstance(error, dg.Failure) and not error.allow_retries
