"""`appraisal verify-history`: replay exported histories and re-derive their grades."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from tests.cli import EnglishRunner

with workflow.unsafe.imports_passed_through():
    from appraisal_engine.appraisal import verify as verify_module
    from appraisal_engine.appraisal.cli import app
    from appraisal_engine.appraisal.settings import get_settings
    from appraisal_engine.client.codec import EncryptionCodec, new_key, parse_keys
    from appraisal_engine.domain.stages import Stage
    from appraisal_engine.workflows.appraisal.stages import Stages
    from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
    from appraisal_engine.workflows.cycle import CycleWorkflow
    from appraisal_engine.workflows.messages import AppraisalInput, AppraisalResult
    from appraisal_engine.workflows.timeline import build_timeline
    from appraisal_engine.workflows.yearly import YearlyLaunchWorkflow

# Kept free of file-system calls: the workflow sandbox re-imports this module.
HISTORIES = Path(__file__).parent / "histories"
runner = EnglishRunner()


class PausingStages(Stages):
    async def _set_stage(self, stage: Stage) -> None:
        await workflow.sleep(timedelta(minutes=1))
        await super()._set_stage(stage)


@workflow.defn(name="AppraisalWorkflow")
class PausingAppraisal(AppraisalWorkflow):
    """An incompatible deploy: a pause before every stage change, with no patch guarding it."""

    @workflow.init
    def __init__(self, inp: AppraisalInput) -> None:
        super().__init__(inp)
        self._stages = PausingStages(self._year, self._clock, self._effects)

    @workflow.run
    async def run(self, inp: AppraisalInput) -> AppraisalResult:
        return await super().run(inp)


def verify(*paths: Path) -> Any:
    return runner.invoke(app, ["verify-history", *map(str, paths)])


def tampered(tmp_path: Path, source: Path, edit: Callable[[str, dict[str, Any]], None]) -> Path:
    """A copy of a history with each decoded update input and result passed through `edit`."""
    history = json.loads(source.read_text())
    for event in history["events"]:
        for key, payloads in _payloads(event):
            value = json.loads(base64.b64decode(payloads[0]["data"]))
            edit(key, value)
            payloads[0]["data"] = base64.b64encode(json.dumps(value).encode()).decode()
    copy = tmp_path / f"tampered-{source.name}"
    copy.write_text(json.dumps(history))
    return copy


def _payloads(event: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    if accepted := event.get("workflowExecutionUpdateAcceptedEventAttributes"):
        return [("update", accepted["acceptedRequest"]["input"]["args"]["payloads"])]
    if completed := event.get("workflowExecutionCompletedEventAttributes"):
        return [("result", completed["result"]["payloads"])]
    return []


def test_the_six_preset_years_and_the_other_paths_verify() -> None:
    cycle_years = (2025, 2026, 2027, 2028, 2029)
    in_cycles = tuple(f"appraisal-history-{year}-" for year in cycle_years)
    years = [
        p for p in HISTORIES.glob("appraisal-history-*.json") if not p.stem.startswith(in_cycles)
    ]
    # six presets, the timers paths (before and since zones), the reassigned one, Wanggar's
    # since its mentor rules, and the indicators without a report
    assert len(years) == 11
    histories = sorted(HISTORIES.glob("*.json"))
    assert len(histories) == 21  # and five cycles (2025-2029), each with one of its appraisals
    result = verify(*histories)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for path in years:
        line = next(x for x in lines if x.startswith(path.name))
        assert "replays cleanly" in line and ": ok;" in line, line
    for year in cycle_years:
        cycle = f"cycle-history-{year}.json: replays cleanly; a CycleWorkflow history: no grade"
        assert cycle in result.output
    assert lines[-1] == "all 21 histories verified"


def test_a_review_edited_after_the_fact_fails(tmp_path: Path) -> None:
    def rate_everything_above(key: str, value: dict[str, Any]) -> None:
        review = value.get("body", {}).get("review") if key == "update" else None
        if review is not None:
            review["target_ratings"] = dict.fromkeys(review["target_ratings"], "above")
            review["behaviour_ratings"] = dict.fromkeys(review["behaviour_ratings"], "above")

    copy = tampered(tmp_path, HISTORIES / "appraisal-history-national.json", rate_everything_above)
    result = verify(HISTORIES / "appraisal-history-wanggar.json", copy)
    assert result.exit_code == 1
    # The replay itself cannot see it: Temporal does not compare payloads, only commands.
    expected = "replays cleanly; grade computed baik, recomputed sangat_baik: MISMATCH"
    assert f"{copy.name}: {expected}" in result.output
    assert result.output.splitlines()[-1] == f"FAILED: {copy.name}"


def test_a_recorded_grade_edited_after_the_fact_fails(tmp_path: Path) -> None:
    def inflate(key: str, value: dict[str, Any]) -> None:
        if key == "result":
            value["grade_computed"] = "sangat_baik"

    copy = tampered(tmp_path, HISTORIES / "appraisal-history-timers.json", inflate)
    result = verify(copy)
    assert result.exit_code == 1
    assert "grade computed sangat_baik, recomputed butuh_perbaikan: MISMATCH" in result.output
    assert result.output.splitlines()[-1] == f"FAILED: {copy.name}"


def test_code_that_issues_different_commands_fails_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = [PausingAppraisal, CycleWorkflow, YearlyLaunchWorkflow]
    monkeypatch.setattr(verify_module, "WORKFLOWS", changed)
    national = HISTORIES / "appraisal-history-national.json"
    result = verify(national, HISTORIES / "cycle-history-2025.json")
    assert result.exit_code == 1
    assert f"{national.name}: REPLAY FAILED" in result.output
    assert "Nondeterminism" in result.output
    assert "cycle-history-2025.json: replays cleanly" in result.output
    assert result.output.splitlines()[-1] == f"FAILED: {national.name}"


def test_a_file_that_is_not_a_history_fails(tmp_path: Path) -> None:
    junk = tmp_path / "notes.json"
    junk.write_text('{"hello": "world"}')
    result = verify(junk)
    assert result.exit_code == 1
    assert result.output.startswith("notes.json: cannot read the history")


async def seal(node: Any, codec: EncryptionCodec, key: str = "") -> None:
    """Encrypt every payload as an encrypting client would have: all but the search attributes
    and the SDK's own marker data (a local activity's, a patch's)."""
    if isinstance(node, list):
        for item in node:
            await seal(item, codec, key)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k == "payloads":
                plain = [json_format.ParseDict(p, Payload()) for p in v]
                node[k] = [json_format.MessageToDict(p) for p in await codec.encode(plain)]
            elif not (key == "details" and k in ("data", "patch-data")):
                await seal(v, codec, k)


def test_encrypted_histories_verify_with_the_deployment_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    codec = EncryptionCodec(parse_keys(key))
    history = json.loads((HISTORIES / "appraisal-history-wanggar.json").read_text())
    asyncio.run(seal(history, codec))
    sealed = tmp_path / "sealed-wanggar.json"
    sealed.write_text(json.dumps(history))
    assert "butuh_perbaikan" not in sealed.read_text()
    get_settings.cache_clear()
    try:
        without = verify(sealed)
        monkeypatch.setenv("PAYLOAD_KEYS", key)
        get_settings.cache_clear()
        result = verify(sealed)
    finally:
        get_settings.cache_clear()
    assert without.exit_code == 1, without.output
    assert result.exit_code == 0, result.output
    assert "recomputed butuh_perbaikan: ok" in result.output
    # The timeline reads it too, given the same converter.
    converter = dataclasses.replace(pydantic_data_converter, payload_codec=codec)
    run = WorkflowHistory.from_json(sealed.stem, sealed.read_text())
    timeline = asyncio.run(build_timeline(run, data_converter=converter))
    assert timeline.entries[-1].detail["grade_computed"] == "butuh_perbaikan"
