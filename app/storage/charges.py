"""Request units spent per HTTP request or background job, summed in a context var.

An entry point opens `charge_scope()` around one unit of work (a request, a queue
message, a timer run); the Cosmos backend calls `record_charge` for every response it
receives, retries included, and the scope's total is what that work cost. Scopes nest:
an inner scope (the store opens one per operation to log it) adds to every enclosing
scope. Outside any scope charges are not kept. Plain data, no SDK import: any entry
point may use it whatever the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(slots=True)
class RequestCharge:
    """The request units (RU) and the number of store responses of one scope."""

    total: float = 0.0
    responses: int = 0
    parent: RequestCharge | None = None


_current: ContextVar[RequestCharge | None] = ContextVar("request_charge", default=None)


def open_scope() -> tuple[RequestCharge, Token[RequestCharge | None]]:
    """`charge_scope` without the context manager, for hot paths; close with
    `close_scope(token)`."""
    scope = RequestCharge(parent=_current.get())
    return scope, _current.set(scope)


def close_scope(token: Token[RequestCharge | None]) -> None:
    _current.reset(token)


@contextmanager
def charge_scope() -> Iterator[RequestCharge]:
    """Sum the charges recorded inside the block; the yielded object is live."""
    scope = RequestCharge(parent=_current.get())
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def record_charge(units: float) -> None:
    """Add one response's charge to the current scope and every scope around it."""
    scope = _current.get()
    while scope is not None:
        scope.total += units
        scope.responses += 1
        scope = scope.parent


def current_charge() -> float:
    """The total of the innermost open scope, 0.0 outside any scope."""
    scope = _current.get()
    return 0.0 if scope is None else scope.total
