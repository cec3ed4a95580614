"""The cycle's rules for a unit's own rating, as its validators apply them: who may change it
and when, and which rating calibration uses. Each refusal is a typed rejection."""

from __future__ import annotations

from dataclasses import dataclass

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.errors import Wording
from appraisal_engine.workflows.cycle_messages import CalibrateInput, UnitProgress
from appraisal_engine.workflows.errors import (
    INVALID_PAYLOAD,
    NOT_ALLOWED,
    NOT_ASSIGNEE,
    WRONG_STAGE,
    reject,
)


@dataclass(frozen=True)
class CycleNow:
    """What the cycle's state says about changing a unit's rating."""

    rated_by_official: bool
    closed: bool
    launching: bool
    calibrating: bool
    heads_follow: bool  # the policy's unit_head_results: the head's results take the rating


def check_calibration_rating(
    rated_by_official: bool, unit: UnitProgress, inp: CalibrateInput
) -> None:
    """The rating calibration will use: the one the unit's official decided (HR may repeat
    it, not change it), or in a cycle started before that, the one HR gives."""
    if not rated_by_official:
        if inp.unit_rating is None:
            raise reject(INVALID_PAYLOAD, "the unit's rating is required", field="unit_rating")
        return
    decided = unit.rating_decided
    if decided is None:
        raise reject(
            WRONG_STAGE,
            Wording(
                "the rating of unit %(unit)s is not decided yet: its official (%(rater)s) "
                "decides it before calibration",
                {"unit": inp.unit_code, "rater": str(unit.rater_nip)},
            ),
            field="unit_rating",
        )
    if inp.unit_rating is not None and inp.unit_rating != decided.rating:
        raise reject(
            INVALID_PAYLOAD,
            Wording(
                "unit %(unit)s was rated %(rating)s by its official; calibration uses that rating",
                {"unit": inp.unit_code, "rating": decided.rating.value},
            ),
            field="unit_rating",
        )


def calibration_rating(
    rated_by_official: bool, unit: UnitProgress, inp: CalibrateInput
) -> UnitRating:
    """The rating a calibration the validator accepted is checked against."""
    if rated_by_official and unit.rating_decided is not None:
        return unit.rating_decided.rating
    assert inp.unit_rating is not None  # check_calibration_rating requires it
    return inp.unit_rating


def check_rating_change(code: str, unit: UnitProgress | None, now: CycleNow) -> UnitProgress:
    """A unit's rating may be proposed or decided from launch until grades are released
    against it (or, where the head's results follow it, until the head is reviewed)."""
    if not now.rated_by_official:
        raise reject(
            NOT_ALLOWED,
            "this cycle began before units were rated by their official: HR gives the rating "
            "at calibration",
        )
    if now.closed:
        raise reject(WRONG_STAGE, "the cycle is closed")
    if unit is None:
        raise reject(
            INVALID_PAYLOAD,
            Wording("no unit %(unit)s in this cycle", {"unit": repr(code)}),
            field="unit_code",
        )
    if now.launching:
        raise reject(WRONG_STAGE, "the cycle is still launching")
    if now.calibrating:
        raise reject(WRONG_STAGE, "this unit is being calibrated by another request")
    decided = unit.rating_decided.rating.value if unit.rating_decided else "-"
    if unit.head_reviewed and now.heads_follow:
        raise reject(
            WRONG_STAGE,
            Wording(
                "the head of %(unit)s was reviewed with the unit's rating %(rating)s; the "
                "rating can no longer change",
                {"unit": code, "rating": decided},
            ),
        )
    if unit.released:
        raise reject(
            WRONG_STAGE,
            Wording(
                "grades of %(unit)s were released against its rating %(rating)s; the rating "
                "can no longer change",
                {"unit": code, "rating": str(unit.unit_rating)},
            ),
        )
    return unit


def check_decider(unit: UnitProgress, actor_nip: str) -> None:
    """Only the unit's official decides its rating (anyone else is told nothing of it)."""
    if actor_nip != unit.rater_nip:
        raise reject(NOT_ASSIGNEE, "only the unit's official decides its rating")
