"""Process-wide resources, created lazily on first use and shared by every trigger.

Inside Azure Functions the ASGI lifespan runs only on the first HTTP request, so a timer
or queue invocation cannot rely on it: whoever first needs the store or the queue opens
it.
"""

from __future__ import annotations

import functools

from app.config import Settings, get_settings
from app.notifications import EmailSender, open_sender
from app.ratelimit import RateLimiter
from app.storage import DocumentStore, open_store
from app.tasks.messages import TASK_QUEUE_NAME
from app.tasks.queue import LocalQueue, TaskQueue
from app.tokens import TokenVerifier


class Runtime:
    """Settings, store and task queue of one process (or of one test)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: DocumentStore | None = None,
        queue: TaskQueue | None = None,
        email: EmailSender | None = None,
    ):
        self._settings = settings
        self._store = store
        self._queue = queue
        self._email = email

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def store(self) -> DocumentStore:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    @property
    def queue(self) -> TaskQueue:
        if self._queue is None:
            if self.settings.uses_azure_queue:
                from app.tasks.azure_queue import AzureTaskQueue

                self._queue = AzureTaskQueue.from_settings(
                    self.settings, TASK_QUEUE_NAME
                )
            else:
                self._queue = LocalQueue(self.settings.local_queue_path)
        return self._queue

    @functools.cached_property
    def token_verifier(self) -> TokenVerifier | None:
        settings = self.settings
        if not settings.jwt_enabled:
            return None
        return TokenVerifier(
            jwks_url=str(settings.auth_jwks_url),
            issuer=str(settings.auth_issuer),
            audience=str(settings.auth_audience),
            company_claim=settings.auth_company_claim,
        )

    @functools.cached_property
    def rate_limiter(self) -> RateLimiter | None:
        per_minute = self.settings.rate_limit_per_minute
        return RateLimiter(per_minute=per_minute) if per_minute else None

    @property
    def email(self) -> EmailSender:
        if self._email is None:
            self._email = open_sender(self.settings)
        return self._email

    async def aclose(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None
        if self._queue is not None:
            await self._queue.close()
            self._queue = None
        if self._email is not None:
            await self._email.close()
            self._email = None


_process_runtime: Runtime | None = None


def set_process_runtime(runtime: Runtime) -> Runtime:
    """Make `runtime` the one every entry point of this process uses."""
    global _process_runtime
    _process_runtime = runtime
    return runtime


def get_runtime() -> Runtime:
    """The runtime of this process, created on first call."""
    global _process_runtime
    if _process_runtime is None:
        _process_runtime = Runtime()
    return _process_runtime
