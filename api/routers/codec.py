"""The payload codec for the Temporal UI: HR and auditors may decode what the workers encrypted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from google.protobuf import json_format

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


@router.post("/decode", responses=responses(401, 403, 422))
async def decode(
    principal: ReaderPrincipal, svc: ServicesDep, body: dict[str, Any] = Payloads
) -> dict[str, Any]:
    """Decrypt payloads (Temporal's remote codec format) for an authorised reader."""
    codec = svc.client.data_converter.payload_codec
    if codec is None:
        return {"payloads": body.get("payloads", [])}
    try:
        return await decode_json(codec, body)
    except (json_format.ParseError, ValueError) as e:
        raise ProblemError(422, f"not decodable payloads: {type(e).__name__}") from None


@router.post("/encode", responses=responses(401, 403, 422))
async def encode(
    principal: ReaderPrincipal, svc: ServicesDep, body: dict[str, Any] = Payloads
) -> dict[str, Any]:
    """Encrypt payloads, so the UI can send encoded queries and signals."""
    codec = svc.client.data_converter.payload_codec
    if codec is None:
        return {"payloads": body.get("payloads", [])}
    try:
        return await encode_json(codec, body)
    except (json_format.ParseError, ValueError) as e:
        raise ProblemError(422, f"not encodable payloads: {type(e).__name__}") from None
