from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.api.secured import API_KEY, bearer, secured_client, secured_settings
from tests.auth_support import IdentityProvider

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(
    tmp_path: Path, identity_provider: IdentityProvider
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in secured_client(secured_settings(tmp_path, identity_provider)):
        yield client


def _admin(provider: IdentityProvider, **overrides: object) -> str:
    return provider.token(subject="admin-1", roles=["admin"], **overrides)


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return f"{header}.{forged.decode()}.{signature}"


class TestValidCredentials:
    async def test_a_valid_token_is_let_in(
        self, client: httpx.AsyncClient, identity_provider: IdentityProvider
    ):
        response = await client.get(
            "/api/jobs", headers=bearer(_admin(identity_provider))
        )

        assert response.status_code == 200

    async def test_the_api_key_is_let_in(self, client: httpx.AsyncClient):
        response = await client.get("/api/jobs", headers={"X-API-Key": API_KEY})

        assert response.status_code == 200

    async def test_a_rotated_key_is_fetched_when_first_seen(
        self,
        client: httpx.AsyncClient,
        identity_provider: IdentityProvider,
        monkeypatch: pytest.MonkeyPatch,
    ):
        await client.get("/api/jobs", headers=bearer(_admin(identity_provider)))
        new_kid = identity_provider.add_key()
        # As if the guard interval between key downloads had passed.
        monkeypatch.setattr("app.tokens._REFETCH_INTERVAL_SECONDS", 0.0)

        response = await client.get(
            "/api/jobs", headers=bearer(_admin(identity_provider, kid=new_kid))
        )

        assert response.status_code == 200

    async def test_a_token_without_a_role_is_403(
        self, client: httpx.AsyncClient, identity_provider: IdentityProvider
    ):
        token = identity_provider.token(subject="nobody", roles=["reader"])

        response = await client.get("/api/jobs", headers=bearer(token))

        assert response.status_code == 403

    @pytest.mark.parametrize("path", ["/api/health", "/api/docs", "/api/openapi.json"])
    async def test_health_and_docs_need_no_credentials(
        self, client: httpx.AsyncClient, path: str
    ):
        response = await client.get(path)

        assert response.status_code == 200


def _forgeries(provider: IdentityProvider) -> dict[str, str]:
    now = int(time.time())
    unpublished = provider.add_key(publish=False)
    public_pem = (
        provider.keys[provider.published[0]]
        .public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    claims = {
        "iss": "x",
        "aud": "y",
        "oid": "admin-1",
        "roles": ["admin"],
        "exp": now + 600,
    }
    return {
        "expired": _admin(provider, exp=now - 3600, iat=now - 7200, nbf=now - 7200),
        "not yet valid": _admin(provider, nbf=now + 3600),
        "wrong audience": _admin(provider, aud="api://someone-else"),
        "wrong issuer": _admin(provider, iss="https://evil.example.com"),
        "unknown key": provider.token(subject="a", roles=["admin"], kid=unpublished),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the public key": base64_hs256(claims, public_pem),
        "tampered payload": _tamper(
            provider.token(subject="cand-1", roles=["candidate"])
        ),
        "not a jwt": "definitely-not-a-token",
    }


def base64_hs256(claims: dict[str, object], secret: bytes) -> str:
    """An HS256 token keyed with the RSA public key: the classic confusion attack.
    PyJWT refuses to sign with a PEM key, so the signature is computed by hand."""
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{b64(signature.digest())}"


class TestForgedCredentials:
    async def test_every_forgery_is_401(
        self, client: httpx.AsyncClient, identity_provider: IdentityProvider
    ):
        forgeries = _forgeries(identity_provider)

        answers = {
            name: (await client.get("/api/jobs", headers=bearer(token))).status_code
            for name, token in forgeries.items()
        }

        assert answers == dict.fromkeys(forgeries, 401)

    async def test_a_wrong_api_key_is_401(self, client: httpx.AsyncClient):
        response = await client.get("/api/jobs", headers={"X-API-Key": "guess"})

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_no_credentials_is_401(self, client: httpx.AsyncClient):
        response = await client.get("/api/jobs")

        assert response.status_code == 401

    async def test_basic_auth_is_401(self, client: httpx.AsyncClient):
        response = await client.get(
            "/api/jobs", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}
        )

        assert response.status_code == 401

    async def test_unknown_key_ids_do_not_hammer_the_key_endpoint(
        self, client: httpx.AsyncClient, identity_provider: IdentityProvider
    ):
        await client.get("/api/jobs", headers=bearer(_admin(identity_provider)))
        before = identity_provider.downloads
        unknown = [
            identity_provider.token(
                subject="a",
                roles=["admin"],
                kid=identity_provider.add_key(publish=False),
            )
            for _ in range(5)
        ]

        for token in unknown:
            await client.get("/api/jobs", headers=bearer(token))

        assert identity_provider.downloads - before <= 1
