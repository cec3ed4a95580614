"""Workflow calls in the services' terms: a validator's typed rejection becomes NotFound,
Conflict or Invalid, a closed or unknown workflow Conflict or NotFound."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio.client import (
    RPCTimeoutOrCancelledError,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.client.failures import is_closed_run
from appraisal_engine.domain.errors import Wording
from appraisal_engine.services.errors import (
    Conflict,
    Invalid,
    Issue,
    NotFound,
    ServiceError,
    Unavailable,
)
from appraisal_engine.workflows import errors

NOT_FOUND = frozenset(
    {
        errors.UNKNOWN_TASK,
        errors.NOT_ASSIGNEE,  # never confirm that someone else's task exists
    }
)
INVALID = frozenset({errors.INVALID_PAYLOAD})
# Any other type (WRONG_STAGE, TASK_CLOSED, SUPERSEDED, NOT_ALLOWED, ...) is a conflict, but
# NOT_ALLOWED naming a field of the input is invalid: a value the request may not carry, e.g. a
# deadline in the past.


def rejection(e: ApplicationError) -> ServiceError:
    """The service error for a workflow's typed rejection."""
    if e.type in NOT_FOUND:
        return NotFound("task", code=e.type)
    parts = [d for d in e.details if isinstance(d, dict)]
    said = [Wording.of_data(d[errors.WORDING]) for d in parts if errors.WORDING in d]
    wording = said[0] if said else None
    fields = [d for d in parts if errors.WORDING not in d]
    names_field = any(d.get("field") for d in fields)
    issues = [
        Issue(field=str(d.get("field") or ""), message=e.message, wording=wording) for d in fields
    ]
    if e.type in INVALID or (e.type == errors.NOT_ALLOWED and names_field):
        issues = issues or [Issue("", e.message, wording=wording)]
        return Invalid(e.message, code=e.type, issues=issues, wording=wording)
    return Conflict(e.message, code=e.type, issues=issues, wording=wording)


@asynccontextmanager
async def workflow_call(what: str = "appraisal") -> AsyncIterator[None]:
    """Translate what a workflow call can fail with into service errors."""
    try:
        yield
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        if isinstance(cause, ApplicationError):
            raise rejection(cause) from None
        raise Conflict(f"the {what} did not accept the request") from None
    except WorkflowQueryFailedError:
        raise Unavailable(f"the {what} could not be read just now") from None
    except RPCTimeoutOrCancelledError as e:
        if isinstance(e.__cause__, asyncio.CancelledError):
            raise e.__cause__ from None  # the caller's own cancellation, given back as itself
        if not isinstance(e.__cause__, RPCError):
            raise
        # The call's deadline passed: the request may have been taken all the same.
        raise Unavailable(
            f"the {what} did not answer in time; look at it before sending the request again"
        ) from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            if is_closed_run(e):
                raise Conflict(f"the {what} is closed", code="Closed") from None
            raise NotFound(what) from None
        raise  # an unreachable service is answered by api.outages, like anywhere else
