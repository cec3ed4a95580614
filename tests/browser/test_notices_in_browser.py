"""The bell on a phone: its count in the header, the list of notices fitting the width, a notice
opened (read, and the count one less), then all marked read."""

from __future__ import annotations

import os

from playwright.async_api import expect

from appraisal_engine.domain.notices import NoticeKind
from appraisal_engine.store.repositories.notices import add_notices
from tests.browser.conftest import PHONE, SHOTS, Site
from tests.web.test_notices_page import notice, someone


async def test_the_bell_and_my_notices_on_a_phone(site: Site) -> None:
    me = someone()
    kinds = [NoticeKind.TASK_OPENED, NoticeKind.REMINDER, NoticeKind.ESCALATION]
    async with site.sessions() as session, session.begin():
        await add_notices(session, [notice(me, k, ago=i) for i, k in enumerate(kinds)])
    page = await site.page_for(me, phone=True)

    bell = page.get_by_role("link", name="3 pemberitahuan belum dibaca")
    await expect(bell).to_be_visible()
    await bell.click()
    await page.wait_for_url("**/notices")
    await expect(page.get_by_role("heading", name="Pemberitahuan")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if os.environ.get("BELL_SHOTS"):  # to look at the page by eye: BELL_SHOTS=1
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "notices-390.png"), full_page=True)
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.screenshot(path=str(SHOTS / "notices-1280.png"), full_page=True)
        await page.set_viewport_size(PHONE)

    # A notice about a task that is not mine to open leads to its appraisal.
    await page.get_by_role("link", name="Pengingat: Penilaian akhir tahun").click()
    await page.wait_for_url("**/appraisals/**")
    await page.goto("/notices")
    await expect(page.get_by_role("link", name="2 pemberitahuan belum dibaca")).to_be_visible()

    await page.get_by_role("button", name="Tandai semua sudah dibaca").click()
    await page.wait_for_url("**/notices")
    await expect(
        page.get_by_role("link", name="Pemberitahuan, tidak ada yang belum dibaca")
    ).to_be_visible()
    await expect(page.get_by_text("Belum dibaca", exact=True)).to_have_count(0)


async def test_the_notice_settings_fit_a_phone(site: Site) -> None:
    page = await site.page_for(someone(), phone=True)
    await page.goto("/settings/notices")
    digest = page.get_by_role("checkbox", name="Gabungkan pengingat")
    await expect(digest).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A box beside its words, not stretched across the line with its words squeezed aside.
    box = await digest.bounding_box()
    assert box is not None and box["width"] <= 44
    await digest.check()
    await page.get_by_label("Mulai").fill("21:00")
    await page.get_by_label("Sampai").fill("06:00")
    await page.get_by_role("button", name="Simpan").click()
    await expect(page.get_by_role("status")).to_have_text("Berhasil disimpan.")
    await expect(page.get_by_role("checkbox", name="Gabungkan pengingat")).to_be_checked()
