"""End-to-end benchmark of the recommendation run on the embedded store.

Run from the repository root:

    python bench/recommend.py                        # 100k candidates, 20k jobs
    python bench/recommend.py --candidates 20000     # a quicker look

The population is bench/matching.py's synthetic Zipf one, turned into candidate and
job documents by the same service functions the API uses, and written to a temporary
embedded store in large transactions (loading is timed apart). Then the code of
`python -m app recommend` runs twice in this process: the first run plans the shards
and writes every recommendation, the repeated run must write nothing. The first run's
wall time includes compiling the matching kernel, as a fresh `recommend` process pays
it. The last line printed is one JSON object with the figures.
"""

import argparse
import asyncio
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.models.jobs import JobCreate  # noqa: E402
from app.models.users import UserCreate  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.services.jobs import create_job  # noqa: E402
from app.services.users import create_user  # noqa: E402
from app.storage import Document, DocumentStore  # noqa: E402
from app.tasks.worker import run_pass  # noqa: E402
from bench.matching import make_candidates, make_jobs  # noqa: E402

_LOAD_BATCH = 5_000


class _BufferedCreates:
    """Takes the services' creates and writes them with `upsert_many`, thousands per
    transaction: the ids are new, so an upsert creates."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self._pending: dict[str, list[Document]] = defaultdict(list)

    async def create(self, container: str, document: Document) -> Document:
        self._pending[container].append(document)
        return document

    async def flush(self) -> None:
        for container, documents in self._pending.items():
            await self._store.upsert_many(container, documents)
        self._pending.clear()


class _NoMessages:
    async def send(self, message: Any) -> None:
        return None


async def load(store: DocumentStore, args: argparse.Namespace) -> None:
    buffered: Any = _BufferedCreates(store)
    for n, job in enumerate(make_jobs(args.jobs, seed=args.seed, zipf=args.zipf)):
        data = JobCreate(
            company_id=f"company{n % 2_000:04d}",
            title=f"Job {n}",
            skills=sorted(job.skills),
            location=job.location,
            remote=job.remote,
            min_experience=job.min_experience,
            max_experience=job.max_experience,
        )
        await create_job(buffered, data)
        if n % _LOAD_BATCH == 0:
            await buffered.flush()
    number = 0
    for shard, start in enumerate(range(0, args.candidates, 50_000)):
        size = min(50_000, args.candidates - start)
        for person in make_candidates(
            size, seed=args.seed, shard=shard, zipf=args.zipf
        ):
            data = UserCreate(
                name=f"Candidate {number}",
                email=f"candidate{number}@example.com",
                skills=sorted(person.skills),
                experience_years=person.experience_years,
                location=person.location,
            )
            await create_user(buffered, _NoMessages(), data)  # type: ignore[arg-type]
            number += 1
            if number % _LOAD_BATCH == 0:
                await buffered.flush()
    await buffered.flush()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--zipf", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-recommend-") as folder:
        settings = Settings(
            storage_backend="embedded",
            embedded_store_path=Path(folder) / "store.sqlite3",
            local_queue_path=Path(folder) / "queue.sqlite3",
            task_queue="local",
        )
        runtime = Runtime(settings)
        try:
            started = time.perf_counter()
            await load(runtime.store, args)
            load_seconds = time.perf_counter() - started

            started = time.perf_counter()
            first = await run_pass(runtime)
            first_seconds = time.perf_counter() - started

            started = time.perf_counter()
            second = await run_pass(runtime)
            second_seconds = time.perf_counter() - started
        finally:
            await runtime.aclose()
        store_mib = (Path(folder) / "store.sqlite3").stat().st_size / 2**20

    figures = {
        "candidates": args.candidates,
        "jobs": args.jobs,
        "top_k": first.top_k,
        "shards": first.planned_shards,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_seconds": round(load_seconds, 1),
        "first_run_seconds": round(first_seconds, 1),
        "first_run_candidates": first.candidates,
        "first_run_written": first.written,
        "first_run_deleted": first.deleted,
        "repeated_run_seconds": round(second_seconds, 1),
        "repeated_run_written": second.written,
        "repeated_run_deleted": second.deleted,
        "candidates_per_second_first": round(first.candidates / first_seconds),
        "candidates_per_second_repeated": round(second.candidates / second_seconds),
        "store_mib": round(store_mib),
        "peak_rss_mib": round(peak_rss_mib()),
    }
    print(
        f"load {load_seconds:.1f} s; first run {first_seconds:.1f} s,"
        f" {first.written:,} written; repeated run {second_seconds:.1f} s,"
        f" {second.written:,} written, {second.deleted:,} deleted",
        file=sys.stderr,
    )
    print(json.dumps(figures))
    if second.written or second.deleted:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
