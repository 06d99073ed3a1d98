"""Server CPU per request, route by route, against the no-op twin of mixed_load.py.

Run from the repository root:

    python bench/route_costs.py                 # 2,000 requests per route and side
    python bench/route_costs.py --requests 5000

The mixed load's throughput says how far the project is from the baseline; this says
where. Each side (the baseline server and `python -m app serve`, as in
bench/mixed_load.py, on the same seeded data) is warmed up route by route, then driven
with one route at a time by 8 clients, and the CPU time of all the server's processes
(API, worker and their threads, from /proc) is divided by the requests served. For
"apply" (a new profile, then an application) that includes the background work both
requests queue: the CPU is read once the worker has emptied the queue. The last line
printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mixed_load  # the bench folder is not a package

ROUTES = ("job", "user", "list_jobs", "list_applications", "apply")
_CLIENTS = 8
_SETTLE_SECONDS = 0.5
_DRAIN_TIMEOUT_SECONDS = 120.0


async def _drained(queue_file: Path) -> None:
    """Wait until the project's worker has handled every queued message, so that the
    CPU read after it includes all the background work of the route's requests."""
    deadline = time.monotonic() + _DRAIN_TIMEOUT_SECONDS
    # A file's existence, checked now and then between sleeps: no need for a thread.
    while queue_file.exists() and mixed_load.queued(queue_file):  # noqa: ASYNC240
        if time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not drain {queue_file} in time")
        await asyncio.sleep(0.1)


async def _route_costs(
    server: mixed_load.Server,
    seeded: dict[str, Any],
    requests: int,
    queue_file: Path,
) -> dict[str, dict[str, float]]:
    costs: dict[str, dict[str, float]] = {}
    mix = dict(mixed_load.MIX)
    try:
        for warm in (True, False):
            for route in ROUTES:
                mixed_load.MIX.clear()
                mixed_load.MIX[route] = 1
                before = server.cpu_by_role()
                tally, _ = await mixed_load.drive(
                    server.base_url,
                    seeded,
                    clients=_CLIENTS,
                    duration=120.0,
                    max_requests=requests // 4 if warm else requests,
                    seed_value=1 if warm else 2,
                )
                if tally.errors:
                    raise RuntimeError(f"{server.name} {route}: {tally.samples}")
                await asyncio.sleep(_SETTLE_SECONDS)
                await _drained(queue_file)
                served = len(tally.all_latencies)
                if not warm:
                    after = server.cpu_by_role()
                    costs[route] = {
                        role: (after[role] - before[role]) / served * 1e6
                        for role in after
                    }
    finally:
        mixed_load.MIX.clear()
        mixed_load.MIX.update(mix)
    return costs


async def main(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="jobmatch-routes-"))
    print(f"seeding 3000 jobs, 3000 candidates, 3000 applications in {work} ...")
    seeded = await mixed_load.seed(
        work / "store.sqlite3",
        jobs=3000,
        users=3000,
        applications=3000,
        rng=random.Random(8),
    )
    mixed_load.export_documents(work / "store.sqlite3", work / "documents.json")
    env = mixed_load.server_environment(work)
    sides = {
        "baseline": mixed_load.Server(
            "baseline",
            [
                sys.executable,
                mixed_load.__file__,
                "--serve-baseline",
                str(work / "documents.json"),
            ],
            env,
            work / "baseline.log",
        ),
        "project": mixed_load.Server(
            "project",
            [sys.executable, "-m", "app", "serve"],
            env,
            work / "project.log",
        ),
    }
    figures: dict[str, dict[str, dict[str, float]]] = {}
    try:
        for name, server in sides.items():
            await server.start()
            figures[name] = await _route_costs(
                server, seeded, args.requests, work / "queue.sqlite3"
            )
            server.stop()
    finally:
        for server in sides.values():
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"server CPU per request (us), {_CLIENTS} clients, {args.requests} requests")
    print(
        f"{'route':18} {'baseline':>9} {'project':>9} {'ratio':>6}"
        f"  (project: {'api':>5} + {'worker':>6})"
    )
    totals = {
        name: {route: sum(roles.values()) for route, roles in costs.items()}
        for name, costs in figures.items()
    }
    for route in ROUTES:
        base, project = totals["baseline"][route], totals["project"][route]
        roles = figures["project"][route]
        print(
            f"{route:18} {base:9.0f} {project:9.0f} {project / base:6.2f}"
            f"  ({roles['api']:14.0f} + {roles['worker']:6.0f})"
        )
    weights = mixed_load.MIX
    # "apply" is two requests in the mix.
    share = {r: w * (2 if r == "apply" else 1) for r, w in weights.items()}
    total = sum(share.values())
    mixed = {
        name: sum(costs[r] * share[r] for r in ROUTES) / total
        for name, costs in totals.items()
    }
    print(
        f"{'mixed (weighted)':18} {mixed['baseline']:9.0f} {mixed['project']:9.0f}"
        f" {mixed['project'] / mixed['baseline']:6.2f}"
    )
    return {
        "bench": "route_costs",
        "clients": _CLIENTS,
        "requests": args.requests,
        "cpu_us_per_request": {
            name: {route: round(cost) for route, cost in costs.items()}
            for name, costs in totals.items()
        },
        "project_cpu_us_per_request_by_role": {
            route: {role: round(cost) for role, cost in roles.items()}
            for route, roles in figures["project"].items()
        },
        "mixed_cpu_us_per_request": {k: round(v) for k, v in mixed.items()},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per route and side")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
