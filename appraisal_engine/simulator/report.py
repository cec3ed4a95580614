"""The figures of a simulated cycle: its closing summary, with what the driver and the notices
saw along the way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import Notification, NotificationKind
from appraisal_engine.simulator.hr import Tally
from appraisal_engine.workflows.cycle_messages import CycleSummary


class UnitFigures(BaseModel):
    """One unit's year: its rating, final grades (best first), and how calibration went."""

    rating: str | None
    grades: dict[str, int]
    done: int
    cancelled: int
    calibration_rounds: int
    adjusted: int


class SimulationReport(BaseModel):
    """Everything `appraisal simulate` prints; only `wall_seconds` differs between equal seeds."""

    policy: str
    seed: int
    employees: int
    units: dict[str, UnitFigures]
    grades: dict[str, int]
    done: int
    cancelled: int
    awards: dict[str, int]
    outcomes: dict[str, int]
    mentorships: int
    teladan: int = Field(default=0, description="ASN teladan nominated by HR")
    appeals: dict[str, int]
    transfers: int
    overdue: dict[str, int]
    escalated: dict[str, int]
    reminders: int
    simulated_days: int
    wall_seconds: float


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in sorted(counts) if counts[k]}


def build_report(
    *,
    policy: Policy,
    seed: int,
    roster_units: Mapping[str, int],
    summary: CycleSummary,
    tally: Tally,
    notices: Sequence[Notification],
    days: int,
    wall_seconds: float,
    teladan: int = 0,
) -> SimulationReport:
    """The report of one run, every mapping in a fixed order."""
    units: dict[str, UnitFigures] = {}
    for code in sorted(roster_units):
        figures = summary.units.get(code)
        grades = {g.value: (figures.grades.get(g.value, 0) if figures else 0) for g in Grade}
        calibrated = tally.units.get(code)
        units[code] = UnitFigures(
            rating=calibrated.rating.value if calibrated else None,
            grades=grades,
            done=sum(grades.values()),
            cancelled=figures.cancelled if figures else 0,
            calibration_rounds=calibrated.rounds if calibrated else 0,
            adjusted=calibrated.adjusted if calibrated else 0,
        )
    escalated = Counter(n.task_kind.value for n in notices if n.kind is NotificationKind.ESCALATION)
    return SimulationReport(
        policy=policy.name,
        seed=seed,
        employees=sum(roster_units.values()),
        units=units,
        grades={g.value: sum(u.grades[g.value] for u in units.values()) for g in Grade},
        done=sum(u.done for u in units.values()),
        cancelled=sum(u.cancelled for u in units.values()),
        awards=_sorted(summary.awards),
        outcomes=_sorted(summary.outcomes),
        mentorships=summary.mentorships,
        teladan=teladan,
        appeals={
            "filed": tally.appeals_filed,
            "upheld": summary.appeals.get("uphold", 0),
            "changed": summary.appeals.get("change", 0),
        },
        transfers=tally.transfers,
        overdue=_sorted(summary.overdue),
        escalated=_sorted(escalated),
        reminders=sum(n.kind is NotificationKind.REMINDER for n in notices),
        simulated_days=days,
        wall_seconds=wall_seconds,
    )
