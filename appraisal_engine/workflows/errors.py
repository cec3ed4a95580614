"""Failure types the workflows raise; the API maps each to an HTTP status."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

UNKNOWN_TASK = "UnknownTask"  # 404
NOT_ASSIGNEE = "NotAssignee"  # 404 to the caller: they may not see another's task
WRONG_STAGE = "WrongStage"  # 409
TASK_CLOSED = "TaskClosed"  # 409: already done, missing or cancelled
SUPERSEDED = "Superseded"  # 409: moved to someone else
INVALID_PAYLOAD = "InvalidPayload"  # 422
NOT_ALLOWED = "NotAllowed"  # 403/409: e.g. an appeal by someone else or out of its window
POLICY_INCOMPLETE = "PolicyIncomplete"  # the policy cannot run this roster (a start refused)


def reject(kind: str, message: str, *, field: str | None = None, **extra: Any) -> ApplicationError:
    """A validator rejection: never retried, never enters the history."""
    details = [{"field": field, **extra}] if field or extra else []
    return ApplicationError(message, *details, type=kind, non_retryable=True)
