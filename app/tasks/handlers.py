"""What each queue message does; any handler may run more than once per message."""

from __future__ import annotations

import logging
import uuid

from app.errors import NotFoundError
from app.logs import correlation
from app.runtime import Runtime
from app.services.applications import process_application
from app.services.imports import process_import_chunk
from app.services.poison import record_poison
from app.services.recommendations import recompute_for_user, score_shard
from app.storage.charges import charge_scope
from app.tasks.messages import (
    AnyMessage,
    ApplicationSubmitted,
    CandidateChanged,
    JobImportChunk,
    RecommendationShard,
    decode_message,
)

logger = logging.getLogger(__name__)


async def handle_message(
    body: str | bytes, runtime: Runtime, *, message_id: str | None = None
) -> None:
    """Decode and run one message; raising makes the queue deliver it again."""
    with correlation(message_id or uuid.uuid4().hex), charge_scope() as charge:
        message = decode_message(body)
        await _dispatch(message, runtime)
        logger.info(
            "tasks.message.done",
            extra={
                "type": message.type,
                "request_charge": round(charge.total, 2),
                "store_calls": charge.responses,
            },
        )


async def _dispatch(message: AnyMessage, runtime: Runtime) -> None:
    match message:
        case ApplicationSubmitted():
            await _application_submitted(message, runtime)
        case CandidateChanged():
            stats = await recompute_for_user(
                runtime.store,
                message.user_id,
                top_k=runtime.settings.recommendations_per_candidate,
            )
            logger.info(
                "tasks.candidate.recomputed",
                extra={
                    "user_id": message.user_id,
                    "written": stats.written,
                    "deleted": stats.deleted,
                },
            )
        case RecommendationShard():
            scored = await score_shard(
                runtime.store, run_id=message.run_id, shard=message.shard
            )
            logger.info(
                "recommendations.shard.done",
                extra={
                    "run_id": message.run_id,
                    "shard": message.shard,
                    # None: an earlier delivery finished it, or the run is gone.
                    "skipped": scored is None,
                    "candidates": scored.candidates if scored else 0,
                    "written": scored.written if scored else 0,
                    "deleted": scored.deleted if scored else 0,
                },
            )
        case JobImportChunk():
            await process_import_chunk(
                runtime.store, import_id=message.import_id, chunk=message.chunk
            )
            logger.info(
                "tasks.import.chunk_done",
                extra={"import_id": message.import_id, "chunk": message.chunk},
            )


async def _application_submitted(
    message: ApplicationSubmitted, runtime: Runtime
) -> None:
    ids = {"user_id": message.user_id, "application_id": message.application_id}
    try:
        application, sent = await process_application(
            runtime.store, runtime.email, **ids
        )
    except NotFoundError:
        # The application, candidate or job was deleted after submission.
        logger.info("tasks.application.gone", extra=ids)
        return
    logger.info(
        "tasks.application.processed",
        extra={**ids, "match_score": application.match_score, "email_sent": sent},
    )


async def handle_poison(
    *, queue_name: str, message_id: str, body: str, dequeue_count: int, runtime: Runtime
) -> None:
    """Keep a message that failed every delivery where an admin can requeue it."""
    await record_poison(
        runtime.store,
        queue_name=queue_name,
        message_id=message_id,
        body=body,
        dequeue_count=dequeue_count,
    )
    logger.warning(
        "tasks.poisoned",
        extra={
            "queue_name": queue_name,
            "message_id": message_id,
            "dequeue_count": dequeue_count,
        },
    )
