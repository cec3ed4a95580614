"""The `audit` command group: anchor the audit chains' heads outside the database, and verify the
chains against every anchor recorded so far.

The audit log is one hash chain per organisation. A chain alone shows a row altered, moved or
missing in the middle, but not its newest rows deleted: what remains is still a consistent chain.
A head recorded elsewhere (an anchor) closes that gap: its chain must still reach the anchor's
seq and hold the same hash there."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import ValidationError

from appraisal_engine.appraisal.i18n import _
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.store.audit_hash import GENESIS_HASH

if TYPE_CHECKING:  # the database layer loads only when an audit command runs
    from sqlalchemy.ext.asyncio import AsyncSession

    from appraisal_engine.store.repositories.audit import ChainHead
    from appraisal_engine.store.repositories.audit_verify import Anchor, VerifyResult

T = TypeVar("T")
audit_app = typer.Typer(
    help="Anchor the audit chains' heads outside the database; verify the chains against them.",
    no_args_is_help=True,
)
Chain = Annotated[
    str | None,
    typer.Option(
        help="Only this chain: an organisation's code, _system (events of no organisation) or"
        " _legacy (the rows of the single chain kept from before per-organisation chains)"
    ),
]


@audit_app.command("head")
def audit_head(
    anchors: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Also append the heads to this file, one JSON line each; keep the file off the"
            " database host (the auditor's machine, a WORM bucket, a ticket)",
        ),
    ] = None,
    chain: Chain = None,
) -> None:
    """Print each chain's head as one JSON line; with --anchors, append them to a file as
    anchors.

    A head is a chain's name and its newest row's seq, hash and time. Anchor often (a daily
    cron): rows appended after the last anchor and then deleted are still undetectable."""
    from appraisal_engine.store.repositories.audit import chain_head, chain_heads

    async def read(session: AsyncSession) -> list[ChainHead]:
        return [await chain_head(session, chain)] if chain else await chain_heads(session)

    heads = _with_session(read)
    lines = [head.model_dump_json() for head in heads]
    for line in lines:
        typer.echo(line)
    if anchors is None:
        return
    lines = [line for head, line in zip(heads, lines, strict=True) if head.seq > 0]
    if not lines:
        empty = (
            _("the chain %(chain)s is empty: there is no row to anchor yet", chain=chain)
            if chain
            else _("the audit log is empty: there is no row to anchor yet")
        )
        typer.echo(empty, err=True)
        return
    try:
        append_lines(anchors, lines)
    except OSError as e:
        said = _("cannot write %(path)s: %(error)s", path=anchors, error=e.strerror)
        raise typer.BadParameter(said, param_hint="--anchors") from None


@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="A file of anchors, one JSON object with chain, seq and hash per line, as"
            " `appraisal audit head --anchors` writes them (without chain: the _legacy chain)",
        ),
    ] = None,
    chain: Chain = None,
) -> None:
    """Verify every chain (or one, with only its anchors from the file) and every anchor in a
    file; print JSON, exit 1 when any chain is broken.

    Each chain must be intact, reach each of its anchors' seq and hold the anchor's hash there."""
    from appraisal_engine.store.repositories.audit_verify import verify_chain

    recorded = [] if anchors is None else read_anchors(anchors)
    if chain is not None:
        recorded = [a for a in recorded if a.chain == chain]

    async def verify(session: AsyncSession) -> VerifyResult:
        return await verify_chain(session, chain=chain, anchors=recorded)

    result = _with_session(verify)
    typer.echo(result.model_dump_json(indent=2))
    if not result.ok:
        raise typer.Exit(1)


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file: its `chain`, `seq` and `hash` (other fields, such as `at`, are
    kept for people); a line without `chain`, written before per-organisation chains, anchors
    the legacy chain. Blank lines and the head of an empty chain are skipped; any other line
    that is not an anchor is an error naming its line number."""
    from appraisal_engine.store.audit_chains import LEGACY_CHAIN
    from appraisal_engine.store.repositories.audit_verify import Anchor

    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            if not isinstance(fields, dict):
                raise ValueError(_("not a JSON object"))
            seq, digest = fields.get("seq"), fields.get("hash")
            if seq == 0 and digest == GENESIS_HASH:
                continue  # an empty chain's head: nothing was anchored
            chain = fields.get("chain", LEGACY_CHAIN)
            found.append(Anchor.model_validate({"chain": chain, "seq": seq, "hash": digest}))
        except (ValueError, ValidationError) as e:
            message = _(
                "line %(number)s is not an anchor (chain, seq and hash): %(error)s",
                number=number,
                error=e,
            )
            raise typer.BadParameter(message, param_hint="--anchors") from None
    return found


def append_lines(path: Path, lines: list[str]) -> None:
    """Append the lines to the file, creating it, and flush them to disk before returning."""
    with path.open("a+b") as f:
        # A file edited by hand may lack its final newline: do not glue two anchors together.
        if f.tell() > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write("".join(line + "\n" for line in lines).encode("utf-8"))
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
