"""Which hash chain of the audit log an event joins: one chain per organisation, so appenders of
different organisations never wait for each other, and tamper evidence stays per organisation.

The chain key is the organisation's code, read from the event's cycle id (`{org}-{year}`, as
`workflows.ids.cycle_id` makes it) or, for an event naming only an appraisal, from the appraisal's
id (`appraisal-{org}-{year}-{nip}`). The key comes from the event alone, never from another table,
so an event always joins the same chain however often it is retried. Events of no organisation
(an auditor reading the whole log, a cycle id made some other way) join `SYSTEM_CHAIN`; the rows
of the one global chain kept before per-organisation chains form `LEGACY_CHAIN`. Both names start
with an underscore, which no organisation's code can (`[a-z0-9-]`)."""

from __future__ import annotations

import re

SYSTEM_CHAIN = "_system"
"""The chain of events tied to no organisation."""

LEGACY_CHAIN = "_legacy"
"""The rows of the single global chain written before per-organisation chains (migration 0011),
kept as they were, with their original hashes; nothing is appended to it any more."""

CHAIN_NAME = r"[a-z0-9_-]{1,64}"
"""What a chain's name looks like: an organisation's code, or one of the two names above."""

_CYCLE = re.compile(r"(?P<org>[a-z0-9][a-z0-9-]*)-[0-9]{4}")
_APPRAISAL = re.compile(r"appraisal-(?P<org>[a-z0-9][a-z0-9-]*)-[0-9]{4}-[0-9]+")


def chain_of(cycle_id: str | None, appraisal_id: str | None) -> str:
    """The chain an event of this cycle and appraisal joins: its organisation's code, or
    `SYSTEM_CHAIN` when neither id names an organisation."""
    found = None
    if cycle_id is not None:
        found = _CYCLE.fullmatch(cycle_id)
    elif appraisal_id is not None:
        found = _APPRAISAL.fullmatch(appraisal_id)
    if found is None or len(found["org"]) > 64:
        return SYSTEM_CHAIN
    return found["org"]
