"""The recommendation run: planning, shards, redelivery, the worker and the commands."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.matching.batch import JobIndex
from app.models.applications import ApplicationCreate
from app.models.jobs import JobCreate, JobUpdate
from app.models.users import UserCreate
from app.runtime import Runtime
from app.services.applications import submit_application
from app.services.jobs import create_job, update_job
from app.services.recommendations import (
    recompute_for_user,
    run_recommendation_pass,
    score_shard,
)
from app.services.runs import (
    get_run,
    pending_shards,
    plan_run,
    scheduled_run_id,
    start_run,
)
from app.services.users import create_user
from app.storage import Document, DocumentStore, Filter, Query
from app.storage.containers import RECOMMENDATIONS, RUNS, USERS
from app.tasks.messages import RecommendationShard, decode_message
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain, start_nightly_run
from tests.test_cli import ROOT, _env

pytestmark = pytest.mark.anyio

SKILLS = ["python", "go", "sql", "rust", "java", "react"]
CITIES = ["Boston", "Oslo", "Lima"]


async def add_users(runtime: Runtime, count: int, *, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    ids = []
    for n in range(count):
        user = await create_user(
            runtime.store,
            runtime.queue,
            UserCreate(
                name=f"Candidate {n}",
                email=f"c{n}@example.com",
                skills=rng.sample(SKILLS, k=rng.randint(1, 4)),
                experience_years=rng.randint(0, 10),
                location=rng.choice(CITIES),
            ),
        )
        ids.append(user.user_id)
    return ids


async def add_jobs(runtime: Runtime, count: int, *, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    ids = []
    for n in range(count):
        job = await create_job(
            runtime.store,
            JobCreate(
                company_id=f"co{n % 3}",
                title=f"Job {n}",
                skills=rng.sample(SKILLS, k=rng.randint(1, 3)),
                location=rng.choice(CITIES),
                remote=rng.random() < 0.3,
                min_experience=rng.randint(0, 5),
            ),
        )
        ids.append(job.job_id)
    return ids


async def shard_items(store: DocumentStore, run_id: str) -> list[Document]:
    query = Query(where=(Filter("kind", "eq", "shard"),), order_by="shard")
    return [item async for item in store.query_all(RUNS, query, partition_key=run_id)]


async def recommended(store: DocumentStore, user_id: str) -> list[str]:
    query = Query(order_by="score", direction="desc")
    return [
        item["job_id"]
        async for item in store.query_all(RECOMMENDATIONS, query, partition_key=user_id)
    ]


def shard_messages(queue: LocalQueue) -> list[RecommendationShard]:
    messages = []
    while (received := queue.receive()) is not None:
        queue.delete(received)
        message = decode_message(received.body)
        if isinstance(message, RecommendationShard):
            messages.append(message)
    return messages


class TestRunId:
    def test_a_scheduled_run_is_named_after_the_utc_date_it_fires_on(self):
        late_in_oslo = datetime(2024, 6, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))

        run_id = scheduled_run_id(late_in_oslo)

        assert run_id == "nightly-2024-06-01"


class TestPlanning:
    async def test_planning_a_run_twice_stores_its_shards_once(self, runtime: Runtime):
        await add_users(runtime, 7)
        first = await plan_run(
            runtime.store, run_id="r1", trigger="manual", top_k=5, shard_size=3
        )

        second = await plan_run(
            runtime.store, run_id="r1", trigger="manual", top_k=5, shard_size=3
        )

        assert (first.planned_shards, second.planned_shards) == (3, 3)
        assert len(await shard_items(runtime.store, "r1")) == 3

    async def test_starting_a_run_twice_sends_its_shards_once(
        self, runtime: Runtime, queue: LocalQueue
    ):
        await add_users(runtime, 5)
        shard_messages(queue)  # the candidates' own recompute messages
        fired = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)
        await start_nightly_run(runtime, fired_at=fired)

        again = await start_nightly_run(runtime, fired_at=fired + timedelta(hours=3))

        assert again.run_id == "nightly-2024-06-01"
        assert again.state == "enqueued"
        assert [m.shard for m in shard_messages(queue)] == [0]

    @pytest.mark.parametrize("seed", range(5))
    async def test_shards_cover_every_candidate_exactly_once(
        self, runtime: Runtime, seed: int
    ):
        rng = random.Random(seed)
        users = await add_users(runtime, rng.randint(1, 40), seed=seed)
        shard_size = rng.randint(1, 12)

        run = await plan_run(
            runtime.store, run_id="r", trigger="manual", top_k=5, shard_size=shard_size
        )

        shards = await shard_items(runtime.store, "r")
        planned = [user_id for shard in shards for user_id in shard["user_ids"]]
        assert sorted(planned) == sorted(users)
        assert run.planned_shards == len(shards) == -(-len(users) // shard_size)
        assert all(len(s["user_ids"]) <= shard_size for s in shards)

    async def test_a_planner_stopped_half_way_is_resumed_without_overlap(
        self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ):
        users = await add_users(runtime, 10)
        store = runtime.store
        create = store.create
        stored_shards = 0

        async def create_then_die(container: str, document: Document) -> Document:
            nonlocal stored_shards
            if document.get("kind") == "shard":
                if stored_shards == 2:
                    raise RuntimeError("instance stopped")
                stored_shards += 1
            return await create(container, document)

        monkeypatch.setattr(store, "create", create_then_die)
        with pytest.raises(RuntimeError):
            await plan_run(store, run_id="r", trigger="manual", top_k=5, shard_size=3)
        monkeypatch.undo()

        run = await plan_run(store, run_id="r", trigger="manual", top_k=5, shard_size=3)

        planned = [u for s in await shard_items(store, "r") for u in s["user_ids"]]
        assert sorted(planned) == sorted(users)
        assert run.planned_shards == 4

    async def test_a_run_without_candidates_is_finished_at_once(
        self, runtime: Runtime, queue: LocalQueue
    ):
        run = await start_run(
            runtime.store, queue, run_id="empty", trigger="schedule", top_k=5
        )

        assert (run.state, run.planned_shards, run.finished_at is not None) == (
            "finished",
            0,
            True,
        )
        assert shard_messages(queue) == []


class TestShards:
    async def test_the_queued_shards_finish_the_run_with_its_totals(
        self, runtime: Runtime, queue: LocalQueue
    ):
        users = await add_users(runtime, 8)
        await add_jobs(runtime, 12)
        await drain(queue, runtime)
        await runtime.store.delete_many(
            RECOMMENDATIONS,
            [(u, job) for u in users for job in await recommended(runtime.store, u)],
        )
        await start_run(
            runtime.store, queue, run_id="r", trigger="schedule", top_k=3, shard_size=3
        )

        await drain(queue, runtime)

        run = await get_run(runtime.store, "r")
        written = sum([len(await recommended(runtime.store, u)) for u in users])
        assert (run.state, run.planned_shards, run.done_shards) == ("finished", 3, 3)
        assert (run.candidates, run.written, run.deleted) == (8, written, 0)
        assert run.finished_at is not None

    async def test_a_done_shard_is_skipped(self, runtime: Runtime):
        await add_users(runtime, 2)
        await add_jobs(runtime, 3)
        await plan_run(runtime.store, run_id="r", trigger="manual", top_k=3)
        await score_shard(runtime.store, run_id="r", shard=0)

        again = await score_shard(runtime.store, run_id="r", shard=0)

        assert again is None

    async def test_a_shard_killed_half_way_finishes_when_redelivered(
        self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ):
        users = await add_users(runtime, 6)
        await add_jobs(runtime, 15)
        store = runtime.store
        await plan_run(store, run_id="r", trigger="manual", top_k=4)
        upsert_many = store.upsert_many

        async def write_half_then_die(container: str, documents: Any) -> int:
            await upsert_many(container, documents[: len(documents) // 2])
            raise RuntimeError("instance stopped")

        monkeypatch.setattr(store, "upsert_many", write_half_then_die)
        with pytest.raises(RuntimeError):
            await score_shard(store, run_id="r", shard=0)
        monkeypatch.undo()
        assert await pending_shards(store, "r") == {0: 6}

        redelivered = await score_shard(store, run_id="r", shard=0)

        assert redelivered is not None and redelivered.candidates == 6
        assert await pending_shards(store, "r") == {}
        for user_id in users:
            # The single-candidate scorer finds exactly the right set already there.
            check = await recompute_for_user(store, user_id, top_k=4)
            assert (check.written, check.deleted) == (0, 0)

    async def test_consecutive_shards_of_a_run_build_the_job_index_once(
        self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ):
        await add_users(runtime, 6)
        await add_jobs(runtime, 5)
        builds = []
        build = JobIndex.build

        def counted(jobs: Any, **kwargs: Any) -> JobIndex:
            builds.append(len(jobs))
            return build(jobs, **kwargs)

        monkeypatch.setattr(JobIndex, "build", counted)
        await plan_run(
            runtime.store, run_id="r", trigger="manual", top_k=3, shard_size=2
        )

        for shard in range(3):
            await score_shard(runtime.store, run_id="r", shard=shard)

        assert builds == [5]


class TestRecommendationPass:
    async def test_a_repeated_run_writes_nothing(self, runtime: Runtime):
        await add_users(runtime, 12)
        await add_jobs(runtime, 20)
        first = await run_recommendation_pass(runtime.store, top_k=5)

        second = await run_recommendation_pass(runtime.store, top_k=5)

        assert first.written > 0
        assert (second.candidates, second.written, second.deleted) == (12, 0, 0)
        assert first.run_id != second.run_id

    async def test_closed_and_applied_jobs_are_never_recommended(
        self, runtime: Runtime
    ):
        store = runtime.store
        (user_id,) = await add_users(runtime, 1)
        jobs = []
        for n in range(4):
            job = await create_job(
                store,
                JobCreate(company_id="acme", title=f"J{n}", skills=["python"]),
            )
            jobs.append(job.job_id)
        await store.upsert_many(
            USERS,
            [
                {
                    **await store.read(USERS, partition_key=user_id, item_id=user_id),
                    "skills": ["python"],
                }
            ],
        )
        await update_job(store, jobs[0], JobUpdate.model_validate({"status": "closed"}))
        await submit_application(
            store,
            runtime.queue,
            ApplicationCreate(user_id=user_id, job_id=jobs[1]),
        )

        await run_recommendation_pass(store, top_k=10)

        assert sorted(await recommended(store, user_id)) == sorted(jobs[2:])

    async def test_a_job_closed_since_the_last_run_is_deleted(self, runtime: Runtime):
        (user_id,) = await add_users(runtime, 1)
        await add_jobs(runtime, 6)
        await run_recommendation_pass(runtime.store, top_k=10)
        before = await recommended(runtime.store, user_id)
        await update_job(
            runtime.store, before[0], JobUpdate.model_validate({"status": "closed"})
        )

        run = await run_recommendation_pass(runtime.store, top_k=10)

        assert (run.written, run.deleted) == (0, 1)
        assert await recommended(runtime.store, user_id) == before[1:]


def _write_lines(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows)
        + "\n"
    )
    return path


def _run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestCommands:
    def test_import_then_recommend(self, tmp_path: Path):
        users = _write_lines(
            tmp_path / "users.jsonl",
            [
                {"name": "Ann", "email": "ann@example.com", "skills": ["Python"]},
                "{not json",
                {"name": "Bo", "email": "bo@example.com", "skills": ["Go"]},
                {"name": "Cy", "email": "not-an-email"},
            ],
        )
        jobs = _write_lines(
            tmp_path / "jobs.jsonl",
            [
                {"company_id": "acme", "title": "Py", "skills": ["python"]},
                {"company_id": "acme", "title": "Go", "skills": ["golang"]},
                {"company_id": "acme", "title": "Bad", "salary_min": -1},
            ],
        )

        imported = _run(tmp_path, "import", "--users", str(users), "--jobs", str(jobs))
        first = _run(tmp_path, "recommend")
        second = _run(tmp_path, "recommend")

        assert imported.returncode == 0, imported.stderr
        lines = imported.stdout.splitlines()
        assert f"{users}: 2 created, 2 rejected" in lines
        assert f"{jobs}: 2 created, 1 rejected" in lines
        rejected = [line for line in lines if line.startswith(f"{users}:")][1:]
        assert [line.split(":")[1] for line in rejected] == ["2", "4"]
        assert "email" in rejected[1]
        assert any(line.startswith(f"{jobs}:3: salary_min") for line in lines)
        assert first.returncode == 0, first.stderr
        assert "2 candidates, 4 written, 0 deleted" in first.stdout
        assert "2 candidates, 0 written, 0 deleted" in second.stdout

    def test_import_needs_a_file(self, tmp_path: Path):
        result = _run(tmp_path, "import")

        assert result.returncode == 2
        assert "--users" in result.stderr

    def test_recommend_resumes_a_named_run(self, tmp_path: Path):
        users = _write_lines(
            tmp_path / "users.jsonl",
            [{"name": "Ann", "email": "ann@example.com", "skills": ["Python"]}],
        )
        _run(tmp_path, "import", "--users", str(users))

        first = _run(tmp_path, "recommend", "--run-id", "nightly-2024-06-01")
        again = _run(tmp_path, "recommend", "--run-id", "nightly-2024-06-01")

        assert "run nightly-2024-06-01: finished, 1/1 shards" in first.stdout
        assert again.stdout == first.stdout
