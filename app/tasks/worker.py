"""The worker and scheduler of the local server (`python -m app worker`).

They run the same handlers as the Function App's queue and timer triggers, under the
same delivery rules, so local runs behave like Azure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from app.logs import correlation
from app.runtime import Runtime
from app.services.recommendations import run_recommendation_pass
from app.services.runs import RunProgress, scheduled_run_id, start_run
from app.storage.charges import charge_scope
from app.tasks.handlers import handle_message, handle_poison
from app.tasks.messages import TASK_QUEUE_NAME
from app.tasks.queue import LocalQueue, ReceivedMessage

logger = logging.getLogger(__name__)

_IDLE_POLL_SECONDS = 0.2
# Messages handled at once, as host.json's queues.batchSize has the Function App do.
BATCH_SIZE = 16
_MAX_RETRY_DELAY_SECONDS = 60.0
_PARENT_POLL_SECONDS = 1.0


def retry_delay(dequeue_count: int) -> float:
    """Exponential back-off between deliveries of a failing message."""
    return min(2.0 ** (dequeue_count - 1), _MAX_RETRY_DELAY_SECONDS)


async def process_one(queue: LocalQueue, runtime: Runtime) -> ReceivedMessage | None:
    """Receive and handle one message; None when the queue has nothing visible."""
    received = queue.receive()
    if received is None:
        return None
    try:
        await handle_message(received.body, runtime, message_id=received.message_id)
    except Exception:
        # Swallowed here on purpose: the queue delivers it again, then poisons it.
        logger.exception(
            "tasks.failed",
            extra={
                "message_id": received.message_id,
                "dequeue_count": received.dequeue_count,
            },
        )
        queue.release(received, delay=retry_delay(received.dequeue_count))
    else:
        queue.delete(received)
    return received


async def record_poisoned(queue: LocalQueue, runtime: Runtime) -> int:
    """Move the local queue's poison messages into the store, as the Function App's
    poison-queue trigger does in Azure."""
    moved = 0
    for poisoned in queue.poison():
        await handle_poison(
            queue_name=f"{TASK_QUEUE_NAME}-poison",
            message_id=poisoned.message_id,
            body=poisoned.body,
            dequeue_count=poisoned.dequeue_count,
            runtime=runtime,
        )
        queue.forget_poison(poisoned.message_id)
        moved += 1
    return moved


async def drain(queue: LocalQueue, runtime: Runtime) -> int:
    """Handle messages until none is visible; returns how many deliveries ran."""
    handled = 0
    while await process_one(queue, runtime) is not None:
        handled += 1
    await record_poisoned(queue, runtime)
    return handled


async def run_worker(queue: LocalQueue, runtime: Runtime, stop: asyncio.Event) -> None:
    """Handle messages until `stop`, up to `BATCH_SIZE` at once as the queue trigger
    does (host.json `batchSize`). The writes of concurrent messages share commits."""
    await asyncio.gather(
        *(_lane(queue, runtime, stop, first=n == 0) for n in range(BATCH_SIZE))
    )


async def _lane(
    queue: LocalQueue, runtime: Runtime, stop: asyncio.Event, *, first: bool
) -> None:
    while not stop.is_set():
        if await process_one(queue, runtime) is None:
            if first:  # one lane records the poison messages
                await record_poisoned(queue, runtime)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=_IDLE_POLL_SECONDS)
        else:
            # Let the other lanes (and, in tests, the server) run between messages.
            await asyncio.sleep(0)


async def run_pass(
    runtime: Runtime,
    *,
    run_id: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunProgress:
    """One recommendation run now, every shard scored in this process (the
    `recommend` command); `run_id` resumes a run planned before."""
    with correlation(uuid.uuid4().hex), charge_scope() as charge:
        progress = await run_recommendation_pass(
            runtime.store,
            top_k=runtime.settings.recommendations_per_candidate,
            run_id=run_id,
            on_progress=on_progress,
        )
        logger.info(
            "recommendations.pass.done",
            extra={
                "run_id": progress.run_id,
                "candidates": progress.candidates,
                "written": progress.written,
                "deleted": progress.deleted,
                "request_charge": round(charge.total, 2),
            },
        )
    return progress


async def start_nightly_run(runtime: Runtime, *, fired_at: datetime) -> RunProgress:
    """Plan the night's run and queue its shards, as the timer trigger does.

    The run is named after the UTC date of `fired_at`: a second firing that day finds
    it planned and sends nothing.
    """
    with correlation(uuid.uuid4().hex), charge_scope() as charge:
        progress = await start_run(
            runtime.store,
            runtime.queue,
            run_id=scheduled_run_id(fired_at),
            trigger="schedule",
            top_k=runtime.settings.recommendations_per_candidate,
        )
        logger.info(
            "recommendations.run.started",
            extra={
                "run_id": progress.run_id,
                "state": progress.state,
                "planned_shards": progress.planned_shards,
                "done_shards": progress.done_shards,
                "request_charge": round(charge.total, 2),
            },
        )
    return progress


async def run_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    """Start the night's recommendation run on RECOMMENDATION_SCHEDULE (six-field
    NCRONTAB, UTC)."""
    from croniter import croniter

    schedule = croniter(
        runtime.settings.recommendation_schedule,
        datetime.now(UTC),
        second_at_beginning=True,
    )
    while not stop.is_set():
        due: datetime = schedule.get_next(datetime)
        wait = (due - datetime.now(UTC)).total_seconds()
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(wait, 0))
            return
        except TimeoutError:
            pass
        try:
            # The worker (run_worker) scores the queued shards.
            await start_nightly_run(runtime, fired_at=due)
        except Exception:
            # The next run retries; the server keeps serving.
            logger.exception("recommendations.pass.failed")


async def watch_parent(parent_pid: int, stop: asyncio.Event) -> None:
    """Set `stop` once the process that started this one is gone (killed without a
    chance to stop its worker, its children are handed to another parent)."""
    while not stop.is_set():
        if os.getppid() != parent_pid:
            logger.warning("worker.orphaned", extra={"parent_pid": parent_pid})
            stop.set()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=_PARENT_POLL_SECONDS)
