"""The document-store interface every backend implements.

The shape follows Cosmos DB (NoSQL API), the production backend: documents live in named
containers, are keyed by (partition key, id), carry a server-set `_etag` for optimistic
concurrency and `_ts` (seconds since the epoch of the last write), and queries page with
opaque continuation tokens. Services speak only this interface, never a backend's SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from app.errors import (
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    ServiceUnavailableError,
)

Document = dict[str, Any]
FilterOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "contains", "in"]
Direction = Literal["asc", "desc"]


class ItemNotFoundError(NotFoundError):
    """No item with that id in that partition (or it expired)."""


class ItemExistsError(ConflictError):
    """An item with that id already exists in that partition."""


class EtagMismatchError(PreconditionFailedError):
    """The item changed since it was read: the write was not applied."""


class StoreUnavailableError(ServiceUnavailableError):
    """The store is throttling or unreachable and retries ran out."""


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition on a top-level document field.

    `contains` tests membership of `value` in an array field; `in` tests the field
    against a list of values. A missing field never matches, except for `ne`.
    """

    field: str
    op: FilterOp
    value: Any


@dataclass(frozen=True, slots=True)
class Query:
    """A conjunction of filters and at most one sort field.

    Backends break ties in the sort by id so that paging is stable.
    """

    where: tuple[Filter, ...] = ()
    order_by: str | None = None
    direction: Direction = "asc"


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Document]
    continuation: str | None = None


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """How a container is laid out, declared once for provisioning and both backends.

    `indexing_policy` is in Cosmos DB's own JSON form so the same dict is used by the
    `provision` command and the infrastructure template; the embedded backend derives
    its indexes from the included paths.
    """

    name: str
    partition_key: str
    default_ttl: int | None = None
    indexing_policy: dict[str, Any] = field(default_factory=dict)

    @property
    def partition_key_path(self) -> str:
        return f"/{self.partition_key}"


class DocumentStore(Protocol):
    """Async document storage: one instance per process, shared by every trigger."""

    async def read(
        self, container: str, *, partition_key: str, item_id: str
    ) -> Document:
        """Return the item or raise ItemNotFoundError."""
        ...

    async def create(self, container: str, document: Document) -> Document:
        """Insert a new item or raise ItemExistsError; returns it with `_etag` and
        `_ts`."""
        ...

    async def upsert(self, container: str, document: Document) -> Document:
        """Insert or overwrite unconditionally; for derived data only."""
        ...

    async def replace(
        self, container: str, document: Document, *, etag: str | None
    ) -> Document:
        """Overwrite an existing item; with an etag, only if it is still current."""
        ...

    async def delete(
        self,
        container: str,
        *,
        partition_key: str,
        item_id: str,
        etag: str | None = None,
    ) -> None:
        """Delete an item or raise ItemNotFoundError (EtagMismatchError with a stale
        etag)."""
        ...

    async def upsert_many(self, container: str, documents: Sequence[Document]) -> int:
        """Upsert each document (derived data only); returns how many were written.

        Not atomic: the embedded store writes them in one transaction (one disk sync
        instead of one per item), Cosmos DB item by item, a few at a time, so a failure
        may leave some written. Callers repeat the whole batch, which is harmless.
        """
        ...

    async def delete_many(self, container: str, keys: Sequence[tuple[str, str]]) -> int:
        """Delete each (partition key, id) that exists; returns how many were deleted.

        Missing items are skipped. Not atomic, as `upsert_many`.
        """
        ...

    async def query(
        self,
        container: str,
        query: Query,
        *,
        partition_key: str | None = None,
        limit: int,
        continuation: str | None = None,
        skip: int = 0,
    ) -> Page:
        """One page of at most `limit` items; partition_key None means cross-partition.

        `skip` drops that many leading items of the first page (the seed's `skip`); it
        is ignored when a continuation token is given.
        """
        ...

    def query_all(
        self,
        container: str,
        query: Query,
        *,
        partition_key: str | None = None,
    ) -> AsyncIterator[Document]:
        """Every matching item, fetched page by page."""
        ...

    async def count(
        self,
        container: str,
        where: tuple[Filter, ...] = (),
        *,
        partition_key: str | None = None,
    ) -> int: ...

    async def average(
        self,
        container: str,
        field_name: str,
        where: tuple[Filter, ...] = (),
        *,
        partition_key: str | None = None,
    ) -> float | None:
        """Mean of a numeric field over the matching items that have it; None if none
        do."""
        ...

    async def close(self) -> None: ...


async def every_page(
    store: DocumentStore,
    container: str,
    query: Query,
    *,
    partition_key: str | None,
    page_size: int,
) -> AsyncIterator[Document]:
    """Every item of a query, page by page through `store.query`: the one way both
    backends implement `query_all`."""
    continuation: str | None = None
    while True:
        page = await store.query(
            container,
            query,
            partition_key=partition_key,
            limit=page_size,
            continuation=continuation,
        )
        for item in page.items:
            yield item
        if page.continuation is None:
            return
        continuation = page.continuation
