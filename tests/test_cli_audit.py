"""`appraisal audit head --anchors` and `appraisal audit verify --anchors`: the head recorded in a
file outside the database, and the chain checked against it, on the test database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.models import AuditEventRow
from tests.store.builders import event

runner = CliRunner()


async def _newest_seq(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            newest = await conn.scalar(select(func.max(AuditEventRow.seq)))
    finally:
        await engine.dispose()
    return int(newest or 0)


async def _append(url: str, n: int) -> None:
    engine = make_engine(url)
    try:
        for _ in range(n):
            await append_event_with_retry(make_session_factory(engine), event(kind="test.cli"))
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
    first = runner.invoke(app, ["audit", "head", "--anchors", str(anchors)])
    assert first.exit_code == 0, first.output
    asyncio.run(_append(db, 1))
    second = runner.invoke(app, ["audit", "head", "--anchors", str(anchors)])
    assert second.exit_code == 0, second.output

    # One JSON line per run, as printed: seq, hash and time of the newest row.
    lines = anchors.read_text().splitlines()
    assert lines == [first.output.strip(), second.output.strip()]
    heads = [json.loads(line) for line in lines]
    newest = asyncio.run(_newest_seq(db))
    assert [h["seq"] for h in heads] == [newest - 1, newest]
    assert all(len(h["hash"]) == 64 and h["at"] for h in heads)

    ok = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert ok.exit_code == 0, ok.output
    verified = json.loads(ok.output)
    assert (verified["ok"], verified["anchors_checked"]) == (True, 2)
    assert verified["head"] == heads[-1]

    asyncio.run(_delete_after(db, newest - 1))
    # The chain alone still verifies; the anchor file does not.
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    broken = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert broken.exit_code == 1, broken.output
    result = json.loads(broken.output)
    assert (result["ok"], result["first_broken_seq"], result["anchors_checked"]) == (
        False,
        newest,
        1,
    )
    assert result["reason"] == (
        f"the chain ends at seq {newest - 1} but an anchor recorded seq {newest}:"
        f" rows after {newest - 1} were deleted"
    )


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
        assert json.loads(result.stdout) == {"seq": 0, "hash": "0" * 64, "at": None}
        assert "the chain is empty" in result.stderr
        assert not anchors.exists()
        assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    finally:
        get_settings.cache_clear()
