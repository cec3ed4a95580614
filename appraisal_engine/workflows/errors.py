"""Failure types the workflows raise; the API maps each to an HTTP status."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from appraisal_engine.domain.errors import Wording

UNKNOWN_TASK = "UnknownTask"  # 404
NOT_ASSIGNEE = "NotAssignee"  # 404 to the caller: they may not see another's task
WRONG_STAGE = "WrongStage"  # 409
TASK_CLOSED = "TaskClosed"  # 409: already done, missing or cancelled
SUPERSEDED = "Superseded"  # 409: moved to someone else
INVALID_PAYLOAD = "InvalidPayload"  # 422
NOT_ALLOWED = "NotAllowed"  # 403/409: e.g. an appeal by someone else or out of its window
POLICY_INCOMPLETE = "PolicyIncomplete"  # the policy cannot run this roster (a start refused)


WORDING = "wording"
"""The key of the detail that carries a refusal's sentence as a template and values."""


def reject(
    kind: str, message: str | Wording, *, field: str | None = None, **extra: Any
) -> ApplicationError:
    """A validator rejection: never retried, never enters the history. A message built with
    values is a Wording: its English text is the error's message, and its template and values
    travel in a detail of their own, so a page can say it in the reader's language."""
    details: list[dict[str, Any]] = [{"field": field, **extra}] if field or extra else []
    if isinstance(message, Wording) and message.values:
        details.append({WORDING: message.data()})
    return ApplicationError(str(message), *details, type=kind, non_retryable=True)
