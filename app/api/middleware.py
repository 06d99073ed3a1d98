"""The one ASGI layer around every request: body limit, authentication, correlation id,
request charge, access log, and the guard that keeps a 500 free of internals.

It runs on every request, so it reads the headers once and uses no per-request
objects it can avoid; `bench/adapter.py` measures it.
"""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import authenticate
from app.api.deps import PRINCIPAL_SCOPE_KEY
from app.api.errors import app_error_response, error_response
from app.errors import AppError, BadRequestError, PayloadTooLargeError
from app.logs import reset_correlation, set_correlation
from app.storage.charges import close_scope, open_scope

logger = logging.getLogger("app.http")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Answer without credentials: liveness and the API's documentation.
PUBLIC_PATHS = frozenset(
    {"/api/health", "/api/docs", "/api/docs/oauth2-redirect", "/api/openapi.json"}
)
# Bulk imports carry thousands of rows; every other body stays small.
_LARGE_BODY_PREFIX = "/api/imports/"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_READ_HEADERS = frozenset(
    {b"x-api-key", b"authorization", b"x-request-id", b"content-length"}
)


def _too_large(limit: int) -> JSONResponse:
    return app_error_response(
        PayloadTooLargeError(f"The request body exceeds {limit} bytes.")
    )


def _correlation_id(presented: bytes | None, scope: Scope) -> str:
    """The caller's X-Request-ID if it is sane, else the Functions invocation id."""
    if presented is not None:
        candidate = presented.decode("latin-1")
        if _SAFE_ID.match(candidate):
            return candidate
    invocation = scope.get("azure_functions.invocation_id")
    return str(invocation) if invocation else os.urandom(16).hex()


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


class RequestMiddleware:
    """Refuses oversized bodies (413) and unauthenticated calls (401, 429) before the
    app runs; tags the request with a correlation id (echoed as X-Request-ID), sums its
    store charge, logs it, and answers an unexpected exception with a bare 500.

    Starlette's own handler re-raises after answering, and under Azure Functions the
    adapter then lets the host replace the body; answering here and not re-raising
    keeps the body ours and free of exception text.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        runtime = scope["app"].state.runtime
        settings = runtime.settings
        path: str = scope["path"]
        headers = {k: v for k, v in scope["headers"] if k in _READ_HEADERS}
        request_id = _correlation_id(headers.get(b"x-request-id"), scope)
        id_header = (b"x-request-id", request_id.encode())

        limit = (
            settings.max_import_body_bytes
            if path.startswith(_LARGE_BODY_PREFIX)
            else settings.max_body_bytes
        )
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > limit:
            response = (
                _too_large(limit)
                if declared.isdigit()
                else app_error_response(BadRequestError("Invalid Content-Length."))
            )
            response.raw_headers.append(id_header)
            await response(scope, receive, send)
            return
        if path not in PUBLIC_PATHS:
            try:
                scope[PRINCIPAL_SCOPE_KEY] = await authenticate(
                    api_key=_text(headers.get(b"x-api-key")),
                    authorization=_text(headers.get(b"authorization")),
                    runtime=runtime,
                )
            except AppError as exc:
                response = app_error_response(exc)
                response.raw_headers.append(id_header)
                await response(scope, receive, send)
                return

        received = 0
        too_large = False
        status = 500
        responded = False

        async def receive_within_limit() -> Message:
            # Past the limit the app sees the client go away; its answer to that is
            # dropped below and replaced by a 413.
            nonlocal received, too_large
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                too_large = True
                return {"type": "http.disconnect"}
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if too_large and not responded and message["type"].startswith("http.resp"):
                return
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        correlation = set_correlation(request_id)
        charge, charge_token = open_scope()
        try:
            inner_receive = (
                receive_within_limit if scope["method"] in _BODY_METHODS else receive
            )
            await self.app(scope, inner_receive, send_with_id)
        except Exception:
            logger.exception(
                "http.unhandled_error", extra={"method": scope["method"], "path": path}
            )
            if not responded:
                response = error_response(
                    500, "internal_error", "An unexpected error occurred."
                )
                await response(scope, receive, send_with_id)
        finally:
            close_scope(charge_token)
            if too_large and not responded:
                too_large = False
                await _too_large(limit)(scope, receive, send_with_id)
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "http.request",
                    extra={
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1e3, 2),
                        "request_charge": round(charge.total, 2),
                        "store_calls": charge.responses,
                    },
                )
            reset_correlation(correlation)
