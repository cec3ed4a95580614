"""Inputs and outputs of CycleWorkflow, and the progress appraisals send it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from appraisal_engine.domain.calibration import Adjustment, ReleasedGrade
from appraisal_engine.domain.curve import UnitRating, Violation
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.nip import Nip
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.unit_rating import NOTE_MAX, UnitRater, UnitRatingEntry


class AppraisalProgress(Value):
    """Signal from an appraisal: it moved from one stage to another."""

    appraisal_id: str
    unit_code: str
    previous_stage: Stage | None
    stage: Stage
    grade_computed: Grade | None = None
    grade_final: Grade | None = None


class UnitProgress(Value):
    """Counters for one unit: how many appraisals stand in each stage."""

    total: int
    stages: dict[Stage, int] = Field(default_factory=dict)
    unit_rating: UnitRating | None = None
    released: int = 0
    calibrations: int = 0
    community_score: float | None = None
    # Set only in cycles whose units are rated by their official (see UNIT_RATED_BY_OFFICIAL).
    head_nip: str | None = Field(default=None, description="who heads the unit")
    rater_nip: str | None = Field(
        default=None, description="the official one level up, who decides the unit's rating"
    )
    rating_proposed: UnitRatingEntry | None = Field(
        default=None, description="HR's proposal, with who and when"
    )
    rating_decided: UnitRatingEntry | None = Field(
        default=None, description="the official's decision, which calibration uses"
    )
    head_reviewed: bool = Field(
        default=False, description="the head's review is in (it took the decided rating)"
    )


class CycleInput(Value):
    """Launch a year for an organisation from a stored roster snapshot."""

    org: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    year: int = Field(ge=2000, le=2100)
    roster_id: str
    policy: Policy
    year_start: datetime | None = None
    batch_size: int = Field(default=2000, ge=1, le=2000)
    carried: CycleCarry | None = None  # set only when continuing as new


class CycleCarry(Value):
    """What a cycle carries into its next run."""

    year_start: datetime
    launched: int
    launch_cursor: tuple[int, int]
    launch_done: bool
    units: dict[str, UnitProgress]
    runs: int
    # Absent from what a cycle started before UNIT_RATED_BY_OFFICIAL carried: it keeps taking
    # HR's typed rating at calibration.
    rated_by_official: bool = False


class PlanRequest(Value):
    """Check a stored roster can be launched under a policy, and plan the launch."""

    roster_id: str
    top_appraiser_nip: str | None
    appeals_officer_nip: str | None = Field(
        default=None, description="the policy's: hears appeals where the appraiser has no superior"
    )


class UnitQuery(Value):
    """One unit of one cycle."""

    cycle_id: str
    unit_code: str


class LaunchPlan(Value):
    """How many appraisals to start at each depth of the supervisor tree, and the units."""

    depth_counts: list[int]
    units: dict[str, int]
    raters: dict[str, UnitRater] = Field(
        default_factory=dict, description="each unit's head and the official who rates it"
    )


class LaunchBatch(Value):
    """Start the appraisals at one depth, rows [offset, offset + limit)."""

    cycle_id: str
    cycle_workflow_id: str
    roster_id: str
    policy: Policy
    year_start: datetime
    depth: int
    offset: int
    limit: int


class LaunchResult(Value):
    """How many appraisals a batch started, and how many were already running."""

    started: int
    existing: int


class CalibrateInput(Value):
    """HR's calibration of one unit: any grade adjustments, against the rating its official
    decided (or, in a cycle started before that, the rating HR gives here)."""

    actor_nip: Nip
    unit_code: str
    unit_rating: UnitRating | None = None
    adjustments: list[Adjustment] = Field(default_factory=list, max_length=5000)


class UnitRatingInput(Value):
    """HR's proposal of a unit's rating, or its official's decision, with an optional note."""

    actor_nip: Nip
    unit_code: str
    rating: UnitRating
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class CalibrationResult(Value):
    """Released, or the curve's violations to fix first."""

    unit_code: str
    released: int
    violations: list[Violation] = Field(default_factory=list)
    waiting: int = Field(0, description="appraisals of the unit not yet reviewed")


class ReleaseUnit(Value):
    """Release final grades to a unit's appraisals."""

    cycle_id: str
    unit_code: str
    grades: list[ReleasedGrade]
    actor_nip: str


class CommunityFeedbackInput(Value):
    """Citizen-satisfaction scores (1-5) per unit."""

    actor_nip: Nip
    scores: dict[str, float]


class UnitBroadcast(Value):
    """A unit's community score, for its appraisals."""

    cycle_id: str
    roster_id: str
    unit_code: str
    score: float


class CycleStatus(Value):
    """What HR watches: totals and per-unit counters."""

    cycle_id: str
    org: str
    year: int
    policy: str
    launched: int
    launch_done: bool
    total: int
    units: dict[str, UnitProgress]
    runs: int
    closed: bool


class UnitSummary(Value):
    """Year-end figures for one unit."""

    grades: dict[str, int]
    cancelled: int


class CycleSummary(Value):
    """The year's closing report."""

    cycle_id: str
    units: dict[str, UnitSummary]
    awards: dict[str, int]
    outcomes: dict[str, int]
    mentorships: int
    appeals: dict[str, int]
    overdue: dict[str, int]


CycleInput.model_rebuild()


class YearlyLaunch(Value):
    """What a yearly schedule launches: an organisation's cycle under a policy, from its latest
    roster unless one is named."""

    org: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    policy: Policy
    roster_id: str | None = None


class LaunchRequest(Value):
    """Launch (or find) the cycle of one organisation and year."""

    org: str
    year: int
    policy: Policy
    roster_id: str | None = None


class Launched(Value):
    """The cycle a launch started or found."""

    cycle_workflow_id: str
    roster_id: str
