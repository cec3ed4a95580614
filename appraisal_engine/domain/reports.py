"""Self-reports of realisation against targets, and the supervisor's feedback."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.indicators import PeriodIndicators
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.periodic import PeriodRating
from appraisal_engine.domain.targets import TargetPlan


def _http_url(value: str) -> str:
    lowered = value.lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")) or len(value) < 11:
        raise ValueError("evidence links must be http or https URLs")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("evidence links must not contain spaces or control characters")
    if not urlsplit(value).hostname:
        raise ValueError("evidence links must name a host")
    return value


EvidenceUrl = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]


class Realisation(Value):
    """What was achieved against one target in the period, with bukti dukung."""

    target_id: str = Field(min_length=1, max_length=40)
    value: float = Field(ge=0, le=1_000_000_000)
    note: str = Field(default="", max_length=2000)
    evidence: list[EvidenceUrl] = Field(default_factory=list, max_length=10)


class SelfReport(Value):
    """One period's self-report; structured policies also ask for the three narrative parts."""

    realisations: list[Realisation] = Field(min_length=1, max_length=30)
    achievements: str = Field(default="", max_length=4000)
    challenges: str = Field(default="", max_length=4000)
    improvement_plan: str = Field(default="", max_length=4000)


def check_report(report: SelfReport, plan: TargetPlan, *, structured: bool) -> None:
    """A report covers only the plan's targets, each once; structured ones need all narratives."""
    known = set(plan.ids)
    seen: set[str] = set()
    for i, r in enumerate(report.realisations):
        if r.target_id not in known:
            raise DomainError(f"unknown target {r.target_id!r}", field=f"realisations[{i}]")
        if r.target_id in seen:
            raise DomainError(f"target {r.target_id!r} reported twice", field=f"realisations[{i}]")
        seen.add(r.target_id)
    if structured:
        for name in ("achievements", "challenges", "improvement_plan"):
            if not getattr(report, name):
                raise DomainError("required by this policy's structured reports", field=name)


class Feedback(Value):
    """The supervisor's umpan balik on one period's report; where the policy keeps them, the
    period's discipline and attendance too."""

    comment: str = Field(min_length=1, max_length=4000)
    follow_up: str = Field(default="", max_length=2000)
    rating: PeriodRating | None = Field(
        default=None, description="the period's rating of results and behaviour (same matrix)"
    )
    indicators: PeriodIndicators | None = None


def check_feedback(feedback: Feedback, *, indicators: bool) -> None:
    """A policy that keeps discipline and attendance needs them with every feedback; another
    takes none."""
    if indicators and feedback.indicators is None:
        raise DomainError(
            "this policy needs the period's attendance and discipline breaches", field="indicators"
        )
    if not indicators and feedback.indicators is not None:
        raise DomainError(
            "this policy keeps no discipline and attendance indicators", field="indicators"
        )
