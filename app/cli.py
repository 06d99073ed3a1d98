"""The command line: `python -m app serve | recommend | provision`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from app.config import Settings, SettingsError, load_settings
from app.logs import configure_logging
from app.runtime import Runtime, set_process_runtime

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
    commands.add_parser("recommend", help="run one recommendation pass now, then exit")
    commands.add_parser(
        "provision",
        help="create the Cosmos DB database and containers (idempotent)",
        description="Create COSMOS_DATABASE and its containers with their partition"
        " keys, default TTL and indexing policies; safe to run again. Needs COSMOS_KEY"
        " (or an emulator): a managed identity cannot create databases or containers,"
        " which in Azure come from the infrastructure template.",
    )
    return parser


async def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from app.api import create_app
    from app.tasks.queue import LocalQueue
    from app.tasks.worker import run_scheduler, run_worker

    runtime = set_process_runtime(Runtime(settings))
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), host=host, port=port, log_config=None)
    )
    stop = asyncio.Event()
    background = [asyncio.create_task(run_scheduler(runtime, stop))]
    if isinstance(runtime.queue, LocalQueue):
        background.append(asyncio.create_task(run_worker(runtime.queue, runtime, stop)))
    logger.info(
        "server.starting",
        extra={
            "url": f"http://{host}:{port}/api/docs",
            "storage_backend": settings.storage_backend,
        },
    )
    try:
        await server.serve()
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        await runtime.aclose()


async def _recommend(settings: Settings) -> None:
    from app.tasks.worker import run_pass

    runtime = set_process_runtime(Runtime(settings))
    try:
        await run_pass(runtime)
    finally:
        await runtime.aclose()


async def _provision(settings: Settings) -> None:
    from app.storage import CONTAINERS
    from app.storage.cosmos import provision

    await provision(settings, CONTAINERS.values())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "serve":
        asyncio.run(_serve(settings, args.host, args.port))
    elif args.command == "recommend":
        asyncio.run(_recommend(settings))
    elif args.command == "provision":
        if not settings.cosmos_endpoint:
            print("error: provision needs COSMOS_ENDPOINT", file=sys.stderr)
            return 2
        asyncio.run(_provision(settings))
    return 0
