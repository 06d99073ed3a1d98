"""An API with every way in configured: Entra ID tokens and an API key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from app.api import create_app
from app.config import Settings
from app.runtime import Runtime
from tests.auth_support import AUDIENCE, ISSUER, IdentityProvider

API_KEY = "correct horse battery staple"


def secured_settings(
    tmp_path: Path, provider: IdentityProvider, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "embedded_store_path": tmp_path / "store.sqlite3",
        "local_queue_path": tmp_path / "queue.sqlite3",
        "email_outbox_path": tmp_path / "outbox",
        "task_queue": "local",
        "api_key": API_KEY,
        "auth_jwks_url": provider.jwks_url,
        "auth_issuer": ISSUER,
        "auth_audience": AUDIENCE,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def secured_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    runtime = Runtime(settings)
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await runtime.aclose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
