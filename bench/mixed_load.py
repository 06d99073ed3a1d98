"""Throughput and latency of the local server under a mixed load, against a no-op twin.

Run from the repository root:

    python bench/mixed_load.py                  # 20 s per side, 32 clients
    python bench/mixed_load.py --duration 60 --clients 64

One run seeds an embedded store (jobs, candidates, applications) through the services,
then drives two servers in turn with the same load generator:

- baseline: a tiny FastAPI app with the same routes and response shapes whose data
  lives in dicts (no validation, storage, authentication or background work), served
  by uvicorn with the options of `python -m app serve`;
- project: `python -m app serve` on a copy of the seeded store, with its middleware,
  API-key authentication, validation, durable writes and the in-process queue worker.

The mix: reads by id (job, candidate), filtered job lists (skill and location), a
candidate's applications, and a new profile followed by an application to a job. Both
servers run as subprocesses on 127.0.0.1; the generator is one asyncio process with
keep-alive connections (aiohttp: less CPU per request than httpx), and it shares the
machine's cores with the server. RATE_LIMIT_PER_MINUTE=0 on the project server: the
32 clients are one API key, which the default limit of 600 a minute would throttle.

Afterwards the project server is killed (SIGKILL, no clean shutdown), started again on
the same files, and every acknowledged write (each 201 profile and application) is read
back by id. Target: project throughput at least 0.7x the baseline's, zero errors, no
acknowledged write missing. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# At module level: FastAPI resolves the handlers' (string) annotations from here.
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

API_KEY = "bench-key"
TARGET_RATIO = 0.7
_START_TIMEOUT_SECONDS = 60.0
_REQUEST_TIMEOUT_SECONDS = 30.0

SKILLS = (
    "Python", "Go", "Java", "TypeScript", "React", "SQL", "Kubernetes", "Docker",
    "AWS", "Azure", "Terraform", "Linux", "Spark", "Kafka", "PostgreSQL", "Redis",
)  # fmt: skip
LOCATIONS = (
    "Berlin", "Boston", "London", "Madrid", "Paris", "Seattle", "Toronto", "Oslo",
)  # fmt: skip
# Relative weight of each operation; "apply" is two requests (profile, application).
MIX = {"job": 25, "user": 20, "list_jobs": 20, "list_applications": 15, "apply": 10}


# Seeding -----------------------------------------------------------------------------


class _NoQueue:
    """Seeding queues no background work: the seed is the state before the load."""

    async def send(self, message: object) -> None:
        return None

    async def send_raw(self, body: str) -> None:
        return None

    async def close(self) -> None:
        return None


def _profile(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "name": f"Candidate {n}",
        "email": f"candidate{n}@example.com",
        "skills": rng.sample(SKILLS, rng.randint(2, 6)),
        "experience_years": rng.randint(0, 20),
        "location": rng.choice(LOCATIONS),
        "summary": "Builds backends. " * rng.randint(1, 8),
    }


async def seed(
    path: Path, *, jobs: int, users: int, applications: int, rng: random.Random
) -> dict[str, Any]:
    """Fill an embedded store through the services; returns what the load needs."""
    from app.models.applications import ApplicationCreate
    from app.models.jobs import JobCreate
    from app.models.users import UserCreate
    from app.services import applications as application_service
    from app.services import jobs as job_service
    from app.services import users as user_service
    from app.storage import CONTAINERS
    from app.storage.embedded import EmbeddedStore

    store = EmbeddedStore(path, CONTAINERS.values())
    queue = _NoQueue()
    job_ids, user_ids, pairs = [], [], set()
    for n in range(jobs):
        skills = rng.sample(SKILLS, rng.randint(2, 6))
        location = rng.choice(LOCATIONS)
        job = await job_service.create_job(
            store,
            JobCreate(
                company_id=f"company-{n % 60}",
                company_name=f"Company {n % 60}",
                title=f"Engineer {n}",
                description="Designs, builds and runs services. " * 10,
                skills=skills,
                location=location,
                min_experience=rng.randint(0, 8),
                salary_min=80_000,
                salary_max=150_000,
                salary_currency="EUR",
            ),
        )
        job_ids.append(job.job_id)
        pairs.update((skill, location) for skill in skills)
    for n in range(users):
        user = await user_service.create_user(
            store,
            queue,  # type: ignore[arg-type]
            UserCreate.model_validate(_profile(rng, n)),
        )
        user_ids.append(user.user_id)
    applied = set()
    while len(applied) < applications:
        user_id, job_id = rng.choice(user_ids), rng.choice(job_ids)
        if (user_id, job_id) in applied:
            continue
        await application_service.submit_application(
            store,
            queue,  # type: ignore[arg-type]
            ApplicationCreate(user_id=user_id, job_id=job_id, cover_letter="Hello."),
        )
        applied.add((user_id, job_id))
    await store.close()
    return {
        "job_ids": job_ids,
        "user_ids": user_ids,
        "applicants": sorted({user_id for user_id, _ in applied}),
        "filters": sorted(pairs),
    }


def export_documents(path: Path, target: Path) -> None:
    """The seeded documents as JSON, for the baseline's dicts."""
    import sqlite3

    conn = sqlite3.connect(path)
    documents = {
        table: [json.loads(doc) for (doc,) in conn.execute(f"SELECT doc FROM {table}")]
        for table in ("jobs", "users", "applications")
    }
    conn.close()
    target.write_text(json.dumps(documents))


# The baseline server -----------------------------------------------------------------


def baseline_app(data_file: Path) -> FastAPI:
    """Same paths and response shapes as the API, data in dicts, nothing checked."""
    import uuid
    from datetime import UTC, datetime

    from app.models.applications import ApplicationRead
    from app.models.jobs import JobRead
    from app.models.users import UserRead

    documents = json.loads(data_file.read_text())
    # Rendered once at start: the baseline serves dicts and does no model work.
    jobs = {
        d["job_id"]: JobRead.model_validate(d).model_dump(mode="json")
        for d in documents["jobs"]
    }
    by_filter: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for d in sorted(documents["jobs"], key=lambda d: d["created_at"], reverse=True):
        for skill in d["skill_keys"]:
            by_filter.setdefault((skill, d["location_key"]), []).append(jobs[d["id"]])
    users = {
        d["user_id"]: UserRead.model_validate(d).model_dump(mode="json")
        for d in documents["users"]
    }
    applications: dict[str, list[dict[str, Any]]] = {}
    for d in documents["applications"]:
        read = ApplicationRead.model_validate(d).model_dump(mode="json")
        applications.setdefault(d["user_id"], []).insert(0, read)

    app = FastAPI()

    def missing(what: str) -> JSONResponse:
        return JSONResponse(
            {"status": "error", "error": {"code": "not_found", "message": what}}, 404
        )

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "storage_backend": "memory"}

    @app.get("/api/jobs/{job_id}", response_model=None)
    async def get_job(job_id: str) -> dict[str, Any] | JSONResponse:
        job = jobs.get(job_id)
        return missing("job") if job is None else {"status": "success", "data": job}

    @app.get("/api/jobs")
    async def list_jobs(
        skill: str = "", location: str = "", limit: int = 10
    ) -> dict[str, Any]:
        found = by_filter.get((skill.lower(), location.lower()), [])[:limit]
        return {"status": "success", "data": found, "count": len(found)}

    @app.get("/api/users/{user_id}", response_model=None)
    async def get_user(user_id: str) -> dict[str, Any] | JSONResponse:
        user = users.get(user_id)
        return missing("user") if user is None else {"status": "success", "data": user}

    @app.post("/api/users", status_code=201)
    async def create_user(request: Request) -> dict[str, Any]:
        body = await request.json()
        user_id = uuid.uuid4().hex
        now = datetime.now(UTC).isoformat()
        users[user_id] = {**body, "user_id": user_id, "created_at": now}
        return {"status": "success", "data": users[user_id]}

    @app.post("/api/applications", status_code=201, response_model=None)
    async def apply(request: Request) -> dict[str, Any] | JSONResponse:
        body = await request.json()
        user_id, job_id = body["user_id"], body["job_id"]
        if user_id not in users or job_id not in jobs:
            return missing("user or job")
        application = {
            "application_id": uuid.uuid4().hex,
            "user_id": user_id,
            "job_id": job_id,
            "status": "submitted",
            "created_at": datetime.now(UTC).isoformat(),
        }
        applications.setdefault(user_id, []).insert(0, application)
        return {"status": "success", "data": application}

    @app.get("/api/applications/{user_id}")
    async def list_applications(user_id: str, limit: int = 10) -> dict[str, Any]:
        found = applications.get(user_id, [])[:limit]
        return {"status": "success", "data": found, "count": len(found)}

    return app


def baseline_factory() -> FastAPI:
    """The baseline app of one server process (uvicorn calls this in each)."""
    return baseline_app(Path(os.environ["BASELINE_DOCUMENTS"]))


def serve_baseline(port: int, data_file: Path, workers: int) -> None:
    import uvicorn

    from app.cli import uvicorn_options

    os.environ["BASELINE_DOCUMENTS"] = str(data_file)
    # Served like `python -m app serve --workers N`: an app factory in each process.
    uvicorn.run(
        f"{Path(__file__).stem}:baseline_factory",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        **uvicorn_options(),
    )


# Servers as subprocesses -------------------------------------------------------------


def server_environment(work: Path) -> dict[str, str]:
    """Both servers' environment: the project's files under `work`, an API key, no
    rate limit (the clients share one key), no Azure settings from the caller."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COSMOS_", "AUTH_", "FUNCTIONS_", "AZUREWEBJOBS"))
    }
    env.update(
        STORAGE_BACKEND="embedded",
        EMBEDDED_STORE_PATH=str(work / "store.sqlite3"),
        LOCAL_QUEUE_PATH=str(work / "queue.sqlite3"),
        EMAIL_OUTBOX_PATH=str(work / "outbox"),
        EMAIL_BACKEND="file",
        TASK_QUEUE="local",
        API_KEY=API_KEY,
        RATE_LIMIT_PER_MINUTE="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: the server's worker processes are counted and
                # killed with it.
                start_new_session=True,
            )

    async def start(self) -> None:
        import aiohttp

        self.process = self._spawn()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    async with session.get(f"{self.base_url}/api/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not start; see {self.log_path}")

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds so far per role: "worker" for `python -m app worker`, "api" for
        the other processes of the server's session."""
        assert self.process is not None
        ticks = {"api": 0, "worker": 0}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) != self.process.pid:  # session id
                    continue
                command = (stat.parent / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue  # gone meanwhile
            role = "worker" if command[-3:-1] == [b"app", b"worker"] else "api"
            ticks[role] += int(fields[11]) + int(fields[12])
        return {role: n / os.sysconf("SC_CLK_TCK") for role, n in ticks.items()}

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The load generator ------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    created_applications: list[tuple[str, str]] = field(default_factory=list)

    def record(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {detail[:300]}")

    @property
    def all_latencies(self) -> list[float]:
        return [s for values in self.latencies.values() for s in values]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def drive(
    base_url: str,
    seeded: dict[str, Any],
    *,
    clients: int,
    duration: float,
    max_requests: int,
    seed_value: int,
) -> tuple[Tally, float]:
    """Run the mix until `duration` seconds or `max_requests` requests; returns the
    tally and the elapsed seconds."""
    import aiohttp

    tally = Tally()
    rng = random.Random(seed_value)
    kinds, weights = list(MIX), list(MIX.values())
    job_ids, user_ids = seeded["job_ids"], seeded["user_ids"]
    applicants, filters = list(seeded["applicants"]), seeded["filters"]
    headers = {"X-API-Key": API_KEY}
    sent = 0
    profile_number = 10_000_000 + seed_value * 1_000_000
    deadline = time.perf_counter() + duration

    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=_REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, headers=headers
    ) as session:

        async def call(
            kind: str, method: str, path: str, expect: int, body: Any = None
        ) -> Any:
            nonlocal sent
            sent += 1
            started = time.perf_counter()
            try:
                async with session.request(
                    method, base_url + path, json=body
                ) as response:
                    payload = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                tally.error(kind, repr(exc))
                return None
            tally.record(kind, time.perf_counter() - started)
            if status != expect:
                tally.error(kind, f"{status} {payload!r}")
                return None
            return json.loads(payload)

        async def one_client() -> None:
            nonlocal profile_number
            while time.perf_counter() < deadline and sent < max_requests:
                kind = rng.choices(kinds, weights)[0]
                if kind == "job":
                    await call(kind, "GET", f"/api/jobs/{rng.choice(job_ids)}", 200)
                elif kind == "user":
                    await call(kind, "GET", f"/api/users/{rng.choice(user_ids)}", 200)
                elif kind == "list_jobs":
                    skill, location = rng.choice(filters)
                    path = f"/api/jobs?skill={skill}&location={location}&limit=10"
                    await call(kind, "GET", path, 200)
                elif kind == "list_applications":
                    path = f"/api/applications/{rng.choice(applicants)}"
                    await call(kind, "GET", path, 200)
                else:
                    profile_number += 1
                    profile = _profile(rng, profile_number)
                    created = await call(
                        "create_user", "POST", "/api/users", 201, profile
                    )
                    if created is None:
                        continue
                    user_id = created["data"]["user_id"]
                    tally.created_users.append(user_id)
                    body = {"user_id": user_id, "job_id": rng.choice(job_ids)}
                    applied = await call(
                        "create_application", "POST", "/api/applications", 201, body
                    )
                    if applied is not None:
                        application_id = applied["data"]["application_id"]
                        tally.created_applications.append((user_id, application_id))
                        applicants.append(user_id)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return tally, elapsed


async def verify_writes(base_url: str, tally: Tally, *, clients: int) -> dict[str, int]:
    """Read back every acknowledged profile and application by id."""
    import aiohttp

    paths = [f"/api/users/{user_id}" for user_id in tally.created_users] + [
        f"/api/applications/{user_id}/{application_id}"
        for user_id, application_id in tally.created_applications
    ]
    missing: list[str] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(
        connector=connector, headers={"X-API-Key": API_KEY}
    ) as session:
        pending = iter(paths)

        async def reader() -> None:
            for path in pending:
                async with session.get(base_url + path) as response:
                    if response.status != 200:
                        missing.append(f"{path}: {response.status}")

        await asyncio.gather(*(reader() for _ in range(clients)))
    return {
        "acknowledged_users": len(tally.created_users),
        "acknowledged_applications": len(tally.created_applications),
        "missing": len(missing),
    }


def summarize(
    tally: Tally, elapsed: float, cpu: dict[str, float], generator_cpu: float
) -> dict[str, Any]:
    latencies = tally.all_latencies
    completed = len(latencies)
    return {
        "requests": completed,
        "seconds": round(elapsed, 2),
        "req_per_s": round(completed / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50) * 1e3, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1e3, 2),
        "errors": sum(tally.errors.values()),
        "server_cpu_s": round(sum(cpu.values()), 1),
        "server_cpu_s_by_role": {role: round(s, 1) for role, s in cpu.items()},
        "generator_cpu_s": round(generator_cpu, 1),
        "per_route_p50_ms": {
            kind: round(statistics.median(values) * 1e3, 2)
            for kind, values in sorted(tally.latencies.items())
        },
    }


async def measure(
    server: Server,
    seeded: dict[str, Any],
    args: argparse.Namespace,
    *,
    warmup_seed: int,
    seed_value: int,
) -> tuple[Tally, dict[str, Any]]:
    await drive(
        server.base_url,
        seeded,
        clients=args.clients,
        duration=args.warmup,
        max_requests=args.max_requests,
        seed_value=warmup_seed,
    )
    cpu_before, own_before = server.cpu_by_role(), os.times()
    tally, elapsed = await drive(
        server.base_url,
        seeded,
        clients=args.clients,
        duration=args.duration,
        max_requests=args.max_requests,
        seed_value=seed_value,
    )
    cpu_after, own_after = server.cpu_by_role(), os.times()
    cpu = {role: cpu_after[role] - cpu_before[role] for role in cpu_after}
    generator = (own_after.user + own_after.system) - (
        own_before.user + own_before.system
    )
    return tally, summarize(tally, elapsed, cpu, generator)


def queued(queue_file: Path) -> int:
    """Messages of the local queue not yet handled (the worker keeping up or not)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{queue_file}?mode=ro", uri=True)
    try:
        (count,) = conn.execute("SELECT COUNT(*) FROM messages").fetchone()
    finally:
        conn.close()
    return int(count)


def _print_side(name: str, figures: dict[str, Any]) -> None:
    roles = ", ".join(f"{k} {v}" for k, v in figures["server_cpu_s_by_role"].items())
    print(
        f"{name:9} {figures['req_per_s']:8.1f} req/s  p50 {figures['p50_ms']:7.2f} ms"
        f"  p99 {figures['p99_ms']:7.2f} ms  errors {figures['errors']}"
        f"  requests {figures['requests']}"
        f"  server CPU {figures['server_cpu_s']} s"
        f" ({roles})"
        f", generator {figures['generator_cpu_s']} s"
    )
    routes = ", ".join(f"{k} {v}" for k, v in figures["per_route_p50_ms"].items())
    print(f"          p50 per route (ms): {routes}")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="jobmatch-mixed-"))
    rng = random.Random(args.seed)
    print(
        f"seeding {args.jobs} jobs, {args.users} candidates, {args.applications}"
        f" applications in {work} ...",
        flush=True,
    )
    store_path = work / "store.sqlite3"
    seeded = await seed(
        store_path,
        jobs=args.jobs,
        users=args.users,
        applications=args.applications,
        rng=rng,
    )
    export_documents(store_path, work / "documents.json")

    env = server_environment(work)
    env.update(dict(item.split("=", 1) for item in args.server_env))
    baseline = Server(
        "baseline",
        [
            sys.executable,
            __file__,
            "--serve-baseline",
            str(work / "documents.json"),
            "--workers",
            str(args.workers),
        ],
        env,
        work / "baseline.log",
    )
    project = Server(
        "project",
        [sys.executable, "-m", "app", "serve", "--workers", str(args.workers)],
        env,
        work / "project.log",
    )
    print(
        f"{args.clients} clients, {args.duration:g} s per side after {args.warmup:g} s"
        f" of warm-up, at most {args.max_requests} requests per side; generator and"
        f" server share this machine's {os.cpu_count()} CPUs; project server with"
        " API_KEY auth and RATE_LIMIT_PER_MINUTE=0 (one key, 32 clients)",
        flush=True,
    )
    try:
        await baseline.start()
        _, baseline_figures = await measure(
            baseline, seeded, args, warmup_seed=1, seed_value=2
        )
        baseline.stop()
        _print_side("baseline", baseline_figures)

        await project.start()
        tally, project_figures = await measure(
            project, seeded, args, warmup_seed=3, seed_value=4
        )
        project_figures["queued_at_end"] = backlog = queued(work / "queue.sqlite3")
        _print_side("project", project_figures)
        print(
            "          background work still queued when the load stopped:"
            f" {backlog} messages"
        )
        for sample in tally.samples:
            print(f"          error: {sample}")

        # Killed, not stopped: only what was stored before the ack may count.
        project.stop(kill=True)
        project.port = _free_port()
        await project.start()
        writes = await verify_writes(project.base_url, tally, clients=args.clients)
    finally:
        baseline.stop()
        project.stop()

    ratio = project_figures["req_per_s"] / baseline_figures["req_per_s"]
    print(
        f"ratio (project / baseline throughput): {ratio:.2f} (target >= {TARGET_RATIO})"
    )
    print(
        f"acknowledged writes after SIGKILL and restart: {writes['acknowledged_users']}"
        f" profiles, {writes['acknowledged_applications']} applications,"
        f" {writes['missing']} missing"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "bench": "mixed_load",
        "clients": args.clients,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "rate_limit_per_minute": 0,
        "baseline": baseline_figures,
        "project": project_figures,
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "writes": writes,
        "ok": ratio >= TARGET_RATIO
        and project_figures["errors"] == 0
        and baseline_figures["errors"] == 0
        and writes["missing"] == 0,
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per side")
    parser.add_argument(
        "--warmup",
        type=float,
        default=6.0,
        help="seconds per side (the worker compiles its scoring kernel meanwhile)",
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes of each server (`serve --workers`)",
    )
    parser.add_argument("--max-requests", type=int, default=200_000, help="per side")
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--applications", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for both servers (e.g. LOG_LEVEL=WARNING)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--serve-baseline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    if arguments.serve_baseline is not None:
        serve_baseline(arguments.port, arguments.serve_baseline, arguments.workers)
    else:
        result = asyncio.run(main(arguments))
        print(json.dumps(result))
        sys.exit(0 if result["ok"] else 1)
