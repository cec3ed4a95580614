"""Launching from the command line: a policy that cannot run is refused before anything starts,
a policy can come from a file, and a failed cycle shows as failed with its reason."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from typer.testing import Result

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.schedules import schedule_id_for
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.presets import BINJAI
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.ids import cycle_id, cycle_workflow_id
from tests.cli import EnglishRunner

runner = EnglishRunner()
REGIONAL_HEAD = "196501011990011001"
APPEALS_OFFICER = "196601011985031001"
EXAMPLE_POLICY = Path(__file__).resolve().parent.parent / "examples" / "policy.toml"


@pytest.fixture
def cli_env(
    dev_env: WorkflowEnvironment, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The command line pointed at the test's Temporal server and database; its task queue."""
    queue = f"tq-{uuid.uuid4()}"
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    monkeypatch.setenv("TASK_QUEUE", queue)
    get_settings.cache_clear()
    yield queue
    get_settings.cache_clear()


async def invoke(*args: str) -> Result:
    """Run the command line in a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(runner.invoke, app, list(args))


async def stored_roster(sessions: async_sessionmaker[AsyncSession], org: str) -> str:
    """A small roster snapshot of `org`, stored under a fresh id."""
    roster_id = f"roster-{uuid.uuid4().hex[:10]}"
    async with sessions() as session, session.begin():
        employees = generate_roster(5, units=1, seed=5)
        await add_roster(session, roster_id, org, employees, checksum=roster_id)
    return roster_id


async def not_started(env: WorkflowEnvironment, workflow_id: str) -> bool:
    """No workflow with this id was ever started."""
    try:
        await env.client.get_workflow_handle(workflow_id).describe()
    except RPCError as e:
        return e.status is RPCStatusCode.NOT_FOUND
    return False


async def test_a_launch_whose_policy_cannot_run_is_refused_and_starts_nothing(
    cli_env: str, dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    roster_id = await stored_roster(session_factory, org)
    # The command in docs/operations.md: binjai names no regional head, who appraises the
    # unit's head.
    args = ["--org", org, "--year", "2027", "--roster", roster_id]
    result = await invoke("cycle", "launch", *args, "--policy", "binjai")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "regional_head_nip" in lines[0], result.output
    assert "--regional-head" in lines[0] and "Traceback" not in result.output
    assert await not_started(dev_env, cycle_workflow_id(org, 2027))

    # Naming the regional head, the heads at the top still have nobody to hear their appeals.
    head = ["--regional-head", REGIONAL_HEAD]
    unheard = await invoke("cycle", "launch", *args, "--policy", "binjai", *head)
    assert unheard.exit_code == 1, unheard.output
    lines = unheard.output.strip().splitlines()
    assert len(lines) == 1 and "appeals_officer_nip" in lines[0], unheard.output
    assert "--appeals-officer" in lines[0] and "Traceback" not in unheard.output
    assert await not_started(dev_env, cycle_workflow_id(org, 2027))

    # Naming both starts the year.
    head += ["--appeals-officer", APPEALS_OFFICER]
    ok = await invoke("cycle", "launch", *args, "--policy", "binjai", *head)
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == cycle_id(org, 2027)  # as status and the API name it
    cycle = dev_env.client.get_workflow_handle(cycle_workflow_id(org, 2027))
    assert (await cycle.describe()).status is WorkflowExecutionStatus.RUNNING
    await cycle.terminate()


async def test_a_launch_takes_a_policy_file_checked_like_policy_check(
    cli_env: str,
    dev_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    roster_id = await stored_roster(session_factory, org)
    args = ["--org", org, "--year", "2028", "--roster", roster_id]
    # The example names no regional head either: refused, unless one is given.
    refused = await invoke("cycle", "launch", *args, "--policy-file", str(EXAMPLE_POLICY))
    assert refused.exit_code == 1 and "regional_head_nip" in refused.output, refused.output
    assert await not_started(dev_env, cycle_workflow_id(org, 2028))

    bad = tmp_path / "does-not-exist.toml"
    missing = await invoke("cycle", "launch", *args, "--policy-file", str(bad))
    assert missing.exit_code != 0 and "does-not-exist.toml" in missing.output

    head = ["--regional-head", REGIONAL_HEAD, "--appeals-officer", APPEALS_OFFICER]
    both = await invoke(
        "cycle", "launch", *args, "--policy", "binjai", "--policy-file", str(EXAMPLE_POLICY), *head
    )
    assert both.exit_code != 0 and "--policy-file" in both.output
    assert await not_started(dev_env, cycle_workflow_id(org, 2028))

    ok = await invoke("cycle", "launch", *args, "--policy-file", str(EXAMPLE_POLICY), *head)
    assert ok.exit_code == 0, ok.output
    cycle = dev_env.client.get_workflow_handle(cycle_workflow_id(org, 2028))
    assert (await cycle.describe()).status is WorkflowExecutionStatus.RUNNING
    await cycle.terminate()


async def test_a_schedule_whose_policy_cannot_run_is_refused(
    cli_env: str, dev_env: WorkflowEnvironment
) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    refused = await invoke("schedule", "create", "--org", org, "--policy", "binjai")
    assert refused.exit_code == 1, refused.output
    assert "regional_head_nip" in refused.output and "Traceback" not in refused.output
    schedule = dev_env.client.get_schedule_handle(schedule_id_for(org))
    with pytest.raises(RPCError) as err:
        await schedule.describe()
    assert err.value.status is RPCStatusCode.NOT_FOUND

    ok = await invoke(
        "schedule",
        "create",
        "--org",
        org,
        "--policy-file",
        str(EXAMPLE_POLICY),
        "--regional-head",
        REGIONAL_HEAD,
        "--appeals-officer",
        APPEALS_OFFICER,
    )
    assert ok.exit_code == 0 and ok.output.strip() == schedule_id_for(org), ok.output
    await schedule.delete()


async def test_a_failed_cycle_shows_as_failed_with_its_reason(
    cli_env: str, dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    roster_id = await stored_roster(session_factory, org)
    async with build_worker(dev_env.client, cli_env, session_factory):
        # Started past the command line's own check: the workflow fails at its plan.
        cycle = await launch_cycle(
            dev_env.client,
            org=org,
            year=2029,
            roster_id=roster_id,
            policy=BINJAI,
            task_queue=cli_env,
        )
        with pytest.raises(WorkflowFailureError):
            await cycle.result()
        result = await invoke("cycle", "status", "--org", org, "--year", "2029")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["state"] == "failed" and shown["closed"] is False
    assert shown["failure"]["type"] == "PolicyIncomplete"
    assert "regional_head_nip" in shown["failure"]["message"]
    assert shown["launched"] == 0  # the fields HR already reads are kept
    # Its reason names a policy field and a NIP at most, nobody's name.
    employees = generate_roster(5, units=1, seed=5)
    assert not any(e.name in result.output for e in employees)
    assert (await cycle.describe()).status is WorkflowExecutionStatus.FAILED
