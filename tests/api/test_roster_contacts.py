"""Roster contacts over the API: uploaded under Indonesian headers, read back by HR normalised,
and a bad one refused by row and column without its value in the answer."""

from __future__ import annotations

import uuid
from typing import Any

from appraisal_engine.api.roles import Role
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from tests.api.conftest import Api, bearer
from tests.api.test_access import HR


def with_contacts(contacts: list[tuple[str, str]]) -> bytes:
    employees = generate_roster(len(contacts), units=1, seed=int(uuid.uuid4().int % 10_000))
    lines = roster_csv(employees).decode().splitlines()
    lines[0] += ",surel,no_hp"
    for i, (email, phone) in enumerate(contacts, start=1):
        lines[i] += f",{email},{phone}"
    return "\r\n".join(lines).encode()


async def upload(api: Api, data: bytes) -> tuple[int, Any]:
    files = {"file": ("roster.csv", data, "text/csv")}
    r = await api.http.post(
        "/v1/rosters", data={"org": f"kota-{uuid.uuid4().hex[:6]}"}, files=files,
        headers=bearer(HR, Role.HR),
    )  # fmt: skip
    return r.status_code, r.json()


async def test_hr_reads_contacts_normalised(api: Api) -> None:
    status, body = await upload(
        api, with_contacts([("Kadis@Dukcapil.Kota.GO.ID", "0812-3456-7890"), ("", ""), ("", "")])
    )
    assert status == 201, body
    r = await api.http.get(f"/v1/rosters/{body['id']}/employees", headers=bearer(HR, Role.HR))
    assert r.status_code == 200
    contacts = sorted((e["email"], e["phone"]) for e in r.json()["items"] if e["email"])
    assert contacts == [("Kadis@dukcapil.kota.go.id", "+6281234567890")]


async def test_a_bad_contact_is_named_not_repeated(api: Api) -> None:
    status, body = await upload(
        api, with_contacts([("kadis@@dukcapil", "021-5551234"), ("", ""), ("", "")])
    )
    assert status == 422
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "email"), (2, "phone")]
    assert "dukcapil" not in str(body) and "5551234" not in str(body)
