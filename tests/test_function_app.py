"""The Function App as the Functions host runs it: registered functions, called with
azure.functions' own request, timer and queue types."""

from __future__ import annotations

import base64
import importlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import azure.functions as func
import pytest
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest
from azure.storage.queue.aio import QueueClient

from app.storage.embedded import EmbeddedStore
from app.tasks.messages import TASK_QUEUE_NAME, decode_message
from tests.mail_support import SmtpServer
from tests.queue_support import Azurite

pytestmark = pytest.mark.anyio

HOST_JSON = json.loads((Path(__file__).parents[1] / "host.json").read_text())


@pytest.fixture(scope="module")
async def function_app(
    tmp_path_factory: pytest.TempPathFactory, azurite: Azurite, smtp_server: SmtpServer
) -> AsyncIterator[ModuleType]:
    """Import function_app.py as the host does: its own store, Azurite as
    AzureWebJobsStorage, and email through a real SMTP server.

    An async fixture of module scope keeps one event loop for the module's tests, as
    the Functions worker keeps one for its life: the app's clients are bound to it.
    """
    data = tmp_path_factory.mktemp("function-app")
    env = {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": azurite.connection_string,
        "STORAGE_BACKEND": "embedded",
        "EMBEDDED_STORE_PATH": str(data / "store.sqlite3"),
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_SECURITY": "none",
        "API_KEY": "",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    sys.modules.pop("function_app", None)
    try:
        module = importlib.import_module("function_app")
        yield module
        await module.runtime.aclose()
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
    async def test_registers_the_http_timer_and_queue_functions(
        self, function_app: ModuleType
    ):
        names = set(_indexed(function_app))

        assert names == {
            "http_app_func",
            "nightly_recommendations",
            "background_tasks",
            "poison_tasks",
        }

    async def test_the_http_trigger_is_anonymous_and_catches_every_route(
        self, function_app: ModuleType
    ):
        http = _indexed(function_app)["http_app_func"]

        trigger = json.loads(http.get_function_json())["bindings"][0]

        assert trigger["route"] == "/{*route}"
        assert trigger["authLevel"] == "ANONYMOUS"

    def test_host_json_keeps_the_route_prefix_empty(self):
        assert HOST_JSON["extensions"]["http"]["routePrefix"] == ""


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


async def _created(module: ModuleType, path: str, body: dict[str, Any]) -> Any:
    response = await _call(module, "POST", path, body)
    assert response.status_code in (201, 202), response.get_body()
    return json.loads(response.get_body())["data"]


async def _take_from_azurite(
    azurite: Azurite, queue_name: str = TASK_QUEUE_NAME
) -> list[QueueMessage]:
    """Take every message as the Functions host does: receive, base64-decode (host.json
    messageEncoding), wrap in the worker's QueueMessage."""
    assert HOST_JSON["extensions"]["queues"]["messageEncoding"] == "base64"
    taken = []
    async with QueueClient.from_connection_string(
        azurite.connection_string, queue_name
    ) as client:
        async for raw in client.receive_messages(max_messages=32):
            taken.append(
                QueueMessage(
                    id=raw.id,
                    body=base64.b64decode(raw.content, validate=True),
                    dequeue_count=raw.dequeue_count,
                )
            )
            await client.delete_message(raw)
    return taken


async def _deliver(module: ModuleType, messages: list[QueueMessage]) -> None:
    for message in messages:
        await _function(module, "background_tasks")(message)


class TestQueueTrigger:
    async def test_an_application_is_scored_and_confirmed_once_via_azure_queue(
        self, function_app: ModuleType, azurite: Azurite, smtp_server: SmtpServer
    ):
        user = await _created(
            function_app,
            "/api/users",
            {"name": "Grace", "email": "grace@example.com", "skills": ["SQL"]},
        )
        job = await _created(
            function_app,
            "/api/jobs",
            {
                "company_id": "contoso",
                "title": "Analyst",
                "skills": ["SQL"],
                "remote": True,
            },
        )
        submitted = await _created(
            function_app,
            "/api/applications",
            {"user_id": user["user_id"], "job_id": job["job_id"]},
        )
        messages = await _take_from_azurite(azurite)

        await _deliver(function_app, messages)

        path = f"/api/applications/{user['user_id']}/{submitted['application_id']}"
        scored = json.loads((await _call(function_app, "GET", path)).get_body())["data"]
        assert scored["match_score"] == 100.0
        assert scored["confirmation_sent_at"] is not None
        assert scored["processing_status"] == "processed"
        assert submitted["processing_status"] == "received"
        to_grace = [m for m in smtp_server.mailbox.messages if m["To"] == user["email"]]
        assert len(to_grace) == 1
        assert "Analyst" in to_grace[0]["Subject"]

    async def test_a_redelivered_message_changes_nothing(
        self, function_app: ModuleType, azurite: Azurite, smtp_server: SmtpServer
    ):
        user = await _created(
            function_app,
            "/api/users",
            {"name": "Hedy", "email": "hedy@example.com", "skills": ["Radio"]},
        )
        job = await _created(
            function_app, "/api/jobs", {"company_id": "contoso", "title": "Engineer"}
        )
        submitted = await _created(
            function_app,
            "/api/applications",
            {"user_id": user["user_id"], "job_id": job["job_id"]},
        )
        messages = await _take_from_azurite(azurite)
        await _deliver(function_app, messages)
        path = f"/api/applications/{user['user_id']}/{submitted['application_id']}"
        before = await _call(function_app, "GET", path)

        await _deliver(function_app, messages)

        after = await _call(function_app, "GET", path)
        assert after.headers["etag"] == before.headers["etag"]
        to_hedy = [m for m in smtp_server.mailbox.messages if m["To"] == user["email"]]
        assert len(to_hedy) == 1

    async def test_api_messages_are_base64_as_the_trigger_expects(
        self, function_app: ModuleType, azurite: Azurite
    ):
        await _created(
            function_app,
            "/api/users",
            {"name": "Alan", "email": "alan@example.com", "skills": ["Maths"]},
        )

        async with QueueClient.from_connection_string(
            azurite.connection_string, TASK_QUEUE_NAME
        ) as client:
            raw = [m async for m in client.receive_messages(max_messages=32)]
            for message in raw:
                await client.delete_message(message)

        bodies = [
            decode_message(base64.b64decode(m.content, validate=True)) for m in raw
        ]
        assert [b.type for b in bodies] == ["candidate.changed"]


class TestPoisonTrigger:
    async def test_a_poison_message_is_kept_listed_and_requeued(
        self, function_app: ModuleType, azurite: Azurite
    ):
        poisoned = QueueMessage(
            id="poisoned-1", body=b'{"type": "no.such.task"}', dequeue_count=5
        )

        await _function(function_app, "poison_tasks")(poisoned)

        listed = json.loads(
            (await _call(function_app, "GET", "/api/admin/poison-messages")).get_body()
        )["data"]
        assert [(m["message_id"], m["dequeue_count"]) for m in listed] == [
            ("poisoned-1", 5)
        ]
        requeue = await _call(
            function_app, "POST", "/api/admin/poison-messages/poisoned-1/requeue"
        )
        assert requeue.status_code == 204
        back = await _take_from_azurite(azurite)
        assert [m.get_body() for m in back] == [b'{"type": "no.such.task"}']
        remaining = json.loads(
            (await _call(function_app, "GET", "/api/admin/poison-messages")).get_body()
        )
        assert remaining["count"] == 0


class TestTimerTrigger:
    async def test_the_timer_plans_the_run_and_the_queue_trigger_scores_it(
        self, function_app: ModuleType, azurite: Azurite
    ):
        user = await _created(
            function_app,
            "/api/users",
            {"name": "Linus", "email": "linus@example.com", "skills": ["C"]},
        )
        await _created(
            function_app,
            "/api/jobs",
            {
                "company_id": "contoso",
                "title": "Kernel",
                "skills": ["C"],
                "remote": True,
            },
        )
        await _take_from_azurite(azurite)  # the candidate's own recompute

        await _function(function_app, "nightly_recommendations")(
            TimerRequest(past_due=False)
        )
        messages = await _take_from_azurite(azurite)
        await _deliver(function_app, messages)

        assert [decode_message(m.get_body()).type for m in messages] == [
            "recommendations.shard"
        ]
        response = await _call(
            function_app, "GET", f"/api/recommendations/{user['user_id']}"
        )
        assert json.loads(response.get_body())["data"][0]["job_title"] == "Kernel"

    async def test_a_second_firing_the_same_night_sends_nothing(
        self, function_app: ModuleType, azurite: Azurite
    ):
        timer = _function(function_app, "nightly_recommendations")
        await timer(TimerRequest(past_due=False))
        await _deliver(function_app, await _take_from_azurite(azurite))

        await timer(TimerRequest(past_due=True))

        assert await _take_from_azurite(azurite) == []
