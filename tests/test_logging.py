from __future__ import annotations

import logging

import httpx
import pytest

from app.logs import install_correlation
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
