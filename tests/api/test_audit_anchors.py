"""The audit chain's head and verification against anchors, through the API: auditors only,
anchors given as `SEQ:HASH` and refused with 422 in any other form."""

from __future__ import annotations

import pytest

from appraisal_engine.api.auth import Role
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.repositories.audit import ChainHead, chain_head
from tests.api.conftest import Api, bearer
from tests.store.builders import event, nip

AUDITOR = bearer(nip(801), Role.AUDITOR)
HEAD, VERIFY = "/v1/audit/head", "/v1/audit/verify"
PROBLEM = "application/problem+json"


@pytest.fixture
async def head(api: Api) -> ChainHead:
    """The head after two more events: the shared chain is never empty here."""
    for _ in range(2):
        await append_event_with_retry(api.sessions, event(kind="test.anchored"))
    async with api.sessions() as session:
        return await chain_head(session)


async def test_an_auditor_reads_the_head_and_verifies_against_it(api: Api, head: ChainHead) -> None:
    r = await api.http.get(HEAD, headers=AUDITOR)
    assert r.status_code == 200, r.text
    assert ChainHead.model_validate(r.json()) == head

    anchor = f"{head.seq}:{head.hash}"
    earlier = (await api.http.get(VERIFY, headers=AUDITOR)).json()
    assert earlier["ok"] and earlier["anchors_checked"] == 0
    r = await api.http.get(VERIFY, params={"anchor": anchor}, headers=AUDITOR)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["ok"], body["checked"], body["anchors_checked"]) == (True, head.seq, 1)
    assert ChainHead.model_validate(body["head"]) == head  # the next anchor to record

    # The same seq with another hash: the row there is not the one anchored.
    other = "f" * 64 if head.hash != "f" * 64 else "e" * 64
    r = await api.http.get(
        VERIFY, params=[("anchor", anchor), ("anchor", f"{head.seq}:{other}")], headers=AUDITOR
    )
    body = r.json()
    assert (r.status_code, body["ok"], body["first_broken_seq"]) == (200, False, head.seq)
    assert f"an anchor recorded {head.seq}:{other}" in body["reason"]

    # An anchor past the end: rows that were there are gone.
    r = await api.http.get(VERIFY, params={"anchor": f"{head.seq + 5}:{other}"}, headers=AUDITOR)
    body = r.json()
    assert (r.status_code, body["ok"], body["first_broken_seq"]) == (200, False, head.seq + 1)
    assert body["reason"] == (
        f"the chain ends at seq {head.seq} but an anchor recorded seq {head.seq + 5}:"
        f" rows after {head.seq} were deleted"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "12",
        f"0:{'a' * 64}",
        f"-3:{'a' * 64}",
        f"3:{'A' * 64}",
        f"3:{'a' * 63}",
        f"3:{'g' * 64}",
        f"3;{'a' * 64}",
        "",
    ],
)
async def test_a_malformed_anchor_is_422_naming_the_parameter(api: Api, bad: str) -> None:
    good = f"1:{'a' * 64}"
    r = await api.http.get(VERIFY, params=[("anchor", good), ("anchor", bad)], headers=AUDITOR)
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM), r.text
    (error,) = r.json()["errors"]
    assert error["field"] == "query.anchor.1"
    assert "SEQ:HASH" in error["message"]


async def test_only_auditors_read_the_head_or_verify(api: Api, head: ChainHead) -> None:
    anchor = {"anchor": f"{head.seq}:{head.hash}"}
    for caller in (bearer(nip(802), Role.HR), bearer(nip(803))):
        for path, params in ((HEAD, {}), (VERIFY, anchor), (VERIFY, {"anchor": "bad"})):
            r = await api.http.get(path, params=params, headers=caller)
            assert (r.status_code, r.headers["content-type"]) == (403, PROBLEM), (path, r.text)
    assert (await api.http.get(HEAD)).status_code == 401
