"""Workflow outcomes as HTTP: a validator's typed rejection becomes 404, 409 or 422."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.api.problems import FieldError, ProblemError
from appraisal_engine.client.failures import is_closed_run
from appraisal_engine.workflows import errors

STATUS = {
    errors.UNKNOWN_TASK: 404,
    errors.NOT_ASSIGNEE: 404,  # never confirm that someone else's task exists
    errors.WRONG_STAGE: 409,
    errors.TASK_CLOSED: 409,
    errors.SUPERSEDED: 409,
    errors.INVALID_PAYLOAD: 422,
    errors.NOT_ALLOWED: 409,  # 422 when it names a field of the body
}


def rejection(e: ApplicationError) -> ProblemError:
    """The problem for a workflow's typed rejection."""
    status = STATUS.get(e.type or "", 409)
    names_field = any(isinstance(d, dict) and d.get("field") for d in e.details)
    if e.type == errors.NOT_ALLOWED and names_field:
        status = 422  # a value the request may not carry, e.g. a deadline in the past
    if status == 404:
        return ProblemError(404, "no such task", code=e.type)
    field_errors = [
        FieldError(field=f"body.{d['field']}" if d.get("field") else "body", message=e.message)
        for d in e.details
        if isinstance(d, dict)
    ]
    if status == 422 and not field_errors:
        field_errors = [FieldError(field="body", message=e.message)]
    return ProblemError(status, e.message, code=e.type, errors=field_errors or None)


@asynccontextmanager
async def workflow_call(what: str = "appraisal") -> AsyncIterator[None]:
    """Translate what a workflow call can fail with into problems."""
    try:
        yield
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        if isinstance(cause, ApplicationError):
            raise rejection(cause) from None
        raise ProblemError(409, f"the {what} did not accept the request") from None
    except WorkflowQueryFailedError:
        raise ProblemError(503, f"the {what} could not be read just now") from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            if is_closed_run(e):
                raise ProblemError(409, f"the {what} is closed", code="Closed") from None
            raise ProblemError(404, f"no such {what}") from None
        raise  # an unreachable service is answered by api.outages, like anywhere else
