"""`appraisal audit head --anchors` and `appraisal audit verify --anchors`: the chains' heads
recorded in a file outside the database, and the chains checked against them, on the test
database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.models import AuditEventRow
from tests.cli import EnglishRunner
from tests.store.builders import event

runner = EnglishRunner()
CHAIN = "kota-cli"


async def _newest_seq(url: str, chain: str | None = None) -> int:
    """The table's newest seq, or the newest place in `chain`."""
    column = AuditEventRow.seq if chain is None else AuditEventRow.chain_seq
    where = [] if chain is None else [AuditEventRow.chain == chain]
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            newest = await conn.scalar(select(func.max(column)).where(*where))
    finally:
        await engine.dispose()
    return int(newest or 0)


async def _append(url: str, n: int, org: str = CHAIN) -> None:
    engine = make_engine(url)
    try:
        for _ in range(n):
            record = event(kind="test.cli", cycle_id=f"{org}-2026")
            await append_event_with_retry(make_session_factory(engine), record)
    finally:
        await engine.dispose()


async def _delete_after(url: str, seq: int) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(delete(AuditEventRow).where(AuditEventRow.seq > seq))
    finally:
        await engine.dispose()


@pytest.fixture
def db(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test database as DATABASE_URL; rows the test appends are deleted after it."""
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    before = asyncio.run(_newest_seq(migrated_url))
    yield migrated_url
    get_settings.cache_clear()
    # Dropping the tail leaves a valid (shorter) chain for whoever runs next.
    asyncio.run(_delete_after(migrated_url, before))


def test_head_appends_an_anchor_and_verify_catches_the_deleted_newest_row(
    db: str, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    asyncio.run(_append(db, 2))
    first = runner.invoke(app, ["audit", "head", "--chain", CHAIN, "--anchors", str(anchors)])
    assert first.exit_code == 0, first.output
    asyncio.run(_append(db, 1))
    second = runner.invoke(app, ["audit", "head", "--chain", CHAIN, "--anchors", str(anchors)])
    assert second.exit_code == 0, second.output

    # One JSON line per run, as printed: chain, seq, hash and time of the chain's newest row.
    lines = anchors.read_text().splitlines()
    assert lines == [first.output.strip(), second.output.strip()]
    heads = [json.loads(line) for line in lines]
    newest = asyncio.run(_newest_seq(db, CHAIN))
    assert [(h["chain"], h["seq"]) for h in heads] == [(CHAIN, newest - 1), (CHAIN, newest)]
    assert all(len(h["hash"]) == 64 and h["at"] for h in heads)

    ok = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert ok.exit_code == 0, ok.output
    verified = json.loads(ok.output)
    assert (verified["ok"], verified["anchors_checked"]) == (True, 2)
    (chain,) = [v for v in verified["chains"] if v["chain"] == CHAIN]
    assert chain["head"] == heads[-1]
    one = runner.invoke(app, ["audit", "verify", "--chain", CHAIN, "--anchors", str(anchors)])
    assert one.exit_code == 0, one.output
    assert json.loads(one.output)["head"] == heads[-1]

    asyncio.run(_delete_after(db, asyncio.run(_newest_seq(db)) - 1))
    # The chain alone still verifies; the anchor file does not.
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    broken = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert broken.exit_code == 1, broken.output
    result = json.loads(broken.output)
    assert (result["ok"], result["first_broken_chain"], result["first_broken_seq"]) == (
        False,
        CHAIN,
        newest,
    )
    assert result["anchors_checked"] == 1
    assert result["reason"] == (
        f"the chain ends at seq {newest - 1} but an anchor recorded seq {newest}:"
        f" rows after {newest - 1} were deleted"
    )


def test_head_prints_and_anchors_every_chain(db: str, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    asyncio.run(_append(db, 1))
    asyncio.run(_append(db, 2, org="kota-cli-other"))
    result = runner.invoke(app, ["audit", "head", "--anchors", str(anchors)])
    assert result.exit_code == 0, result.output
    heads = [json.loads(line) for line in result.output.splitlines()]
    assert anchors.read_text().splitlines() == result.output.splitlines()
    assert [h["chain"] for h in heads] == sorted(h["chain"] for h in heads)
    seqs = {h["chain"]: h["seq"] for h in heads}
    assert seqs[CHAIN] == asyncio.run(_newest_seq(db, CHAIN))
    assert seqs["kota-cli-other"] == asyncio.run(_newest_seq(db, "kota-cli-other"))
    verified = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["anchors_checked"] == len(heads)


def test_an_anchor_line_without_a_chain_is_of_the_legacy_chain(db: str, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    # As `audit head` wrote them before per-organisation chains.
    anchors.write_text('{"seq": 1, "hash": "' + "a" * 64 + '", "at": "2026-01-01T00:00:00Z"}\n')
    result = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert result.exit_code == 1  # no legacy row in this database holds it
    verdicts = {v["chain"]: v for v in json.loads(result.output)["chains"]}
    assert (verdicts["_legacy"]["ok"], verdicts["_legacy"]["first_broken_seq"]) == (False, 1)
    # Verifying another chain alone leaves the file's other anchors aside.
    asyncio.run(_append(db, 1))
    one = runner.invoke(app, ["audit", "verify", "--chain", CHAIN, "--anchors", str(anchors)])
    assert one.exit_code == 0, one.output
    assert json.loads(one.output)["anchors_checked"] == 0


def test_an_anchor_file_that_is_not_anchors_is_refused(db: str, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text('{"seq": 1, "hash": "' + "a" * 64 + '"}\n\nnot json\n')
    result = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert result.exit_code == 2
    assert "line 3 is not an anchor" in result.output
    missing = runner.invoke(app, ["audit", "verify", "--anchors", str(tmp_path / "none")])
    assert missing.exit_code == 2


def test_an_empty_chain_has_no_head_to_anchor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    asyncio.run(upgrade(url))
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        anchors = tmp_path / "anchors.jsonl"
        result = runner.invoke(app, ["audit", "head", "--anchors", str(anchors)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""  # no chain has a row yet
        assert "the audit log is empty" in result.stderr
        one = runner.invoke(app, ["audit", "head", "--chain", CHAIN, "--anchors", str(anchors)])
        assert one.exit_code == 0, one.output
        assert json.loads(one.stdout) == {"chain": CHAIN, "seq": 0, "hash": "0" * 64, "at": None}
        assert f"the chain {CHAIN} is empty" in one.stderr
        assert not anchors.exists()
        assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    finally:
        get_settings.cache_clear()
