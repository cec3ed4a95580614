"""The unit's role-result matrix through the API: the tree for HR, auditors, the unit's head
and the head's supervisor; 404 for everyone else, and for a unit not in the cycle."""

from __future__ import annotations

from typing import Any

from appraisal_engine.api.roles import Role
from appraisal_engine.simulator.scripted import nip
from tests.api.conftest import Api, bearer
from tests.matrix_seed import GONE, HEAD, MAYOR, SECTION, STAFF, UNPLANNED, seed_unit

PROBLEM = "application/problem+json"


def shape(nodes: list[dict[str, Any]]) -> list[Any]:
    return [(n["target_id"], n["contribution"], shape(n["children"])) for n in nodes]


async def test_the_matrix_is_a_tree_for_those_who_may_read_it(api: Api) -> None:
    unit = await seed_unit(api.sessions)
    url = f"/v1/cycles/{unit.cycle_id}/units/{unit.unit_code}/matrix"
    readers = [
        bearer(nip(1), Role.HR),
        bearer(nip(2), Role.AUDITOR),
        bearer(HEAD),
        bearer(MAYOR),
    ]
    for headers in readers:
        r = await api.http.get(url, headers=headers)
        assert r.status_code == 200, r.text
        got = r.json()
        assert shape(got["roots"]) == [
            ("K1", "direct", [("S1", "direct", []), ("S2", "indirect", [("T1", "indirect", [])])])
        ]
        assert got["roots"][0]["parent"] == {"owner_nip": MAYOR, "target_id": "M1"}
        # The cancelled appraisal and its plan (G1 under S1) are left out.
        assert (got["appraisals"], got["plans_recorded"], got["heads"]) == (4, 3, [HEAD])

    for outsider in (SECTION, STAFF, UNPLANNED, GONE, nip(77)):
        r = await api.http.get(url, headers=bearer(outsider))
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, outsider
    hr = bearer(nip(1), Role.HR)
    for other in (
        f"/v1/cycles/{unit.cycle_id}/units/NOPE/matrix",
        "/v1/cycles/x/units/DISDIK/matrix",
    ):
        assert (await api.http.get(other, headers=hr)).status_code == 404
    assert (await api.http.get(url)).status_code == 401
