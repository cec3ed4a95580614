"""A unit's role-result matrix in the browser: the tree readable on a phone."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import PHONE, Site, shoot
from tests.matrix_seed import HEAD, seed_unit


async def test_a_units_matrix_reads_as_a_tree_on_a_phone(site: Site) -> None:
    unit = await seed_unit(site.sessions)
    page = await site.page_for(HEAD, phone=True)
    await page.goto(f"/matrix/{unit.cycle_id}/{unit.unit_code}")
    await expect(
        page.get_by_role("heading", name=f"Matriks peran hasil {unit.unit_code}")
    ).to_be_visible()
    await expect(page.get_by_text("Tidak langsung").first).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await shoot(page, "matrix")
