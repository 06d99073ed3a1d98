"""The one ASGI layer around every request: correlation id, request charge, access log,
and the guard that keeps a 500 free of internals."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import authenticate
from app.api.deps import PRINCIPAL_SCOPE_KEY
from app.api.errors import app_error_response, error_response
from app.errors import AppError
from app.logs import correlation
from app.storage.charges import charge_scope

logger = logging.getLogger("app.http")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Answer without credentials: liveness and the API's documentation.
PUBLIC_PATHS = frozenset(
    {"/api/health", "/api/docs", "/api/docs/oauth2-redirect", "/api/openapi.json"}
)
# Bulk imports carry thousands of rows; every other body stays small.
_LARGE_BODY_PREFIX = "/api/imports/"


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _too_large(limit: int) -> JSONResponse:
    return error_response(
        413, "payload_too_large", f"The request body exceeds {limit} bytes."
    )


def _correlation_id(scope: Scope) -> str:
    """The caller's X-Request-ID if it is sane, else the Functions invocation id."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = str(value.decode("latin-1"))
            if _SAFE_ID.match(candidate):
                return candidate
    invocation = scope.get("azure_functions.invocation_id")
    return str(invocation) if invocation else uuid.uuid4().hex


class RequestMiddleware:
    """Tags the request with a correlation id (echoed as X-Request-ID), sums its store
    charge, logs it, and answers an unexpected exception with a bare 500.

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
        settings = scope["app"].state.runtime.settings
        limit = (
            settings.max_import_body_bytes
            if scope["path"].startswith(_LARGE_BODY_PREFIX)
            else settings.max_body_bytes
        )
        if _declared_length(scope) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        request_id = _correlation_id(scope)
        if scope["path"] not in PUBLIC_PATHS:
            try:
                scope[PRINCIPAL_SCOPE_KEY] = await authenticate(
                    Headers(scope=scope), scope["app"].state.runtime
                )
            except AppError as exc:
                response = app_error_response(exc)
                response.headers["x-request-id"] = request_id
                await response(scope, receive, send)
                return
        received = 0
        too_large = False

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

        header = (b"x-request-id", request_id.encode())
        status = 500
        responded = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if too_large and not responded and message["type"].startswith("http.resp"):
                return
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        with correlation(request_id), charge_scope() as charge:
            try:
                await self.app(scope, receive_within_limit, send_with_id)
            except Exception:
                logger.exception(
                    "http.unhandled_error",
                    extra={"method": scope["method"], "path": scope["path"]},
                )
                if not responded:
                    response = error_response(
                        500, "internal_error", "An unexpected error occurred."
                    )
                    await response(scope, receive, send_with_id)
            if too_large and not responded:
                too_large = False
                await _too_large(limit)(scope, receive, send_with_id)
            logger.info(
                "http.request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_charge": round(charge.total, 2),
                    "store_calls": charge.responses,
                },
            )
