"""Logging: events with fields, readable on a console.

Code logs an event name and its fields (`logger.info("jobs.created", extra={...})`);
the formatter appends the fields as key=value pairs.
"""

from __future__ import annotations

import logging

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


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
    handler = logging.StreamHandler()
    handler.setFormatter(
        EventFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
