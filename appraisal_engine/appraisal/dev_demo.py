"""The demo city for `appraisal dev --demo`: a fictional roster, its cycle, and tokens to try."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from appraisal_engine.api.auth import mint_token
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.dev_people import LABELS
from appraisal_engine.appraisal.i18n import _
from appraisal_engine.appraisal.rosters import import_roster
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.roster import Roster
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import APPEALS_OFFICER, HR, REGIONAL_HEAD
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.web.config import DevPerson

ORG = "kota-contoh"
AUDITOR = "197502022001122001"


async def load_demo(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    config: ApiConfig,
    say: Callable[[str], None],
    *,
    city_size: int,
    policy_name: str,
    api_port: int,
) -> list[DevPerson]:
    """Store a demo roster of `city_size` people and launch its cycle under the preset
    `policy_name` (both idempotent), then print how to try it against the API on `api_port`."""
    # Addresses under .example (RFC 2606), so the catcher shows every notice; none is real.
    employees = [
        e.model_copy(update={"email": f"pegawai.{e.nip}@{ORG}.example"})
        for e in generate_roster(city_size, units=4, seed=2026)
    ]
    roster = Roster(employees=employees, top_appraiser_nip=REGIONAL_HEAD)
    stored = await import_roster(sessions, ORG, roster)
    policy = preset(policy_name).model_copy(
        update={"regional_head_nip": REGIONAL_HEAD, "appeals_officer_nip": APPEALS_OFFICER}
    )
    year = datetime.now(UTC).year
    await launch_cycle(
        client,
        org=ORG,
        year=year,
        roster_id=stored.id,
        policy=policy,
        task_queue=config.task_queue,
    )
    cycle_id = f"{ORG}-{year}"
    head, section_head, staff = _tour_chain(employees)
    people = {
        "HR": (HR, [Role.HR]),
        "SUPERVISOR": (head.nip, []),
        "SECTION_HEAD": (section_head.nip, []),
        "EMPLOYEE": (staff.nip, []),
        "AUDITOR": (AUDITOR, [Role.AUDITOR]),
        "REGIONAL_HEAD": (REGIONAL_HEAD, []),
        "APPEALS_OFFICER": (APPEALS_OFFICER, []),
    }
    task_id = await _first_open_task(sessions, head.nip)
    base = f"http://127.0.0.1:{api_port}"
    said = _(
        "demo: %(n)s employees in 4 offices, policy %(policy)s, cycle %(cycle)s",
        n=len(employees),
        policy=policy.name,
        cycle=cycle_id,
    )
    say("\n" + said)
    say(f"export CYCLE_ID={cycle_id}")
    # As long as the verifier allows: a longer-lived token would be refused.
    ttl = timedelta(seconds=config.auth.max_token_lifetime_seconds)
    say(_("tokens (valid %(hours)s hours):", hours=f"{ttl.total_seconds() / 3600:g}"))
    for name, (nip, roles) in people.items():
        say(f"export {name}_NIP={nip}")
        say(f"export {name}_TOKEN={mint_token(config.auth, nip, roles, ttl=ttl)}")
    say(_("try:"))
    say(f'curl -s -H "Authorization: Bearer $SUPERVISOR_TOKEN" {base}/v1/tasks')
    if task_id:
        say(
            f'curl -s -X POST -H "Authorization: Bearer $SUPERVISOR_TOKEN" '
            f"-H 'Content-Type: application/json' -d @examples/targets-draft.json "
            f"{base}/v1/tasks/{task_id}/complete"
        )
    say(f'curl -s -H "Authorization: Bearer $HR_TOKEN" {base}/v1/cycles/{cycle_id}')
    say(f'curl -s -H "Authorization: Bearer $EMPLOYEE_TOKEN" {base}/v1/appraisals')
    say(f'curl -s -H "Authorization: Bearer $AUDITOR_TOKEN" {base}/v1/audit/verify')
    return [
        DevPerson(nip=nip, label=LABELS[name], roles=roles) for name, (nip, roles) in people.items()
    ]


def _tour_chain(employees: list[Employee]) -> tuple[Employee, Employee, Employee]:
    """The tour's people: the first head of office, a section head reporting to them, and a
    staff member of that office who supervises nobody (found down the section head's line)."""
    supervisors = {e.supervisor_nip for e in employees}
    reports: dict[str | None, list[Employee]] = {}
    for e in employees:
        reports.setdefault(e.supervisor_nip, []).append(e)
    head = reports[None][0]
    section = next(e for e in reports.get(head.nip, []) if e.nip in supervisors)
    line = list(reports.get(section.nip, []))
    while line:
        e = line.pop(0)
        if e.nip not in supervisors:
            return head, section, e
        line += reports.get(e.nip, [])
    raise ValueError("the demo roster has no staff member under a section head")


async def _first_open_task(sessions: async_sessionmaker[AsyncSession], nip: str) -> str | None:
    """The head's open targets draft, which the printed line completes; None once it is done
    (a resumed demo), so no line is printed that the task would refuse."""
    # The launch runs in the background: give the first appraisals a moment to open tasks.
    for _attempt in range(100):
        async with sessions() as session:
            found = await list_tasks(session, assignee_nip=nip, status=TaskStatus.OPEN)
        if found:
            drafts = [t.id for t in found if t.kind is TaskKind.TARGETS_DRAFT]
            return drafts[0] if drafts else None
        await asyncio.sleep(0.1)
    return None
