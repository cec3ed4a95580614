"""The audit chains' heads and verification against anchors, through the API: auditors only,
anchors given as `CHAIN:SEQ:HASH` (or a legacy `SEQ:HASH`) and refused with 422 in any other
form."""

from __future__ import annotations

import pytest

from appraisal_engine.api.roles import Role
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.repositories.audit import ChainHead, chain_head, chain_heads
from tests.api.conftest import Api, bearer
from tests.store.builders import event, nip

AUDITOR = bearer(nip(801), Role.AUDITOR)
HEAD, HEADS, VERIFY = "/v1/audit/head", "/v1/audit/heads", "/v1/audit/verify"
PROBLEM = "application/problem+json"
CHAIN, OTHER = "kota-anchored", "kota-elsewhere"


@pytest.fixture
async def head(api: Api) -> ChainHead:
    """The head of a chain after two more events of its organisation, and one more event of
    another organisation: neither chain is ever empty here."""
    for org in (CHAIN, CHAIN, OTHER):
        record = event(kind="test.anchored", cycle_id=f"{org}-2026")
        await append_event_with_retry(api.sessions, record)
    async with api.sessions() as session:
        return await chain_head(session, CHAIN)


async def test_an_auditor_reads_the_head_and_verifies_against_it(api: Api, head: ChainHead) -> None:
    r = await api.http.get(HEAD, params={"chain": CHAIN}, headers=AUDITOR)
    assert r.status_code == 200, r.text
    assert ChainHead.model_validate(r.json()) == head
    r = await api.http.get(HEADS, headers=AUDITOR)
    assert r.status_code == 200, r.text
    async with api.sessions() as session:
        assert [ChainHead.model_validate(h) for h in r.json()] == await chain_heads(session)
    assert head in [ChainHead.model_validate(h) for h in r.json()]

    anchor = f"{CHAIN}:{head.seq}:{head.hash}"
    assert anchor == head.anchor
    earlier = (await api.http.get(VERIFY, headers=AUDITOR)).json()
    assert earlier["ok"] and earlier["anchors_checked"] == 0
    assert {CHAIN, OTHER} <= {v["chain"] for v in earlier["chains"]}
    r = await api.http.get(VERIFY, params={"anchor": anchor}, headers=AUDITOR)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["ok"], body["anchors_checked"]) == (True, 1)
    r = await api.http.get(VERIFY, params={"anchor": anchor, "chain": CHAIN}, headers=AUDITOR)
    body = r.json()
    assert (body["ok"], body["checked"], body["anchors_checked"]) == (True, head.seq, 1)
    assert ChainHead.model_validate(body["head"]) == head  # the next anchor to record
    assert [v["chain"] for v in body["chains"]] == [CHAIN]

    # The same seq with another hash: the row there is not the one anchored.
    other = "f" * 64 if head.hash != "f" * 64 else "e" * 64
    r = await api.http.get(
        VERIFY,
        params=[("anchor", anchor), ("anchor", f"{CHAIN}:{head.seq}:{other}")],
        headers=AUDITOR,
    )
    body = r.json()
    assert (r.status_code, body["ok"], body["first_broken_seq"]) == (200, False, head.seq)
    assert body["first_broken_chain"] == CHAIN
    assert f"an anchor recorded {head.seq}:{other}" in body["reason"]
    verdicts = {v["chain"]: v for v in body["chains"]}
    assert not verdicts[CHAIN]["ok"] and verdicts[OTHER]["ok"]  # the other chain still holds

    # An anchor past the end: rows that were there are gone.
    past = f"{CHAIN}:{head.seq + 5}:{other}"
    r = await api.http.get(VERIFY, params={"anchor": past}, headers=AUDITOR)
    body = r.json()
    assert (r.status_code, body["ok"], body["first_broken_seq"]) == (200, False, head.seq + 1)
    assert body["reason"] == (
        f"the chain ends at seq {head.seq} but an anchor recorded seq {head.seq + 5}:"
        f" rows after {head.seq} were deleted"
    )

    # Verifying one chain against another's anchor verifies that chain too.
    r = await api.http.get(VERIFY, params={"anchor": past, "chain": OTHER}, headers=AUDITOR)
    body = r.json()
    assert (r.status_code, body["ok"], body["first_broken_chain"]) == (200, False, CHAIN)
    assert [v["chain"] for v in body["chains"]] == sorted([CHAIN, OTHER])
    assert body["head"]["chain"] == OTHER


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
        f"Kota:3:{'a' * 64}",
        f"kota:0:{'a' * 64}",
        f":3:{'a' * 64}",
    ],
)
async def test_a_malformed_anchor_is_422_naming_the_parameter(api: Api, bad: str) -> None:
    good = f"kota:1:{'a' * 64}"
    r = await api.http.get(VERIFY, params=[("anchor", good), ("anchor", bad)], headers=AUDITOR)
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM), r.text
    (error,) = r.json()["errors"]
    assert error["field"] == "query.anchor.1"
    assert "SEQ:HASH" in error["message"]


async def test_a_legacy_anchor_names_the_legacy_chain(api: Api) -> None:
    r = await api.http.get(VERIFY, params={"anchor": f"1:{'a' * 64}"}, headers=AUDITOR)
    assert r.status_code == 200, r.text
    verdicts = {v["chain"]: v for v in r.json()["chains"]}
    # This database began after per-organisation chains: no legacy row holds the anchor.
    assert (verdicts["_legacy"]["ok"], verdicts["_legacy"]["first_broken_seq"]) == (False, 1)


async def test_a_chain_is_named_as_chains_are(api: Api) -> None:
    for params in ({}, {"chain": "Kota Binjai"}, {"chain": ""}):
        r = await api.http.get(HEAD, params=params, headers=AUDITOR)
        assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM), r.text
    r = await api.http.get(HEAD, params={"chain": "kota-nowhere"}, headers=AUDITOR)
    assert r.status_code == 200 and r.json() == {
        "chain": "kota-nowhere",
        "seq": 0,
        "hash": "0" * 64,
        "at": None,
    }


async def test_only_auditors_read_the_head_or_verify(api: Api, head: ChainHead) -> None:
    anchor = {"anchor": head.anchor}
    chain = {"chain": CHAIN}
    for caller in (bearer(nip(802), Role.HR), bearer(nip(803))):
        for path, params in (
            (HEAD, chain),
            (HEADS, {}),
            (VERIFY, anchor),
            (VERIFY, {"anchor": "bad"}),
        ):
            r = await api.http.get(path, params=params, headers=caller)
            assert (r.status_code, r.headers["content-type"]) == (403, PROBLEM), (path, r.text)
    assert (await api.http.get(HEAD)).status_code == 401
