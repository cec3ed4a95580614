"""The yearly schedule that launches a cycle."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)

from appraisal_engine.appraisal.i18n import _
from appraisal_engine.domain.launch import check_policy
from appraisal_engine.domain.policy import Policy
from appraisal_engine.workflows.cycle_messages import YearlyLaunch
from appraisal_engine.workflows.yearly import YearlyLaunchWorkflow


def schedule_id_for(org: str) -> str:
    """One yearly schedule per organisation."""
    return f"yearly-cycle-{org}"


async def create_yearly(
    client: Client, *, org: str, policy: Policy, task_queue: str, month: int = 1, day: int = 2
) -> str:
    """Create the schedule: each year at 07:00 Asia/Jakarta on month/day; LaunchRefused, and no
    schedule, when the policy could not run (the roster, the latest each year, is checked when
    it fires)."""
    check_policy(policy)
    schedule_id = schedule_id_for(org)
    await client.create_schedule(
        schedule_id,
        Schedule(
            action=ScheduleActionStartWorkflow(
                YearlyLaunchWorkflow.run,
                YearlyLaunch(org=org, policy=policy),
                id=f"yearly-launch-{org}",
                task_queue=task_queue,
            ),
            spec=ScheduleSpec(
                calendars=[
                    ScheduleCalendarSpec(
                        month=[ScheduleRange(month)],
                        day_of_month=[ScheduleRange(day)],
                        hour=[ScheduleRange(7)],
                    )
                ],
                time_zone_name="Asia/Jakarta",
            ),
            state=ScheduleState(note=f"yearly appraisal cycle of {org} ({policy.name})"),
        ),
    )
    return schedule_id


async def list_yearly(client: Client) -> list[str]:
    """One line per schedule: id, paused or active, next run."""
    lines = []
    async for entry in await client.list_schedules():
        info, state = entry.info, entry.schedule.state if entry.schedule else None
        paused = _("paused") if state and state.paused else _("active")
        times = info.next_action_times if info else []
        upcoming = times[0].isoformat() if times else "-"
        lines.append(f"{entry.id}\t{paused}\t" + _("next %(at)s", at=upcoming))
    return lines


async def pause_yearly(client: Client, schedule_id: str, note: str) -> None:
    """Pause a schedule with a note."""
    await client.get_schedule_handle(schedule_id).pause(note=note)
