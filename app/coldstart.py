"""What keeps a cold start short: no garbage collection while long-lived objects are
built, and the API built by the first HTTP request rather than at import.

Imported first by function_app.py, so it imports nothing heavy itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from app.runtime import Runtime


@contextmanager
def long_lived() -> Iterator[None]:
    """Build objects that live as long as the process without collecting garbage.

    Importing the app and building the API create modules, classes and schemas that
    are never freed, so the collections they trigger free almost nothing (about 700
    objects for the import) yet rescan an ever larger heap: 60 to 85 ms of a cold
    start (bench/cold_start.py). Collect nothing meanwhile, then freeze what was
    built, which later full collections skip, and collect as usual from there.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class ApiOnFirstRequest:
    """The FastAPI app, built when the first HTTP invocation (or its lifespan start)
    reaches it.

    Registering the routes is most of the import (about 100 ms), and instances that
    scale out for the queue or fire the timer never serve HTTP. The first request pays
    it instead: bench/cold_start.py times import + first request.
    """

    def __init__(self, runtime: Runtime):
        self._runtime = runtime
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            with long_lived():
                from app.api import create_app

                self._app = create_app(self._runtime)
        await self._app(scope, receive, send)
