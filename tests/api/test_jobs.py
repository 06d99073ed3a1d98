from __future__ import annotations

import httpx
import pytest

from tests.factories import create_job, job_body

pytestmark = pytest.mark.anyio


class TestCreateJob:
    async def test_returns_the_job_in_the_seed_envelope(
        self, client: httpx.AsyncClient
    ):
        response = await client.post("/api/jobs", json=job_body())

        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "success"
        assert body["data"]["title"] == "Backend engineer"
        assert body["data"]["status"] == "active"
        assert body["data"]["job_id"].startswith("acme:")
        assert response.headers["location"] == f"/api/jobs/{body['data']['job_id']}"

    async def test_refuses_server_owned_fields(self, client: httpx.AsyncClient):
        response = await client.post("/api/jobs", json=job_body(status="closed"))

        assert response.status_code == 422
        error = response.json()
        assert error["status"] == "error"
        assert error["error"]["code"] == "validation_error"
        assert error["error"]["details"][0]["field"] == "body.status"

    async def test_refuses_an_inverted_experience_range(
        self, client: httpx.AsyncClient
    ):
        response = await client.post(
            "/api/jobs", json=job_body(min_experience=5, max_experience=2)
        )

        assert response.status_code == 422
        assert "max_experience" in response.json()["error"]["details"][0]["message"]

    async def test_refuses_a_missing_title_naming_the_field(
        self, client: httpx.AsyncClient
    ):
        body = job_body()
        del body["title"]

        response = await client.post("/api/jobs", json=body)

        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "body.title"

    async def test_refuses_a_body_that_is_not_json(self, client: httpx.AsyncClient):
        response = await client.post(
            "/api/jobs", content=b"{nope", headers={"content-type": "application/json"}
        )

        assert response.status_code == 422
        assert response.json()["status"] == "error"

    async def test_stores_nothing_when_refused(self, client: httpx.AsyncClient):
        await client.post("/api/jobs", json=job_body(min_experience=-1))

        listing = await client.get("/api/jobs")

        assert listing.json()["count"] == 0


class TestReadJob:
    async def test_reads_a_job_by_id_with_its_etag(self, client: httpx.AsyncClient):
        job = await create_job(client)

        response = await client.get(f"/api/jobs/{job['job_id']}")

        assert response.status_code == 200
        assert response.json()["data"] == job
        assert response.headers["etag"]

    @pytest.mark.parametrize("job_id", ["acme:missing", "no-separator", "acme:"])
    async def test_unknown_id_is_404(self, client: httpx.AsyncClient, job_id: str):
        response = await client.get(f"/api/jobs/{job_id}")

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


class TestListJobs:
    async def test_lists_newest_first_with_count(self, client: httpx.AsyncClient):
        first = await create_job(client, title="First")
        second = await create_job(client, title="Second")

        body = (await client.get("/api/jobs")).json()

        assert body["count"] == 2
        assert [j["job_id"] for j in body["data"]] == [
            second["job_id"],
            first["job_id"],
        ]

    async def test_pages_with_continuation_tokens(self, client: httpx.AsyncClient):
        created = [await create_job(client, title=f"Job {i}") for i in range(5)]

        seen: list[str] = []
        token = None
        for _ in range(5):
            params = {"limit": 2} | ({"continuation": token} if token else {})
            body = (await client.get("/api/jobs", params=params)).json()
            seen += [j["job_id"] for j in body["data"]]
            token = body["continuation"]
            if token is None:
                break

        assert seen == [j["job_id"] for j in reversed(created)]

    async def test_skip_still_works(self, client: httpx.AsyncClient):
        created = [await create_job(client, title=f"Job {i}") for i in range(4)]

        body = (await client.get("/api/jobs", params={"skip": 1, "limit": 2})).json()

        assert [j["job_id"] for j in body["data"]] == [
            created[2]["job_id"],
            created[1]["job_id"],
        ]

    async def test_limit_is_capped_at_100(self, client: httpx.AsyncClient):
        for i in range(3):
            await create_job(client, title=f"Job {i}")

        response = await client.get("/api/jobs", params={"limit": 1000})

        assert response.status_code == 200
        assert response.json()["count"] == 3

    async def test_a_forged_continuation_token_is_400(self, client: httpx.AsyncClient):
        response = await client.get("/api/jobs", params={"continuation": "%%%garbage"})

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "bad_request"

    async def test_filters_by_skill_whatever_its_spelling(
        self, client: httpx.AsyncClient
    ):
        wanted = await create_job(client, skills=["Node.js", "k8s"])
        await create_job(client, skills=["Java"])

        body = (await client.get("/api/jobs", params={"skill": "kubernetes"})).json()

        assert [j["job_id"] for j in body["data"]] == [wanted["job_id"]]

    async def test_filters_by_location_company_status_and_experience(
        self, client: httpx.AsyncClient
    ):
        wanted = await create_job(
            client, company_id="globex", location="New York, NY", min_experience=3
        )
        await create_job(
            client, company_id="globex", location="Boston", min_experience=3
        )
        await create_job(
            client, company_id="acme", location="New York", min_experience=3
        )
        await create_job(
            client,
            company_id="globex",
            location="New York",
            min_experience=9,
            max_experience=None,
        )
        closed = await create_job(client, company_id="globex", location="NYC")
        await client.patch(f"/api/jobs/{closed['job_id']}", json={"status": "closed"})

        body = (
            await client.get(
                "/api/jobs",
                params={
                    "location": "new york",
                    "company_id": "globex",
                    "status": "active",
                    "min_experience": 1,
                    "max_experience": 5,
                },
            )
        ).json()

        assert [j["job_id"] for j in body["data"]] == [wanted["job_id"]]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("limit=0", "query.limit"),
            ("limit=ten", "query.limit"),
            ("status=open", "query.status"),
            ("min_experience=-1", "query.min_experience"),
            ("skip=10001", "query.skip"),
        ],
    )
    async def test_a_bad_query_parameter_is_422_naming_it(
        self, client: httpx.AsyncClient, query: str, field: str
    ):
        response = await client.get(f"/api/jobs?{query}")

        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert [detail["field"] for detail in error["details"]] == [field]

    async def test_an_unknown_query_parameter_is_ignored(
        self, client: httpx.AsyncClient
    ):
        await create_job(client, title="Kept")

        response = await client.get("/api/jobs?colour=blue&status=active")

        assert response.status_code == 200
        assert [job["title"] for job in response.json()["data"]] == ["Kept"]


class TestUpdateJob:
    async def test_changes_only_the_fields_sent(self, client: httpx.AsyncClient):
        job = await create_job(client)

        response = await client.patch(
            f"/api/jobs/{job['job_id']}", json={"title": "Staff engineer"}
        )

        assert response.status_code == 200
        data = response.json()["data"]
        assert data["title"] == "Staff engineer"
        assert data["skills"] == job["skills"]
        assert data["updated_at"] > job["updated_at"]

    async def test_closing_a_job_records_when(self, client: httpx.AsyncClient):
        job = await create_job(client)

        data = (
            await client.patch(f"/api/jobs/{job['job_id']}", json={"status": "closed"})
        ).json()["data"]

        assert data["status"] == "closed"
        assert data["closed_at"] is not None

    async def test_a_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient
    ):
        job = await create_job(client)
        etag = (await client.get(f"/api/jobs/{job['job_id']}")).headers["etag"]
        await client.patch(f"/api/jobs/{job['job_id']}", json={"title": "Changed"})

        response = await client.patch(
            f"/api/jobs/{job['job_id']}",
            json={"title": "Lost update"},
            headers={"If-Match": etag},
        )

        assert response.status_code == 412
        current = (await client.get(f"/api/jobs/{job['job_id']}")).json()["data"]
        assert current["title"] == "Changed"

    async def test_a_current_if_match_applies(self, client: httpx.AsyncClient):
        job = await create_job(client)
        etag = (await client.get(f"/api/jobs/{job['job_id']}")).headers["etag"]

        response = await client.patch(
            f"/api/jobs/{job['job_id']}",
            json={"title": "New"},
            headers={"If-Match": etag},
        )

        assert response.status_code == 200
        assert response.headers["etag"] != etag

    async def test_a_range_made_invalid_by_the_change_is_422(
        self, client: httpx.AsyncClient
    ):
        job = await create_job(client, min_experience=2, max_experience=6)

        response = await client.patch(
            f"/api/jobs/{job['job_id']}", json={"max_experience": 1}
        )

        assert response.status_code == 422
        current = (await client.get(f"/api/jobs/{job['job_id']}")).json()["data"]
        assert current["max_experience"] == 6

    async def test_null_for_a_required_field_is_422(self, client: httpx.AsyncClient):
        job = await create_job(client)

        response = await client.patch(
            f"/api/jobs/{job['job_id']}", json={"title": None}
        )

        assert response.status_code == 422

    async def test_unknown_job_is_404(self, client: httpx.AsyncClient):
        response = await client.patch("/api/jobs/acme:nope", json={"title": "x"})

        assert response.status_code == 404


class TestDeleteJob:
    async def test_deletes_the_job(self, client: httpx.AsyncClient):
        job = await create_job(client)

        response = await client.delete(f"/api/jobs/{job['job_id']}")

        assert response.status_code == 204
        assert (await client.get(f"/api/jobs/{job['job_id']}")).status_code == 404

    async def test_a_second_delete_is_404(self, client: httpx.AsyncClient):
        job = await create_job(client)
        await client.delete(f"/api/jobs/{job['job_id']}")

        response = await client.delete(f"/api/jobs/{job['job_id']}")

        assert response.status_code == 404
