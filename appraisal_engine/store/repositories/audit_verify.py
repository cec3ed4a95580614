"""Verifying the audit log's hash chains, each on its own, against anchors (heads recorded
earlier, outside the database) when given."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.model import Value
from appraisal_engine.store.audit_chains import CHAIN_NAME, LEGACY_CHAIN
from appraisal_engine.store.audit_hash import GENESIS_HASH, row_hash
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories._rows import table_of
from appraisal_engine.store.repositories.audit import ChainHead, head_of

_audit = table_of(AuditEventRow)

_ANCHOR = re.compile(f"(?:{CHAIN_NAME}:)?[1-9][0-9]{{0,18}}:[0-9a-f]{{64}}")
ANCHOR_PATTERN = f"^{_ANCHOR.pattern}$"
"""An anchor as text: `CHAIN:SEQ:HASH`, the chain's name, a positive place in it and the row's
hash in lowercase hex; `SEQ:HASH` (the form before per-organisation chains) names the legacy
chain, whose places are the old global seqs."""


class Anchor(Value):
    """A chain's head recorded earlier, outside the database: the row at `seq` of `chain` must
    still exist and still have `hash`. Deleting the newest rows leaves a consistent chain; only
    an anchor past its new end shows they were there."""

    chain: str = Field(default=LEGACY_CHAIN, pattern=f"^{CHAIN_NAME}$")
    seq: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """An anchor from `CHAIN:SEQ:HASH`, or `SEQ:HASH` for the legacy chain; raises
        ValueError naming the expected form."""
        if not _ANCHOR.fullmatch(text):
            raise ValueError(
                "an anchor is CHAIN:SEQ:HASH (SEQ:HASH alone: the legacy chain), a chain's"
                " name, a positive seq and a 64-digit lowercase hex hash"
            )
        *chain, seq, digest = text.split(":")
        return cls(chain=chain[0] if chain else LEGACY_CHAIN, seq=int(seq), hash=digest)

    def __str__(self) -> str:
        return f"{self.chain}:{self.seq}:{self.hash}"


class ChainVerdict(Value):
    """What verifying one chain found: its first broken row (by its place in the chain), if
    any, and why; how many of its anchors it confirmed; and the newest row that passed every
    check, which, when `ok`, is the chain's next anchor to record."""

    chain: str
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    anchors_checked: int
    head: ChainHead = Field(description="the newest row of the chain that passed every check")


class VerifyResult(Value):
    """What verifying the chains found: each chain's verdict (a break in one leaves the others
    verified), and over all of them whether every one is intact, the rows checked, the anchors
    confirmed, and the first broken chain (by name) with its first broken row."""

    ok: bool
    checked: int
    first_broken_chain: str | None = None
    first_broken_seq: int | None = Field(
        default=None, description="the first broken row's place in `first_broken_chain`"
    )
    reason: str | None = None
    anchors_checked: int = Field(description="anchors whose row was found with their hash")
    head: ChainHead | None = Field(
        default=None,
        description="when one chain was verified: its newest row that passed every check",
    )
    chains: list[ChainVerdict] = Field(description="one verdict per chain, by name")


async def verify_chain(
    session: AsyncSession,
    *,
    chain: str | None = None,
    anchors: Iterable[Anchor] = (),
    batch_size: int = 500,
) -> VerifyResult:
    """Verify every chain (or only `chain`, and any other chain an anchor names, so that no
    anchor goes unchecked), each on its own; a chain an anchor names is verified even when all
    its rows were deleted."""
    by_chain: dict[str, list[Anchor]] = defaultdict(list)
    for anchor in anchors:
        by_chain[anchor.chain].append(anchor)
    if chain is not None:
        names = sorted({chain} | set(by_chain))
    else:
        stored = await session.scalars(select(_audit.c.chain).distinct())
        names = sorted(set(stored) | set(by_chain))
    verdicts = [
        await _verify_one(session, name, by_chain.get(name, []), batch_size) for name in names
    ]
    broken = next((v for v in verdicts if not v.ok), None)
    return VerifyResult(
        ok=broken is None,
        checked=sum(v.checked for v in verdicts),
        first_broken_chain=None if broken is None else broken.chain,
        first_broken_seq=None if broken is None else broken.first_broken_seq,
        reason=None if broken is None else broken.reason,
        anchors_checked=sum(v.anchors_checked for v in verdicts),
        head=next((v.head for v in verdicts if v.chain == chain), None),
        chains=verdicts,
    )


async def _verify_one(
    session: AsyncSession, chain: str, anchors: list[Anchor], batch_size: int
) -> ChainVerdict:
    """Walk one chain in order and report the first row whose place, link or hash is wrong or
    whose hash is not the one an anchor recorded; past the chain's end, the first anchored row
    that is gone (the newest rows were deleted: the rest of the chain alone cannot show it)."""
    pending = sorted(set(anchors), key=lambda a: (a.seq, a.hash))
    expected_seq, prev_hash, checked, confirmed = 1, GENESIS_HASH, 0, 0
    last: RowMapping | None = None

    def verdict(broken_seq: int | None = None, reason: str | None = None) -> ChainVerdict:
        return ChainVerdict(
            chain=chain,
            ok=broken_seq is None,
            checked=checked,
            first_broken_seq=broken_seq,
            reason=reason,
            anchors_checked=confirmed,
            head=head_of(chain, last),
        )

    while True:
        # Keyset pages: memory stays flat however long the chain grows.
        query = (
            select(_audit)
            .where(_audit.c.chain == chain)
            .order_by(_audit.c.chain_seq)
            .limit(batch_size)
        )
        if last is not None:
            query = query.where(_audit.c.chain_seq > last["chain_seq"])
        rows = (await session.execute(query)).mappings().all()
        if not rows:
            break
        for row in rows:
            problem = _check_row(row, expected_seq, prev_hash)
            # Places run 1, 2, 3... with no gap here, so each anchor meets the row at its seq.
            while (
                problem is None
                and confirmed < len(pending)
                and pending[confirmed].seq <= row["chain_seq"]
            ):
                problem = _check_anchor(row, pending[confirmed])
                if problem is None:
                    confirmed += 1
            if problem is not None:
                return verdict(*problem)
            checked += 1
            expected_seq, prev_hash, last = row["chain_seq"] + 1, row["hash"], row
    if confirmed < len(pending):
        # What is left is consistent, but shorter than it was when the anchor was recorded.
        end, anchored = (0 if last is None else last["chain_seq"]), pending[confirmed].seq
        return verdict(
            end + 1,
            f"the chain ends at seq {end} but an anchor recorded seq {anchored}:"
            f" rows after {end} were deleted",
        )
    return verdict()


def _check_anchor(row: RowMapping, anchor: Anchor) -> tuple[int, str] | None:
    if anchor.hash == row["hash"]:
        return None
    seq = row["chain_seq"]
    return seq, (
        f"the row at seq {seq} has hash {row['hash']} but an anchor recorded"
        f" {anchor.seq}:{anchor.hash}: the row was replaced"
    )


def _check_row(row: RowMapping, expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    seq = row["chain_seq"]
    if seq > expected_seq:
        return expected_seq, f"seq {expected_seq} is missing (the next row is seq {seq})"
    if seq != expected_seq:
        return seq, f"unexpected seq {seq} where seq {expected_seq} should be"
    if row["prev_hash"] != prev_hash:
        return seq, f"prev_hash of seq {seq} does not match the hash of the row before it"
    if row_hash(row) != row["hash"]:
        return seq, f"hash of seq {seq} does not match its content"
    return None
