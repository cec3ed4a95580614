"""What pages call things: each code (a task kind, a stage, a grade, ...) and its label, marked
for the catalog here and translated once per language, so a page of a hundred rows looks each
label up instead of translating it again."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from appraisal_engine.web.config import Locale
from appraisal_engine.web.i18n import N_, translations

KINDS = {
    "targets.draft": N_("Draft my performance targets (SKP)"),
    "targets.approve": N_("Approve or return a target plan"),
    "self_report": N_("Self-report for a period"),
    "feedback": N_("Feedback on a period's report"),
    "peer_feedback": N_("Peer survey"),
    "review": N_("Year-end review"),
    "appeal.decide": N_("Decide an appeal"),
    "mentorship.accept": N_("Mentorship offer"),
}
STAGES = {
    "targets": N_("Targets"),
    "monitoring": N_("Monitoring"),
    "peer_input": N_("Peer input"),
    "review": N_("Review"),
    "calibration": N_("Calibration"),
    "appeal": N_("Appeal"),
    "outcome": N_("Outcome"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}
GRADES = {
    "sangat_baik": N_("Very good (Sangat Baik)"),
    "baik": N_("Good (Baik)"),
    "butuh_perbaikan": N_("Needs improvement (Butuh Perbaikan)"),
    "kurang": N_("Poor (Kurang)"),
    "sangat_kurang": N_("Very poor (Sangat Kurang)"),
}
RATINGS = {
    "below": N_("Below expectation"),
    "meets": N_("Meets expectation"),
    "above": N_("Above expectation"),
}
VALUES = {
    "berorientasi_pelayanan": N_("Service-oriented (Berorientasi Pelayanan)"),
    "akuntabel": N_("Accountable (Akuntabel)"),
    "kompeten": N_("Competent (Kompeten)"),
    "harmonis": N_("Harmonious (Harmonis)"),
    "loyal": N_("Loyal (Loyal)"),
    "adaptif": N_("Adaptive (Adaptif)"),
    "kolaboratif": N_("Collaborative (Kolaboratif)"),
    # Asked of peers only, where a policy's survey asks it (Bukittinggi): no BerAKHLAK value.
    "komunikasi": N_("Communicates well (Komunikasi)"),
}
STEPS = {
    "pending": N_("not yet"),
    "done": N_("done"),
    "missing": N_("missed"),
    "skipped": N_("skipped"),
}
OUTCOMES = {
    "award": N_("Award"),
    "development": N_("Competency development"),
    "mentorship": N_("Mentorship"),
    "coaching": N_("Coaching by the appraiser"),
    "formal_coaching": N_("Formal coaching with an improvement period"),
}
AWARDS = {
    "certificate": N_("Certificate"),
    "incentive": N_("Incentive"),
    "asn_teladan_nomination": N_("Nomination as a model civil servant (ASN teladan)"),
}
APPEALS = {
    "uphold": N_("Grade upheld"),
    "change": N_("Grade changed"),
}
OVERDUE = {
    # "overdue:<task kind>" flags are read through KINDS; these are a period's missed steps.
    "missing_report": N_("Self-report missed"),
    "missing_feedback": N_("Feedback missed"),
}
# The presets (domain/presets.py) by name: what each city's policy is known for, in short.
POLICIES = {
    "national": N_("National defaults (PermenPAN-RB 6/2022)"),
    "tebingtinggi": N_("Tebing Tinggi: awards for achievers, training for the rest"),
    "bukittinggi": N_("Bukittinggi: peers' view of collaboration and communication in the rating"),
    "tanjungbalai": N_(
        "Tanjungbalai: monthly reports with discipline and attendance, an award for targets "
        "met, coaching below standard"
    ),
    "binjai": N_("Binjai: results and the process behind them, citizens' feedback on services"),
    "wanggar": N_("Wanggar: written reports, mentorship by senior leaders, ASN teladan awards"),
}
CYCLE_STATES = {
    "running": N_("running"),
    "completed": N_("completed"),
    "failed": N_("failed"),
    "canceled": N_("cancelled"),
    "terminated": N_("terminated"),
    "continued_as_new": N_("running"),
    "timed_out": N_("timed out"),
}
UNIT_RATINGS = {
    "istimewa": N_("Outstanding (Istimewa)"),
    "baik": N_("Good (Baik)"),
    "butuh_perbaikan": N_("Needs improvement (Butuh Perbaikan)"),
    "kurang": N_("Poor (Kurang)"),
    "sangat_kurang": N_("Very poor (Sangat Kurang)"),
}
# A period's own milestones name it: %(n)s is filled in where shown.
MILESTONES = {
    "targets_due": N_("Target plans (SKP) due"),
    "approval_due": N_("Supervisors' approval of the plans due"),
    "period_ends": N_("Period %(n)s ends"),
    "report_due": N_("Self-reports for period %(n)s due"),
    "feedback_due": N_("Feedback for period %(n)s due"),
    "peer_input_due": N_("Peer surveys due"),
    "review_due": N_("Year-end reviews due"),
    "calibration_opens": N_("Calibration opens for every unit at the latest"),
}
WAITING = {"supervisor_targets": N_("the appraiser's own approved targets")}
TIMELINE = {
    "started": N_("Appraisal started"),
    "stage": N_("Stage changed"),
    "targets.draft": N_("Target plan submitted"),
    "targets.approve": N_("Target plan approved or returned"),
    "self_report": N_("Self-report submitted"),
    "feedback": N_("Feedback given"),
    "peer_feedback": N_("Peer survey answered"),
    "review": N_("Year-end review submitted"),
    "appeal.filed": N_("Appeal filed"),
    "appeal.decide": N_("Appeal decided"),
    "mentorship.accept": N_("Mentorship offer answered"),
    "mentor.matched": N_("Mentor matched"),
    "mentor.none": N_("No mentor available"),
    "grade.released": N_("Grade released"),
    "grade.changed": N_("Final grade changed"),
    "completed": N_("Year completed"),
    "cancelled": N_("Appraisal cancelled"),
    "reassigned": N_("Moved to another appraiser"),
    "deadline.extended": N_("Deadline extended"),
    "reminder": N_("Reminder sent"),
    "escalation": N_("Deadline passed: escalated"),
    "fallback": N_("Deadline passed: the policy's fallback applied"),
    "cascade": N_("Targets passed down to subordinates"),
    "supervisor_targets_approved": N_("The appraiser's targets approved: drafting may start"),
    "community_score": N_("Citizen satisfaction score recorded"),
    "update.failed": N_("A submission was refused"),
}


@dataclass(frozen=True)
class Labels:
    """Every table above, in one language."""

    kind: dict[str, str]
    stage: dict[str, str]
    grade: dict[str, str]
    rating: dict[str, str]
    value: dict[str, str]
    step: dict[str, str]
    outcome: dict[str, str]
    award: dict[str, str]
    appeal: dict[str, str]
    overdue: dict[str, str]
    policy: dict[str, str]
    cycle_state: dict[str, str]
    unit_rating: dict[str, str]
    milestone: dict[str, str]
    waiting: dict[str, str]
    timeline: dict[str, str]


@cache
def labels_for(locale: Locale) -> Labels:
    """The labels in `locale`, translated once."""
    catalog = translations(locale)

    def translated(table: dict[str, str]) -> dict[str, str]:
        return {code: catalog.gettext(label) for code, label in table.items()}

    return Labels(
        kind=translated(KINDS),
        stage=translated(STAGES),
        grade=translated(GRADES),
        rating=translated(RATINGS),
        value=translated(VALUES),
        step=translated(STEPS),
        outcome=translated(OUTCOMES),
        award=translated(AWARDS),
        appeal=translated(APPEALS),
        overdue=translated(OVERDUE),
        policy=translated(POLICIES),
        cycle_state=translated(CYCLE_STATES),
        unit_rating=translated(UNIT_RATINGS),
        milestone=translated(MILESTONES),
        waiting=translated(WAITING),
        timeline=translated(TIMELINE),
    )
