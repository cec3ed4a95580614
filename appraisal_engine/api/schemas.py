"""Request and response bodies that are the API's own (the workflows' messages are reused as is)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from appraisal_engine.domain.calibration import Adjustment
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.development import SkillKind
from appraisal_engine.domain.nip import Nip
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.unit_rating import NOTE_MAX

T = TypeVar("T")


class Strict(BaseModel):
    """A request body: unknown fields are an error, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    """One page of a list; ask for the next with `offset=next_offset` until it is null."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = Field(description="null on the last page")


def page_of(items: list[T], limit: int, offset: int) -> Page[T]:
    """A page from a query that fetched `limit + 1` rows, the extra one telling there is more."""
    more = len(items) > limit
    return Page(
        items=items[:limit],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if more else None,
    )


_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339(value: object) -> object:
    # The document promises an RFC 3339 date-time; pydantic alone would also read "0.5" as a
    # Unix time and "2026-03-31" or a time without an offset as some unstated zone.
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-03-31T17:00:00+07:00")


Instant = Annotated[datetime, BeforeValidator(_rfc3339)]
"""A point in time as RFC 3339 text with its offset; nothing looser."""

Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")]


class LaunchCycleRequest(Strict):
    """Launch an organisation's year from a stored roster under a preset or a full policy."""

    year: int = Field(ge=2000, le=2100, examples=[2026])
    roster_id: str = Field(
        min_length=1,
        max_length=80,
        pattern=r"^[A-Za-z0-9._-]+$",  # as stored rosters are named; no byte a database refuses
        examples=["kota-binjai-3f2a9c0d1e4b5a6c"],
    )
    policy: str | Policy = Field(
        description="a preset name (see GET /v1/policies) or a whole policy", examples=["binjai"]
    )
    year_start: Instant | None = Field(default=None, description="defaults to the launch time")
    regional_head_nip: Nip | None = Field(
        default=None,
        description="who appraises the heads at the top of the roster, if the policy names no one",
    )
    appeals_officer_nip: Nip | None = Field(
        default=None,
        description="who hears the appeals of the heads at the top of the roster (their "
        "appraiser, the regional head, has no superior in it), if the policy names no one",
    )


class AppealRequest(Strict):
    """A keberatan: why the employee disagrees with the grade."""

    reason: str = Field(min_length=10, max_length=4000)


class ReassignRequest(Strict):
    """Move the appraisal to a new supervisor (transfer, acting official), with a reason."""

    supervisor_nip: Nip
    superior_nip: Nip | None = None
    reason: str = Field(min_length=3, max_length=1000)


class DeadlineRequest(Strict):
    """Move an open task's deadline, with a reason."""

    task_id: str = Field(min_length=1, max_length=200)
    due_at: Instant
    reason: str = Field(min_length=3, max_length=1000)


class CancelRequest(Strict):
    """End the appraisal (retirement, transfer out), with a reason."""

    reason: str = Field(min_length=3, max_length=1000)


class CalibrationRequest(Strict):
    """HR's calibration of one unit: any grade adjustments, against the organisation rating
    its official decided."""

    unit_code: str = Field(min_length=1, max_length=40, examples=["DUKCAPIL"])
    unit_rating: UnitRating | None = Field(
        default=None,
        description="leave out: the rating the unit's official decided is used (naming another "
        "is refused); required only in a cycle launched before units were rated by their official",
    )
    adjustments: list[Adjustment] = Field(default_factory=list, max_length=5000)


class UnitRatingRequest(Strict):
    """A unit's organisation rating, proposed by HR or decided by its official, with a note."""

    rating: UnitRating = Field(examples=["baik"])
    note: str | None = Field(
        default=None, max_length=NOTE_MAX, examples=["capaian indikator kinerja utama 104%"]
    )


class CommunityFeedbackRequest(Strict):
    """Citizen-satisfaction scores (1-5) per unit code."""

    scores: dict[Annotated[str, Field(max_length=40)], Annotated[float, Field(ge=1, le=5)]] = Field(
        max_length=500, examples=[{"DUKCAPIL": 4.2}]
    )


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(value: object) -> object:
    # A calendar day as the document says, not a number pydantic would read as a Unix time.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value
    raise ValueError("must be a calendar day, yyyy-mm-dd")


Day = Annotated[date, BeforeValidator(_day), Field(description="a calendar day, yyyy-mm-dd")]


class PlanItemRequest(Strict):
    """One planned step: a course or training for a technical or soft skill, due by a day."""

    kind: SkillKind
    course: str = Field(min_length=1, max_length=200)
    due_on: Day


class DevelopmentPlanRequest(Strict):
    """The supervisor's plan: its items, and the day they follow it up (some policies ask it)."""

    items: list[PlanItemRequest] = Field(min_length=1, max_length=50)
    follow_up_on: Day | None = None


class FollowUpRequest(Strict):
    """Whether planned item number `item` (from 0) happened."""

    item: int = Field(ge=0, le=49)
    done: bool
    note: str = Field(default="", max_length=1000)


class TeladanRequest(Strict):
    """HR nominates the employee of one of the cycle's appraisals as ASN teladan."""

    appraisal_id: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=500)
