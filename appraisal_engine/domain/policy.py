"""A policy: everything a city may set differently, as validated data."""

from __future__ import annotations

import json
import tomllib
from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from appraisal_engine.domain.calendar import Zone
from appraisal_engine.domain.curve import NATIONAL_CURVE, CurveRule, UnitRating
from appraisal_engine.domain.curve_order import check_curve_order
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.development import DevelopmentPolicy
from appraisal_engine.domain.errors import DomainError, Wording, validation_wording
from appraisal_engine.domain.indicators import IndicatorRules
from appraisal_engine.domain.judging import CommunityPolicy, PeerPolicy, ProcessPolicy
from appraisal_engine.domain.mentors import MentorRules
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.nip import Nip
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind, OutcomeRule
from appraisal_engine.domain.periodic import PeriodicPolicy
from appraisal_engine.domain.planning import PlanningPolicy
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.tasks import ALLOWED_FALLBACKS, Fallback, TaskKind
from appraisal_engine.domain.teladan import TeladanPolicy


class ReportPeriod(StrEnum):
    """How often employees report realisation."""

    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    @property
    def per_year(self) -> int:
        """Periods in a year."""
        return 4 if self is ReportPeriod.QUARTERLY else 12


class TaskRule(Value):
    """When a task is due, when to remind, how long escalation lasts, and what follows."""

    due_days: float = Field(gt=0, le=366)
    remind_before_days: float = Field(ge=0, le=60)
    escalation_days: float = Field(ge=0, le=120, description="grace after the deadline")
    fallback: Fallback


class MentorPolicy(Value):
    """How mentors are matched. The defaults are the rules cycles ran with before each setting:
    any senior of the unit but the appraiser and the one above, a policy stored without them
    deciding as it did."""

    capacity: int = Field(default=2, ge=1, le=20, description="mentees a mentor takes at once")
    max_offers: int = Field(default=3, ge=1, le=10, description="offers before coaching instead")
    rules: MentorRules = Field(
        default_factory=MentorRules, description="years of service and level a mentor needs"
    )
    supervisor_may_mentor: bool = Field(
        default=False, description="the employee's own appraiser may be offered as mentor"
    )

    @property
    def changes_matching(self) -> bool:
        """Whether any setting narrows or widens the mentors matched before these settings."""
        return self.supervisor_may_mentor or self.rules != MentorRules()


def _task(due: float, remind: float, grace: float, fallback: Fallback) -> TaskRule:
    return TaskRule(
        due_days=due, remind_before_days=remind, escalation_days=grace, fallback=fallback
    )


F = Fallback
DEFAULT_TASK_RULES: dict[TaskKind, TaskRule] = {
    TaskKind.TARGETS_DRAFT: _task(31, 7, 14, F.WAIT),
    TaskKind.TARGETS_APPROVE: _task(7, 2, 7, F.WAIT),
    TaskKind.SELF_REPORT: _task(10, 3, 5, F.RECORD_MISSING),
    TaskKind.FEEDBACK: _task(10, 3, 5, F.RECORD_MISSING),
    TaskKind.PEER_FEEDBACK: _task(14, 3, 0, F.RECORD_MISSING),
    TaskKind.REVIEW: _task(21, 5, 10, F.WAIT),
    TaskKind.APPEAL_DECIDE: _task(14, 3, 7, F.UPHOLD_GRADE),
    TaskKind.MENTORSHIP_ACCEPT: _task(7, 2, 0, F.NEXT_MENTOR),
}

DEFAULT_OUTCOMES: dict[Grade, OutcomeRule] = {
    Grade.SANGAT_BAIK: OutcomeRule(kind=OutcomeKind.AWARD, awards=[AwardKind.CERTIFICATE]),
    Grade.BAIK: OutcomeRule(kind=OutcomeKind.DEVELOPMENT),
    Grade.BUTUH_PERBAIKAN: OutcomeRule(kind=OutcomeKind.MENTORSHIP),
    Grade.KURANG: OutcomeRule(kind=OutcomeKind.MENTORSHIP),
    Grade.SANGAT_KURANG: OutcomeRule(kind=OutcomeKind.FORMAL_COACHING, improvement_months=6),
}


class Policy(Value):
    """Every rule of a yearly appraisal cycle that a city may choose."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    title: str = Field(min_length=1, max_length=200)
    report_period: ReportPeriod = ReportPeriod.QUARTERLY
    cascading: bool = True
    structured_reports: bool = False
    peer: PeerPolicy = PeerPolicy()
    community: CommunityPolicy = CommunityPolicy()
    process: ProcessPolicy = ProcessPolicy()
    indicators: IndicatorRules = IndicatorRules()
    mentor: MentorPolicy = MentorPolicy()
    development: DevelopmentPolicy = Field(
        default_factory=DevelopmentPolicy, description="development plans after the outcome"
    )
    teladan: TeladanPolicy = Field(
        default_factory=TeladanPolicy, description="ASN teladan nominated by HR"
    )
    planning: PlanningPolicy = PlanningPolicy()
    periodic: PeriodicPolicy = PeriodicPolicy()
    tasks: dict[TaskKind, TaskRule] = Field(default_factory=lambda: dict(DEFAULT_TASK_RULES))
    outcomes: dict[Grade, OutcomeRule] = Field(default_factory=lambda: dict(DEFAULT_OUTCOMES))
    few_main_below_share: float = Field(
        default=0.34, ge=0, le=1, description="share of main targets below that is 'a few'"
    )
    appeal_window_days: float = Field(
        default=14,
        gt=0,
        le=90,
        description="a whole number counts calendar days in time_zone, to the end of the last",
    )
    time_zone: Zone = Field(
        default="Asia/Jakarta", description="the organisation's zone: WIB, WITA or WIT"
    )
    release_when_standalone: bool = Field(
        default=True, description="an appraisal run outside a cycle releases its own grade"
    )
    curve: dict[UnitRating, list[CurveRule]] = Field(
        default_factory=lambda: {k: list(v) for k, v in NATIONAL_CURVE.items()}
    )
    curve_rounding: CurveRounding = Field(
        # The default is the rule cycles ran with before this setting: a cycle launched then
        # carries a policy without it and must keep deciding as it did. The presets name one.
        default=CurveRounding.STRICT,
        description="how a curve's share becomes a number of people in a small unit",
    )
    unit_head_results: dict[UnitRating, Rating] | None = Field(
        # Off by default, as cycles ran before the setting: the head of a unit is rated on
        # their targets like anyone. Set (UNIT_HEAD_RESULTS is the regulation's reading), the
        # head's work results rating is taken from the unit's decided rating.
        default=None,
        description=(
            "the work results rating of a unit's head (a JPT) for each rating of the unit, "
            "taken from the unit's decided rating instead of the head's target ratings"
        ),
    )
    regional_head_nip: str | None = Field(
        default=None, description="appraises the heads at the top of the roster"
    )
    appeals_officer_nip: Nip | None = Field(
        default=None,
        description=(
            "hears the appeals of those whose appraiser has no superior of their own (the heads "
            "at the top, whom the regional head appraises), e.g. the regional secretary"
        ),
    )

    @model_validator(mode="after")
    def _complete_and_consistent(self) -> Policy:
        for kind in TaskKind:
            rule = self.tasks.get(kind)
            if rule is None:
                raise DomainError("tasks.%(kind)s: missing", values={"kind": kind.value})
            if rule.fallback not in ALLOWED_FALLBACKS[kind]:
                allowed = str(sorted(f.value for f in ALLOWED_FALLBACKS[kind]))
                raise DomainError(
                    "tasks.%(kind)s.fallback: must be one of %(allowed)s",
                    values={"kind": kind.value, "allowed": allowed},
                )
            if rule.remind_before_days >= rule.due_days:
                raise DomainError(
                    "tasks.%(kind)s: the reminder must come before the deadline",
                    values={"kind": kind.value},
                )
        for grade in Grade:
            if grade not in self.outcomes:
                raise DomainError("outcomes.%(grade)s: missing", values={"grade": grade.value})
            if self.teladan.by_hr and AwardKind.ASN_TELADAN in self.outcomes[grade].awards:
                # Given with the award, every Sangat Baik would be nominated: HR's choice is moot.
                raise DomainError(
                    "outcomes.%(grade)s.awards: asn_teladan_nomination is HR's to give when "
                    "teladan.by_hr is on",
                    values={"grade": grade.value},
                )
        missing = [r.value for r in UnitRating if r not in self.curve]
        if missing:
            raise DomainError(
                "curve: missing unit ratings %(missing)s", values={"missing": str(missing)}
            )
        heads = self.unit_head_results
        unmapped = [r.value for r in UnitRating if heads is not None and r not in heads]
        if unmapped:
            raise DomainError(
                "unit_head_results: missing unit ratings %(missing)s",
                values={"missing": str(unmapped)},
            )
        periods = self.report_period.per_year
        if self.indicators.enabled and self.indicators.min_periods > periods:
            raise DomainError(
                "indicators.min_periods: cannot exceed the %(periods)s report periods of a year",
                values={"periods": periods},
            )
        if self.peer.enabled and self.peer.quorum > self.peer.peers_per_employee:
            raise DomainError("peer.quorum: cannot exceed peer.peers_per_employee")
        if self.appeals_officer_nip is not None and self.appeals_officer_nip == (
            self.regional_head_nip
        ):
            # The regional head appraises the heads whose appeals the officer hears.
            raise DomainError("appeals_officer_nip: must differ from regional_head_nip")
        return self

    def rule(self, kind: TaskKind) -> TaskRule:
        """The deadline rule of a task kind."""
        return self.tasks[kind]


def load_policy(path: str | Path) -> Policy:
    """Load a policy from a .toml or .json file; errors name the file and each bad field."""
    p = Path(path)
    try:
        raw = p.read_bytes()
        data = tomllib.loads(raw.decode()) if p.suffix == ".toml" else json.loads(raw)
    except FileNotFoundError:
        raise _unread(p, Wording.fixed("no such file")) from None
    except IsADirectoryError:
        raise _unread(p, Wording.fixed("it is a folder, not a file")) from None
    except UnicodeDecodeError:
        raise _unread(p, Wording.fixed("not UTF-8 text: save the file as UTF-8")) from None
    except (OSError, ValueError) as e:  # unreadable, or not TOML or JSON (the parser's words)
        raise _unread(p, Wording.fixed(str(e))) from None
    return parse_policy(data, source=p.name)


def _unread(path: Path, reason: Wording) -> DomainError:
    return DomainError(
        "cannot read policy %(file)s: %(reason)s", values={"file": path.name, "reason": reason}
    )


def parse_policy(data: object, *, source: str = "policy") -> Policy:
    """Validate a policy mapping, its curve's order of ratings included (see
    check_curve_order); one DomainError listing every problem."""
    try:
        policy = Policy.model_validate(data)
    except ValidationError as e:
        problems = [
            _field(".".join(str(x) for x in err["loc"]) or "(policy)", validation_wording(err))
            for err in e.errors()
        ]
        raise _invalid(source, Wording.join("; ", problems)) from None
    try:
        check_curve_order(policy.curve)
    except DomainError as e:
        problem = e.wording if e.field is None else _field(e.field, e.wording)
        raise _invalid(source, problem) from None
    return policy


def _field(name: str, problem: Wording) -> Wording:
    return Wording("%(field)s: %(problem)s", {"field": name, "problem": problem})


def _invalid(source: str, problems: Wording) -> DomainError:
    return DomainError(
        "invalid policy in %(file)s: %(problems)s", values={"file": source, "problems": problems}
    )
