"""The error answers each route declares, so the OpenAPI document lists them."""

from __future__ import annotations

from typing import Any

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
