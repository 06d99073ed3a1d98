from __future__ import annotations

import httpx
import pytest

from app.runtime import Runtime
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain
from tests.factories import job_body

pytestmark = pytest.mark.anyio


class TestJobImport:
    async def test_a_few_thousand_rows_complete_through_the_queue(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        rows = [
            job_body(title=f"Job {i}", company_id=f"co{i % 7}") for i in range(2_000)
        ]
        rows[10]["min_experience"] = -3
        rows[1_234] = {"title": "No company"}

        accepted = await client.post("/api/imports/jobs", json={"jobs": rows})
        queued = accepted.json()["data"]
        await drain(queue, runtime)

        assert accepted.status_code == 202
        assert accepted.headers["location"] == f"/api/imports/{queued['import_id']}"
        assert queued["status"] == "queued"
        done = (await client.get(accepted.headers["location"])).json()["data"]
        assert done["status"] == "completed"
        assert (done["total_rows"], done["processed_rows"]) == (2_000, 2_000)
        assert (done["created"], done["rejected"]) == (1_998, 2)
        assert [(e["row"], e["field"]) for e in done["errors"]] == [
            (10, "min_experience"),
            (1_234, "company_id"),
        ]
        listing = (await client.get("/api/jobs", params={"company_id": "co3"})).json()
        assert listing["data"][0]["company_id"] == "co3"

    async def test_a_chunk_delivered_twice_creates_its_jobs_once(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        from app.services.imports import process_import_chunk

        rows = [job_body(company_id="once", title=f"Job {i}") for i in range(3)]
        queued = (await client.post("/api/imports/jobs", json={"jobs": rows})).json()
        await drain(queue, runtime)

        await process_import_chunk(
            runtime.store, import_id=queued["data"]["import_id"], chunk=0
        )

        jobs = (await client.get("/api/jobs", params={"company_id": "once"})).json()
        assert jobs["count"] == 3

    async def test_progress_shows_while_chunks_are_pending(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        from app.tasks.worker import process_one

        rows = [job_body(title=f"Job {i}") for i in range(120)]
        queued = (await client.post("/api/imports/jobs", json={"jobs": rows})).json()
        await process_one(queue, runtime)

        progress = await client.get(f"/api/imports/{queued['data']['import_id']}")

        data = progress.json()["data"]
        assert (data["status"], data["processed_rows"]) == ("running", 50)

    async def test_an_empty_import_is_422(self, client: httpx.AsyncClient):
        response = await client.post("/api/imports/jobs", json={"jobs": []})

        assert response.status_code == 422

    async def test_an_unknown_import_is_404(self, client: httpx.AsyncClient):
        response = await client.get("/api/imports/nope")

        assert response.status_code == 404
