from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.logs import install_correlation
from app.observability import warn_if_open
from app.runtime import Runtime
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain
from tests.factories import create_user

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _correlated() -> None:
    install_correlation()


class TestCorrelation:
    async def test_a_request_is_logged_under_its_request_id(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ):
        caplog.set_level(logging.INFO)

        response = await client.get("/api/health", headers={"X-Request-ID": "req-42"})

        assert response.headers["x-request-id"] == "req-42"
        (record,) = [r for r in caplog.records if r.getMessage() == "http.request"]
        assert record.correlation_id == "req-42"  # type: ignore[attr-defined]
        assert record.status == 200  # type: ignore[attr-defined]
        assert hasattr(record, "request_charge")

    async def test_an_unsafe_request_id_is_replaced(self, client: httpx.AsyncClient):
        response = await client.get("/api/health", headers={"X-Request-ID": "a b\tc"})

        assert response.headers["x-request-id"] != "a b\tc"

    async def test_a_queue_message_is_logged_under_its_message_id(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        queue: LocalQueue,
        caplog: pytest.LogCaptureFixture,
    ):
        await create_user(client)
        caplog.set_level(logging.INFO)

        await drain(queue, runtime)

        (done,) = [r for r in caplog.records if r.getMessage() == "tasks.message.done"]
        inner = [
            r for r in caplog.records if r.getMessage() == "tasks.candidate.recomputed"
        ]
        assert done.correlation_id == inner[0].correlation_id  # type: ignore[attr-defined]
        assert {"correlation_id", "request_charge"} <= set(vars(done))


class TestOpenAccessWarning:
    def test_an_open_api_says_so(
        self, settings: Settings, caplog: pytest.LogCaptureFixture
    ):
        warn_if_open(settings)

        assert [r.getMessage() for r in caplog.records] == ["auth.open_access"]

    def test_an_api_with_a_key_says_nothing(
        self, settings: Settings, caplog: pytest.LogCaptureFixture
    ):
        warn_if_open(settings.model_copy(update={"api_key": SecretStr("k" * 32)}))

        assert caplog.records == []
