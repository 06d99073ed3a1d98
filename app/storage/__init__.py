"""Document storage: one interface, an embedded and a Cosmos DB backend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.storage.base import (
    ContainerSpec,
    Document,
    DocumentStore,
    EtagMismatchError,
    Filter,
    ItemExistsError,
    ItemNotFoundError,
    Page,
    Query,
    StoreUnavailableError,
)
from app.storage.containers import CONTAINERS

if TYPE_CHECKING:
    from app.config import Settings

__all__ = [
    "CONTAINERS",
    "ContainerSpec",
    "Document",
    "DocumentStore",
    "EtagMismatchError",
    "Filter",
    "ItemExistsError",
    "ItemNotFoundError",
    "Page",
    "Query",
    "StoreUnavailableError",
    "open_store",
]


def open_store(settings: Settings) -> DocumentStore:
    """Open the configured backend; each backend's modules are imported only when
    chosen."""
    if settings.storage_backend == "cosmos":
        from app.storage.cosmos import CosmosStore

        return CosmosStore.from_settings(settings, CONTAINERS.values())
    from app.storage.embedded import EmbeddedStore

    return EmbeddedStore(settings.embedded_store_path, CONTAINERS.values())
