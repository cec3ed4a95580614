"""The codec endpoint: HR and auditors decode what the workers encrypted; nobody else may."""

from __future__ import annotations

import base64
import json

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.auth import Role
from api.config import ApiConfig
from tests.api.conftest import AUTH, bearer
from workflows.codec import data_converter, new_key, parse_keys

READER = "197502022001122001"


async def test_readers_decode_and_others_may_not(
    dev_env: WorkflowEnvironment, migrated_url: str
) -> None:
    converter = data_converter(parse_keys(new_key()))
    client = Client(dev_env.client.service_client, data_converter=converter)
    secret = {"comment": "catatan rahasia atasan"}
    [payload] = await converter.encode([secret])
    assert b"rahasia" not in payload.data
    wire = {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
                "data": base64.b64encode(payload.data).decode(),
            }
        ]
    }
    app = create_app(ApiConfig(database_url=migrated_url, auth=AUTH), client=client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http,
    ):
        for role in (Role.AUDITOR, Role.HR):
            r = await http.post("/codec/decode", json=wire, headers=bearer(READER, role))
            assert r.status_code == 200, r.text
            data = base64.b64decode(r.json()["payloads"][0]["data"])
            assert json.loads(data) == secret
        employee = await http.post("/codec/decode", json=wire, headers=bearer(READER))
        assert employee.status_code == 403
        anonymous = await http.post("/codec/decode", json=wire)
        assert anonymous.status_code == 401
        hr = bearer(READER, Role.HR)
        garbage = await http.post("/codec/decode", json={"payloads": "nope"}, headers=hr)
        assert garbage.status_code == 422
        [other] = await data_converter(parse_keys(new_key("other"))).encode([secret])
        foreign = {
            "payloads": [
                {
                    "metadata": {
                        k: base64.b64encode(v).decode() for k, v in other.metadata.items()
                    },
                    "data": base64.b64encode(other.data).decode(),
                }
            ]
        }
        unknown_key = await http.post("/codec/decode", json=foreign, headers=hr)
        assert unknown_key.status_code == 422
