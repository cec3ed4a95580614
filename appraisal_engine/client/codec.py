"""Payload encryption: AES-256-GCM under named keys, so keys rotate without rewriting history."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
KEY_BYTES = 32
NONCE_BYTES = 12
_KID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class PayloadKeyError(ValueError):
    """PAYLOAD_KEYS is malformed; the message names the entry, never the key."""


class PayloadDecryptError(ValueError):
    """A payload cannot be decrypted with the configured keys."""


@dataclass(frozen=True)
class PayloadKey:
    """One AES-256 key and the id written beside every payload it encrypts."""

    kid: str
    key: bytes = field(repr=False)


class EncryptionCodec(PayloadCodec):
    """Encrypts with the first key; decrypts with whichever listed key a payload names."""

    def __init__(self, keys: Sequence[PayloadKey]) -> None:
        if not keys:
            raise PayloadKeyError("encryption needs at least one key")
        _check_unique([k.kid for k in keys])
        self._kid = keys[0].kid
        self._ciphers = {k.kid: AESGCM(k.key) for k in keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload whole (metadata and data) under the first key."""
        return [self._encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt encrypted payloads; others pass through untouched."""
        return [self._decrypt(p) for p in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        # The key id is authenticated data: relabelling a payload with another id fails.
        sealed = self._ciphers[self._kid].encrypt(
            nonce, payload.SerializeToString(), self._kid.encode()
        )
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: self._kid.encode()}, data=nonce + sealed
        )

    def _decrypt(self, payload: Payload) -> Payload:
        # Histories written before encryption was switched on stay readable.
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        kid = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            known = ", ".join(self._ciphers)
            raise PayloadDecryptError(
                f"payload was encrypted with key id {kid!r}, which is not in PAYLOAD_KEYS "
                f"(configured ids: {known}); add that key to decrypt it"
            )
        try:
            plain = cipher.decrypt(
                payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], kid.encode()
            )
        except (InvalidTag, ValueError):
            raise PayloadDecryptError(
                f"payload under key id {kid!r} failed authentication: it was altered, "
                "or another key is configured under that id"
            ) from None
        decoded = Payload()
        decoded.ParseFromString(plain)
        return decoded


def data_converter(keys: Sequence[PayloadKey]) -> DataConverter:
    """The pydantic converter, encrypting payloads and failure messages when keys are given."""
    if not keys:
        return pydantic_data_converter
    # Failure messages can quote submitted text, so they move into an encrypted payload too.
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def parse_keys(text: str) -> list[PayloadKey]:
    """Keys from `kid:base64,kid:base64` (the first encrypts); empty text means no encryption."""
    keys: list[PayloadKey] = []
    entries = [e.strip() for e in text.split(",") if e.strip()]
    for n, entry in enumerate(entries, start=1):
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        where = f"PAYLOAD_KEYS entry {n}"
        if not sep or not _KID.fullmatch(kid):
            raise PayloadKeyError(
                f"{where}: expected 'kid:base64-key' with a key id of letters, digits, '.', "
                "'_' or '-'"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise PayloadKeyError(f"{where} ({kid!r}): the key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise PayloadKeyError(
                f"{where} ({kid!r}): the key is {len(key)} bytes, AES-256 needs {KEY_BYTES}"
            )
        keys.append(PayloadKey(kid, key))
    _check_unique([k.kid for k in keys])
    return keys


def new_key(kid: str | None = None) -> str:
    """A fresh `kid:base64` entry for PAYLOAD_KEYS; the id defaults to today's date."""
    kid = kid or f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(2)}"
    if not _KID.fullmatch(kid):
        raise PayloadKeyError(f"key id {kid!r}: use letters, digits, '.', '_' or '-'")
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


async def encode_json(codec: PayloadCodec, body: Mapping[str, Any]) -> dict[str, Any]:
    """The remote codec's /encode: `{"payloads": [...]}` in protobuf JSON, encoded."""
    payloads = _parse(body)
    await codec.encode_wrapper(payloads)
    return _render(payloads)


async def decode_json(codec: PayloadCodec, body: Mapping[str, Any]) -> dict[str, Any]:
    """The remote codec's /decode; raises json_format.ParseError on a malformed body."""
    payloads = _parse(body)
    await codec.decode_wrapper(payloads)
    return _render(payloads)


def _parse(body: Mapping[str, Any]) -> Payloads:
    return json_format.ParseDict(dict(body), Payloads(), ignore_unknown_fields=True)


def _render(payloads: Payloads) -> dict[str, Any]:
    # Built by hand so an empty list still comes back as "payloads": [].
    return {"payloads": [json_format.MessageToDict(p) for p in payloads.payloads]}


def _check_unique(kids: list[str]) -> None:
    seen: set[str] = set()
    for kid in kids:
        if kid in seen:
            raise PayloadKeyError(f"PAYLOAD_KEYS names key id {kid!r} twice")
        seen.add(kid)
