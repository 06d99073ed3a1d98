from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.runtime import Runtime
from app.tasks.messages import ApplicationSubmitted, decode_message
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain, process_one
from tests.factories import apply, create_job, create_user

pytestmark = pytest.mark.anyio


class TestDelivery:
    def test_a_received_message_is_hidden_until_its_timeout(self, tmp_path: Path):
        queue = LocalQueue(tmp_path / "q.sqlite3", visibility_timeout=60)
        queue.send_raw("hello")

        first = queue.receive()
        second = queue.receive()

        assert first is not None and first.body == "hello"
        assert second is None

    def test_an_unacknowledged_message_is_delivered_again(self, tmp_path: Path):
        queue = LocalQueue(tmp_path / "q.sqlite3", visibility_timeout=0)
        queue.send_raw("hello")
        first = queue.receive()

        again = queue.receive()

        assert first is not None and again is not None
        assert again.message_id == first.message_id
        assert again.dequeue_count == 2

    def test_a_stale_receipt_cannot_delete_a_redelivered_message(self, tmp_path: Path):
        queue = LocalQueue(tmp_path / "q.sqlite3", visibility_timeout=0)
        queue.send_raw("hello")
        stale = queue.receive()
        queue.receive()
        assert stale is not None

        queue.delete(stale)

        assert queue.pending() == 1

    def test_messages_survive_a_restart(self, tmp_path: Path):
        path = tmp_path / "q.sqlite3"
        queue = LocalQueue(path, visibility_timeout=0)
        queue.send_raw("in flight")
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
        queue.send_raw('{"type": "no.such.task"}')

        for _ in range(3):
            received = await process_one(queue, runtime)
            assert received is not None
            queue.release(received, delay=0)  # skip the back-off in the test
        leftover = await process_one(queue, runtime)

        assert leftover is None
        assert queue.pending() == 0
        (poisoned,) = queue.poison()
        assert poisoned.dequeue_count == 3

    def test_a_poison_message_can_be_requeued(self, tmp_path: Path):
        queue = LocalQueue(
            tmp_path / "q.sqlite3", visibility_timeout=0, max_dequeue_count=1
        )
        queue.send_raw("bad")
        queue.receive()
        queue.receive()
        (poisoned,) = queue.poison()

        requeued = queue.requeue_poison(poisoned.message_id)

        assert requeued
        assert queue.poison() == []
        received = queue.receive()
        assert received is not None and received.dequeue_count == 1


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
        queue.send_raw(message.model_dump_json())

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
