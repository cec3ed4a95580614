"""The payload codec for the Temporal UI: HR and auditors may decode what the workers encrypted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Body
from google.protobuf import json_format
from temporalio.converter import PayloadCodec

from api.deps import ReaderPrincipal, ServicesDep
from api.openapi import responses
from api.problems import ProblemError
from workflows.codec import decode_json, encode_json

router = APIRouter(prefix="/codec", tags=["codec"])
Payloads = Body(
    examples=[
        {"payloads": [{"metadata": {"encoding": "YmluYXJ5L3BsYWlu"}, "data": "eyJ4IjoxfQ=="}]}
    ]
)


Transform = Callable[[PayloadCodec, Mapping[str, Any]], Awaitable[dict[str, Any]]]


async def _apply(svc: ServicesDep, body: dict[str, Any], transform: Transform) -> dict[str, Any]:
    codec = svc.client.data_converter.payload_codec
    if codec is None:  # encryption off: payloads are already plain
        return {"payloads": body.get("payloads", [])}
    try:
        return await transform(codec, body)
    except (json_format.ParseError, ValueError) as e:
        raise ProblemError(422, f"not valid payloads: {type(e).__name__}") from None


@router.post("/decode", responses=responses(401, 403, 422))
async def decode(
    principal: ReaderPrincipal, svc: ServicesDep, body: dict[str, Any] = Payloads
) -> dict[str, Any]:
    """Decrypt payloads (Temporal's remote codec format) for an authorised reader."""
    return await _apply(svc, body, decode_json)


@router.post("/encode", responses=responses(401, 403, 422))
async def encode(
    principal: ReaderPrincipal, svc: ServicesDep, body: dict[str, Any] = Payloads
) -> dict[str, Any]:
    """Encrypt payloads, so the UI can send encoded queries and signals."""
    return await _apply(svc, body, encode_json)
