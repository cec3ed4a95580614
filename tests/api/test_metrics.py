"""Request metrics are labelled by route template, never by the raw path (ids stay out)."""

from __future__ import annotations

from tests.api.conftest import Api, bearer

NIP = "198001152006041001"


async def test_requests_are_counted_by_route_template(api: Api) -> None:
    await api.http.get("/v1/tasks/appraisal-x-198001152006041001-t1", headers=bearer(NIP))
    text = (await api.http.get("/metrics")).text
    assert 'route="/v1/tasks/{task_id}",status="404"' in text
    assert "appraisal-x-" not in text
