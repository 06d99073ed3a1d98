"""Logging: events with fields, and a correlation id on every record.

Code logs an event name and its fields (`logger.info("jobs.created", extra={...})`).
Every record carries `correlation_id`: the request's or the queue invocation's, set
with `correlation(...)` by the entry points. Locally the console shows the fields as
key=value pairs; under Azure Functions the host's handlers ship them to Application
Insights as custom dimensions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def set_correlation(value: str) -> Token[str | None]:
    """Tag the records logged from here on; hand the token to `reset_correlation`."""
    return _correlation_id.set(value)


def reset_correlation(token: Token[str | None]) -> None:
    _correlation_id.reset(token)


@contextmanager
def correlation(value: str) -> Iterator[None]:
    """Tag every record logged inside the block with this correlation id."""
    token = _correlation_id.set(value)
    try:
        yield
    finally:
        _correlation_id.reset(token)


def install_correlation() -> None:
    """Make every log record of the process carry the current correlation id."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_adds_correlation", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        correlation_id = _correlation_id.get()
        if correlation_id is not None:
            record.correlation_id = correlation_id
        return record

    make_record._adds_correlation = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


class EventFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(
            f"{key}={value!r}"
            for key, value in vars(record).items()
            if key not in _STANDARD
        )
        return f"{line} {fields}" if fields else line


def configure_logging(level: str) -> None:
    """Console logging for local runs; under Functions the host owns the handlers."""
    install_correlation()
    handler = logging.StreamHandler()
    handler.setFormatter(
        EventFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
