"""The unit's role-result matrix page: a tree in Bahasa Indonesia for the head (linked from
their team page) and for HR; the not-found page for the staff of the unit."""

from __future__ import annotations

import re

from appraisal_engine.simulator.scripted import HR, nip
from tests.matrix_seed import HEAD, SECTION, STAFF, seed_unit
from tests.web.conftest import Web


async def test_the_head_reads_the_tree_and_the_staff_find_nothing(web: Web) -> None:
    unit = await seed_unit(web.sessions)
    path = f"/matrix/{unit.cycle_id}/{unit.unit_code}"
    head = await web.signed_in(HEAD)
    team = await head.get("/team")
    assert team.status_code == 200 and f'href="{path}"' in team.text

    page = await head.get(path)
    assert page.status_code == 200
    assert "Matriks peran hasil DISDIK" in page.text
    # S2 sits under K1, T1 under S2: the nesting of the list is the tree.
    k1 = page.text.index(f'data-target="{HEAD}:K1"')
    s2 = page.text.index(f'data-target="{SECTION}:S2"')
    t1 = page.text.index(f'data-target="{STAFF}:T1"')
    assert k1 < s2 < t1
    between = page.text[s2:t1]
    assert between.count('<ul class="tree">') == 1 and "</li>" not in between
    assert re.search(r'class="contribution indirect">\s*tidak langsung', page.text)
    assert "3 dari 4 rencana disetujui" in page.text

    hr = await web.signed_in(HR)
    assert (await hr.get(path)).status_code == 200
    for outsider in (STAFF, SECTION, nip(77)):
        them = await web.signed_in(outsider)
        r = await them.get(path)
        assert r.status_code == 404, outsider
        assert "data-target" not in r.text and "Matriks peran hasil" not in r.text
    staff_team = await (await web.signed_in(SECTION)).get("/team")
    assert f'href="{path}"' not in staff_team.text
