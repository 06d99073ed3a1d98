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


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        storage_backend="embedded",
        embedded_store_path=tmp_path / "store.sqlite3",
        local_queue_path=tmp_path / "queue.sqlite3",
        api_key=None,
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
