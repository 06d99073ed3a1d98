"""The in-process worker and scheduler of the local server.

They run the same handlers as the Function App's queue and timer triggers, under the
same
delivery rules, so local runs behave like Azure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from app.runtime import Runtime
from app.services.recommendations import run_recommendation_pass
from app.tasks.handlers import handle_message
from app.tasks.queue import LocalQueue, ReceivedMessage

logger = logging.getLogger(__name__)

_IDLE_POLL_SECONDS = 0.2
_MAX_RETRY_DELAY_SECONDS = 60.0


def retry_delay(dequeue_count: int) -> float:
    """Exponential back-off between deliveries of a failing message."""
    return min(2.0 ** (dequeue_count - 1), _MAX_RETRY_DELAY_SECONDS)


async def process_one(queue: LocalQueue, runtime: Runtime) -> ReceivedMessage | None:
    """Receive and handle one message; None when the queue has nothing visible."""
    received = queue.receive()
    if received is None:
        return None
    try:
        await handle_message(received.body, runtime)
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


async def drain(queue: LocalQueue, runtime: Runtime) -> int:
    """Handle messages until none is visible; returns how many deliveries ran."""
    handled = 0
    while await process_one(queue, runtime) is not None:
        handled += 1
    return handled


async def run_worker(queue: LocalQueue, runtime: Runtime, stop: asyncio.Event) -> None:
    while not stop.is_set():
        if await process_one(queue, runtime) is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=_IDLE_POLL_SECONDS)


async def run_pass(runtime: Runtime) -> None:
    """The nightly recommendation pass, as the timer trigger runs it."""
    stats = await run_recommendation_pass(
        runtime.store, top_k=runtime.settings.recommendations_per_candidate
    )
    logger.info(
        "recommendations.pass.done",
        extra={
            "candidates": stats.candidates,
            "jobs": stats.jobs,
            "written": stats.written,
            "deleted": stats.deleted,
        },
    )


async def run_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    """Fire the recommendation pass on RECOMMENDATION_SCHEDULE (six-field NCRONTAB,
    UTC)."""
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
            await run_pass(runtime)
        except Exception:
            # The next run retries; the server keeps serving.
            logger.exception("recommendations.pass.failed")
