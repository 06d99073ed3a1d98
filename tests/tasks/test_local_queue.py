from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.runtime import Runtime
from app.tasks.messages import ApplicationSubmitted, decode_message
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain, process_one
from tests.factories import apply, create_job, create_user

pytestmark = pytest.mark.anyio


class TestDelivery:
    def test_a_received_message_is_hidden_until_its_timeout(self, tmp_path: Path):
        queue = LocalQueue(tmp_path / "q.sqlite3", visibility_timeout=60)
        queue.put("hello")

        first = queue.receive()
        second = queue.receive()

        assert first is not None and first.body == "hello"
        assert second is None

    def test_an_unacknowledged_message_is_delivered_again(self, tmp_path: Path):
        queue = LocalQueue(tmp_path / "q.sqlite3", visibility_timeout=0)
        queue.put("hello")
        first = queue.receive()

        again = queue.receive()

        assert first is not None and again is not None
        assert again.message_id == first.message_id
        assert again.dequeue_count == 2

    def test_a_stale_receipt_cannot_delete_a_redelivered_message(self, tmp_path: Path):
        queue = LocalQueue(tmp_path / "q.sqlite3", visibility_timeout=0)
        queue.put("hello")
        stale = queue.receive()
        queue.receive()
        assert stale is not None

        queue.delete(stale)

        assert queue.pending() == 1

    def test_messages_survive_a_restart(self, tmp_path: Path):
        path = tmp_path / "q.sqlite3"
        queue = LocalQueue(path, visibility_timeout=0)
        queue.put("in flight")
        queue.receive()

        reopened = LocalQueue(path, visibility_timeout=0)

        received = reopened.receive()
        assert received is not None and received.body == "in flight"


class TestPoison:
    async def test_a_failing_message_is_poisoned_after_max_deliveries(
        self, tmp_path: Path, runtime: Runtime
    ):
        queue = LocalQueue(
            tmp_path / "q.sqlite3", visibility_timeout=0, max_dequeue_count=3
        )
        queue.put('{"type": "no.such.task"}')

        for _ in range(3):
            received = await process_one(queue, runtime)
            assert received is not None
            queue.release(received, delay=0)  # skip the back-off in the test
        leftover = await process_one(queue, runtime)

        assert leftover is None
        assert queue.pending() == 0
        (poisoned,) = queue.poison()
        assert poisoned.dequeue_count == 3

    async def test_the_worker_keeps_poison_for_an_admin_to_requeue(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        queue.put('{"type": "no.such.task"}')
        for _ in range(queue.max_dequeue_count):
            received = await process_one(queue, runtime)
            assert received is not None
            queue.release(received, delay=0)  # skip the back-off in the test

        await drain(queue, runtime)

        listed = (await client.get("/api/admin/poison-messages")).json()["data"]
        assert [m["body"] for m in listed] == ['{"type": "no.such.task"}']
        assert queue.poison() == []
        response = await client.post(
            f"/api/admin/poison-messages/{listed[0]['message_id']}/requeue"
        )
        assert response.status_code == 204
        assert queue.pending() == 1
        assert (await client.get("/api/admin/poison-messages")).json()["count"] == 0

    async def test_requeueing_an_unknown_message_is_404(
        self, client: httpx.AsyncClient
    ):
        response = await client.post("/api/admin/poison-messages/nope/requeue")

        assert response.status_code == 404


class TestRestart:
    async def test_messages_in_flight_when_the_worker_stopped_are_processed(
        self, client: httpx.AsyncClient, settings: Settings, tmp_path: Path
    ):
        await create_job(client)
        await create_user(client)
        stopped = LocalQueue(settings.local_queue_path, visibility_timeout=0.2)
        in_flight = stopped.receive()  # taken, never finished: the worker died here
        assert in_flight is not None
        await stopped.close()
        await asyncio.sleep(0.3)

        restarted = Runtime(settings)
        try:
            handled = await drain(restarted.queue, restarted)  # type: ignore[arg-type]
        finally:
            await restarted.aclose()

        assert handled == 1


class TestApplicationMessages:
    async def test_submitting_sends_one_message_with_ids_only(
        self, client: httpx.AsyncClient, queue: LocalQueue
    ):
        user = await create_user(client)
        job = await create_job(client)
        while (received := queue.receive()) is not None:
            queue.delete(received)

        response = await apply(client, user["user_id"], job["job_id"])

        received = queue.receive()
        assert received is not None
        message = decode_message(received.body)
        assert message == ApplicationSubmitted(
            user_id=user["user_id"],
            application_id=response.json()["data"]["application_id"],
        )

    async def test_a_redelivered_message_changes_nothing(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        user = await create_user(client)
        job = await create_job(client)
        application = (await apply(client, user["user_id"], job["job_id"])).json()[
            "data"
        ]
        await drain(queue, runtime)
        url = f"/api/applications/{user['user_id']}/{application['application_id']}"
        before = await client.get(url)
        message = ApplicationSubmitted(
            user_id=user["user_id"], application_id=application["application_id"]
        )
        queue.put(message.model_dump_json())

        await drain(queue, runtime)

        after = await client.get(url)
        assert after.headers["etag"] == before.headers["etag"]
        assert after.json() == before.json()

    async def test_a_message_for_a_deleted_application_is_done(
        self, client: httpx.AsyncClient, runtime: Runtime, queue: LocalQueue
    ):
        user = await create_user(client)
        job = await create_job(client)
        await apply(client, user["user_id"], job["job_id"])
        await client.delete(f"/api/users/{user['user_id']}")

        await drain(queue, runtime)

        assert queue.pending() == 0
        assert queue.poison() == []
