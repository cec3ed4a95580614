"""A plan's whole round through the browser alone: the employee drafts on a phone, a refused
field is shown beside itself with what was typed kept, the supervisor returns the plan with a
comment, the employee resubmits and the supervisor approves; every field is labelled and the
phone width needs no sideways scrolling."""

from __future__ import annotations

from playwright.async_api import Page, expect

from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, SUPERVISOR
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.browser.conftest import Site
from tests.web.conftest import open_task, start_appraisal

UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => !(e.labels && e.labels.length) && !e.closest('label'))
    .map(e => e.name)"""


async def fill_target(page: Page, i: int, rhk: str, iki: str, value: str, unit: str) -> None:
    row = f"plan.targets[{i}]"
    await page.locator(f'[name="{row}.rhk"]').fill(rhk)
    await page.locator(f'[name="{row}.iki"]').fill(iki)
    await page.locator(f'[name="{row}.target_value"]').fill(value)
    await page.locator(f'[name="{row}.target_unit"]').fill(unit)


async def test_a_plan_is_drafted_returned_resubmitted_and_approved_in_the_browser(
    site: Site,
) -> None:
    appraisal_id = await start_appraisal(site.env.client, site.task_queue)
    draft_id = await open_task(site.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)

    employee = await site.page_for(EMPLOYEE, phone=True)
    await expect(employee.get_by_role("heading", name="Tugas saya")).to_be_visible()
    await employee.locator(f'a[href="/tasks/{draft_id}"]').click()
    assert await employee.evaluate(UNLABELLED) == []
    await fill_target(
        employee, 0, "Layanan KTP-el tepat waktu", "Persentase terbit 3 hari", "95", "%"
    )
    await fill_target(employee, 1, "Laporan bulanan", "Jumlah laporan", "0", "dokumen")
    await employee.locator("form.stack button[type=submit]").click()
    error = employee.locator('[id="plan.targets[1].target_value-error"]')
    await expect(error).to_be_visible()
    await expect(employee.locator('[name="plan.targets[1].target_value"]')).to_have_value("0")
    await expect(employee.locator('[name="plan.targets[0].rhk"]')).to_have_value(
        "Layanan KTP-el tepat waktu"
    )
    assert await employee.evaluate("document.documentElement.scrollWidth") <= 390
    await employee.locator('[name="plan.targets[1].target_value"]').fill("12")
    await employee.locator("form.stack button[type=submit]").click()
    await employee.wait_for_url("**/tasks")
    await expect(employee.get_by_role("status")).to_be_visible()

    approve_id = await open_task(site.sessions, SUPERVISOR, appraisal_id, TaskKind.TARGETS_APPROVE)
    supervisor = await site.page_for(SUPERVISOR)
    await supervisor.goto(f"/tasks/{approve_id}")
    await expect(supervisor.get_by_text("Layanan KTP-el tepat waktu")).to_be_visible()
    await supervisor.locator('input[name="decision"][value="return"]').check()
    await supervisor.locator('[name="comment"]').fill("Tambahkan target survei kepuasan")
    await supervisor.locator("form.stack button[type=submit]").click()
    await supervisor.wait_for_url("**/tasks")

    again = await open_task(site.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    await employee.goto(f"/tasks/{again}")
    await expect(employee.get_by_text("Tambahkan target survei kepuasan")).to_be_visible()
    await fill_target(
        employee, 0, "Layanan KTP-el tepat waktu", "Persentase terbit 3 hari", "95", "%"
    )
    await fill_target(employee, 1, "Survei kepuasan masyarakat", "Indeks kepuasan", "80", "indeks")
    await employee.locator("form.stack button[type=submit]").click()
    await employee.wait_for_url("**/tasks")

    approve_again = await open_task(
        site.sessions, SUPERVISOR, appraisal_id, TaskKind.TARGETS_APPROVE
    )
    await supervisor.goto(f"/tasks/{approve_again}")
    await supervisor.locator('input[name="decision"][value="approve"]').check()
    await supervisor.locator("form.stack button[type=submit]").click()
    await supervisor.wait_for_url("**/tasks")

    handle = site.env.client.get_workflow_handle(appraisal_id)
    state = await handle.query(AppraisalWorkflow.state)
    assert state.stage is Stage.MONITORING and state.plan is not None
    assert [t.rhk for t in state.plan.targets] == [
        "Layanan KTP-el tepat waktu",
        "Survei kepuasan masyarakat",
    ]
    await employee.goto(f"/appraisals/{appraisal_id}")
    current = employee.locator('.progress [aria-current="step"]')
    await expect(current).to_have_count(1)
    assert await employee.evaluate("document.documentElement.scrollWidth") <= 390


async def test_the_keyboard_reaches_the_content_first(site: Site) -> None:
    page = await site.page_for(EMPLOYEE)
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
