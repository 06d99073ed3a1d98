"""The command line: `python -m app serve | recommend | import | seed-demo |
provision`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config import Settings, SettingsError, load_settings
from app.logs import configure_logging
from app.observability import configure_observability
from app.runtime import Runtime, set_process_runtime

if TYPE_CHECKING:
    from app.services.bulk_load import Kind

logger = logging.getLogger("app.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="Job matching backend: local server and tools.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the API with the background worker and the nightly schedule",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=7071, help="port (default 7071)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes sharing the port (default 1); the background worker"
        " always runs in one process of its own",
    )
    commands.add_parser(
        "worker",
        help="run the background worker and the nightly schedule alone",
        description="Handle the local task queue's messages and start the nightly"
        " recommendation run on RECOMMENDATION_SCHEDULE, until interrupted. `serve`"
        " starts one of these itself.",
    )
    recommend = commands.add_parser(
        "recommend",
        help="run one recommendation pass now, then exit",
        description="Plan a recommendation run and score all its shards in this"
        " process, with a progress bar, then print the run's totals. Candidates"
        " whose recommendations are unchanged cost no write. --run-id resumes a run"
        " planned before (such as a night's run, nightly-YYYY-MM-DD, whose queued"
        " shards did not all finish): shards already done are skipped.",
    )
    recommend.add_argument("--run-id", help="resume this run instead of a new one")
    load = commands.add_parser(
        "import",
        help="bulk-load candidates and job postings from NDJSON files",
        description="Create one candidate (--users) or job posting (--jobs) per line,"
        " each a JSON object validated as the API validates POST /api/users or"
        " POST /api/jobs. Rejected lines are listed at the end with their line"
        " number and reason; they do not stop the load. No recompute is queued per"
        " candidate: run `python -m app recommend` after an import.",
    )
    load.add_argument("--users", type=Path, metavar="FILE", help="candidates, NDJSON")
    load.add_argument("--jobs", type=Path, metavar="FILE", help="job postings, NDJSON")
    commands.add_parser(
        "provision",
        help="create the Cosmos DB database and containers (idempotent)",
        description="Create COSMOS_DATABASE and its containers with their partition"
        " keys, default TTL and indexing policies; safe to run again. Needs COSMOS_KEY"
        " (or an emulator): a managed identity cannot create databases or containers,"
        " which in Azure come from the infrastructure template.",
    )
    seed = commands.add_parser(
        "seed-demo",
        help="fill an empty store with a realistic demo data set",
        description="Create job postings, candidates and applications through the"
        " services, handle the queued background work and run one recommendation"
        " pass, so every endpoint answers with data. A store that already holds"
        " candidates or jobs is refused unless --force is given, which adds another"
        " data set next to them. The same --seed gives the same content.",
    )
    seed.add_argument("--companies", type=int, default=40, help="(default 40)")
    seed.add_argument("--jobs", type=int, default=300, help="(default 300)")
    seed.add_argument("--candidates", type=int, default=500, help="(default 500)")
    seed.add_argument("--applications", type=int, default=800, help="(default 800)")
    seed.add_argument("--seed", type=int, default=2024, help="(default 2024)")
    seed.add_argument(
        "--force", action="store_true", help="add data to a store that has some"
    )
    return parser


def uvicorn_options() -> dict[str, Any]:
    """The server options of `serve`, shared with bench/mixed_load.py's baseline so
    both sides of that comparison run the same HTTP stack."""
    # access_log=False: RequestMiddleware logs every request (`http.request`, with its
    # correlation id, duration and store charge); uvicorn's own line came on top of
    # it through the root logger, twice the logging for nothing new.
    return {"log_config": None, "access_log": False}


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """The API in `workers` processes and the background worker in one more.

    Every process opens the store for itself; the embedded store's files are shared
    safely between processes (SQLite locking), as Cosmos DB is between instances.
    """
    import uvicorn

    from app.observability import warn_if_open

    warn_if_open(settings)
    background = _Background()
    logger.info(
        "server.starting",
        extra={
            "url": f"http://{host}:{port}/api/docs",
            "storage_backend": settings.storage_backend,
            "api_processes": workers,
        },
    )
    try:
        uvicorn.run(
            "app.api.local:create_local_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **uvicorn_options(),
        )
    finally:
        background.stop()


class _Background:
    """`python -m app worker` beside the server: started again if it exits, stopped
    with the server. The worker exits by itself if the server dies without stopping
    it (it watches JOBMATCH_PARENT_PID)."""

    _RESTART_DELAY_SECONDS = 1.0

    def __init__(self) -> None:
        self._environment = {**os.environ, "JOBMATCH_PARENT_PID": str(os.getpid())}
        self._stopping = threading.Event()
        self._process = self._start()
        self._watch = threading.Thread(target=self._restart, daemon=True)
        self._watch.start()

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "worker"], env=self._environment
        )

    def _restart(self) -> None:
        while True:
            code = self._process.wait()
            if self._stopping.wait(self._RESTART_DELAY_SECONDS):
                return
            logger.error("worker.restarting", extra={"exit_code": code})
            self._process = self._start()

    def stop(self) -> None:
        self._stopping.set()
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


async def _work(settings: Settings) -> int:
    import signal

    from app.tasks.queue import LocalQueue
    from app.tasks.worker import run_scheduler, run_worker, watch_parent

    runtime = set_process_runtime(Runtime(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # The scheduler and the queue's lanes run until `stop`; one ending early failed.
    essential = [asyncio.create_task(run_scheduler(runtime, stop))]
    if isinstance(runtime.queue, LocalQueue):
        essential.append(asyncio.create_task(run_worker(runtime.queue, runtime, stop)))
    tasks = list(essential)
    parent = os.environ.get("JOBMATCH_PARENT_PID")
    if parent:
        tasks.append(asyncio.create_task(watch_parent(int(parent), stop)))
    tasks.append(asyncio.create_task(_warm_up(runtime)))
    logger.info("worker.starting", extra={"pid": os.getpid()})
    stopped = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait(
            [stopped, *essential], return_when=asyncio.FIRST_COMPLETED
        )
        failed = [t for t in done if t is not stopped and t.exception() is not None]
    finally:
        stop.set()
        await asyncio.gather(stopped, *tasks, return_exceptions=True)
        await runtime.aclose()
    for task in failed:
        # Out with an error: `serve` starts the worker again.
        logger.error("worker.failed", exc_info=task.exception())
    return 1 if failed else 0


async def _warm_up(runtime: Runtime) -> None:
    from app.services.recommendations import warm_up

    try:
        await warm_up(runtime.store)
    except Exception:
        # Only a head start: the first profile change loads the jobs again.
        logger.exception("worker.warm_up_failed")


async def _recommend(settings: Settings, run_id: str | None) -> int:
    from tqdm import tqdm

    from app.errors import NotFoundError
    from app.tasks.worker import run_pass

    runtime = set_process_runtime(Runtime(settings))
    # disable=None: the bar shows on a terminal only, so logs and CI stay clean.
    with tqdm(desc="recommend", unit=" candidates", disable=None) as bar:

        def advance(scored: int, total: int) -> None:
            bar.total = total
            bar.update(scored)

        try:
            run = await run_pass(runtime, run_id=run_id, on_progress=advance)
        except NotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            await runtime.aclose()
    print(
        f"run {run.run_id}: {run.state}, {run.done_shards}/{run.planned_shards}"
        f" shards, {run.candidates} candidates, {run.written} written,"
        f" {run.deleted} deleted"
    )
    return 0


async def _import(settings: Settings, files: dict[Kind, Path]) -> int:
    from tqdm import tqdm

    from app.services.bulk_load import load_lines

    runtime = set_process_runtime(Runtime(settings))
    results = {}
    try:
        for kind, path in files.items():
            with path.open(encoding="utf-8") as lines:
                total = sum(1 for _ in lines)
            with (
                path.open(encoding="utf-8") as lines,
                tqdm(total=total, desc=kind, unit=" lines", disable=None) as bar,
            ):
                results[path] = await load_lines(
                    runtime.store, kind, lines, on_line=bar.update
                )
    finally:
        await runtime.aclose()
    for path, result in results.items():
        print(f"{path}: {result.created} created, {len(result.rejected)} rejected")
        for rejected in result.rejected:
            print(f"{path}:{rejected.line}: {rejected.reason}")
    if results:
        print("next: python -m app recommend")
    return 0


async def _provision(settings: Settings) -> None:
    from app.storage import CONTAINERS
    from app.storage.cosmos import provision

    await provision(settings, CONTAINERS.values())


async def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from app.demo import StoreNotEmptyError, seed_demo

    # One event per handled message would bury the progress bars; failures still show.
    logging.getLogger("app.tasks").setLevel(logging.WARNING)
    runtime = set_process_runtime(Runtime(settings))
    try:
        stats = await seed_demo(
            runtime,
            companies=args.companies,
            jobs=args.jobs,
            candidates=args.candidates,
            applications=args.applications,
            seed=args.seed,
            force=args.force,
        )
    except (StoreNotEmptyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await runtime.aclose()
    logger.info("demo.seeded", extra=dataclasses.asdict(stats))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    configure_observability(settings)
    if args.command == "serve":
        if args.workers < 1:
            print("error: --workers must be at least 1", file=sys.stderr)
            return 2
        _serve(settings, args.host, args.port, args.workers)
    elif args.command == "worker":
        return asyncio.run(_work(settings))
    elif args.command == "recommend":
        return asyncio.run(_recommend(settings, args.run_id))
    elif args.command == "import":
        files: dict[Kind, Path] = {}
        if args.users is not None:
            files["users"] = args.users
        if args.jobs is not None:
            files["jobs"] = args.jobs
        if not files:
            print(
                "error: import needs --users FILE, --jobs FILE or both", file=sys.stderr
            )
            return 2
        missing = [str(path) for path in files.values() if not path.is_file()]
        if missing:
            print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        return asyncio.run(_import(settings, files))
    elif args.command == "seed-demo":
        return asyncio.run(_seed_demo(settings, args))
    elif args.command == "provision":
        if not settings.cosmos_endpoint:
            print("error: provision needs COSMOS_ENDPOINT", file=sys.stderr)
            return 2
        asyncio.run(_provision(settings))
    return 0
