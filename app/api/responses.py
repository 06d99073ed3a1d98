"""The error answers each route declares, so the OpenAPI document lists them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from app.models.common import ErrorBody

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid credentials",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict with the current state",
    412: "The If-Match ETag is stale",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests; retry after the Retry-After header",
    503: "Temporarily unavailable; retry after the Retry-After header",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in codes
    }


# What any route behind authentication may answer, besides its own errors.
SIGNED_IN_ERRORS = errors(400, 401, 413, 429, 503)


def json_response(
    body: BaseModel, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Serialize a response model once, in Rust.

    Returning the model itself would make FastAPI dump it to a dict, validate that
    against the route's response model and encode it again, which is most of the cost
    of a simple read. The route's `response_model` still documents the shape.
    """
    return Response(
        body.model_dump_json(),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )
