"""Typed search attributes HR and auditors query by; registered by the dev stack at start."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

CYCLE = SearchAttributeKey.for_keyword("AppraisalCycle")
UNIT = SearchAttributeKey.for_keyword("AppraisalUnit")
EMPLOYEE = SearchAttributeKey.for_keyword("AppraisalEmployee")  # NIP only, never a name
STAGE = SearchAttributeKey.for_keyword("AppraisalStage")
GRADE = SearchAttributeKey.for_keyword("AppraisalGrade")
ASSIGNEES = SearchAttributeKey.for_keyword_list("AppraisalAssignees")

ALL_KEYS = (CYCLE, UNIT, EMPLOYEE, STAGE, GRADE, ASSIGNEES)
"""Every key the workflows set, for registration on a server."""
