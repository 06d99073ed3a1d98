from __future__ import annotations

import httpx
import pytest

from app.runtime import Runtime
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain
from tests.factories import apply, create_job, create_user, user_body

pytestmark = pytest.mark.anyio


class TestCreateUser:
    async def test_returns_the_profile_with_a_server_id(
        self, client: httpx.AsyncClient
    ):
        response = await client.post("/api/users", json=user_body())

        assert response.status_code == 201
        data = response.json()["data"]
        assert data["user_id"]
        assert data["email"] == "ada@example.com"
        assert data["created_at"] == data["updated_at"]

    @pytest.mark.parametrize(
        "email", ["not-an-email", "a@b", "two@@example.com", "a..b@example.com", ""]
    )
    async def test_refuses_an_invalid_email(
        self, client: httpx.AsyncClient, email: str
    ):
        response = await client.post("/api/users", json=user_body(email=email))

        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "body.email"

    async def test_refuses_a_client_chosen_id(self, client: httpx.AsyncClient):
        response = await client.post("/api/users", json=user_body(user_id="mine"))

        assert response.status_code == 422

    async def test_refuses_more_than_fifty_skills(self, client: httpx.AsyncClient):
        skills = [f"skill-{i}" for i in range(51)]

        response = await client.post("/api/users", json=user_body(skills=skills))

        assert response.status_code == 422


class TestReadAndChangeUser:
    async def test_reads_the_profile(self, client: httpx.AsyncClient):
        user = await create_user(client)

        response = await client.get(f"/api/users/{user['user_id']}")

        assert response.status_code == 200
        assert response.json()["data"] == user

    async def test_unknown_user_is_404(self, client: httpx.AsyncClient):
        response = await client.get("/api/users/nobody")

        assert response.status_code == 404

    async def test_changes_only_the_fields_sent(self, client: httpx.AsyncClient):
        user = await create_user(client)

        response = await client.patch(
            f"/api/users/{user['user_id']}", json={"skills": ["Rust"]}
        )

        data = response.json()["data"]
        assert data["skills"] == ["Rust"]
        assert data["name"] == user["name"]

    async def test_a_profile_change_recomputes_recommendations(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        job = await create_job(client, skills=["Rust"], location="Remote", remote=True)
        user = await create_user(client, skills=["Java"])
        await drain(queue, runtime)
        await client.patch(f"/api/users/{user['user_id']}", json={"skills": ["Rust"]})

        await drain(queue, runtime)

        recommended = (
            await client.get(f"/api/recommendations/{user['user_id']}")
        ).json()
        assert recommended["data"][0]["job_id"] == job["job_id"]
        assert recommended["data"][0]["reasons"][0] == "Skill match: 100%"

    async def test_a_job_closed_since_the_jobs_were_loaded_is_not_recommended(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        kept = await create_job(client, skills=["Rust"], remote=True)
        closed = await create_job(client, skills=["Rust"], remote=True)
        user = await create_user(client, skills=["Rust"])
        await drain(queue, runtime)  # loads the active jobs once
        await client.patch(f"/api/jobs/{closed['job_id']}", json={"status": "closed"})
        await client.patch(f"/api/users/{user['user_id']}", json={"skills": ["rust"]})

        await drain(queue, runtime)

        recommended = (
            await client.get(f"/api/recommendations/{user['user_id']}")
        ).json()
        assert [r["job_id"] for r in recommended["data"]] == [kept["job_id"]]


class TestDeleteUser:
    async def test_deletes_the_profile_and_its_applications(
        self, client: httpx.AsyncClient
    ):
        user = await create_user(client)
        job = await create_job(client)
        await apply(client, user["user_id"], job["job_id"])

        response = await client.delete(f"/api/users/{user['user_id']}")

        assert response.status_code == 204
        assert (await client.get(f"/api/users/{user['user_id']}")).status_code == 404
        listing = await client.get(f"/api/jobs/{job['job_id']}/applications")
        assert listing.json()["count"] == 0

    async def test_unknown_user_is_404(self, client: httpx.AsyncClient):
        response = await client.delete("/api/users/nobody")

        assert response.status_code == 404
