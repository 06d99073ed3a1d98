"""Who is calling: the one place where authentication plugs into the API.

Today: with `API_KEY` set, every call but the health check needs header `X-API-Key`
with that key and then acts as admin; without it the API is open (local use).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from fastapi.security import APIKeyHeader

from app.errors import UnauthorizedError

Role = Literal["candidate", "employer", "admin"]

# Declared for the OpenAPI document; checked below so the error has our body shape.
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[Role]


OPEN_ACCESS = Principal(subject="open-access", roles=frozenset({"admin"}))
API_KEY_CLIENT = Principal(subject="api-key", roles=frozenset({"admin"}))


async def get_principal(request: Request) -> Principal:
    settings = request.app.state.runtime.settings
    if settings.api_key is None:
        return OPEN_ACCESS
    presented = request.headers.get("x-api-key")
    expected = settings.api_key.get_secret_value()
    if presented is not None and hmac.compare_digest(
        presented.encode(), expected.encode()
    ):
        return API_KEY_CLIENT
    raise UnauthorizedError("A valid X-API-Key header is required.")
