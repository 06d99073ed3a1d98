"""The project's error tree: every expected failure carries its HTTP status.

One handler in the API renders these into the one error body; services and storage raise
them without knowing about HTTP.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error the service raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    @property
    def headers(self) -> dict[str, str]:
        return {}


class BadRequestError(AppError):
    status_code = 400
    code = "bad_request"


class UnauthorizedError(AppError):
    status_code = 401
    code = "unauthorized"


class ForbiddenError(AppError):
    status_code = 403
    code = "forbidden"


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class PreconditionFailedError(AppError):
    status_code = 412
    code = "precondition_failed"


class PayloadTooLargeError(AppError):
    status_code = 413
    code = "payload_too_large"


class InvalidInputError(AppError):
    status_code = 422
    code = "validation_error"


class _RetryLater(AppError):
    """An error the client may retry after `retry_after_seconds` (Retry-After)."""

    def __init__(self, message: str, *, retry_after_seconds: int = 1):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class TooManyRequestsError(_RetryLater):
    status_code = 429
    code = "too_many_requests"


class ServiceUnavailableError(_RetryLater):
    """A dependency is throttling or down; the client may retry after a while."""

    status_code = 503
    code = "service_unavailable"
