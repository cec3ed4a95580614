"""Deterministic workflow ids: a retried start never starts anything twice."""

from __future__ import annotations


def appraisal_workflow_id(cycle_id: str, nip: str) -> str:
    """The id of one employee's appraisal in a cycle."""
    return f"appraisal-{cycle_id}-{nip}"


CYCLE_WORKFLOW_PREFIX = "cycle-"


def cycle_id(org: str, year: int) -> str:
    """An organisation's cycle of one year, as its appraisals' ids and the API name it."""
    return f"{org}-{year}"


def cycle_workflow_id(org: str, year: int) -> str:
    """The id of an organisation's yearly cycle: launching it twice finds the same one."""
    return workflow_id_of_cycle(cycle_id(org, year))


def workflow_id_of_cycle(cycle: str) -> str:
    """The workflow id of the cycle named `cycle` (see `cycle_id`)."""
    return CYCLE_WORKFLOW_PREFIX + cycle
