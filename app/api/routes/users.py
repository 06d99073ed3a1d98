from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app.api.access import is_self, require_self_or_admin
from app.api.deps import IfMatch, context
from app.api.responses import SIGNED_IN_ERRORS, errors, json_response
from app.errors import ForbiddenError, NotFoundError
from app.models.common import Envelope
from app.models.users import UserCreate, UserRead, UserUpdate
from app.services import applications as application_service
from app.services import users as user_service

router = APIRouter(prefix="/api/users", tags=["candidates"], responses=SIGNED_IN_ERRORS)


@router.post(
    "",
    response_model=Envelope[UserRead],
    status_code=status.HTTP_201_CREATED,
    responses=errors(403, 409, 422),
    summary="Create a candidate profile",
    description="A candidate creates their own profile, under their account's id "
    "(409 if it exists); an admin creates one under a new id.",
)
async def create_user(
    body: UserCreate,
    request: Request,
) -> Response:
    ctx = context(request)
    if ctx.principal.is_admin:
        user = await user_service.create_user(ctx.store, ctx.queue, body)
    elif ctx.principal.is_candidate:
        user = await user_service.create_user(
            ctx.store, ctx.queue, body, user_id=ctx.principal.subject
        )
    else:
        raise ForbiddenError("Only candidates and admins create profiles.")
    return json_response(
        Envelope[UserRead](data=user),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/users/{user.user_id}"},
    )


@router.get(
    "/{user_id}",
    response_model=Envelope[UserRead],
    responses=errors(404),
    summary="Read a candidate profile",
    description="The candidate, admins, and employers the candidate applied to.",
)
async def get_user(
    user_id: str,
    request: Request,
) -> Response:
    ctx = context(request)
    allowed = ctx.principal.is_admin or is_self(ctx.principal, user_id)
    if not allowed and ctx.principal.is_employer and ctx.principal.company_id:
        allowed = await application_service.has_applied_to_company(
            ctx.store, user_id=user_id, company_id=ctx.principal.company_id
        )
    if not allowed:
        raise NotFoundError(f"User {user_id!r} was not found.")
    document = await user_service.read_user_document(ctx.store, user_id)
    return json_response(
        Envelope[UserRead].model_validate({"data": document}),
        headers={"ETag": document["_etag"]},
    )


@router.patch(
    "/{user_id}",
    response_model=Envelope[UserRead],
    responses=errors(404, 412, 422),
    summary="Change a candidate profile",
)
async def update_user(
    user_id: str,
    body: UserUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    ctx = context(request)
    require_self_or_admin(ctx.principal, user_id, what=f"User {user_id!r}")
    user, etag = await user_service.update_user(
        ctx.store, ctx.queue, user_id, body, if_match=if_match
    )
    return json_response(Envelope[UserRead](data=user), headers={"ETag": etag})


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(404, 412),
    summary="Delete a candidate with their applications and recommendations",
)
async def delete_user(
    user_id: str,
    request: Request,
    if_match: IfMatch = None,
) -> None:
    ctx = context(request)
    require_self_or_admin(ctx.principal, user_id, what=f"User {user_id!r}")
    await user_service.delete_user(ctx.store, user_id, if_match=if_match)
