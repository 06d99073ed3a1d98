"""Bulk imports and the poison messages of background work."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app.api.access import require_admin
from app.api.deps import Continuation, Limit, context, page_size
from app.api.responses import SIGNED_IN_ERRORS, errors, json_response
from app.errors import ForbiddenError, NotFoundError
from app.models.common import Envelope, ListEnvelope
from app.models.imports import JobImportCreate, JobImportRead, PoisonMessageRead
from app.services import imports as import_service
from app.services import poison as poison_service
from app.tasks.messages import TASK_QUEUE_NAME

router = APIRouter(prefix="/api", tags=["operations"], responses=SIGNED_IN_ERRORS)

POISON_QUEUE = f"{TASK_QUEUE_NAME}-poison"


@router.post(
    "/imports/jobs",
    response_model=Envelope[JobImportRead],
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(403, 413, 422),
    summary="Import many job postings in the background",
    description="Answers at once with the import's id; follow it at the `Location`. "
    "Each row is checked like `POST /api/jobs`; rejected rows are listed with reasons. "
    "Employers import for their own company only.",
)
async def import_jobs(
    body: JobImportCreate,
    request: Request,
) -> Response:
    ctx = context(request)
    if not ctx.principal.is_admin:
        companies = {row.get("company_id") for row in body.jobs}
        if not ctx.principal.is_employer or companies != {ctx.principal.company_id}:
            raise ForbiddenError("Employers import their own company's jobs only.")
    started = await import_service.start_job_import(
        ctx.store, ctx.queue, body.jobs, created_by=ctx.principal.subject
    )
    return json_response(
        Envelope[JobImportRead](data=started),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": f"/api/imports/{started.import_id}"},
    )


@router.get(
    "/imports/{import_id}",
    response_model=Envelope[JobImportRead],
    responses=errors(404),
    summary="Progress of a bulk import",
)
async def get_import(
    import_id: str,
    request: Request,
) -> Response:
    ctx = context(request)
    started = await import_service.get_job_import(ctx.store, import_id)
    if not (ctx.principal.is_admin or started.created_by == ctx.principal.subject):
        raise NotFoundError(f"Import {import_id!r} was not found.")
    return json_response(Envelope[JobImportRead](data=started))


@router.get(
    "/admin/poison-messages",
    response_model=ListEnvelope[PoisonMessageRead],
    responses=errors(403),
    summary="Background messages that failed every delivery (admins)",
)
async def list_poison_messages(
    request: Request,
    limit: Limit = 10,
    continuation: Continuation = None,
) -> Response:
    ctx = context(request)
    require_admin(ctx.principal)
    messages, token = await poison_service.list_poison(
        ctx.store,
        queue_name=POISON_QUEUE,
        limit=page_size(limit),
        continuation=continuation,
    )
    return json_response(
        ListEnvelope[PoisonMessageRead](
            data=messages, count=len(messages), continuation=token
        )
    )


@router.post(
    "/admin/poison-messages/{message_id}/requeue",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(403, 404),
    summary="Send a poison message to its queue again (admins)",
)
async def requeue_poison_message(
    message_id: str,
    request: Request,
) -> None:
    ctx = context(request)
    require_admin(ctx.principal)
    await poison_service.requeue_poison(
        ctx.store, ctx.queue, queue_name=POISON_QUEUE, message_id=message_id
    )
