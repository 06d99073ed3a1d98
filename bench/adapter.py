"""Per-request cost through the Functions adapter: a read by id against a trivial route.

Run from the repository root:

    python bench/adapter.py                # 20 rounds of 500 requests each
    python bench/adapter.py --rounds 40 --requests 1000

Both sides go through `azure.functions.AsgiMiddleware.handle_async` with an
`azure.functions.HttpRequest`, as the Python worker calls the HTTP trigger, in one
process and alternating round by round so that machine noise hits both alike:

- baseline: a bare FastAPI app whose one route returns a constant JSON body;
- project: `GET /api/jobs/{job_id}` of the real app on the embedded store (a job seeded
  first), with its middleware, authentication (an API key) and validation.

Target: the project's median at most 2x the baseline's. The last line printed is one
JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import azure.functions as func
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.api import create_app
from app.config import Settings
from app.runtime import Runtime

API_KEY = "bench-key"


def _baseline_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/constant")
    async def constant() -> dict[str, Any]:
        return {"status": "success", "data": {"answer": 42}}

    return app


def _request(path: str) -> func.HttpRequest:
    return func.HttpRequest(
        method="GET",
        url=f"http://localhost:7071{path}",
        headers={"x-api-key": API_KEY},
        body=b"",
        route_params={"route": path.lstrip("/")},
    )


async def _round(
    middleware: func.AsgiMiddleware, request: func.HttpRequest, count: int
) -> float:
    """Mean microseconds per request over `count` sequential requests."""
    started = time.perf_counter()
    for _ in range(count):
        response = await middleware.handle_async(request)
        if response.status_code != 200:
            raise RuntimeError(
                f"unexpected {response.status_code}: {response.get_body()!r}"
            )
    return (time.perf_counter() - started) / count * 1e6


async def main(rounds: int, requests: int) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="jobmatch-bench-"))
    runtime = Runtime(
        Settings(
            embedded_store_path=data / "store.sqlite3",
            local_queue_path=data / "queue.sqlite3",
            email_outbox_path=data / "outbox",
            task_queue="local",
            api_key=API_KEY,
            rate_limit_per_minute=0,
        )
    )
    project = func.AsgiMiddleware(create_app(runtime))
    baseline = func.AsgiMiddleware(_baseline_app())
    created = await project.handle_async(
        func.HttpRequest(
            method="POST",
            url="http://localhost:7071/api/jobs",
            headers={"x-api-key": API_KEY, "content-type": "application/json"},
            body=json.dumps(
                {
                    "company_id": "acme",
                    "title": "Backend engineer",
                    "skills": ["Python", "Kubernetes"],
                    "location": "Boston",
                }
            ).encode(),
            route_params={"route": "api/jobs"},
        )
    )
    job_id = json.loads(created.get_body())["data"]["job_id"]
    project_request = _request(f"/api/jobs/{job_id}")
    baseline_request = _request("/api/constant")

    # Warm both: first-call costs (route compilation, imports) are not per request.
    await _round(project, project_request, 50)
    await _round(baseline, baseline_request, 50)
    project_us, baseline_us = [], []
    for _ in range(rounds):
        baseline_us.append(await _round(baseline, baseline_request, requests))
        project_us.append(await _round(project, project_request, requests))
    await runtime.aclose()

    figures = {
        "baseline_us": round(statistics.median(baseline_us), 1),
        "project_us": round(statistics.median(project_us), 1),
    }
    figures["ratio"] = round(figures["project_us"] / figures["baseline_us"], 2)
    figures["target_ratio"] = 2.0
    figures["rounds"] = rounds
    figures["requests_per_round"] = requests
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    result = asyncio.run(main(args.rounds, args.requests))
    print(f"baseline (constant route): {result['baseline_us']:8.1f} us/request")
    print(f"project (GET job by id):   {result['project_us']:8.1f} us/request")
    print(f"ratio: {result['ratio']:.2f} (target <= {result['target_ratio']})")
    print(json.dumps(result))
