"""Planning as PermenPAN-RB 6/2022 describes it: the leader's expectation for each BerAKHLAK
value (ekspektasi pimpinan) and the performance dialogue (dialog kinerja) that ends planning,
both written by the supervisor when deciding on the employee's plan."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Dimension

Expectation = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)
]
"""What the supervisor expects of this employee for one BerAKHLAK value."""

Expectations = dict[Dimension, Expectation]


class PerformanceDialogue(Value):
    """The dialogue in which supervisor and employee went through the plan: when it was held,
    whether they agreed on it, and what was said."""

    held_on: date = Field(description="the day the dialogue was held, on the organisation's clock")
    agreed: bool = Field(description="whether the employee agreed to the plan")
    notes: str = Field(default="", max_length=4000)


class PlanningPolicy(Value):
    """What a plan needs before the supervisor may approve it. Both off by default: a cycle
    launched before these settings carries a policy without them and approves as it did."""

    expectations_required: bool = Field(
        default=False, description="the supervisor writes an expectation for every BerAKHLAK value"
    )
    dialogue_required: bool = Field(
        default=False, description="the performance dialogue is recorded before approval"
    )
    contribution_required: bool = Field(
        default=False,
        description="a target hanging from a supervisor's says whether directly or indirectly",
    )


def check_plan_decision(
    decision: Literal["approve", "return"],
    expectations: Expectations,
    dialogue: PerformanceDialogue | None,
    rules: PlanningPolicy,
    today: date,
) -> None:
    """A supervisor's decision on a plan against the policy's planning rules.

    A dialogue cannot be dated after `today` (the organisation's date), and one where the
    employee did not agree says in its notes what was not agreed: the supervisor may still
    approve, as the appraiser sets the plan, but the disagreement stays on record. Approval
    needs the dialogue and every value's expectation when the policy asks for them; returning
    a plan needs neither, as planning goes on."""
    if dialogue is not None and dialogue.held_on > today:
        raise DomainError(
            "the dialogue cannot be dated after today (%(today)s)",
            field="dialogue.held_on",
            values={"today": today.isoformat()},
        )
    if dialogue is not None and not dialogue.agreed and not dialogue.notes:
        raise DomainError(
            "the employee did not agree: say in the notes what was not agreed",
            field="dialogue.notes",
        )
    if decision != "approve":
        return
    if rules.dialogue_required and dialogue is None:
        raise DomainError(
            "this policy approves a plan only after the performance dialogue: record when it "
            "was held and whether the employee agreed",
            field="dialogue",
        )
    missing = [d.value for d in Dimension if d not in expectations]
    if rules.expectations_required and missing:
        raise DomainError(
            "this policy approves a plan only with the leader's expectation for every "
            "BerAKHLAK value; missing: %(missing)s",
            field="expectations",
            values={"missing": ", ".join(missing)},
        )
