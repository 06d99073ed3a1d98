from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.api import create_app
from app.config import Settings
from app.runtime import Runtime

pytestmark = pytest.mark.anyio

KEY = "correct horse battery staple"


@pytest.fixture
async def keyed_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    runtime = Runtime(
        Settings(
            embedded_store_path=tmp_path / "s.sqlite3",
            local_queue_path=tmp_path / "q.sqlite3",
            api_key=KEY,
        )
    )
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await runtime.aclose()


class TestApiKey:
    async def test_without_the_key_is_401(self, keyed_client: httpx.AsyncClient):
        response = await keyed_client.get("/api/jobs")

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"

    async def test_a_wrong_key_is_401(self, keyed_client: httpx.AsyncClient):
        response = await keyed_client.get("/api/jobs", headers={"X-API-Key": "guess"})

        assert response.status_code == 401

    async def test_the_right_key_is_let_in(self, keyed_client: httpx.AsyncClient):
        response = await keyed_client.get("/api/jobs", headers={"X-API-Key": KEY})

        assert response.status_code == 200

    @pytest.mark.parametrize("path", ["/api/health", "/api/docs", "/api/openapi.json"])
    async def test_health_and_docs_need_no_key(
        self, keyed_client: httpx.AsyncClient, path: str
    ):
        response = await keyed_client.get(path)

        assert response.status_code == 200
