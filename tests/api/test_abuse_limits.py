from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.api import create_app
from app.config import Settings, SettingsError, load_settings
from app.runtime import Runtime
from tests.factories import job_body

pytestmark = pytest.mark.anyio


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    runtime = Runtime(settings)
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await runtime.aclose()


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "embedded_store_path": tmp_path / "s.sqlite3",
        "local_queue_path": tmp_path / "q.sqlite3",
        "task_queue": "local",
        "api_key": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class TestBodySize:
    @pytest.fixture
    async def client(self, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
        async for client in _client(
            _settings(tmp_path, max_body_bytes=2_048, max_import_body_bytes=8_192)
        ):
            yield client

    async def test_a_declared_oversized_body_is_413(self, client: httpx.AsyncClient):
        response = await client.post(
            "/api/jobs", json=job_body(description="x" * 5_000)
        )

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert (await client.get("/api/jobs")).json()["count"] == 0

    async def test_a_streamed_oversized_body_is_413(self, client: httpx.AsyncClient):
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 1_000

        response = await client.post(
            "/api/jobs", content=chunks(), headers={"content-type": "application/json"}
        )

        assert response.status_code == 413

    async def test_imports_may_be_larger(self, client: httpx.AsyncClient):
        rows = [job_body(title=f"Job {i}") for i in range(10)]

        response = await client.post("/api/imports/jobs", json={"jobs": rows})

        assert response.status_code == 202


class TestTextLimits:
    @pytest.mark.parametrize(
        "field, value",
        [
            ("title", "x" * 201),
            ("description", "x" * 10_001),
            ("skills", ["s"] * 51),
            ("skills", ["x" * 61]),
            ("location", "x" * 201),
        ],
    )
    async def test_overlong_values_are_422(
        self, client: httpx.AsyncClient, field: str, value: object
    ):
        response = await client.post("/api/jobs", json=job_body(**{field: value}))

        assert response.status_code == 422

    async def test_an_overlong_id_in_the_path_is_404_not_500(
        self, client: httpx.AsyncClient
    ):
        response = await client.get(f"/api/jobs/acme:{'x' * 5_000}")

        assert response.status_code == 404


class TestRateLimit:
    @pytest.fixture
    async def client(self, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
        async for client in _client(_settings(tmp_path, rate_limit_per_minute=3)):
            yield client

    async def test_the_fourth_quick_call_is_429_with_retry_after(
        self, client: httpx.AsyncClient
    ):
        answers = [(await client.get("/api/jobs")).status_code for _ in range(4)]

        assert answers == [200, 200, 200, 429]
        limited = await client.get("/api/jobs")
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "too_many_requests"

    async def test_the_health_check_is_not_limited(self, client: httpx.AsyncClient):
        answers = {(await client.get("/api/health")).status_code for _ in range(6)}

        assert answers == {200}


class TestCors:
    async def test_off_by_default(self, tmp_path: Path):
        async for client in _client(_settings(tmp_path)):
            response = await client.options(
                "/api/jobs",
                headers={
                    "Origin": "https://board.example.com",
                    "Access-Control-Request-Method": "GET",
                },
            )

            assert "access-control-allow-origin" not in response.headers

    async def test_allows_the_configured_origins_only(self, tmp_path: Path):
        settings = _settings(tmp_path, cors_origins="https://board.example.com")
        async for client in _client(settings):
            allowed = await client.get(
                "/api/health", headers={"Origin": "https://board.example.com"}
            )
            other = await client.get(
                "/api/health", headers={"Origin": "https://evil.example.com"}
            )

            assert allowed.headers["access-control-allow-origin"] == (
                "https://board.example.com"
            )
            assert "access-control-allow-origin" not in other.headers


class TestOpenAccess:
    def test_azure_refuses_to_start_without_authentication(
        self, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setenv("WEBSITE_INSTANCE_ID", "abc123")
        monkeypatch.delenv("API_KEY", raising=False)
        monkeypatch.delenv("AUTH_JWKS_URL", raising=False)

        with pytest.raises(SettingsError, match="without authentication"):
            load_settings()

    def test_azure_starts_with_an_api_key(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("WEBSITE_INSTANCE_ID", "abc123")
        monkeypatch.setenv("API_KEY", "k" * 32)
        monkeypatch.setenv("EMAIL_BACKEND", "smtp")

        assert load_settings().authentication_enabled

    def test_half_an_entra_configuration_is_refused(
        self, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setenv("AUTH_JWKS_URL", "https://login.example.com/keys")
        monkeypatch.delenv("AUTH_ISSUER", raising=False)

        with pytest.raises(SettingsError, match="go together"):
            load_settings()
