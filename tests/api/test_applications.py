from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.runtime import Runtime
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain
from tests.factories import apply, create_job, create_user

pytestmark = pytest.mark.anyio


async def _submitted(client: httpx.AsyncClient) -> dict[str, Any]:
    user = await create_user(client)
    job = await create_job(client)
    response = await apply(client, user["user_id"], job["job_id"])
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _url(application: dict[str, Any]) -> str:
    return f"/api/applications/{application['user_id']}/{application['application_id']}"


async def _move(
    client: httpx.AsyncClient, application: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.patch(_url(application), json=body)


class TestSubmit:
    async def test_stores_a_submitted_application(self, client: httpx.AsyncClient):
        application = await _submitted(client)

        assert application["status"] == "submitted"
        assert application["match_score"] is None
        assert [c["status"] for c in application["status_history"]] == ["submitted"]

    async def test_the_queue_scores_it(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        application = await _submitted(client)

        await drain(queue, runtime)

        url = _url(application)
        scored = (await client.get(url)).json()["data"]
        assert 0 < scored["match_score"] <= 100
        assert scored["match_reasons"][2] == "Location compatible: Yes"

    async def test_a_second_application_to_the_same_job_is_409(
        self, client: httpx.AsyncClient
    ):
        application = await _submitted(client)

        response = await apply(client, application["user_id"], application["job_id"])

        assert response.status_code == 409
        listing = await client.get(f"/api/applications/{application['user_id']}")
        assert listing.json()["count"] == 1

    async def test_an_unknown_job_is_404(self, client: httpx.AsyncClient):
        user = await create_user(client)

        response = await apply(client, user["user_id"], "acme:missing")

        assert response.status_code == 404

    async def test_an_unknown_user_is_404(self, client: httpx.AsyncClient):
        job = await create_job(client)

        response = await apply(client, "nobody", job["job_id"])

        assert response.status_code == 404

    async def test_a_closed_job_is_409(self, client: httpx.AsyncClient):
        user = await create_user(client)
        job = await create_job(client)
        await client.patch(f"/api/jobs/{job['job_id']}", json={"status": "closed"})

        response = await apply(client, user["user_id"], job["job_id"])

        assert response.status_code == 409
        listing = await client.get(f"/api/applications/{user['user_id']}")
        assert listing.json()["count"] == 0

    async def test_a_queue_failure_leaves_no_application_behind(
        self,
        client: httpx.AsyncClient,
        queue: LocalQueue,
        monkeypatch: pytest.MonkeyPatch,
    ):
        user = await create_user(client)
        job = await create_job(client)

        async def broken_send(message: object) -> None:
            raise OSError("queue unreachable")

        monkeypatch.setattr(queue, "send", broken_send)

        response = await apply(client, user["user_id"], job["job_id"])

        assert response.status_code == 503
        assert response.headers["retry-after"]
        monkeypatch.undo()
        listing = await client.get(f"/api/applications/{user['user_id']}")
        assert listing.json()["count"] == 0
        assert (await apply(client, user["user_id"], job["job_id"])).status_code == 201

    async def test_refuses_a_client_set_status_or_score(
        self, client: httpx.AsyncClient
    ):
        user = await create_user(client)
        job = await create_job(client)

        response = await client.post(
            "/api/applications",
            json={
                "user_id": user["user_id"],
                "job_id": job["job_id"],
                "match_score": 99,
            },
        )

        assert response.status_code == 422


class TestLists:
    async def test_a_candidates_applications_newest_first(
        self, client: httpx.AsyncClient
    ):
        user = await create_user(client)
        first = await create_job(client, title="First")
        second = await create_job(client, title="Second")
        await apply(client, user["user_id"], first["job_id"])
        await apply(client, user["user_id"], second["job_id"])

        body = (await client.get(f"/api/applications/{user['user_id']}")).json()

        assert [a["job_id"] for a in body["data"]] == [
            second["job_id"],
            first["job_id"],
        ]
        assert body["count"] == 2

    async def test_the_employer_sees_the_applications_to_one_job(
        self, client: httpx.AsyncClient
    ):
        job = await create_job(client)
        other_job = await create_job(client)
        ada = await create_user(client)
        bob = await create_user(client, name="Bob", email="bob@example.com")
        await apply(client, ada["user_id"], job["job_id"])
        await apply(client, bob["user_id"], job["job_id"])
        await apply(client, bob["user_id"], other_job["job_id"])

        body = (await client.get(f"/api/jobs/{job['job_id']}/applications")).json()

        assert {a["user_id"] for a in body["data"]} == {ada["user_id"], bob["user_id"]}

    async def test_applications_of_an_unknown_user_is_404(
        self, client: httpx.AsyncClient
    ):
        response = await client.get("/api/applications/nobody")

        assert response.status_code == 404


class TestStatusChanges:
    async def test_the_whole_path_to_hired_is_kept(self, client: httpx.AsyncClient):
        application = await _submitted(client)

        await _move(client, application, status="under_review")
        await _move(
            client,
            application,
            status="interview",
            interview_date="2027-01-05T10:00:00Z",
        )
        await _move(client, application, status="offered")
        response = await _move(client, application, status="hired", note="Welcome!")

        data = response.json()["data"]
        assert data["status"] == "hired"
        assert data["interview_date"] == "2027-01-05T10:00:00.000000Z"
        assert [c["status"] for c in data["status_history"]] == [
            "submitted",
            "under_review",
            "interview",
            "offered",
            "hired",
        ]
        assert data["status_history"][-1]["note"] == "Welcome!"

    @pytest.mark.parametrize("status", ["rejected", "withdrawn"])
    async def test_can_end_from_an_open_status(
        self, client: httpx.AsyncClient, status: str
    ):
        application = await _submitted(client)
        await _move(client, application, status="under_review")

        response = await _move(client, application, status=status)

        assert response.status_code == 200
        assert response.json()["data"]["status"] == status

    @pytest.mark.parametrize("status", ["interview", "offered", "hired", "submitted"])
    async def test_skipping_ahead_or_back_is_409(
        self, client: httpx.AsyncClient, status: str
    ):
        application = await _submitted(client)
        body: dict[str, Any] = {"status": status}
        if status == "interview":
            body["interview_date"] = "2027-01-05T10:00:00Z"

        response = await _move(client, application, **body)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"

    async def test_nothing_moves_after_an_end_status(self, client: httpx.AsyncClient):
        application = await _submitted(client)
        await _move(client, application, status="withdrawn")

        response = await _move(client, application, status="under_review")

        assert response.status_code == 409

    async def test_interview_without_a_date_is_422(self, client: httpx.AsyncClient):
        application = await _submitted(client)
        await _move(client, application, status="under_review")

        response = await _move(client, application, status="interview")

        assert response.status_code == 422

    async def test_an_unknown_application_is_404(self, client: httpx.AsyncClient):
        user = await create_user(client)

        response = await client.patch(
            f"/api/applications/{user['user_id']}/nope", json={"status": "withdrawn"}
        )

        assert response.status_code == 404
