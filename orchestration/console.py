"""User errors in one line: the filter of Dagster's colored console logger, and the reasons the CLI
prints (the console logger itself, with its two styles, is ``run_console.spm_console_logger``).

A step that fails with ``core.failures.user_error`` (or any ``dg.Failure``:
raised on purpose, with a message written for the user) or a blocking asset
check that failed is logged as its message alone: a stack trace of our own
``raise`` tells an analyst nothing. Any other exception (a bug, a locked file)
keeps its traceback. The Dagster event log, and so the UI, keeps the full error
either way.
"""

from __future__ import annotations

import logging

import dagster as dg

# The attribute Dagster's log handler sets on each record (dagster._core.log_manager).
_DAGSTER_META = "dagster_meta"
_ONE_LINE_ERROR_CLASSES = ("Failure", "DagsterAssetCheckFailedError")


def error_message(error) -> str:
    """A SerializableErrorInfo's message without its class-name prefix and stack."""
    message = error.message.strip()
    head, sep, rest = message.partition(": ")
    if sep and error.cls_name and head.split(".")[-1] == error.cls_name:
        message = rest
    return message


def user_error_reason(event) -> str | None:
    """The one-line reason of a failed step or run whose error is meant for the user, else None."""
    if event is None or not (event.is_step_failure or event.is_run_failure):
        return None
    data = event.event_specific_data
    error = getattr(data, "error", None)
    user_failure = getattr(data, "user_failure_data", None)
    if user_failure is not None and user_failure.description:
        return user_failure.description.strip()
    if error is None:
        return None
    if event.is_run_failure:  # the failed step's own line gave the reason
        return "" if error.cls_name in _ONE_LINE_ERROR_CLASSES or _first_step_is_user_error(data) else None
    return error_message(error) if error.cls_name in _ONE_LINE_ERROR_CLASSES else None


def _first_step_is_user_error(data) -> bool:
    first = getattr(data, "first_step_failure_event", None)
    return first is not None and user_error_reason(first) is not None


class OneLineUserErrors(logging.Filter):
    """Rewrites the record of a user error's failure: the event line and the reason, no stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, _DAGSTER_META, None) or {}
        reason = user_error_reason(meta.get("dagster_event"))
        if reason is not None:
            head = record.getMessage().split("\n\n", 1)[0]
            record.msg, record.args = f"{head} {reason}".rstrip(), ()
        return True
