"""OpenAPI helpers: the problem responses each route can give, with examples to paste."""

from __future__ import annotations

from typing import Any

from api.problems import PROBLEM_JSON, TITLES, Problem

_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"detail": "the upload is not a roster file"},
    401: {"detail": "a bearer token is required"},
    403: {"detail": "this action is for HR"},
    404: {"detail": "no such appraisal"},
    409: {"detail": "the task is already done", "code": "TaskClosed"},
    413: {"detail": "the body is larger than 1048576 bytes"},
    422: {
        "detail": "1 field error(s)",
        "errors": [
            {"field": "body.reason", "message": "String should have at least 10 characters"}
        ],
    },
    503: {"detail": "the workflow service is unavailable, try again"},
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status as a problem document with an example."""
    return {
        status: {
            "model": Problem,
            "description": TITLES[status],
            "content": {
                PROBLEM_JSON: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": {"title": TITLES[status], "status": status, **_EXAMPLES[status]},
                }
            },
        }
        for status in statuses
    }
