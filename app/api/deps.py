"""What a route works with besides its parameters: the request context.

Routes take the `Request` and call `context(request)` rather than declaring a
`Depends`: FastAPI's dependency solver costs about 12 us per dependency per request
(measured on this project's hardware, see bench/adapter.py), more than everything the
context does. The principal was set by RequestMiddleware, which authenticates every
non-public path before any route runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Header, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
_Q = TypeVar("_Q", bound="QueryParameters")


class QueryParameters(BaseModel):
    """A route's query parameters as one model, read by `query_parameters`.

    FastAPI reads declared query parameters one by one, re-inspecting each one's type
    on every request: about 25 us a parameter under load (py-spy, bench/mixed_load.py),
    a fifth of `GET /api/jobs` with its nine. One validation of one model costs a few
    us. `documented` keeps them in the OpenAPI document.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    limit: int = Field(
        10, ge=1, description=f"Page size; at most {MAX_PAGE_SIZE} are returned."
    )
    continuation: str | None = Field(
        None,
        max_length=2048,
        description="The token from the previous page's `continuation`.",
    )

    @property
    def page_size(self) -> int:
        return page_size(self.limit)

    @classmethod
    def documented(cls) -> dict[str, Any]:
        """The route's `openapi_extra`: each field as a query parameter."""
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        required = set(schema.get("required", ()))
        parameters = []
        for name, field_schema in schema["properties"].items():
            parameter: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": field_schema,
            }
            if "description" in field_schema:
                parameter["description"] = field_schema.pop("description")
            parameters.append(parameter)
        return {"parameters": parameters}


def query_parameters(model: type[_Q], request: Request) -> _Q:
    """The request's query parameters validated as `model`; a 422 as FastAPI's own
    validation answers otherwise."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise RequestValidationError(
            [
                {**error, "loc": ("query", *error["loc"])}
                for error in exc.errors(include_url=False)
            ]
        ) from None


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=128,
        description="Apply only if the item's ETag is still this one (else 412).",
    ),
]
