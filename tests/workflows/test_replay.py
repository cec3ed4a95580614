"""Replay the committed histories of complete years against the current workflow code: a change
that would break running appraisals fails here first (see README, changing workflow code)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain.presets import PRESETS
from workflows.appraisal import AppraisalWorkflow
from workflows.cycle import CycleWorkflow
from workflows.yearly import YearlyLaunchWorkflow

HISTORIES = sorted((Path(__file__).resolve().parent.parent / "histories").glob("*.json"))


def test_every_preset_and_path_has_a_committed_history() -> None:
    names = {p.stem for p in HISTORIES}
    kinds = (*PRESETS, "timers", "reassigned")
    appraisals = {n for n in names if n.startswith("appraisal-history-") and "2025" not in n}
    assert appraisals == {f"appraisal-history-{n}" for n in kinds}
    assert "cycle-history-2025" in names  # a whole cycle
    assert any(n.startswith("appraisal-history-2025-") for n in names)  # one of its appraisals


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
def test_history_replays_cleanly(path: Path) -> None:
    # The file is named after the workflow id: task ids derive from it.
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[AppraisalWorkflow, CycleWorkflow, YearlyLaunchWorkflow],
        data_converter=pydantic_data_converter,
    )
    result = asyncio.run(replayer.replay_workflow(history, raise_on_replay_failure=False))
    assert result.replay_failure is None, result.replay_failure
