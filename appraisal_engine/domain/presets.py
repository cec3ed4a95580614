"""The six policy presets: national defaults and one per seed city."""

from __future__ import annotations

from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.development import DevelopmentPolicy, SkillKind
from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.mentors import MentorRules
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind, OutcomeRule
from appraisal_engine.domain.policy import (
    DEFAULT_OUTCOMES,
    DEFAULT_TASK_RULES,
    CommunityPolicy,
    MentorPolicy,
    PeerPolicy,
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
    peer=PeerPolicy(enabled=True, peers_per_employee=3, quorum=2, anonymity_threshold=3),
)

TANJUNGBALAI = Policy(
    name="tanjungbalai",
    title="Tanjungbalai: monthly reports; targets met earn an award, below standard coaching",
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
)

BINJAI = Policy(
    name="binjai",
    title="Binjai: results and process, with citizens' feedback on each unit's services",
    curve_rounding=ROUNDING,
    community=CommunityPolicy(enabled=True, floor=3.5, cap_below_floor=Rating.MEETS),
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
