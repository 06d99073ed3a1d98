"""The demo data set: written through the services, so every endpoint has data."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cli import _parser
from app.config import Settings
from app.demo import DemoStats, StoreNotEmptyError, seed_demo
from app.runtime import Runtime
from app.storage import Query
from app.storage.containers import APPLICATIONS, JOBS

pytestmark = pytest.mark.anyio

SMALL: dict[str, Any] = {
    "companies": 5,
    "jobs": 20,
    "candidates": 15,
    "applications": 30,
    "progress": False,
}


async def _seed(runtime: Runtime, **overrides: Any) -> DemoStats:
    return await seed_demo(runtime, **{**SMALL, **overrides})


async def _documents(runtime: Runtime, container: str) -> list[dict[str, Any]]:
    return [doc async for doc in runtime.store.query_all(container, Query())]


class TestSeedDemo:
    async def test_every_endpoint_has_data(
        self, runtime: Runtime, client: httpx.AsyncClient
    ):
        stats = await _seed(runtime)

        assert (stats.jobs, stats.candidates, stats.applications) == (20, 15, 30)
        jobs = (await client.get("/api/jobs", params={"limit": 100})).json()
        assert jobs["count"] == 20
        analytics = (await client.get("/api/analytics")).json()["data"]
        assert analytics["total_candidates"] == 15
        assert analytics["total_applications"] == 30
        assert analytics["active_jobs"] == 20 - stats.closed_jobs
        assert analytics["average_match_score"] is not None
        assert stats.recommendations > 0
        user_ids = {doc["user_id"] for doc in await _documents(runtime, APPLICATIONS)}
        recommended = [
            (await client.get(f"/api/recommendations/{user_id}")).json()["count"]
            for user_id in user_ids
        ]
        assert any(recommended)

    async def test_the_background_work_is_done(self, runtime: Runtime):
        stats = await _seed(runtime)

        applications = await _documents(runtime, APPLICATIONS)
        assert all(doc["match_score"] is not None for doc in applications)
        # One message per candidate created and one per application submitted.
        assert stats.messages_handled == stats.candidates + stats.applications

    async def test_some_applications_move_along_the_status_path(self, runtime: Runtime):
        stats = await _seed(runtime, applications=60)

        statuses = {doc["status"] for doc in await _documents(runtime, APPLICATIONS)}
        assert stats.status_changes > 0
        assert "submitted" in statuses and len(statuses) >= 3

    async def test_jobs_look_like_real_postings(self, runtime: Runtime):
        await _seed(runtime)

        jobs = await _documents(runtime, JOBS)
        assert len({job["company_id"] for job in jobs}) > 1
        for job in jobs:
            assert job["title"] and job["skills"] and job["company_name"]
            assert job["salary_min"] <= job["salary_max"]
            assert job["max_experience"] is None or (
                job["min_experience"] <= job["max_experience"]
            )

    async def test_the_same_seed_gives_the_same_content(
        self, runtime: Runtime, tmp_path: Path
    ):
        other = Runtime(
            Settings(
                storage_backend="embedded",
                embedded_store_path=tmp_path / "other" / "store.sqlite3",
                local_queue_path=tmp_path / "other" / "queue.sqlite3",
                email_outbox_path=tmp_path / "other" / "outbox",
            )
        )
        try:
            await _seed(runtime, seed=7)
            await _seed(other, seed=7)

            def titles(docs: list[dict[str, Any]]) -> list[str]:
                return sorted(f"{d['company_id']}/{d['title']}" for d in docs)

            assert titles(await _documents(runtime, JOBS)) == titles(
                await _documents(other, JOBS)
            )
        finally:
            await other.aclose()


class TestSeedDemoTwice:
    async def test_a_store_with_data_is_refused(self, runtime: Runtime):
        await _seed(runtime)

        with pytest.raises(StoreNotEmptyError):
            await _seed(runtime)

    async def test_force_adds_another_data_set(self, runtime: Runtime):
        await _seed(runtime)

        stats = await _seed(runtime, seed=2, force=True)

        assert stats.jobs == 20
        assert len(await _documents(runtime, JOBS)) == 40


class TestCommand:
    def test_the_command_defaults_are_the_functions(self):
        args = _parser().parse_args(["seed-demo"])

        defaults = inspect.signature(seed_demo).parameters
        for name in ("companies", "jobs", "candidates", "applications", "seed"):
            assert getattr(args, name) == defaults[name].default, name
        assert args.force is False

    async def test_an_impossible_company_count_is_refused(self, runtime: Runtime):
        with pytest.raises(ValueError, match="companies"):
            await _seed(runtime, companies=0)
