"""Deterministic workflow ids: a retried start never starts anything twice."""

from __future__ import annotations


def appraisal_workflow_id(cycle_id: str, nip: str) -> str:
    """The id of one employee's appraisal in a cycle."""
    return f"appraisal-{cycle_id}-{nip}"


def cycle_workflow_id(org: str, year: int) -> str:
    """The id of an organisation's yearly cycle: launching it twice finds the same one."""
    return f"cycle-{org}-{year}"
