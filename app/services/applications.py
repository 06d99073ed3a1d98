"""Applications: submit, list, read, move along the status path, score in the
background."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from app.errors import ConflictError, NotFoundError, ServiceUnavailableError
from app.matching.scoring import score_pair
from app.models.applications import (
    Application,
    ApplicationCreate,
    ApplicationStatusChange,
    StatusChange,
    transition_allowed,
)
from app.models.common import utc_now
from app.notifications import Email, EmailSender
from app.services.common import modify_item
from app.services.features import candidate_from, job_from
from app.services.jobs import get_job
from app.services.users import get_user
from app.storage import DocumentStore, Filter, ItemExistsError, ItemNotFoundError, Query
from app.storage.containers import APPLICATIONS
from app.tasks.messages import ApplicationSubmitted
from app.tasks.queue import TaskQueue

_ID_NAMESPACE = uuid.UUID("1b0d6f5e-3f0a-4c59-9a57-2f7e7f2f4a10")


def application_id_for(*, user_id: str, job_id: str) -> str:
    """One id per (candidate, job): a second application collides in the store
    itself."""
    return uuid.uuid5(_ID_NAMESPACE, f"{user_id}\n{job_id}").hex


async def submit_application(
    store: DocumentStore, queue: TaskQueue, data: ApplicationCreate
) -> Application:
    user = await get_user(store, data.user_id)
    job = await get_job(store, data.job_id)
    if job.status != "active":
        raise ConflictError(f"Job {job.job_id!r} is closed to applications.")

    now = utc_now()
    application_id = application_id_for(user_id=user.user_id, job_id=job.job_id)
    application = Application(
        id=application_id,
        application_id=application_id,
        user_id=user.user_id,
        job_id=job.job_id,
        company_id=job.company_id,
        job_title=job.title,
        cover_letter=data.cover_letter,
        status="submitted",
        status_history=[StatusChange(status="submitted", at=now)],
        created_at=now,
        updated_at=now,
    )
    try:
        stored = await store.create(APPLICATIONS, application.model_dump(mode="json"))
    except ItemExistsError:
        raise ConflictError(
            f"User {user.user_id!r} has already applied to job {job.job_id!r}."
        ) from None
    try:
        await queue.send(
            ApplicationSubmitted(user_id=user.user_id, application_id=application_id)
        )
    except Exception as exc:
        # Without its message the application would never be scored or confirmed:
        # take it back, so the client's retry starts clean instead of meeting a 409.
        await store.delete(
            APPLICATIONS, partition_key=user.user_id, item_id=application_id
        )
        raise ServiceUnavailableError(
            "The application could not be queued for processing; try again."
        ) from exc
    return Application.model_validate(stored)


async def read_application_document(
    store: DocumentStore, *, user_id: str, application_id: str
) -> dict[str, Any]:
    try:
        return await store.read(
            APPLICATIONS, partition_key=user_id, item_id=application_id
        )
    except ItemNotFoundError:
        raise NotFoundError(f"Application {application_id!r} was not found.") from None


async def get_application(
    store: DocumentStore, *, user_id: str, application_id: str
) -> Application:
    document = await read_application_document(
        store, user_id=user_id, application_id=application_id
    )
    return Application.model_validate(document)


async def list_for_user(
    store: DocumentStore,
    user_id: str,
    *,
    limit: int,
    continuation: str | None = None,
    company_id: str | None = None,
) -> tuple[list[Application], str | None]:
    """A candidate's applications, newest first (one partition); with `company_id`,
    only those to that company's jobs."""
    where = (Filter("company_id", "eq", company_id),) if company_id else ()
    page = await store.query(
        APPLICATIONS,
        Query(where=where, order_by="created_at", direction="desc"),
        partition_key=user_id,
        limit=limit,
        continuation=continuation,
    )
    return [Application.model_validate(i) for i in page.items], page.continuation


async def has_applied_to_company(
    store: DocumentStore, *, user_id: str, company_id: str
) -> bool:
    """Whether the candidate applied to any job of the company (one partition)."""
    where = (Filter("company_id", "eq", company_id),)
    return await store.count(APPLICATIONS, where, partition_key=user_id) > 0


async def list_for_job(
    store: DocumentStore, job_id: str, *, limit: int, continuation: str | None = None
) -> tuple[list[Application], str | None]:
    """The applications to one job, newest first: the employer's view."""
    await get_job(store, job_id)
    query = Query(
        where=(Filter("job_id", "eq", job_id),), order_by="created_at", direction="desc"
    )
    page = await store.query(
        APPLICATIONS, query, limit=limit, continuation=continuation
    )
    return [Application.model_validate(i) for i in page.items], page.continuation


async def change_status(
    store: DocumentStore,
    *,
    user_id: str,
    application_id: str,
    change: ApplicationStatusChange,
    if_match: str | None = None,
) -> tuple[Application, str]:
    """Move an application one allowed step; anything else is a 409 Conflict."""
    now = utc_now()

    def apply(document: dict[str, Any]) -> dict[str, Any]:
        current = Application.model_validate(document)
        if not transition_allowed(current.status, change.status):
            raise ConflictError(
                f"An application cannot move from {current.status} to {change.status}."
            )
        current.status = change.status
        if change.interview_date is not None:
            current.interview_date = change.interview_date
        current.status_history.append(
            StatusChange(status=change.status, at=now, note=change.note)
        )
        current.updated_at = now
        return {**document, **current.model_dump(mode="json")}

    try:
        stored = await modify_item(
            store,
            APPLICATIONS,
            partition_key=user_id,
            item_id=application_id,
            change=apply,
            if_match=if_match,
        )
    except ItemNotFoundError:
        raise NotFoundError(f"Application {application_id!r} was not found.") from None
    return Application.model_validate(stored), stored["_etag"]


# Longer than any SMTP or ACS hand-over takes; a delivery that died while holding the
# claim lets the next one send after this.
CONFIRMATION_CLAIM = timedelta(minutes=5)


class _AlreadyConfirmed(Exception):
    pass


async def process_application(
    store: DocumentStore, sender: EmailSender, *, user_id: str, application_id: str
) -> tuple[Application, bool]:
    """The background flow of a new application: store its match score and email the
    candidate that it arrived, once. Returns the application and whether the email
    went out now; running it again is harmless.

    The same scorer as recommendations scores the current profile and posting. The
    score travels with the write that claims the sending, a conditional write, so two
    deliveries of the message never both send; the claim is released if the send
    fails, so the queue's next delivery retries it.
    """
    current = await get_application(
        store, user_id=user_id, application_id=application_id
    )
    user = await get_user(store, user_id)
    job = await get_job(store, current.job_id)
    result = score_pair(candidate_from(user), job_from(job))
    now = utc_now()

    def score(application: Application) -> None:
        application.match_score = result.score
        application.match_reasons = result.reasons
        application.scored_at = application.scored_at or now

    def rescore(document: dict[str, Any]) -> dict[str, Any]:
        application = Application.model_validate(document)
        score(application)
        return {**document, **application.model_dump(mode="json")}

    def claim(document: dict[str, Any]) -> dict[str, Any]:
        application = Application.model_validate(document)
        if application.confirmation_sent_at is not None:
            raise _AlreadyConfirmed
        if (
            application.confirmation_claimed_until
            and application.confirmation_claimed_until > now
        ):
            raise ConflictError("The confirmation is being sent by another delivery.")
        score(application)
        application.confirmation_claimed_until = now + CONFIRMATION_CLAIM
        return {**document, **application.model_dump(mode="json")}

    def settle(*, sent: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def apply(document: dict[str, Any]) -> dict[str, Any]:
            application = Application.model_validate(document)
            application.confirmation_claimed_until = None
            if sent:
                # Scored with the claim: this write ends the background flow.
                application.confirmation_sent_at = application.processed_at = utc_now()
                application.processing_status = "processed"
            return {**document, **application.model_dump(mode="json")}

        return apply

    async def update(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Application:
        stored = await modify_item(
            store,
            APPLICATIONS,
            partition_key=user_id,
            item_id=application_id,
            change=change,
        )
        return Application.model_validate(stored)

    unchanged = (
        current.match_score == result.score and current.match_reasons == result.reasons
    )
    try:
        if current.confirmation_sent_at is not None:
            raise _AlreadyConfirmed
        claimed = await update(claim)
    except _AlreadyConfirmed:
        # Confirmed by an earlier delivery: only a changed score is left to store.
        return (current if unchanged else await update(rescore)), False
    try:
        await sender.send(
            Email(
                key=f"application-{application_id}",
                to=user.email,
                subject=f"Your application: {claimed.job_title}",
                text=(
                    f"Hello {user.name},\n\n"
                    f"we received your application for {claimed.job_title}."
                    " You can follow its status in your account.\n"
                ),
            )
        )
    except BaseException:
        await update(settle(sent=False))
        raise
    return await update(settle(sent=True)), True
