"""The six policy presets: national defaults and one per seed city."""

from __future__ import annotations

from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.development import DevelopmentPolicy, SkillKind
from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.indicators import IndicatorRules
from appraisal_engine.domain.judging import CommunityPolicy, PeerPolicy, ProcessPolicy
from appraisal_engine.domain.mentors import MentorRules
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind, OutcomeRule
from appraisal_engine.domain.peer import PeerAspect
from appraisal_engine.domain.policy import (
    DEFAULT_OUTCOMES,
    DEFAULT_TASK_RULES,
    MentorPolicy,
    Policy,
    ReportPeriod,
    TaskRule,
)
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.domain.teladan import TeladanPolicy

A, K = AwardKind, OutcomeKind
# Every preset turns the curve's shares into people by the nearest whole number, a half in the
# employees' favour, so that a unit of any size can fit its curve (docs/policies.md).
ROUNDING = CurveRounding.NEAREST


def _outcomes(**changes: OutcomeRule) -> dict[Grade, OutcomeRule]:
    return {**DEFAULT_OUTCOMES, **{Grade(k): v for k, v in changes.items()}}


def _tasks(**changes: TaskRule) -> dict[TaskKind, TaskRule]:
    renamed = {TaskKind(k.replace("__", ".")): v for k, v in changes.items()}
    return {**DEFAULT_TASK_RULES, **renamed}


NATIONAL = Policy(
    name="national",
    title="PermenPAN-RB 6/2022 defaults: quarterly reports, cascading, mentorship below Baik",
    curve_rounding=ROUNDING,
)

TEBINGTINGGI = Policy(
    name="tebingtinggi",
    title="Tebingtinggi: routine monitoring, awards for achievers, training for the rest",
    curve_rounding=ROUNDING,
    # Training for everyone short of the top grade; the budget keeps awards to certificates.
    outcomes=_outcomes(
        baik=OutcomeRule(kind=K.DEVELOPMENT),
        butuh_perbaikan=OutcomeRule(kind=K.DEVELOPMENT),
        kurang=OutcomeRule(kind=K.DEVELOPMENT),
    ),
    # Training is a plan with its courses and a date its supervisor follows it up, within the
    # half year: the routine monitoring the article describes (docs/policies.md).
    development=DevelopmentPolicy(follow_up_required=True, follow_up_within_days=183),
)

BUKITTINGGI = Policy(
    name="bukittinggi",
    title="Bukittinggi: supervisor and peers judge results, collaboration and communication",
    curve_rounding=ROUNDING,
    # Peers judge what the article names, collaboration and communication, and their result is
    # a share of the behaviour rating; the 30% is the preset's choice (the article names none).
    peer=PeerPolicy(
        enabled=True,
        peers_per_employee=3,
        quorum=2,
        anonymity_threshold=3,
        aspects=[PeerAspect.KOLABORATIF, PeerAspect.KOMUNIKASI],
        behaviour_weight=0.3,
    ),
)

TANJUNGBALAI = Policy(
    name="tanjungbalai",
    title=(
        "Tanjungbalai: monthly reports with discipline and attendance; targets met earn an "
        "award, below standard coaching"
    ),
    curve_rounding=ROUNDING,
    report_period=ReportPeriod.MONTHLY,
    tasks=_tasks(
        self_report=TaskRule(
            due_days=5,
            remind_before_days=2,
            escalation_days=3,
            fallback=DEFAULT_TASK_RULES[TaskKind.SELF_REPORT].fallback,
        ),
        feedback=TaskRule(
            due_days=7,
            remind_before_days=2,
            escalation_days=3,
            fallback=DEFAULT_TASK_RULES[TaskKind.FEEDBACK].fallback,
        ),
    ),
    outcomes=_outcomes(
        baik=OutcomeRule(kind=K.AWARD, awards=[A.CERTIFICATE]),
        butuh_perbaikan=OutcomeRule(kind=K.COACHING),
        kurang=OutcomeRule(kind=K.COACHING),
    ),
    # Discipline and attendance beside the service targets, entered by the appraiser with each
    # month's feedback: at least 95% of working days present and at most 2 breaches of the
    # discipline rules in the year meet the standard, rated once 9 months have them. The numbers
    # are the preset's choice: the article names discipline and sets none.
    indicators=IndicatorRules(enabled=True, attendance_floor=95, breaches_allowed=2, min_periods=9),
)

BINJAI_SERVICE_UNITS = (
    "DISDUKCAPIL",  # population documents, online and at the counter
    "DUKCAPIL",  # the same office, as some rosters code it
    "DPMPTSP",  # licences, one-stop service
    "DINKES",
    "RSUD",
    "PKM-*",  # every puskesmas
    "DISDIK",
    "DINSOS",
    "DISNAKER",
    "DISHUB",
    "DISPUSIP",
    "DAMKAR",
    "KEC-*",  # every kecamatan office
    "UPTD-*",  # the technical service units: markets, waste, parking, the health laboratory
)

BINJAI = Policy(
    name="binjai",
    title="Binjai: results and process, with citizens' feedback on the units serving them",
    curve_rounding=ROUNDING,
    # Citizens' scores apply to the offices where citizens are served (the article's example is
    # the population registry's online service), not to the back offices (the secretariats,
    # planning, finance, personnel, the inspectorate); the list is the preset's choice, written
    # in the codes of the generated city: a city lists its own roster's codes.
    community=CommunityPolicy(
        enabled=True,
        floor=3.5,
        cap_below_floor=Rating.MEETS,
        service_units=list(BINJAI_SERVICE_UNITS),
    ),
    # How each result was reached is rated beside it, and weighs 40% of the target's rating:
    # the result keeps the larger part (the article names no weight).
    process=ProcessPolicy(enabled=True, weight=0.4),
)

WANGGAR = Policy(
    name="wanggar",
    title="Wanggar: written periodic reports, mentorship by senior leaders, ASN teladan awards",
    curve_rounding=ROUNDING,
    time_zone="Asia/Jayapura",  # Papua: WIT
    structured_reports=True,
    # Mentors are experienced leaders: ten years' service by the NIP, a section head or above,
    # never the employee's own appraiser (docs/policies.md).
    mentor=MentorPolicy(
        capacity=2,
        max_offers=3,
        rules=MentorRules(min_service_years=10, min_level=PositionLevel.PENGAWAS),
        supervisor_may_mentor=False,
    ),
    # Training in technical and soft skills: every plan has both.
    development=DevelopmentPolicy(required_skills=[SkillKind.TECHNICAL, SkillKind.SOFT]),
    # Certificates and incentives for every Sangat Baik; ASN teladan for a few, chosen by HR.
    outcomes=_outcomes(
        sangat_baik=OutcomeRule(kind=K.AWARD, awards=[A.CERTIFICATE, A.INCENTIVE]),
    ),
    teladan=TeladanPolicy(by_hr=True, max_nominees=5, max_share=0.1),
)

PRESETS: dict[str, Policy] = {
    p.name: p for p in (NATIONAL, TEBINGTINGGI, BUKITTINGGI, TANJUNGBALAI, BINJAI, WANGGAR)
}


def preset(name: str) -> Policy:
    """A preset by name; the error lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        known = {"name": repr(name), "known": str(sorted(PRESETS))}
        raise DomainError("unknown policy %(name)s; known: %(known)s", values=known) from None
