from __future__ import annotations

import httpx
import pytest

from app.runtime import Runtime
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain, run_pass
from tests.factories import apply, create_job, create_user

pytestmark = pytest.mark.anyio


class TestRecommendations:
    async def test_best_first_without_closed_or_applied_jobs(
        self, client: httpx.AsyncClient, runtime: Runtime
    ):
        user = await create_user(
            client, skills=["Python", "Postgres"], location="Boston"
        )
        best = await create_job(
            client, skills=["python", "postgresql"], location="Boston"
        )
        good = await create_job(client, skills=["python", "go"], location="Boston")
        closed = await create_job(
            client, skills=["python", "postgresql"], location="Boston"
        )
        applied = await create_job(
            client, skills=["python", "postgresql"], location="Boston"
        )
        await client.patch(f"/api/jobs/{closed['job_id']}", json={"status": "closed"})
        await apply(client, user["user_id"], applied["job_id"])

        await run_pass(runtime)

        body = (await client.get(f"/api/recommendations/{user['user_id']}")).json()
        assert [r["job_id"] for r in body["data"]] == [best["job_id"], good["job_id"]]
        assert body["data"][0]["score"] >= body["data"][1]["score"]
        assert body["data"][0]["reasons"] == [
            "Skill match: 100%",
            "Experience match: 100%",
            "Location compatible: Yes",
        ]

    async def test_a_repeated_pass_writes_nothing(
        self, client: httpx.AsyncClient, runtime: Runtime
    ):
        from app.services.recommendations import run_recommendation_pass

        await create_user(client)
        await create_job(client)
        first = await run_recommendation_pass(runtime.store, top_k=10)

        second = await run_recommendation_pass(runtime.store, top_k=10)

        assert first.written == 1
        assert (second.written, second.deleted) == (0, 0)

    async def test_a_closed_job_leaves_the_next_pass(
        self, client: httpx.AsyncClient, runtime: Runtime
    ):
        user = await create_user(client)
        job = await create_job(client)
        await run_pass(runtime)
        await client.patch(f"/api/jobs/{job['job_id']}", json={"status": "closed"})

        await run_pass(runtime)

        body = (await client.get(f"/api/recommendations/{user['user_id']}")).json()
        assert body["count"] == 0

    async def test_unknown_user_is_404(self, client: httpx.AsyncClient):
        response = await client.get("/api/recommendations/nobody")

        assert response.status_code == 404


class TestAnalytics:
    async def test_counts_and_average_match_score(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        user = await create_user(client)
        first = await create_job(client)
        second = await create_job(client)
        await create_job(client)
        await apply(client, user["user_id"], first["job_id"])
        response = await apply(client, user["user_id"], second["job_id"])
        application = response.json()["data"]
        await client.patch(
            f"/api/applications/{user['user_id']}/{application['application_id']}",
            json={"status": "withdrawn"},
        )
        await drain(queue, runtime)

        data = (await client.get("/api/analytics")).json()["data"]

        assert data["total_jobs"] == 3
        assert data["total_applications"] == 2
        assert data["applications_by_status"]["submitted"] == 1
        assert data["applications_by_status"]["withdrawn"] == 1
        assert 0 < data["average_match_score"] <= 100

    async def test_an_empty_store(self, client: httpx.AsyncClient):
        data = (await client.get("/api/analytics")).json()["data"]

        assert data["total_jobs"] == 0
        assert data["average_match_score"] is None


class TestHealth:
    async def test_answers_ok(self, client: httpx.AsyncClient, runtime: Runtime):
        response = await client.get("/api/health")

        assert response.json() == {
            "status": "ok",
            "storage_backend": runtime.settings.storage_backend,
        }
