"""Candidate profiles."""

from __future__ import annotations

import uuid
from typing import Any

from app.errors import ConflictError, NotFoundError, PreconditionFailedError
from app.models.common import utc_now
from app.models.users import User, UserCreate, UserUpdate
from app.services.common import modify_item
from app.storage import DocumentStore, ItemExistsError, ItemNotFoundError, Query
from app.storage.containers import APPLICATIONS, RECOMMENDATIONS, USERS
from app.tasks.messages import CandidateChanged
from app.tasks.queue import TaskQueue

# Changing these can change which jobs match the candidate.
_MATCHING_FIELDS = frozenset({"skills", "experience_years", "location"})


async def create_user(
    store: DocumentStore,
    queue: TaskQueue,
    data: UserCreate,
    *,
    user_id: str | None = None,
) -> User:
    """Create a profile; a signed-in candidate's profile takes their account's id."""
    now = utc_now()
    user_id = user_id or uuid.uuid4().hex
    user = User(
        id=user_id, user_id=user_id, created_at=now, updated_at=now, **data.model_dump()
    )
    try:
        stored = await store.create(USERS, user.model_dump(mode="json"))
    except ItemExistsError:
        raise ConflictError(f"User {user_id!r} already has a profile.") from None
    await queue.send(CandidateChanged(user_id=user_id))
    return User.model_validate(stored)


async def read_user_document(store: DocumentStore, user_id: str) -> dict[str, Any]:
    try:
        return await store.read(USERS, partition_key=user_id, item_id=user_id)
    except ItemNotFoundError:
        raise NotFoundError(f"User {user_id!r} was not found.") from None


async def get_user(store: DocumentStore, user_id: str) -> User:
    return User.model_validate(await read_user_document(store, user_id))


async def update_user(
    store: DocumentStore,
    queue: TaskQueue,
    user_id: str,
    change: UserUpdate,
    *,
    if_match: str | None = None,
) -> tuple[User, str]:
    fields = change.model_dump(exclude_unset=True)
    now = utc_now()

    def apply(document: dict[str, Any]) -> dict[str, Any]:
        merged = User.model_validate(document).model_copy(update=fields)
        merged.updated_at = now
        return merged.model_dump(mode="json")

    try:
        stored = await modify_item(
            store,
            USERS,
            partition_key=user_id,
            item_id=user_id,
            change=apply,
            if_match=if_match,
        )
    except ItemNotFoundError:
        raise NotFoundError(f"User {user_id!r} was not found.") from None
    if _MATCHING_FIELDS & fields.keys():
        await queue.send(CandidateChanged(user_id=user_id))
    return User.model_validate(stored), stored["_etag"]


async def delete_user(
    store: DocumentStore, user_id: str, *, if_match: str | None = None
) -> None:
    """Delete the profile with the candidate's applications and recommendations.

    Dependents go first: if this stops half-way, the profile is still there and a
    repeated delete finishes the job.
    """
    document = await read_user_document(store, user_id)
    if if_match is not None and document["_etag"] != if_match:
        raise PreconditionFailedError("The item changed since the given ETag.")
    for container in (APPLICATIONS, RECOMMENDATIONS):
        async for item in store.query_all(container, Query(), partition_key=user_id):
            try:
                await store.delete(container, partition_key=user_id, item_id=item["id"])
            except ItemNotFoundError:
                continue
    try:
        await store.delete(USERS, partition_key=user_id, item_id=user_id, etag=if_match)
    except ItemNotFoundError:
        raise NotFoundError(f"User {user_id!r} was not found.") from None
