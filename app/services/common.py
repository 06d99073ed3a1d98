"""Helpers every service uses: optimistic read-modify-write and timestamps."""

from __future__ import annotations

from collections.abc import Callable

from app.errors import ConflictError, PreconditionFailedError
from app.storage import Document, DocumentStore, EtagMismatchError

_MAX_ATTEMPTS = 5


async def modify_item(
    store: DocumentStore,
    container: str,
    *,
    partition_key: str,
    item_id: str,
    change: Callable[[Document], Document],
    if_match: str | None = None,
) -> Document:
    """Read an item, apply `change`, write it back only if nobody wrote in between.

    With `if_match` (the client's ETag) a stale version is refused with 412. Without it
    a lost race is retried on fresh data, so no concurrent write is silently
    overwritten; `change` may raise to refuse the change.
    """
    for _ in range(_MAX_ATTEMPTS):
        current = await store.read(
            container, partition_key=partition_key, item_id=item_id
        )
        if if_match is not None and current["_etag"] != if_match:
            raise PreconditionFailedError("The item changed since the given ETag.")
        updated = change(dict(current))
        try:
            return await store.replace(container, updated, etag=current["_etag"])
        except EtagMismatchError:
            if if_match is not None:
                raise PreconditionFailedError(
                    "The item changed since the given ETag."
                ) from None
            continue
    raise ConflictError("The item is being changed by others; try again.")
