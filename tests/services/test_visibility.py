"""The services' visibility against the database: each caller gets exactly what the rules give
them (the employee their own, the supervisor chain what they appraise or stand above, HR and
auditors everything), and a stranger gets NotFound, as for what does not exist."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services import appraisals, audit, rosters, tasks
from appraisal_engine.services.errors import Forbidden, NotFound
from appraisal_engine.store.repositories.appraisals import Audience, upsert_appraisal
from appraisal_engine.store.repositories.tasks import upsert_task
from tests.store.builders import appraisal, nip, task, uid

EMPLOYEE, SUPERVISOR, SUPERIOR = nip(11), nip(12), nip(13)
COLLEAGUE, STRANGER = nip(14), nip(15)  # the colleague's appraisal has its own chain
CALLERS = {
    "employee": Principal(nip=EMPLOYEE),
    "supervisor": Principal(nip=SUPERVISOR),
    "superior": Principal(nip=SUPERIOR),
    "stranger": Principal(nip=STRANGER),
    "hr": Principal(nip=nip(16), roles=frozenset({Role.HR})),
    "auditor": Principal(nip=nip(17), roles=frozenset({Role.AUDITOR})),
}


@dataclass
class Year:
    """One cycle's rows: the employee's appraisal and tasks, and a colleague's appraisal."""

    cycle_id: str
    mine: str
    colleague: str
    self_report: str
    feedback: str


@pytest.fixture
async def year(session: AsyncSession) -> Year:
    cycle_id = uid("cycle")
    mine = appraisal(
        cycle_id=cycle_id, employee_nip=EMPLOYEE, supervisor_nip=SUPERVISOR, superior_nip=SUPERIOR
    )
    colleague = appraisal(
        cycle_id=cycle_id, employee_nip=COLLEAGUE, supervisor_nip=nip(18), superior_nip=nip(19)
    )
    self_report = task(appraisal_id=mine.id, employee_nip=EMPLOYEE, assignee_nip=EMPLOYEE)
    feedback = task(
        appraisal_id=mine.id,
        employee_nip=EMPLOYEE,
        assignee_nip=SUPERVISOR,
        kind=TaskKind.FEEDBACK,
    )
    for record in (mine, colleague):
        await upsert_appraisal(session, record)
    for open_task in (self_report, feedback):
        await upsert_task(session, open_task)
    return Year(cycle_id, mine.id, colleague.id, self_report.id, feedback.id)


@pytest.mark.parametrize("caller", ["employee", "supervisor", "superior", "hr", "auditor"])
async def test_the_chain_hr_and_auditors_see_the_appraisal(
    session: AsyncSession, year: Year, caller: str
) -> None:
    record = await appraisals.visible(session, CALLERS[caller], year.mine)
    assert record.id == year.mine


async def test_a_stranger_is_told_the_appraisal_does_not_exist(
    session: AsyncSession, year: Year
) -> None:
    with pytest.raises(NotFound, match=r"^no such appraisal$"):
        await appraisals.visible(session, CALLERS["stranger"], year.mine)
    with pytest.raises(NotFound, match=r"^no such appraisal$"):
        await appraisals.visible(session, CALLERS["hr"], uid("appraisal"))


@pytest.mark.parametrize(
    ("caller", "sees"),
    [
        ("employee", True),
        ("hr", True),
        ("auditor", True),
        ("supervisor", False),
        ("superior", False),
        ("stranger", False),
    ],
)
async def test_the_history_is_the_employees_hrs_and_auditors(
    session: AsyncSession, year: Year, caller: str, sees: bool
) -> None:
    who = CALLERS[caller]
    if sees:
        record = await appraisals.visible(session, who, year.mine, Audience.EMPLOYEE)
        assert record.id == year.mine
    else:
        with pytest.raises(NotFound, match=r"^no such appraisal$"):
            await appraisals.visible(session, who, year.mine, Audience.EMPLOYEE)


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("employee", {"mine"}),
        ("supervisor", {"mine"}),
        ("superior", {"mine"}),
        ("hr", {"mine", "colleague"}),
        ("auditor", {"mine", "colleague"}),
        ("stranger", set()),
    ],
)
async def test_each_caller_lists_exactly_the_appraisals_they_may_see(
    session: AsyncSession, year: Year, caller: str, expected: set[str]
) -> None:
    rows = await appraisals.list_visible(session, CALLERS[caller], cycle_id=year.cycle_id)
    names = {year.mine: "mine", year.colleague: "colleague"}
    assert {names[r.id] for r in rows} == expected


async def test_only_hr_and_auditors_filter_appraisals_by_assignee(
    session: AsyncSession, year: Year
) -> None:
    for caller in ("employee", "supervisor", "stranger"):
        with pytest.raises(Forbidden, match="only HR and auditors may filter"):
            await appraisals.list_visible(session, CALLERS[caller], assignee=SUPERVISOR)
    for caller in ("hr", "auditor"):
        rows = await appraisals.list_visible(
            session, CALLERS[caller], cycle_id=year.cycle_id, assignee=SUPERVISOR
        )
        assert [r.id for r in rows] == [year.mine]


@pytest.mark.parametrize(
    ("caller", "sees"),
    [
        ("supervisor", True),  # the assignee
        ("hr", True),
        ("auditor", True),
        ("employee", False),  # the appraisal is theirs, the task is not
        ("superior", False),
        ("stranger", False),
    ],
)
async def test_a_task_is_its_assignees_hrs_and_auditors(
    session: AsyncSession, year: Year, caller: str, sees: bool
) -> None:
    who = CALLERS[caller]
    if sees:
        assert (await tasks.read(session, who, year.feedback)).id == year.feedback
    else:
        with pytest.raises(NotFound, match=r"^no such task$"):
            await tasks.read(session, who, year.feedback)


async def test_each_caller_lists_their_own_tasks_and_hr_anyones(
    session: AsyncSession, year: Year
) -> None:
    async def listed(caller: str, assignee: str | None = None) -> list[str]:
        rows = await tasks.list_for(
            session, CALLERS[caller], assignee=assignee, status=TaskStatus.OPEN
        )
        return [r.id for r in rows]

    assert await listed("employee") == [year.self_report]
    assert await listed("supervisor") == [year.feedback]
    assert await listed("employee", EMPLOYEE) == [year.self_report]
    assert await listed("stranger") == []
    assert await listed("hr", SUPERVISOR) == [year.feedback]
    assert await listed("auditor", EMPLOYEE) == [year.self_report]
    with pytest.raises(Forbidden, match="only HR and auditors may list another"):
        await listed("employee", SUPERVISOR)


async def test_roster_and_audit_reads_keep_to_their_roles(session: AsyncSession) -> None:
    for caller in ("employee", "supervisor", "stranger"):
        with pytest.raises(Forbidden, match=r"^this is for HR and auditors$"):
            await rosters.read(session, CALLERS[caller], uid("roster"))
    for caller in ("hr", "auditor"):
        with pytest.raises(NotFound, match=r"^no such roster$"):
            await rosters.read(session, CALLERS[caller], uid("roster"))
    with pytest.raises(Forbidden, match=r"^this is for auditors$"):
        await audit.head(session, CALLERS["hr"], "kota")
    with pytest.raises(Forbidden, match=r"^this is for auditors$"):
        await audit.heads(session, CALLERS["hr"])
