"""Messages that failed every delivery: kept, listed, and requeued by an admin."""

from __future__ import annotations

import contextlib

from app.errors import NotFoundError
from app.models.common import utc_now
from app.models.imports import PoisonMessageRead
from app.storage import DocumentStore, ItemNotFoundError, Query
from app.storage.containers import POISON_MESSAGES
from app.tasks.queue import TaskQueue

_OLDEST_FIRST = Query(order_by="recorded_at")


async def record_poison(
    store: DocumentStore,
    *,
    queue_name: str,
    message_id: str,
    body: str,
    dequeue_count: int,
) -> None:
    """Keep a poison message; recording the same message twice keeps one copy."""
    record = PoisonMessageRead(
        message_id=message_id,
        queue_name=queue_name,
        body=body,
        dequeue_count=dequeue_count,
        recorded_at=utc_now(),
    )
    await store.upsert(
        POISON_MESSAGES, {"id": message_id, **record.model_dump(mode="json")}
    )


async def list_poison(
    store: DocumentStore, *, queue_name: str, limit: int, continuation: str | None
) -> tuple[list[PoisonMessageRead], str | None]:
    page = await store.query(
        POISON_MESSAGES,
        _OLDEST_FIRST,
        partition_key=queue_name,
        limit=limit,
        continuation=continuation,
    )
    return [PoisonMessageRead.model_validate(i) for i in page.items], page.continuation


async def requeue_poison(
    store: DocumentStore, queue: TaskQueue, *, queue_name: str, message_id: str
) -> None:
    """Send the message to its queue again, then forget it.

    If this stops between the two steps the message is sent once more on the next
    requeue; every handler tolerates a repeated message.
    """
    try:
        document = await store.read(
            POISON_MESSAGES, partition_key=queue_name, item_id=message_id
        )
    except ItemNotFoundError:
        raise NotFoundError(f"Poison message {message_id!r} was not found.") from None
    await queue.send_raw(document["body"])
    # Gone already if another call requeued it concurrently.
    with contextlib.suppress(ItemNotFoundError):
        await store.delete(
            POISON_MESSAGES, partition_key=queue_name, item_id=message_id
        )
