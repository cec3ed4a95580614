"""Deterministic workflow ids: a retried start never starts anything twice."""

from __future__ import annotations


def appraisal_workflow_id(cycle_id: str, nip: str) -> str:
    """The id of one employee's appraisal in a cycle."""
    return f"appraisal-{cycle_id}-{nip}"
