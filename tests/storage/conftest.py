"""The storage contract runs on every backend: `embedded` always, `cosmos` on the
emulator launcher (or on the account named by COSMOS_ENDPOINT)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.storage import CONTAINERS, DocumentStore
from tests.cosmos_support import (
    cosmos_account_for,
    fresh_cosmos_settings,
    settle_tls_closes,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["embedded", "cosmos"])
def backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
async def store(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DocumentStore]:
    opened: DocumentStore
    if backend == "embedded":
        from app.storage.embedded import EmbeddedStore

        opened = EmbeddedStore(tmp_path / "store.sqlite3", CONTAINERS.values())
    else:
        from app.storage.cosmos import CosmosStore

        settings = fresh_cosmos_settings(request, tmp_path)
        opened = CosmosStore.from_settings(settings, CONTAINERS.values())
    yield opened
    await opened.close()
    if backend == "cosmos":
        await settle_tls_closes()


@pytest.fixture
def emulator_gap(backend: str, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Mark the cosmos case as an expected failure where the emulator lacks a feature.

    Strict: the day the emulator gains it, the test fails and the mark must go. On a
    real account (COSMOS_ENDPOINT) the mark is not applied.
    """

    def mark(reason: str) -> None:
        if backend == "cosmos" and cosmos_account_for(request.config).is_launcher:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))

    return mark
