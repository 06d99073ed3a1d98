"""One error body for every failure, and the guard that keeps a 500 free of
internals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError
from app.models.common import ErrorBody, ErrorDetail, ErrorInfo

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=ErrorInfo(code=code, message=message, details=details or []))
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status_code, headers=headers
    )


def _field_of(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


def app_error_response(exc: AppError) -> JSONResponse:
    headers = exc.headers
    if exc.status_code == 401:
        headers = {**headers, "WWW-Authenticate": "Bearer"}
    details = [ErrorDetail.model_validate(d) for d in exc.details]
    return error_response(exc.status_code, exc.code, exc.message, details, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        ErrorDetail(
            field=_field_of(err.get("loc", ())), message=err.get("msg", "invalid")
        )
        for err in exc.errors()
    ]
    fields = ", ".join(d.field for d in details if d.field) or "the request"
    return error_response(422, "validation_error", f"Invalid input: {fields}.", details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
