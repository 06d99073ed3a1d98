from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.deps import IfMatch, QueueDep, StoreDep
from app.api.responses import errors
from app.models.common import Envelope
from app.models.users import UserCreate, UserRead, UserUpdate
from app.services import users as user_service

router = APIRouter(prefix="/users", tags=["candidates"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(422),
    summary="Create a candidate profile",
)
async def create_user(
    body: UserCreate, store: StoreDep, queue: QueueDep, response: Response
) -> Envelope[UserRead]:
    user = await user_service.create_user(store, queue, body)
    response.headers["Location"] = f"/api/users/{user.user_id}"
    return Envelope(data=UserRead.model_validate(user.model_dump()))


@router.get("/{user_id}", responses=errors(404), summary="Read a candidate profile")
async def get_user(
    user_id: str, store: StoreDep, response: Response
) -> Envelope[UserRead]:
    document = await user_service.read_user_document(store, user_id)
    response.headers["ETag"] = document["_etag"]
    return Envelope(data=UserRead.model_validate(document))


@router.patch(
    "/{user_id}", responses=errors(404, 412, 422), summary="Change a candidate profile"
)
async def update_user(
    user_id: str,
    body: UserUpdate,
    store: StoreDep,
    queue: QueueDep,
    response: Response,
    if_match: IfMatch = None,
) -> Envelope[UserRead]:
    user, etag = await user_service.update_user(
        store, queue, user_id, body, if_match=if_match
    )
    response.headers["ETag"] = etag
    return Envelope(data=UserRead.model_validate(user.model_dump()))


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(404, 412),
    summary="Delete a candidate with their applications and recommendations",
)
async def delete_user(user_id: str, store: StoreDep, if_match: IfMatch = None) -> None:
    await user_service.delete_user(store, user_id, if_match=if_match)
