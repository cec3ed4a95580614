"""The search attributes an appraisal starts with, set by whoever starts it (its own start or
the cycle's launch); its opening read-model row is `workflows.appraisal.state.opening_record`."""

from __future__ import annotations

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from appraisal_engine.domain.stages import Stage
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.messages import AppraisalInput


def opening_search_attributes(inp: AppraisalInput) -> TypedSearchAttributes:
    """The search attributes an appraisal starts with: its cycle, unit, employee and stage."""
    cycle = [SearchAttributePair(sa.CYCLE, inp.cycle_id)] if inp.cycle_id else []
    return TypedSearchAttributes(
        [
            *cycle,
            SearchAttributePair(sa.UNIT, inp.unit_code),
            SearchAttributePair(sa.EMPLOYEE, inp.employee_nip),
            SearchAttributePair(sa.STAGE, Stage.TARGETS.value),
        ]
    )
