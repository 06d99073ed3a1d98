from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.deps import Continuation, IfMatch, PageSize, QueueDep, StoreDep
from app.api.responses import errors
from app.models.applications import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationStatusChange,
)
from app.models.common import Envelope, ListEnvelope
from app.services import applications as application_service
from app.services import users as user_service

router = APIRouter(prefix="/applications", tags=["applications"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(404, 409, 422),
    summary="Apply to a job",
    description="Refuses an unknown user or job (404), a closed job or a second "
    "application to the same job (409). Scoring and the confirmation run in the "
    "background.",
)
async def submit_application(
    body: ApplicationCreate, store: StoreDep, queue: QueueDep, response: Response
) -> Envelope[ApplicationRead]:
    application = await application_service.submit_application(store, queue, body)
    response.headers["Location"] = (
        f"/api/applications/{application.user_id}/{application.application_id}"
    )
    return Envelope(data=ApplicationRead.model_validate(application.model_dump()))


@router.get(
    "/{user_id}",
    responses=errors(404),
    summary="A candidate's applications, newest first",
)
async def list_user_applications(
    user_id: str, store: StoreDep, limit: PageSize, continuation: Continuation = None
) -> ListEnvelope[ApplicationRead]:
    await user_service.get_user(store, user_id)
    applications, token = await application_service.list_for_user(
        store, user_id, limit=limit, continuation=continuation
    )
    data = [ApplicationRead.model_validate(a.model_dump()) for a in applications]
    return ListEnvelope(data=data, count=len(data), continuation=token)


@router.get(
    "/{user_id}/{application_id}",
    responses=errors(404),
    summary="One application with its status history",
)
async def get_application(
    user_id: str, application_id: str, store: StoreDep, response: Response
) -> Envelope[ApplicationRead]:
    document = await application_service.read_application_document(
        store, user_id=user_id, application_id=application_id
    )
    response.headers["ETag"] = document["_etag"]
    return Envelope(data=ApplicationRead.model_validate(document))


@router.patch(
    "/{user_id}/{application_id}",
    responses=errors(404, 409, 412, 422),
    summary="Change an application's status",
    description="Allowed: submitted → under_review → interview (with interview_date) → "
    "offered → hired, and rejected or withdrawn from any open status. Anything else is "
    "409.",
)
async def change_application_status(
    user_id: str,
    application_id: str,
    body: ApplicationStatusChange,
    store: StoreDep,
    response: Response,
    if_match: IfMatch = None,
) -> Envelope[ApplicationRead]:
    application, etag = await application_service.change_status(
        store,
        user_id=user_id,
        application_id=application_id,
        change=body,
        if_match=if_match,
    )
    response.headers["ETag"] = etag
    return Envelope(data=ApplicationRead.model_validate(application.model_dump()))
