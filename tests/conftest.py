"""Shared fixtures: a fresh embedded store and queue per test, the API on top of
them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.api import create_app
from app.config import Settings
from app.runtime import Runtime
from app.tasks.queue import LocalQueue

pytest_plugins = [
    "tests.queue_support",
    "tests.mail_support",
    "tests.auth_support",
]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Embedded by default; TEST_STORAGE_BACKEND=cosmos gives each test its own
    freshly provisioned Cosmos DB database (tests/cosmos_support.py)."""
    from tests.cosmos_support import fresh_cosmos_settings, storage_backend_under_test

    if storage_backend_under_test() == "cosmos":
        settings = fresh_cosmos_settings(request, tmp_path)
    else:
        settings = Settings(
            storage_backend="embedded",
            embedded_store_path=tmp_path / "store.sqlite3",
        )
    # Everything a test writes stays in its own folder.
    return settings.model_copy(
        update={
            "local_queue_path": tmp_path / "queue.sqlite3",
            "email_outbox_path": tmp_path / "outbox",
            "task_queue": "local",
            "email_backend": "file",
            "api_key": None,
        }
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    yield runtime
    await runtime.aclose()


@pytest.fixture
def queue(runtime: Runtime) -> LocalQueue:
    assert isinstance(runtime.queue, LocalQueue)
    return runtime.queue


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture(autouse=True)
def _no_settings_cache() -> Iterator[None]:
    from app.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
