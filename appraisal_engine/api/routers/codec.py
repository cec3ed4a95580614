"""The payload codec for the Temporal UI: HR and auditors may decode what the workers encrypted;
peers' answers decode for auditors only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Body
from google.protobuf import json_format
from temporalio.converter import PayloadCodec

from appraisal_engine.api.deps import ReaderPrincipal, ServicesDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.problems import ProblemError
from appraisal_engine.client.codec import decode_json, encode_json
from appraisal_engine.client.peer_answers import redact_wire
from appraisal_engine.services.access import sees_peer_answers

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
    """Decrypt payloads (Temporal's remote codec format) for an authorised reader; a peer's
    answers come back redacted unless the reader is an auditor."""
    if sees_peer_answers(principal):
        return await _apply(svc, body, decode_json)
    return await _apply(svc, body, _decode_redacted)


async def _decode_redacted(codec: PayloadCodec, body: Mapping[str, Any]) -> dict[str, Any]:
    decoded = await decode_json(codec, body)
    return {"payloads": [redact_wire(p) for p in decoded["payloads"]]}


@router.post("/encode", responses=responses(401, 403, 422))
async def encode(
    principal: ReaderPrincipal, svc: ServicesDep, body: dict[str, Any] = Payloads
) -> dict[str, Any]:
    """Encrypt payloads, so the UI can send encoded queries and signals."""
    return await _apply(svc, body, encode_json)
