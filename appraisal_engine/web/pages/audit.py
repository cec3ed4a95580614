"""The audit log, for auditors: its events filtered and paged in the order appended, and
verifying its hash chains (one per organisation) against heads recorded earlier (anchors), with
each chain's current head to record."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.api.schemas import Offset
from appraisal_engine.domain import audit_kinds as kinds
from appraisal_engine.domain.records import AuditFilter
from appraisal_engine.services import audit
from appraisal_engine.services.access import require_auditor
from appraisal_engine.store.repositories.audit import AuditEntry
from appraisal_engine.store.repositories.audit_verify import Anchor, VerifyResult
from appraisal_engine.web.forms import Gettext, field_errors
from appraisal_engine.web.i18n import N_, local_moment
from appraisal_engine.web.paging import PAGE_SIZE, Paged, filled, paged
from appraisal_engine.web.render import config_of, gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

KIND_LABELS: dict[str, str] = {
    kinds.TASK_COMPLETED: N_("Task completed"),
    kinds.TASK_DEADLINE_EXTENDED: N_("Task deadline extended"),
    kinds.TASK_ESCALATED: N_("Task escalated"),
    kinds.TASK_OVERDUE: N_("Task overdue"),
    kinds.GRADE_COMPUTED: N_("Grade computed"),
    kinds.GRADE_RELEASED: N_("Grade released"),
    kinds.APPEAL_FILED: N_("Appeal filed"),
    kinds.APPEAL_DECIDED: N_("Appeal decided"),
    kinds.OUTCOME_DECIDED: N_("Follow-up decided"),
    kinds.APPRAISAL_REASSIGNED: N_("Appraisal reassigned"),
    kinds.APPRAISAL_CANCELLED: N_("Appraisal cancelled"),
    kinds.CALIBRATION_REJECTED: N_("Calibration rejected"),
    kinds.CALIBRATION_RELEASED: N_("Calibration released"),
    kinds.COMMUNITY_SCORES: N_("Community scores received"),
    kinds.UNIT_RATING_PROPOSED: N_("Unit rating proposed"),
    kinds.UNIT_RATING_DECIDED: N_("Unit rating decided"),
    kinds.AUDITOR_READ: N_("Read by an auditor"),
    kinds.DEVELOPMENT_PLANNED: N_("Development plan made"),
    kinds.DEVELOPMENT_FOLLOWED_UP: N_("Development plan followed up"),
    kinds.TELADAN_NOMINATED: N_("Nominated ASN teladan"),
}
"""A readable label for each kind of event the log holds (the kinds are in domain.audit_kinds)."""
FILTERS = ("actor", "appraisal_id", "cycle_id", "kind", "since", "until")
SUMMARY_LENGTH = 160


class AuditQuery(BaseModel):
    """The log's filters as the page's form sends them: days, not moments."""

    actor: str | None = None
    appraisal_id: str | None = None
    cycle_id: str | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None

    def where(self, zone: str) -> AuditFilter:
        """The service's filter: a day is the whole of that day on the organisation's clock."""
        return AuditFilter(
            actor_nip=self.actor,
            appraisal_id=self.appraisal_id,
            cycle_id=self.cycle_id,
            kind=self.kind,
            since=local_moment(self.since, time(), zone) if self.since else None,
            until=local_moment(self.until + timedelta(days=1), time(), zone)
            if self.until
            else None,
        )


def summary(payload: dict[str, Any]) -> str:
    """An event's payload on one short line: `key: value` pairs, cut at a fixed length."""
    parts = []
    for key, value in payload.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {shown}")
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


@router.get("/audit", include_in_schema=False)
async def events(
    request: Request,
    me: SignedIn,
    session: SessionDep,
    actor: str = "",
    appraisal_id: str = "",
    cycle_id: str = "",
    kind: str = "",
    since: str = "",
    until: str = "",
    offset: Offset = 0,
) -> Response:
    """Audit events in the order appended, filtered by actor, appraisal, cycle, kind and days."""
    require_auditor(me)
    values = filled(
        actor=actor,
        appraisal_id=appraisal_id,
        cycle_id=cycle_id,
        kind=kind,
        since=since,
        until=until,
    )
    errors: dict[str, str] = {}
    found: Paged[AuditEntry] | None = None
    try:
        query = AuditQuery.model_validate(values)
    except ValidationError as e:
        errors = field_errors(e, gettext_for(request), FILTERS)
    else:
        where = query.where(config_of(request).time_zone)
        rows = await audit.events(session, me, where=where, limit=PAGE_SIZE + 1, offset=offset)
        found = paged("/audit", values, rows, offset)
    return render(
        request,
        "audit/events.html",
        422 if errors else 200,
        found=found,
        values=values,
        errors=errors,
        kinds=list(KIND_LABELS.items()),
        kind_label=lambda kind: KIND_LABELS.get(kind, kind),
        summary=summary,
    )


def parse_anchors(text: str, _: Gettext) -> tuple[list[Anchor], str | None]:
    """One `CHAIN:SEQ:HASH` (or a legacy `SEQ:HASH`) per line (blank lines skipped); the error
    names the first bad line."""
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchors.append(Anchor.parse(line.strip()))
        except ValueError:
            message = N_(
                "Line %(line)s is not an anchor: write CHAIN:SEQ:HASH, the chain's name, a"
                " positive seq and the 64-digit hash in lowercase hex."
            )
            return [], _(message, line=number)
    return anchors, None


@router.get("/audit/verify", include_in_schema=False)
async def verify(
    request: Request,
    me: SignedIn,
    session: SessionDep,
    anchors: str = "",
    run: str = "",
) -> Response:
    """Each chain's head to record, and, when asked, every chain verified against the anchors
    given (a read: nothing changes)."""
    heads = await audit.heads(session, me)
    errors: dict[str, str] = {}
    result: VerifyResult | None = None
    if run:
        parsed, error = parse_anchors(anchors, gettext_for(request))
        if error:
            errors["anchors"] = error
        else:
            result = await audit.verify(session, me, parsed)
    return render(
        request,
        "audit/verify.html",
        422 if errors else 200,
        heads=heads,
        result=result,
        values={"anchors": anchors},
        errors=errors,
    )
