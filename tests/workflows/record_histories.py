"""Record the committed replay histories: one complete year per preset, on the real dev server.

Run after a deliberate, patched workflow change only:
    python -m tests.workflows.record_histories
Each file is named after its workflow id (task ids derive from it) and holds what
`temporal workflow show --output json` prints for that run. The year starts a year ago, so every
report period is already due, and the employee appeals at once, so the run finishes in seconds
without waiting on a long timer."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activities.notify import LoggingNotifier
from appraisal.servers import start_dev_server
from appraisal.worker import build_worker
from domain.presets import PRESETS
from domain.ratings import Rating
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from tests.workflows.conftest import Running
from tests.workflows.driver import EMPLOYEE, Actors, appraisal_input, drive, seed_unit
from workflows.appraisal import AppraisalWorkflow
from workflows.messages import AppraisalState, FileAppealInput, Stage


async def poll(running: Running, state: AppraisalState) -> None:
    """Real time passes on the dev server: just look again shortly."""
    await asyncio.sleep(0.05)


HISTORIES = Path(__file__).resolve().parent.parent / "histories"


async def record() -> None:
    """Run each preset's year and write its history as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/record.db"
        await upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        env = await start_dev_server()
        try:
            for name, policy in PRESETS.items():
                queue = f"record-{name}"
                running = Running(env, env.client, queue, LoggingNotifier(), sessions)
                roster = f"roster-{name}"
                await seed_unit(running, roster)
                async with build_worker(env.client, queue, sessions):
                    handle = await env.client.start_workflow(
                        AppraisalWorkflow.run,
                        appraisal_input(
                            policy,
                            roster_id=roster,
                            community_score=4.2,
                            year_start=datetime.now(UTC) - timedelta(days=366),
                        ),
                        id=f"appraisal-history-{name}",
                        task_queue=queue,
                    )
                    below = name == "wanggar"  # one preset through mentorship
                    actors = Actors(policy, results=Rating.BELOW if below else Rating.MEETS)
                    await drive(
                        running, handle, actors, idle=poll, until=lambda s: s.stage is Stage.APPEAL
                    )
                    await handle.execute_update(
                        AppraisalWorkflow.file_appeal,
                        FileAppealInput(
                            actor_nip=EMPLOYEE, reason="Bukti dukung triwulan IV belum dinilai"
                        ),
                    )
                    await drive(running, handle, actors, idle=poll)
                    await handle.result()
                history = await handle.fetch_history()
                (HISTORIES / f"{handle.id}.json").write_text(history.to_json())
                print(f"{name}: {len(history.events)} events")
        finally:
            await env.shutdown()
            await engine.dispose()


if __name__ == "__main__":
    asyncio.run(record())
