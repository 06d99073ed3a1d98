"""What each queue message does. Every handler may run more than once for one
message."""

from __future__ import annotations

import logging

from app.errors import NotFoundError
from app.runtime import Runtime
from app.services.applications import score_application
from app.services.recommendations import recompute_for_user
from app.tasks.messages import ApplicationSubmitted, CandidateChanged, decode_message

logger = logging.getLogger(__name__)


async def handle_message(body: str | bytes, runtime: Runtime) -> None:
    """Decode and run one message; raising makes the queue deliver it again."""
    message = decode_message(body)
    match message:
        case ApplicationSubmitted():
            try:
                application = await score_application(
                    runtime.store,
                    user_id=message.user_id,
                    application_id=message.application_id,
                )
            except NotFoundError:
                # The application, candidate or job was deleted after submission.
                logger.info(
                    "tasks.application.gone",
                    extra={"application_id": message.application_id},
                )
                return
            logger.info(
                "tasks.application.scored",
                extra={
                    "application_id": application.application_id,
                    "match_score": application.match_score,
                },
            )
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
