from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app.api.access import is_self, manages_company
from app.api.deps import (
    IfMatch,
    QueryParameters,
    context,
    query_parameters,
)
from app.api.responses import SIGNED_IN_ERRORS, errors, json_response
from app.errors import ForbiddenError, NotFoundError
from app.models.applications import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationStatusChange,
)
from app.models.common import Envelope, ListEnvelope
from app.services import applications as application_service
from app.services import users as user_service
from app.tokens import Principal

router = APIRouter(
    prefix="/api/applications", tags=["applications"], responses=SIGNED_IN_ERRORS
)


def _may_see(principal: Principal, *, user_id: str, company_id: str) -> bool:
    return is_self(principal, user_id) or manages_company(principal, company_id)


@router.post(
    "",
    response_model=Envelope[ApplicationRead],
    status_code=status.HTTP_201_CREATED,
    responses=errors(403, 404, 409, 422),
    summary="Apply to a job",
    description="A candidate applies for themself (admins for anyone). Refuses an "
    "unknown user or job (404), a closed job or a second application to the same job "
    "(409). Scoring and the confirmation email run in the background.",
)
async def submit_application(
    body: ApplicationCreate,
    request: Request,
) -> Response:
    ctx = context(request)
    if not (ctx.principal.is_admin or is_self(ctx.principal, body.user_id)):
        raise ForbiddenError("Candidates apply for themselves only.")
    application = await application_service.submit_application(
        ctx.store, ctx.queue, body
    )
    location = f"/api/applications/{application.user_id}/{application.application_id}"
    return json_response(
        Envelope[ApplicationRead](data=application),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": location},
    )


@router.get(
    "/{user_id}",
    response_model=ListEnvelope[ApplicationRead],
    responses=errors(404, 422),
    summary="A candidate's applications, newest first",
    description="Employers see only the applications to their company's jobs.",
    openapi_extra=QueryParameters.documented(),
)
async def list_user_applications(user_id: str, request: Request) -> Response:
    ctx = context(request)
    query = query_parameters(QueryParameters, request)
    if ctx.principal.is_admin or is_self(ctx.principal, user_id):
        await user_service.get_user(ctx.store, user_id)
        company_id = None
    elif ctx.principal.is_employer:
        company_id = ctx.principal.company_id
    else:
        raise NotFoundError(f"User {user_id!r} was not found.")
    applications, token = await application_service.list_for_user(
        ctx.store,
        user_id,
        limit=query.page_size,
        continuation=query.continuation,
        company_id=company_id,
    )
    return json_response(
        ListEnvelope[ApplicationRead](
            data=applications, count=len(applications), continuation=token
        )
    )


@router.get(
    "/{user_id}/{application_id}",
    response_model=Envelope[ApplicationRead],
    responses=errors(404),
    summary="One application with its status history",
)
async def get_application(
    user_id: str,
    application_id: str,
    request: Request,
) -> Response:
    ctx = context(request)
    document = await application_service.read_application_document(
        ctx.store, user_id=user_id, application_id=application_id
    )
    if not _may_see(ctx.principal, user_id=user_id, company_id=document["company_id"]):
        raise NotFoundError(f"Application {application_id!r} was not found.")
    return json_response(
        Envelope[ApplicationRead].model_validate({"data": document}),
        headers={"ETag": document["_etag"]},
    )


@router.patch(
    "/{user_id}/{application_id}",
    response_model=Envelope[ApplicationRead],
    responses=errors(403, 404, 409, 412, 422),
    summary="Change an application's status",
    description="Allowed: submitted → under_review → interview (with interview_date) → "
    "offered → hired, and rejected or withdrawn from any open status; anything else "
    "is 409. The candidate may only withdraw; the company's employers move the rest.",
)
async def change_application_status(
    user_id: str,
    application_id: str,
    body: ApplicationStatusChange,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    ctx = context(request)
    current = await application_service.get_application(
        ctx.store, user_id=user_id, application_id=application_id
    )
    if not _may_see(ctx.principal, user_id=user_id, company_id=current.company_id):
        raise NotFoundError(f"Application {application_id!r} was not found.")
    if not ctx.principal.is_admin:
        withdrawing = body.status == "withdrawn"
        if is_self(ctx.principal, user_id) != withdrawing:
            raise ForbiddenError(
                "Candidates may only withdraw; employers may not withdraw for them."
            )
    application, etag = await application_service.change_status(
        ctx.store,
        user_id=user_id,
        application_id=application_id,
        change=body,
        if_match=if_match,
    )
    return json_response(
        Envelope[ApplicationRead](data=application), headers={"ETag": etag}
    )
