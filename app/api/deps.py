"""What a route gets besides its parameters: one request context.

One dependency on purpose: FastAPI resolves each dependency of each request through
its dependency solver, which costs more than what these do, so the principal (set by
RequestMiddleware) and the process's resources come together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request

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


async def get_context(request: Request) -> RequestContext:
    # `async def`: FastAPI would run a plain `def` dependency in a worker thread.
    principal = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if principal is None:
        # Only routes outside the authenticated prefix get here: refuse, never guess.
        raise UnauthorizedError("Sign in: send a bearer token or an X-API-Key header.")
    return RequestContext(principal=principal, runtime=request.app.state.runtime)


def page_size(limit: int) -> int:
    return min(limit, MAX_PAGE_SIZE)


Ctx = Annotated[RequestContext, Depends(get_context)]
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
