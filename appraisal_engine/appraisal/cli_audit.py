"""The `audit` command group: anchor the audit chain's head outside the database, and verify the
chain against every anchor recorded so far.

The hash chain alone shows a row altered, moved or missing in the middle, but not its newest rows
deleted: what remains is still a consistent chain. A head recorded elsewhere (an anchor) closes
that gap: the chain must still reach the anchor's seq and hold the same hash there."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import ValidationError

from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.store.audit_hash import GENESIS_HASH

if TYPE_CHECKING:  # the database layer loads only when an audit command runs
    from sqlalchemy.ext.asyncio import AsyncSession

    from appraisal_engine.store.repositories.audit import Anchor, VerifyResult

T = TypeVar("T")
audit_app = typer.Typer(
    help="Anchor the audit chain's head outside the database; verify the chain against it.",
    no_args_is_help=True,
)


@audit_app.command("head")
def audit_head(
    anchors: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Also append the head to this file as one JSON line; keep the file off the"
            " database host (the auditor's machine, a WORM bucket, a ticket)",
        ),
    ] = None,
) -> None:
    """Print the chain's head as JSON; with --anchors, append it to a file as an anchor.

    The head is the newest row's seq, hash and time. Anchor often (a daily cron): rows appended
    after the last anchor and then deleted are still undetectable."""
    from appraisal_engine.store.repositories.audit import chain_head

    head = _with_session(chain_head)
    line = head.model_dump_json()
    typer.echo(line)
    if anchors is None:
        return
    if head.seq == 0:
        typer.echo("the chain is empty: there is no row to anchor yet", err=True)
        return
    try:
        append_line(anchors, line)
    except OSError as e:
        raise typer.BadParameter(
            f"cannot write {anchors}: {e.strerror}", param_hint="--anchors"
        ) from None


@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="A file of anchors, one JSON object with seq and hash per line, as"
            " `appraisal audit head --anchors` writes them",
        ),
    ] = None,
) -> None:
    """Verify the chain and every anchor in a file; print JSON, exit 1 when broken.

    The chain must be intact, reach each anchor's seq and hold the anchor's hash there."""
    from appraisal_engine.store.repositories.audit import verify_chain

    recorded = [] if anchors is None else read_anchors(anchors)

    async def verify(session: AsyncSession) -> VerifyResult:
        return await verify_chain(session, anchors=recorded)

    result = _with_session(verify)
    typer.echo(result.model_dump_json(indent=2))
    if not result.ok:
        raise typer.Exit(1)


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file: its `seq` and `hash` (other fields, such as `at`, are kept for
    people). Blank lines and the head of an empty chain are skipped; any other line that is not
    an anchor is an error naming its line number."""
    from appraisal_engine.store.repositories.audit import Anchor

    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            if not isinstance(fields, dict):
                raise ValueError("not a JSON object")
            seq, digest = fields.get("seq"), fields.get("hash")
            if seq == 0 and digest == GENESIS_HASH:
                continue  # an empty chain's head: nothing was anchored
            found.append(Anchor.model_validate({"seq": seq, "hash": digest}))
        except (ValueError, ValidationError) as e:
            message = f"line {number} is not an anchor (seq and hash): {e}"
            raise typer.BadParameter(message, param_hint="--anchors") from None
    return found


def append_line(path: Path, line: str) -> None:
    """Append one line to the file, creating it, and flush it to disk before returning."""
    with path.open("a+b") as f:
        # A file edited by hand may lack its final newline: do not glue two anchors together.
        if f.tell() > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write(line.encode("utf-8") + b"\n")
        f.flush()
        os.fsync(f.fileno())


def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one session on DATABASE_URL, then close the engine."""
    from appraisal_engine.store.db import make_engine, make_session_factory

    async def go() -> T:
        engine = make_engine(get_settings().database_url)
        try:
            async with make_session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())
