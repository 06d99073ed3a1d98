"""Logging: events with fields, and a correlation id on every record.

Code logs an event name and its fields (`logger.info("jobs.created", extra={...})`).
Every record carries `correlation_id`: the request's or the queue invocation's, set
with `correlation(...)` by the entry points. Locally the console shows the fields as
key=value pairs. In Azure they reach Application Insights as custom dimensions through
OpenTelemetry, or else as JSON lines (app/observability.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
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
        fields = " ".join(f"{key}={value!r}" for key, value in _fields(record).items())
        return f"{line} {fields}" if fields else line


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, event, correlation id, and
    the event's fields; values JSON cannot hold are written as their str()."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "correlation_id": None,
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


def use_json_lines(handlers: Iterable[logging.Handler] | None = None) -> None:
    """Write the records of these handlers (the root logger's by default) as JSON.

    Under Azure Functions the Python worker owns logging: before it imports the app
    it puts its own handler on the root logger, which formats each record and hands
    the text to the host, which writes it to the log stream and Application
    Insights. Replacing that handler would lose the records, so only its formatter
    changes: the message the host receives is the JSON line, fields and all, and
    KQL reads it with parse_json(). `python -m app serve` in Azure has no such
    handler; `configure_logging(json_lines=True)` installs a console one.
    """
    install_correlation()
    formatter = JsonFormatter()
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        handler.setFormatter(formatter)


def configure_logging(level: str, *, json_lines: bool = False) -> None:
    """Console logging for `python -m app`: key=value lines, or JSON lines (in
    Azure); under Functions the worker owns the handlers (see `use_json_lines`)."""
    install_correlation()
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else EventFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
