"""The codec endpoint: HR and auditors decode what the workers encrypted; nobody else may."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.client.codec import data_converter, new_key, parse_keys
from appraisal_engine.domain.peer import PeerFeedback
from appraisal_engine.domain.ratings import Dimension, Rating
from appraisal_engine.simulator.scripted import PEERS
from appraisal_engine.simulator.scripted import review as review_of
from appraisal_engine.workflows.messages import (
    CompleteTaskInput,
    PeerAnswers,
    PeerFeedbackBody,
    ReviewBody,
)
from tests.api.conftest import AUTH, bearer

READER = "197502022001122001"
PEER = PEERS[0]


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


def wire_of(payloads: list[Payload]) -> dict[str, Any]:
    """Payloads in the remote codec's JSON form."""
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }


async def test_only_auditors_decode_a_peers_answers(
    dev_env: WorkflowEnvironment, migrated_url: str
) -> None:
    converter = data_converter(parse_keys(new_key()))
    client = Client(dev_env.client.service_client, data_converter=converter)
    answers = PeerFeedback(scores={d: 2 for d in Dimension}, comment="kurang kooperatif")
    submitted = CompleteTaskInput(
        task_id="appraisal-x-t7", actor_nip=PEER, body=PeerFeedbackBody(answers=answers)
    )
    queried = PeerAnswers(answers={PEER: answers})  # the auditors' query, as the UI may run it
    review = ReviewBody(review=review_of(Rating.MEETS, Rating.MEETS))  # no peer's answer
    wire = wire_of(await converter.encode([submitted, queried, review]))
    app = create_app(ApiConfig(database_url=migrated_url, auth=AUTH), client=client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http,
    ):
        got = {}
        for role in (Role.AUDITOR, Role.HR):
            r = await http.post("/codec/decode", json=wire, headers=bearer(READER, role))
            assert r.status_code == 200, r.text
            got[role] = [json.loads(base64.b64decode(p["data"])) for p in r.json()["payloads"]]
    full = [v.model_dump(mode="json") for v in (submitted, queried, review)]
    assert got[Role.AUDITOR] == full
    hr_submitted, hr_queried, hr_review = got[Role.HR]
    assert "kurang kooperatif" not in json.dumps(got[Role.HR])
    # HR still reads who answered which task, and every payload that is not a peer's answer.
    assert hr_submitted["task_id"] == "appraisal-x-t7" and hr_submitted["actor_nip"] == PEER
    assert hr_submitted["body"]["kind"] == "peer_feedback"
    assert "scores" not in json.dumps(hr_submitted) and "scores" not in json.dumps(hr_queried)
    assert list(hr_queried["answers"]) == [PEER]
    assert hr_review == full[2]
