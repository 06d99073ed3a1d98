"""FastAPI dependencies: what a route needs, taken from the process runtime."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from app.config import Settings
from app.runtime import Runtime
from app.storage import DocumentStore
from app.tasks.queue import TaskQueue

MAX_PAGE_SIZE = 100


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_store(request: Request) -> DocumentStore:
    return get_runtime(request).store


def get_queue(request: Request) -> TaskQueue:
    return get_runtime(request).queue


def get_settings(request: Request) -> Settings:
    return get_runtime(request).settings


def page_size(
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"Page size; at most {MAX_PAGE_SIZE} are returned.",
        ),
    ] = 10,
) -> int:
    return min(limit, MAX_PAGE_SIZE)


StoreDep = Annotated[DocumentStore, Depends(get_store)]
QueueDep = Annotated[TaskQueue, Depends(get_queue)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PageSize = Annotated[int, Depends(page_size)]
Continuation = Annotated[
    str | None,
    Query(
        max_length=2048,
        description="The token from the previous page's `continuation`.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=128,
        description="Apply only if the item's ETag is still this one (else 412).",
    ),
]
