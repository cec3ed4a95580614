"""Reading what a call to Temporal failed with, for its callers outside the workflows: the
failure at the root of a chain, and whether a NOT_FOUND means a run that has closed."""

from __future__ import annotations

from temporalio.service import RPCError, RPCStatusCode


def innermost(error: BaseException) -> BaseException:
    """The root of a chain of Temporal failures (each naming its `cause`): what the workflow,
    its activity or the server said."""
    seen: set[int] = set()
    while id(error) not in seen:
        seen.add(id(error))
        cause = getattr(error, "cause", None)
        if not isinstance(cause, BaseException):
            break
        error = cause
    return error


def is_closed_run(error: RPCError) -> bool:
    """Temporal answers NOT_FOUND both for an id it does not know and for an update or signal
    to a run that has completed; only its message tells them apart."""
    return error.status is RPCStatusCode.NOT_FOUND and "completed" in error.message.lower()
