"""Bulk imports and the poison messages of background work."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.access import CurrentPrincipal, require_admin
from app.api.deps import Continuation, PageSize, QueueDep, StoreDep
from app.api.responses import errors
from app.errors import ForbiddenError, NotFoundError
from app.models.common import Envelope, ListEnvelope
from app.models.imports import JobImportCreate, JobImportRead, PoisonMessageRead
from app.services import imports as import_service
from app.services import poison as poison_service
from app.tasks.messages import TASK_QUEUE_NAME

router = APIRouter(tags=["operations"])

POISON_QUEUE = f"{TASK_QUEUE_NAME}-poison"


@router.post(
    "/imports/jobs",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(403, 413, 422),
    summary="Import many job postings in the background",
    description="Answers at once with the import's id; follow it at the `Location`. "
    "Each row is checked like `POST /api/jobs`; rejected rows are listed with reasons. "
    "Employers import for their own company only.",
)
async def import_jobs(
    body: JobImportCreate,
    store: StoreDep,
    queue: QueueDep,
    principal: CurrentPrincipal,
    response: Response,
) -> Envelope[JobImportRead]:
    if not principal.is_admin:
        companies = {row.get("company_id") for row in body.jobs}
        if not principal.is_employer or companies != {principal.company_id}:
            raise ForbiddenError("Employers import their own company's jobs only.")
    started = await import_service.start_job_import(
        store, queue, body.jobs, created_by=principal.subject
    )
    response.headers["Location"] = f"/api/imports/{started.import_id}"
    return Envelope(data=started)


@router.get(
    "/imports/{import_id}", responses=errors(404), summary="Progress of a bulk import"
)
async def get_import(
    import_id: str, store: StoreDep, principal: CurrentPrincipal
) -> Envelope[JobImportRead]:
    started = await import_service.get_job_import(store, import_id)
    if not (principal.is_admin or started.created_by == principal.subject):
        raise NotFoundError(f"Import {import_id!r} was not found.")
    return Envelope(data=started)


@router.get(
    "/admin/poison-messages",
    responses=errors(403),
    summary="Background messages that failed every delivery (admins)",
)
async def list_poison_messages(
    store: StoreDep,
    principal: CurrentPrincipal,
    limit: PageSize,
    continuation: Continuation = None,
) -> ListEnvelope[PoisonMessageRead]:
    require_admin(principal)
    messages, token = await poison_service.list_poison(
        store, queue_name=POISON_QUEUE, limit=limit, continuation=continuation
    )
    return ListEnvelope(data=messages, count=len(messages), continuation=token)


@router.post(
    "/admin/poison-messages/{message_id}/requeue",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(403, 404),
    summary="Send a poison message to its queue again (admins)",
)
async def requeue_poison_message(
    message_id: str, store: StoreDep, queue: QueueDep, principal: CurrentPrincipal
) -> None:
    require_admin(principal)
    await poison_service.requeue_poison(
        store, queue, queue_name=POISON_QUEUE, message_id=message_id
    )
