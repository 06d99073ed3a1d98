"""Store operations per API route on Cosmos DB: request charge, calls and round trips.

Run from the repository root (Node.js and `npm ci` needed for the emulator):

    python bench/cosmos_ops.py

It starts the Cosmos DB emulator launcher (`node scripts/cosmos-emulator.js`, as
tests/cosmos_support.py does) on 127.0.0.1, provisions a fresh database, seeds a few
jobs, candidates and applications through the services, then calls every API route once
as an admin (API key) in-process and reports per route:

- request charge: the RUs the middleware's charge scope summed (the emulator always
  charges 1 per response, so on it this is the number of responses);
- round trips: the store's HTTP responses in that scope, retries and pages included;
- store calls, by kind: counted by a wrapper around the CosmosStore;
- whether a read by id is exactly one point read, and any query that filters on `id`
  (a query where a point read would do). Cross-partition queries are marked too.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

API_KEY = "bench-key"
# The launcher accepts any key; the SDK only needs valid base64 to sign with.
EMULATOR_KEY = "bm90LWEtc2VjcmV0LWFueS1rZXktd29ya3M="
_START_TIMEOUT_SECONDS = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_emulator(log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("needs Node.js (`node`) on PATH")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "scripts/cosmos-emulator.js", "--port", str(_free_port())],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        for line in log_path.read_text().splitlines():
            if line.startswith("cosmos-emulator ready "):
                return process, line.split()[-1]
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the emulator did not start:\n{log_path.read_text()}")


@dataclass
class Call:
    kind: str
    container: str
    partition_key: str | None = None
    filters: tuple[str, ...] = ()


@dataclass
class CountingStore:
    """Delegates to a DocumentStore and keeps each call it receives."""

    inner: Any
    calls: list[Call] = field(default_factory=list)

    async def read(self, container: str, *, partition_key: str, item_id: str) -> Any:
        self.calls.append(Call("read", container, partition_key))
        return await self.inner.read(
            container, partition_key=partition_key, item_id=item_id
        )

    async def create(self, container: str, document: Any) -> Any:
        self.calls.append(Call("create", container))
        return await self.inner.create(container, document)

    async def upsert(self, container: str, document: Any) -> Any:
        self.calls.append(Call("upsert", container))
        return await self.inner.upsert(container, document)

    async def replace(self, container: str, document: Any, *, etag: Any) -> Any:
        self.calls.append(Call("replace", container))
        return await self.inner.replace(container, document, etag=etag)

    async def delete(self, container: str, **kwargs: Any) -> None:
        self.calls.append(Call("delete", container, kwargs.get("partition_key")))
        await self.inner.delete(container, **kwargs)

    async def upsert_many(self, container: str, documents: Sequence[Any]) -> int:
        self.calls.append(Call("upsert_many", container))
        result: int = await self.inner.upsert_many(container, documents)
        return result

    async def delete_many(self, container: str, keys: Sequence[Any]) -> int:
        self.calls.append(Call("delete_many", container))
        result: int = await self.inner.delete_many(container, keys)
        return result

    def _filters(self, where: Sequence[Any]) -> tuple[str, ...]:
        return tuple(f"{f.field} {f.op}" for f in where)

    async def query(
        self, container: str, query: Any, *, partition_key: str | None = None, **kw: Any
    ) -> Any:
        filters = self._filters(query.where)
        self.calls.append(Call("query", container, partition_key, filters))
        return await self.inner.query(
            container, query, partition_key=partition_key, **kw
        )

    async def query_all(
        self, container: str, query: Any, *, partition_key: str | None = None
    ) -> AsyncIterator[Any]:
        filters = self._filters(query.where)
        self.calls.append(Call("query_all", container, partition_key, filters))
        async for item in self.inner.query_all(
            container, query, partition_key=partition_key
        ):
            yield item

    async def count(
        self, container: str, where: Any = (), *, partition_key: str | None = None
    ) -> int:
        filters = self._filters(where)
        self.calls.append(Call("count", container, partition_key, filters))
        result: int = await self.inner.count(
            container, where, partition_key=partition_key
        )
        return result

    async def average(
        self,
        container: str,
        field_name: str,
        where: Any = (),
        *,
        partition_key: str | None = None,
    ) -> Any:
        filters = self._filters(where)
        self.calls.append(Call("average", container, partition_key, filters))
        return await self.inner.average(
            container, field_name, where, partition_key=partition_key
        )

    async def close(self) -> None:
        await self.inner.close()


_QUERIES = frozenset({"query", "query_all", "count", "average"})
# Routes that name one item: each should cost exactly one point read.
BY_ID_ROUTES = frozenset(
    {
        "GET /api/jobs/{job_id}",
        "GET /api/users/{user_id}",
        "GET /api/applications/{user_id}/{application_id}",
    }
)


def describe(calls: list[Call]) -> dict[str, Any]:
    kinds = Counter(call.kind for call in calls)
    queries = [call for call in calls if call.kind in _QUERIES]
    return {
        "store_calls": len(calls),
        "by_kind": dict(sorted(kinds.items())),
        "point_reads": kinds["read"],
        "queries": len(queries),
        "cross_partition_queries": sum(q.partition_key is None for q in queries),
        "query_where_point_read_would_do": [
            f"{q.kind} {q.container} where {', '.join(q.filters)}"
            for q in queries
            if "id eq" in q.filters
        ],
        "query_detail": [
            f"{q.kind} {q.container}"
            f" ({'cross-partition' if q.partition_key is None else 'one partition'})"
            + (f" where {', '.join(q.filters)}" if q.filters else "")
            for q in queries
        ],
    }


async def main() -> dict[str, Any]:
    import httpx
    from pydantic import SecretStr

    from app.api import create_app
    from app.config import Settings
    from app.models.applications import ApplicationCreate
    from app.models.jobs import JobCreate
    from app.models.users import UserCreate
    from app.runtime import Runtime
    from app.services import applications as application_service
    from app.services import jobs as job_service
    from app.services import poison as poison_service
    from app.services import users as user_service
    from app.storage import CONTAINERS
    from app.storage.charges import charge_scope
    from app.storage.cosmos import CosmosStore, provision
    from app.tasks.messages import TASK_QUEUE_NAME

    POISON_QUEUE = f"{TASK_QUEUE_NAME}-poison"

    work = Path(tempfile.mkdtemp(prefix="jobmatch-cosmos-ops-"))
    emulator, endpoint = start_emulator(work / "emulator.log")
    try:
        settings = Settings(
            storage_backend="cosmos",
            cosmos_endpoint=endpoint,
            cosmos_key=SecretStr(EMULATOR_KEY),
            cosmos_database=f"bench-{uuid.uuid4().hex[:8]}",
            cosmos_verify_tls=False,
            local_queue_path=work / "queue.sqlite3",
            email_outbox_path=work / "outbox",
            task_queue="local",
            email_backend="file",
            api_key=SecretStr(API_KEY),
            rate_limit_per_minute=0,
        )
        await provision(settings, CONTAINERS.values())
        store = CountingStore(CosmosStore.from_settings(settings, CONTAINERS.values()))
        runtime = Runtime(settings, store=store)  # type: ignore[arg-type]
        queue = runtime.queue

        jobs = [
            await job_service.create_job(
                store,  # type: ignore[arg-type]
                JobCreate(
                    company_id=f"company-{n % 3}",
                    title=f"Engineer {n}",
                    skills=["Python", "SQL"] if n % 2 else ["Go", "Kubernetes"],
                    location="Berlin" if n % 2 else "Paris",
                ),
            )
            for n in range(12)
        ]
        users = [
            await user_service.create_user(
                store,  # type: ignore[arg-type]
                queue,
                UserCreate(
                    name=f"Candidate {n}",
                    email=f"c{n}@example.com",
                    skills=["Python", "SQL"],
                    location="Berlin",
                ),
            )
            for n in range(6)
        ]
        applications = [
            await application_service.submit_application(
                store,  # type: ignore[arg-type]
                queue,
                ApplicationCreate(user_id=users[0].user_id, job_id=job.job_id),
            )
            for job in jobs[:3]
        ]
        await poison_service.record_poison(
            store,  # type: ignore[arg-type]
            queue_name=POISON_QUEUE,
            message_id="poisoned-1",
            body='{"type": "candidate.changed", "version": 1, "user_id": "x"}',
            dequeue_count=5,
        )
        job, user, application = jobs[1], users[0], applications[0]
        job_path = f"/api/jobs/{job.job_id}"
        application_path = (
            f"/api/applications/{user.user_id}/{application.application_id}"
        )
        # (route template, method, path, JSON body, expected status); deletes last.
        plan: list[tuple[str, str, str, Any, int]] = [
            ("/api/health", "GET", "/api/health", None, 200),
            ("/api/jobs", "POST", "/api/jobs", {"company_id": "company-0", "title": "New"}, 201),  # noqa: E501
            ("/api/jobs", "GET", "/api/jobs?skill=python&location=Berlin", None, 200),
            ("/api/jobs/{job_id}", "GET", job_path, None, 200),
            ("/api/jobs/{job_id}", "PATCH", job_path, {"title": "Renamed"}, 200),
            ("/api/jobs/{job_id}/applications", "GET", f"{job_path}/applications", None, 200),  # noqa: E501
            ("/api/users", "POST", "/api/users", {"name": "New", "email": "n@example.com"}, 201),  # noqa: E501
            ("/api/users/{user_id}", "GET", f"/api/users/{user.user_id}", None, 200),
            ("/api/users/{user_id}", "PATCH", f"/api/users/{users[1].user_id}", {"name": "R"}, 200),  # noqa: E501
            ("/api/applications", "POST", "/api/applications", {"user_id": users[2].user_id, "job_id": job.job_id}, 201),  # noqa: E501
            ("/api/applications/{user_id}", "GET", f"/api/applications/{user.user_id}", None, 200),  # noqa: E501
            ("/api/applications/{user_id}/{application_id}", "GET", application_path, None, 200),  # noqa: E501
            ("/api/applications/{user_id}/{application_id}", "PATCH", application_path, {"status": "under_review"}, 200),  # noqa: E501
            ("/api/recommendations/{user_id}", "GET", f"/api/recommendations/{user.user_id}", None, 200),  # noqa: E501
            ("/api/analytics", "GET", "/api/analytics", None, 200),
            ("/api/imports/jobs", "POST", "/api/imports/jobs", {"jobs": [{"company_id": "company-1", "title": "Imported"}]}, 202),  # noqa: E501
            ("/api/imports/{import_id}", "GET", "/api/imports/{import_id}", None, 200),
            ("/api/admin/poison-messages", "GET", "/api/admin/poison-messages", None, 200),  # noqa: E501
            ("/api/admin/poison-messages/{message_id}/requeue", "POST", "/api/admin/poison-messages/poisoned-1/requeue", None, 204),  # noqa: E501
            ("/api/jobs/{job_id}", "DELETE", f"/api/jobs/{jobs[5].job_id}", None, 204),
            ("/api/users/{user_id}", "DELETE", f"/api/users/{users[3].user_id}", None, 204),  # noqa: E501
        ]  # fmt: skip

        rows: list[dict[str, Any]] = []
        import_id = ""
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://bench",
            headers={"X-API-Key": API_KEY},
        ) as client:
            for template, method, path, body, expected in plan:
                path = path.replace("{import_id}", import_id)
                store.calls.clear()
                # The middleware's own scope nests inside this one and adds to it.
                with charge_scope() as charge:
                    response = await client.request(method, path, json=body)
                if response.status_code != expected:
                    await runtime.aclose()
                    raise SystemExit(
                        f"{method} {path}: {response.status_code} {response.text}"
                    )
                if template == "/api/imports/jobs":
                    import_id = response.json()["data"]["import_id"]
                route = f"{method} {template}"
                row = {
                    "route": route,
                    "status": response.status_code,
                    "request_charge": round(charge.total, 2),
                    "round_trips": charge.responses,
                    **describe(store.calls),
                }
                if route in BY_ID_ROUTES:
                    row["one_point_read"] = row["by_kind"] == {"read": 1}
                rows.append(row)
        await runtime.aclose()
    finally:
        emulator.terminate()
        try:
            emulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emulator.kill()
        shutil.rmtree(work, ignore_errors=True)
    return {"bench": "cosmos_ops", "backend": "emulator", "routes": rows}


def _print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'route':58} {'RU':>5} {'trips':>5} {'calls':>5}  operations")
    for row in rows:
        kinds = ", ".join(f"{k} {v}" for k, v in row["by_kind"].items()) or "-"
        note = ""
        if "one_point_read" in row:
            note = "  [one point read]" if row["one_point_read"] else "  [NOT one read]"
        print(
            f"{row['route']:58} {row['request_charge']:5g} {row['round_trips']:5}"
            f" {row['store_calls']:5}  {kinds}{note}"
        )
        for detail in row["query_detail"]:
            print(f"{'':72}- {detail}")
    flagged = [
        (row["route"], query)
        for row in rows
        for query in row["query_where_point_read_would_do"]
    ]
    print(
        "queries where a point read would do: "
        + ("; ".join(f"{route}: {query}" for route, query in flagged) or "none")
    )


if __name__ == "__main__":
    result = asyncio.run(main())
    _print_table(result["routes"])
    print(json.dumps(result))
