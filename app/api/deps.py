"""What a route works with besides its parameters: the request context.

Routes take the `Request` and call `context(request)` rather than declaring a
`Depends`: FastAPI's dependency solver costs about 12 us per dependency per request
(measured on this project's hardware, see bench/adapter.py), more than everything the
context does. The principal was set by RequestMiddleware, which authenticates every
non-public path before any route runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Query, Request

from app.config import Settings
from app.errors import UnauthorizedError
from app.runtime import Runtime
from app.storage import DocumentStore
from app.tasks.queue import TaskQueue
from app.tokens import Principal

MAX_PAGE_SIZE = 100
PRINCIPAL_SCOPE_KEY = "jobmatch.principal"


@dataclass(frozen=True, slots=True)
class RequestContext:
    principal: Principal
    runtime: Runtime

    @property
    def store(self) -> DocumentStore:
        return self.runtime.store

    @property
    def queue(self) -> TaskQueue:
        return self.runtime.queue

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def context(request: Request) -> RequestContext:
    principal = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if principal is None:
        # Only routes outside the authenticated prefix get here: refuse, never guess.
        raise UnauthorizedError("Sign in: send a bearer token or an X-API-Key header.")
    return RequestContext(principal=principal, runtime=request.app.state.runtime)


def page_size(limit: int) -> int:
    return min(limit, MAX_PAGE_SIZE)


Limit = Annotated[
    int,
    Query(ge=1, description=f"Page size; at most {MAX_PAGE_SIZE} are returned."),
]
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
