"""A whole unit's year through the browser alone: HR uploads the roster and launches the year
(begun a year ago, so every report period is due); each person signs in in their own browser
and works their inbox, form after form, until every review is in (one plan is returned with a
comment and resubmitted); HR is refused by the curve on the calibration page and then adjusts
grades with reasons; the employee with the lowest grade appeals, their appraiser's superior
changes the grade, and the follow-up shows on the employee's page with the timeline. Nothing a
person does goes through the API or a workflow: the test code only waits and clicks.

Also: a name holding a script tag is shown as text and never run; each role's pages hide what
the role may not see; another person's task is the 404 page; a phone needs no sideways
scrolling on the inbox and a form."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Locator, Page, expect

from appraisal_engine.appraisal.dev_demo import AUDITOR
from appraisal_engine.domain.employee import Employee
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.web.labels import labels_for
from tests.browser.conftest import PHONE, Site, shoot
from tests.workflows.cycle_driver import APPEALS_OFFICER, HR, REGIONAL_HEAD

SCRIPT = "<script>alert(1)</script>"
RETURNED_WITH = "Tambahkan target survei kepuasan masyarakat"
LABELS = labels_for("id")  # the pages speak Indonesian to an id-ID browser
HOME = re.compile(r"/tasks$")


def unit_of_three(seed: int) -> list[Employee]:
    """A head of office (appraised by the regional head), an administrator under them and a
    staff member under the administrator; the staff member's name carries a script tag."""
    head, admin, staff = generate_roster(3, units=1, seed=seed)
    return [head, admin, staff.model_copy(update={"name": f"{staff.name} {SCRIPT}"})]


async def reload_until(page: Page, target: Locator, *, tries: int = 100) -> None:
    """Reload the page until `target` shows, as a person waiting on a step would."""
    for _ in range(tries):
        if await target.count():
            return
        await asyncio.sleep(0.1)
        await page.reload()
    await expect(target.first).to_be_visible()  # fails with Playwright's own message


def fact(page: Page, term: str) -> Locator:
    """What the page's facts list says beside `term`."""
    return page.locator(f'dl.facts dt:text-is("{term}") + dd')


# -- HR's steps ----------------------------------------------------------------------------


async def upload_roster(hr: Page, org: str, employees: list[Employee]) -> str:
    """HR uploads the roster file through the form; the summary's id."""
    await hr.goto("/hr/rosters")
    await hr.locator('[name="org"]').fill(org)
    await hr.locator('input[type="file"][name="file"]').set_input_files(
        {"name": "pegawai.csv", "mimeType": "text/csv", "buffer": roster_csv(employees)}
    )
    await hr.locator('form[action="/hr/rosters"] button[type=submit]').click()
    await hr.wait_for_url(re.compile(r"/hr/rosters/[^/]+$"))
    await expect(hr.get_by_text(org, exact=True)).to_be_visible()
    return hr.url.rsplit("/", 1)[1]


async def launch_year(hr: Page, year: int) -> str:
    """From the roster's summary, HR launches the year under the national preset, begun a
    year ago; the cycle's id, from the dashboard's address."""
    await hr.locator('a[href^="/hr/cycles?roster_id="]').click()
    await hr.wait_for_url("**/hr/cycles?roster_id=*")
    form = hr.locator('form[action="/hr/cycles"]')
    await form.locator('[name="policy"]').select_option("national")
    await form.locator('[name="year"]').fill(str(year))
    year_start = (datetime.now(UTC) - timedelta(days=366)).date().isoformat()
    await form.locator('[name="year_start"]').fill(year_start)
    await form.locator('[name="regional_head_nip"]').fill(REGIONAL_HEAD)
    await form.locator('[name="appeals_officer_nip"]').fill(APPEALS_OFFICER)
    await form.locator("button[type=submit]").click()
    await hr.wait_for_url(re.compile(r"/hr/cycles/[^/?]+$"))
    await expect(hr.get_by_role("status")).to_be_visible()  # launched
    return hr.url.rsplit("/", 1)[1]


async def launched_unit(hr: Page, employees: list[Employee]) -> tuple[str, str]:
    """A fresh roster uploaded and its year launched by HR; (cycle id, unit code)."""
    org = f"kota-{uuid.uuid4().hex[:6]}"
    await upload_roster(hr, org, employees)
    cycle_id = await launch_year(hr, 2000 + uuid.uuid4().int % 90)
    unit = employees[0].unit_code
    await reload_until(hr, hr.get_by_role("rowheader", name=unit, exact=True))
    return cycle_id, unit


# -- each person's inbox --------------------------------------------------------------------


@dataclass
class Choices:
    """What the people decide: the first plan approval returns the plan; reviews rate every
    target and value as meeting expectation (everyone Baik, which breaks a Baik unit's curve);
    an appeal changes the grade to `appeal_grade`."""

    returns_left: int = 1
    returned_seen: bool = False
    appeal_grade: str = "baik"
    answered: Counter[str] = field(default_factory=Counter)  # by task kind
    pages: dict[str, list[str]] = field(default_factory=dict)  # nip -> task pages answered


async def draft_plan(page: Page, choices: Choices) -> None:
    note = page.get_by_role("status").filter(has_text=RETURNED_WITH)
    if await note.count():
        choices.returned_seen = True
    rows = [
        ("Layanan administrasi tepat waktu", "Persentase layanan selesai", "95", "%", "utama"),
        ("Laporan bulanan", "Jumlah laporan", "12", "dokumen", "tambahan"),
    ]
    if choices.returns_left == 0:  # what the returned plan asked for
        rows.append((RETURNED_WITH, "Indeks kepuasan", "80", "indeks", "tambahan"))
    for i, (rhk, iki, value, unit, kind) in enumerate(rows):
        row = f"plan.targets[{i}]"
        await page.locator(f'[name="{row}.rhk"]').fill(rhk)
        await page.locator(f'[name="{row}.iki"]').fill(iki)
        await page.locator(f'[name="{row}.target_value"]').fill(value)
        await page.locator(f'[name="{row}.target_unit"]').fill(unit)
        await page.locator(f'[name="{row}.kind"]').select_option(kind)
        parent = page.locator(f'[name="{row}.parent_id"]')
        if kind == "utama" and await parent.count():  # hangs from the supervisor's target
            await parent.select_option(index=1)


async def approve_plan(page: Page, choices: Choices) -> None:
    await expect(page.get_by_text("Laporan bulanan")).to_be_visible()
    if choices.returns_left:
        choices.returns_left -= 1
        await page.locator('input[name="decision"][value="return"]').check()
        await page.locator('[name="comment"]').fill(RETURNED_WITH)
    else:
        await page.locator('input[name="decision"][value="approve"]').check()


async def self_report(page: Page, choices: Choices) -> None:
    values = page.locator('input[name^="report.realisations"][name$=".value"]')
    for i in range(await values.count()):
        await values.nth(i).fill("3")
        evidence = f'[name="report.realisations[{i}].evidence[]"]'
        await page.locator(evidence).fill(f"https://arsip.example.go.id/bukti-{i}.pdf")


async def feedback(page: Page, choices: Choices) -> None:
    await page.locator('[name="feedback.comment"]').fill("Lanjutkan, lengkapi bukti dukung")


async def review(page: Page, choices: Choices) -> None:
    ratings = page.locator(
        'select[name^="review.target_ratings."], select[name^="review.behaviour_ratings."]'
    )
    for i in range(await ratings.count()):
        await ratings.nth(i).select_option("meets")
    # the preview (htmx) shows the grade the matrix gives before the review is sent
    await expect(page.locator("#preview strong")).to_have_text(LABELS.grade["baik"])
    await page.locator('[name="review.comment"]').fill("Kinerja sesuai ekspektasi")


async def peer_survey(page: Page, choices: Choices) -> None:
    for radio in await page.locator('input[type=radio][value="4"]').all():
        await radio.check()


async def mentorship(page: Page, choices: Choices) -> None:
    await page.locator('input[name="accept"][value="true"]').check()


async def decide_appeal(page: Page, choices: Choices) -> None:
    await expect(page.locator("blockquote")).to_be_visible()  # the employee's reason
    await page.locator('input[name="decision"][value="change"]').check()
    await page.locator('[name="grade"]').select_option(choices.appeal_grade)
    await page.locator('[name="reason"]').fill("Bukti dukung triwulan IV belum dipertimbangkan")


FILL: dict[str, Callable[[Page, Choices], Awaitable[None]]] = {
    "targets.draft": draft_plan,
    "targets.approve": approve_plan,
    "self_report": self_report,
    "feedback": feedback,
    "review": review,
    "peer_feedback": peer_survey,
    "mentorship.accept": mentorship,
    "appeal.decide": decide_appeal,
}


async def narrow(page: Page) -> None:
    """On a phone, the page needs no sideways scrolling."""
    if page.viewport_size == PHONE:
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def work_inbox(nip: str, page: Page, choices: Choices) -> int:
    """Open the inbox, answer its first task's form, and again until it is empty; how many
    tasks were answered."""
    answered = 0
    while True:
        await page.goto("/tasks")
        await narrow(page)
        first = page.locator('main a[href^="/tasks/"]').first
        if not await first.count():
            return answered
        href = await first.get_attribute("href")
        await first.click()
        form = page.locator("form[data-kind]")
        kind = await form.get_attribute("data-kind")
        assert kind in FILL, kind
        await FILL[kind](page, choices)
        await narrow(page)
        await shoot(page, f"task-{kind}")
        await form.locator("button[type=submit]").click()
        await expect(page).to_have_url(HOME)  # a refused form would stay on its page
        await expect(page.get_by_role("status")).to_be_visible()
        choices.answered[kind] += 1
        choices.pages.setdefault(nip, []).append(str(href))
        answered += 1


async def work_until_reviewed(
    hr: Page, calibration: str, people: dict[str, Page], choices: Choices, expected: int
) -> None:
    """Each person in turn works their inbox, round after round, until HR's calibration page
    lists all the unit's appraisals. One at a time: the people working at once were slower
    here (the server, the worker, Temporal and Chromium share the machine's CPUs)."""
    rows = hr.locator('input[name$=".appraisal_id"]')
    for _ in range(300):
        answered = 0
        for nip, page in people.items():
            answered += await work_inbox(nip, page, choices)
        await hr.goto(calibration)
        if await rows.count() == expected:
            return
        if not answered:
            await asyncio.sleep(0.1)  # the next steps open as the workflows move on
    raise AssertionError("the unit's reviews did not all come in")


async def rate_the_unit(hr: Page, official: Page, calibration: str, unit: str) -> None:
    """HR proposes the unit's rating on its calibration page; the regional head finds it in
    their inbox and decides it."""
    await hr.goto(calibration)
    await expect(fact(hr, "Keputusan")).to_contain_text("belum ditetapkan")
    proposal = hr.locator('form[action$="/rating-proposal"]')
    await proposal.locator('[name="rating"]').select_option("baik")
    await proposal.locator('[name="note"]').fill("capaian IKU unit 98%")
    await proposal.locator("button[type=submit]").click()
    await expect(fact(hr, "Usulan pengelola kepegawaian")).to_contain_text("capaian IKU unit 98%")
    await shoot(hr, "calibration-proposed")
    await official.goto("/tasks")
    await official.locator(f'main a[href*="/unit-ratings#"]:has-text("{unit}")').click()
    card = official.locator(f'section[id$="--{unit}"]')
    await expect(card.locator('[name="rating"]')).to_have_value("baik")  # HR's proposal
    await card.locator('[name="note"]').fill("sesuai evaluasi kinerja organisasi")
    await card.locator("button[type=submit]").click()
    await expect(official.get_by_role("status")).to_be_visible()
    decided = card.locator('dl.facts dt:text-is("Keputusan Anda") + dd')
    await expect(decided).to_contain_text(REGIONAL_HEAD)
    await shoot(official, "unit-ratings")


# -- the year -------------------------------------------------------------------------------


@pytest.mark.slow
async def test_a_unit_year_through_the_browser_alone(site: Site) -> None:
    employees = unit_of_three(seed=7)
    head, admin, staff = (e.nip for e in employees)
    dialogs: list[str] = []

    hr = await site.page_for(HR)
    hr.on("dialog", lambda d: dialogs.append(d.message))
    cycle_id, unit = await launched_unit(hr, employees)

    nips = (head, admin, staff, REGIONAL_HEAD, APPEALS_OFFICER)
    pages = await asyncio.gather(*(site.page_for(n, phone=n == staff) for n in nips))
    people = dict(zip(nips, pages, strict=True))
    for page in pages:
        page.on("dialog", lambda d: dialogs.append(d.message))

    calibration = f"/hr/cycles/{cycle_id}/units/{unit}/calibration"
    await rate_the_unit(hr, people[REGIONAL_HEAD], calibration, unit)
    choices = Choices()
    await work_until_reviewed(hr, calibration, people, choices, expected=len(employees))
    assert choices.returns_left == 0 and choices.returned_seen  # returned, seen, resubmitted
    n = len(employees)  # a plan each (one of them twice), a report and feedback a quarter
    assert choices.answered == Counter(
        {
            "targets.draft": n + 1,
            "targets.approve": n + 1,
            "self_report": 4 * n,
            "feedback": 4 * n,
            "review": n,
        }
    ), choices.answered

    # The staff member's name is text wherever it is shown, never a script.
    team = people[admin]
    await team.goto("/team")
    await expect(team.get_by_text(SCRIPT)).to_be_visible()
    await expect(team.locator("main script")).to_have_count(0)

    # HR: the curve refuses a Baik unit whose three grades are all Baik ...
    await hr.goto(f"/hr/cycles/{cycle_id}")
    await hr.get_by_role("link", name="Kalibrasi unit ini").click()
    await hr.wait_for_url(f"**{calibration}")
    await expect(fact(hr, "Keputusan")).to_contain_text(REGIONAL_HEAD)  # decided, not chosen
    await expect(hr.locator('[name="unit_rating"]')).to_have_count(0)
    calibrate = hr.locator('form[action$="/calibration"] button[type=submit]')
    await calibrate.click()
    violations = hr.locator('section[aria-labelledby="violations-h"]')
    await expect(violations).to_be_visible()
    await expect(violations.locator("li").first).to_be_visible()
    # ... then fits it once the head is raised and the staff member lowered, with reasons.
    adjust = {
        head: ("sangat_baik", "capaian melampaui target"),
        staff: ("butuh_perbaikan", "dua target utama tidak tercapai"),
    }
    for i in range(len(employees)):
        who = await hr.locator(f'[id="adjustments[{i}].who"]').inner_text()
        if who in adjust:
            grade, reason = adjust[who]
            await hr.locator(f'[name="adjustments[{i}].grade"]').select_option(grade)
            await hr.locator(f'[name="adjustments[{i}].reason"]').fill(reason)
    await calibrate.click()
    await hr.wait_for_url(re.compile(rf"/hr/cycles/{re.escape(cycle_id)}$"))
    await expect(hr.get_by_role("status")).to_be_visible()

    # The staff member finds their year, sees the grade and appeals inside the window.
    mine = people[staff]
    await mine.get_by_role("navigation").get_by_role("link", name="Penilaian saya").click()
    await mine.locator(f'a[href="/appraisals/appraisal-{cycle_id}-{staff}"]').click()
    appeal = mine.locator('form[action$="/appeal"]')
    await reload_until(mine, appeal)
    await expect(fact(mine, "Predikat kinerja")).to_contain_text(LABELS.grade["butuh_perbaikan"])
    await narrow(mine)
    await appeal.locator('[name="reason"]').fill("Bukti dukung triwulan IV belum dinilai")
    await appeal.locator("button[type=submit]").click()
    await expect(mine.get_by_role("status")).to_be_visible()
    await expect(
        mine.get_by_text("Bukti dukung triwulan IV belum dinilai", exact=True)
    ).to_be_visible()

    # The appraiser's superior (the head, above the administrator) decides it in their inbox.
    assert await work_inbox(head, people[head], choices) == 1
    assert choices.answered["appeal.decide"] == 1

    # The changed grade and its follow-up show on the employee's page, with the timeline.
    outcome = mine.get_by_text(LABELS.outcome["development"])
    await reload_until(mine, outcome)
    changed = f"predikat kinerja diubah menjadi {LABELS.grade['baik']}"
    await expect(mine.get_by_text(changed)).to_be_visible()
    await expect(fact(mine, "Predikat kinerja")).to_have_text(
        f"{LABELS.grade['baik']} (diubah atas keberatan)"
    )
    await expect(fact(mine, "Tindak lanjut")).to_have_text(LABELS.outcome["development"])
    timeline = mine.locator("ol.timeline")
    for kind in ("targets.draft", "self_report", "grade.released", "appeal.filed", "appeal.decide"):
        await expect(timeline.get_by_text(LABELS.timeline[kind]).first).to_be_visible()
    await expect(mine.locator('.progress [aria-current="step"]')).to_have_text(LABELS.stage["done"])
    assert dialogs == []


async def test_each_role_sees_only_its_own_pages_also_on_a_phone(site: Site) -> None:
    employees = unit_of_three(seed=11)
    head, _, staff = (e.nip for e in employees)
    hr = await site.page_for(HR)
    cycle_id, _ = await launched_unit(hr, employees)

    # The head drafts on a phone: the inbox and the form fit its width.
    boss = await site.page_for(head, phone=True)
    link = boss.locator('main a[href^="/tasks/"]')
    await reload_until(boss, link)
    task_url = await link.first.get_attribute("href")
    await narrow(boss)
    await link.first.click()
    await expect(boss.locator('form[data-kind="targets.draft"]')).to_be_visible()
    await narrow(boss)

    # A staff member: no HR links, the HR and audit pages refused, the head's appraisal and
    # task not found.
    clerk = await site.page_for(staff, phone=True)
    nav = clerk.get_by_role("navigation")
    await expect(nav.locator('a[href="/tasks"]')).to_be_visible()
    for href in ("/hr/cycles", "/hr/rosters", "/find", "/audit"):
        await expect(nav.locator(f'a[href="{href}"]')).to_have_count(0)
    refused = {
        "/hr/cycles": 403,
        f"/hr/cycles/{cycle_id}": 403,
        "/hr/rosters": 403,
        "/audit": 403,
        "/find": 403,
        f"/appraisals/appraisal-{cycle_id}-{head}": 404,
        str(task_url): 404,
    }
    for path, status in refused.items():
        response = await clerk.goto(path)
        assert response is not None and response.status == status, (path, response)
        await expect(clerk.get_by_role("link", name="Kembali ke Tugas saya")).to_be_visible()
        await expect(clerk.locator("form[data-kind]")).to_have_count(0)
        await narrow(clerk)

    # An auditor reads the dashboard but has no launch form and no roster upload.
    auditor = await site.page_for(AUDITOR, phone=True)
    await expect(auditor.get_by_role("navigation").locator('a[href="/audit"]')).to_be_visible()
    # The auditor's tables scroll inside their own frame on a phone, never the page.
    for path in ("/find", "/audit", "/audit/verify", "/hr/cycles"):
        await auditor.goto(path)
        await narrow(auditor)
        await shoot(auditor, "auditor" + path.replace("/", "-"))
    await auditor.goto("/hr/cycles")
    await expect(auditor.locator('form[action="/hr/cycles"]')).to_have_count(0)
    response = await auditor.goto("/hr/rosters")
    assert response is not None and response.status == 403
