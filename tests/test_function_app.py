"""The Function App as the Functions host runs it: registered functions, called with
azure.functions' own request, timer and queue types."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from app.storage.embedded import EmbeddedStore
from app.tasks.queue import LocalQueue

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def function_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Import function_app.py as the host does, on its own fresh store."""
    data = tmp_path_factory.mktemp("function-app")
    env = {
        "STORAGE_BACKEND": "embedded",
        "EMBEDDED_STORE_PATH": str(data / "store.sqlite3"),
        "LOCAL_QUEUE_PATH": str(data / "queue.sqlite3"),
        "API_KEY": "",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    sys.modules.pop("function_app", None)
    try:
        yield importlib.import_module("function_app")
    finally:
        sys.modules.pop("function_app", None)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_INDEXED: dict[int, dict[str, Any]] = {}


def _indexed(module: ModuleType) -> dict[str, Any]:
    """What the host indexes; get_functions() may run only once per app object."""
    key = id(module.app)
    if key not in _INDEXED:
        _INDEXED[key] = {f.get_function_name(): f for f in module.app.get_functions()}
    return _INDEXED[key]


def _function(module: ModuleType, name: str) -> Callable[..., Any]:
    return _indexed(module)[name].get_user_function()


async def _call(
    module: ModuleType, method: str, path: str, body: Any = None, **params: str
) -> func.HttpResponse:
    request = func.HttpRequest(
        method=method,
        # The host passes the full URL, query string included.
        url=f"http://localhost:7071{path}"
        + (f"?{urlencode(params)}" if params else ""),
        headers={"content-type": "application/json"},
        params=params,
        route_params={"route": path.lstrip("/")},
        body=b"" if body is None else json.dumps(body).encode(),
    )
    return await _function(module, "http_app_func")(request, None)


class TestIndexing:
    def test_registers_the_http_timer_and_queue_functions(
        self, function_app: ModuleType
    ):
        names = set(_indexed(function_app))

        assert names == {"http_app_func", "nightly_recommendations", "background_tasks"}

    def test_the_http_trigger_is_anonymous_and_catches_every_route(
        self, function_app: ModuleType
    ):
        http = _indexed(function_app)["http_app_func"]

        trigger = json.loads(http.get_function_json())["bindings"][0]

        assert trigger["route"] == "/{*route}"
        assert trigger["authLevel"] == "ANONYMOUS"

    def test_host_json_keeps_the_route_prefix_empty(self):
        host = json.loads(Path("host.json").read_text())

        assert host["extensions"]["http"]["routePrefix"] == ""


class TestHttpTrigger:
    async def test_serves_health_under_api(self, function_app: ModuleType):
        response = await _call(function_app, "GET", "/api/health")

        assert response.status_code == 200
        assert json.loads(response.get_body())["status"] == "ok"

    async def test_serves_the_api_docs(self, function_app: ModuleType):
        docs = await _call(function_app, "GET", "/api/docs")
        schema = await _call(function_app, "GET", "/api/openapi.json")

        assert docs.status_code == 200
        assert b"swagger" in docs.get_body().lower()
        assert "/api/jobs" in json.loads(schema.get_body())["paths"]

    async def test_a_job_round_trip(self, function_app: ModuleType):
        created = await _call(
            function_app,
            "POST",
            "/api/jobs",
            {"company_id": "contoso", "title": "Data engineer", "skills": ["SQL"]},
        )
        job_id = json.loads(created.get_body())["data"]["job_id"]

        read = await _call(function_app, "GET", f"/api/jobs/{job_id}")

        assert created.status_code == 201
        assert json.loads(read.get_body())["data"]["title"] == "Data engineer"

    async def test_list_query_parameters_reach_fastapi(self, function_app: ModuleType):
        await _call(
            function_app,
            "POST",
            "/api/jobs",
            {"company_id": "fabrikam", "title": "Designer", "skills": ["Figma"]},
        )

        response = await _call(function_app, "GET", "/api/jobs", skill="figma")

        titles = [j["title"] for j in json.loads(response.get_body())["data"]]
        assert titles == ["Designer"]

    async def test_an_unknown_route_is_404_in_the_error_shape(
        self, function_app: ModuleType
    ):
        response = await _call(function_app, "GET", "/api/nothing-here")

        assert response.status_code == 404
        assert json.loads(response.get_body())["status"] == "error"

    async def test_an_unexpected_error_is_a_bare_500(
        self, function_app: ModuleType, monkeypatch: pytest.MonkeyPatch
    ):
        async def broken_read(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("secret connection string leaked")

        monkeypatch.setattr(EmbeddedStore, "read", broken_read)

        response = await _call(function_app, "GET", "/api/jobs/acme:anything")

        assert response.status_code == 500
        body = json.loads(response.get_body())
        assert body == {
            "status": "error",
            "error": {
                "code": "internal_error",
                "message": "An unexpected error occurred.",
                "details": [],
            },
        }


class TestQueueAndTimerTriggers:
    async def test_the_queue_trigger_scores_an_application(
        self, function_app: ModuleType
    ):
        user = json.loads(
            (
                await _call(
                    function_app,
                    "POST",
                    "/api/users",
                    {"name": "Grace", "email": "grace@example.com", "skills": ["SQL"]},
                )
            ).get_body()
        )["data"]
        job = json.loads(
            (
                await _call(
                    function_app,
                    "POST",
                    "/api/jobs",
                    {
                        "company_id": "contoso",
                        "title": "Analyst",
                        "skills": ["SQL"],
                        "remote": True,
                    },
                )
            ).get_body()
        )["data"]
        submitted = json.loads(
            (
                await _call(
                    function_app,
                    "POST",
                    "/api/applications",
                    {"user_id": user["user_id"], "job_id": job["job_id"]},
                )
            ).get_body()
        )["data"]
        queue = function_app.runtime.queue
        assert isinstance(queue, LocalQueue)
        bodies = []
        while (received := queue.receive()) is not None:
            bodies.append(received.body)
            queue.delete(received)

        for body in bodies:
            await _function(function_app, "background_tasks")(
                func.QueueMessage(body=body.encode())
            )

        path = f"/api/applications/{user['user_id']}/{submitted['application_id']}"
        scored = json.loads((await _call(function_app, "GET", path)).get_body())["data"]
        assert scored["match_score"] == 100.0

    async def test_the_timer_trigger_stores_recommendations(
        self, function_app: ModuleType
    ):
        user = json.loads(
            (
                await _call(
                    function_app,
                    "POST",
                    "/api/users",
                    {"name": "Linus", "email": "linus@example.com", "skills": ["C"]},
                )
            ).get_body()
        )["data"]
        await _call(
            function_app,
            "POST",
            "/api/jobs",
            {
                "company_id": "contoso",
                "title": "Kernel",
                "skills": ["C"],
                "remote": True,
            },
        )

        await _function(function_app, "nightly_recommendations")(
            TimerRequest(past_due=False)
        )

        response = await _call(
            function_app, "GET", f"/api/recommendations/{user['user_id']}"
        )
        assert json.loads(response.get_body())["data"][0]["job_title"] == "Kernel"
