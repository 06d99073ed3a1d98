"""Who is calling: authentication and per-caller rate limits for every /api route.

Three ways in (see the README): a Microsoft Entra ID bearer token, the `X-API-Key`
machine key (acts as admin), or, only outside Azure with neither configured, open
access as admin for local use.
"""

from __future__ import annotations

import hmac

from app.errors import TooManyRequestsError, UnauthorizedError
from app.ratelimit import retry_after_header
from app.runtime import Runtime
from app.tokens import Principal

OPEN_ACCESS = Principal(subject="open-access", roles=frozenset({"admin"}))
API_KEY_CLIENT = Principal(subject="api-key", roles=frozenset({"admin"}))


async def _authenticate(
    presented_key: str | None, authorization: str | None, runtime: Runtime
) -> Principal:
    settings = runtime.settings
    if presented_key is not None:
        expected = settings.api_key.get_secret_value() if settings.api_key else None
        if expected is not None and hmac.compare_digest(
            presented_key.encode(), expected.encode()
        ):
            return API_KEY_CLIENT
        raise UnauthorizedError("The X-API-Key is not valid.")

    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        verifier = runtime.token_verifier
        if verifier is None or scheme.lower() != "bearer" or not token:
            raise UnauthorizedError("Bearer tokens are not accepted here.")
        return await verifier.verify(token.strip())

    if not settings.authentication_enabled:
        return OPEN_ACCESS
    raise UnauthorizedError("Sign in: send a bearer token or an X-API-Key header.")


async def authenticate(
    *, api_key: str | None, authorization: str | None, runtime: Runtime
) -> Principal:
    """The caller of a request, from its X-API-Key or Authorization header,
    rate-limited; raises 401 or 429 errors."""
    principal = await _authenticate(api_key, authorization, runtime)
    limiter = runtime.rate_limiter
    if limiter is not None:
        wait = limiter.acquire(principal.subject)
        if wait > 0:
            raise TooManyRequestsError(
                "Too many requests; slow down.",
                retry_after_seconds=retry_after_header(wait),
            )
    return principal
