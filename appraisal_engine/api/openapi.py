"""OpenAPI helpers: the problem responses each route can give, with examples to paste."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from appraisal_engine.api.problems import PROBLEM_JSON, TITLES, Problem

_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"detail": "There was an error parsing the body"},
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
    return {status: {"model": Problem, **_documented(status)} for status in statuses}


def _documented(status: int) -> dict[str, Any]:
    return {
        "description": TITLES[status],
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {"title": TITLES[status], "status": status, **_EXAMPLES[status]},
            }
        },
    }


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """Make the generated document say what the app does, in place, and return it.

    Request validation fails as a problem document, not FastAPI's default body. Every route
    that takes a body may answer 400 (it does not parse: not UTF-8, broken multipart) and 413
    (over the size limit): the body parser and the size middleware answer those, not the route.
    A discriminated union's tag is required in every variant: the body is refused without it,
    even where the model gives it a default."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for path in document.get("paths", {}).values():
        for operation in path.values():
            answers: dict[str, Any] = operation.setdefault("responses", {})
            invalid = answers.get("422")
            if invalid and PROBLEM_JSON not in invalid.get("content", {}):
                answers["422"] = _documented(422)
            if "requestBody" in operation:
                for status in (400, 413):
                    answers.setdefault(str(status), _documented(status))
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's, now unused
        ref = f"#/components/schemas/{name}"
        if not any(node.get("$ref") == ref for node in _walk(document)):
            schemas.pop(name, None)
    unions = [node["discriminator"] for node in _walk(document) if "discriminator" in node]
    for discriminator in unions:
        tag = discriminator["propertyName"]
        for ref in discriminator.get("mapping", {}).values():
            variant = schemas[ref.rsplit("/", 1)[-1]]
            if tag not in variant.setdefault("required", []):
                variant["required"].insert(0, tag)
    return document


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
