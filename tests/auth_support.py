"""Microsoft Entra ID stand-in for the tests: real RSA keys, a real JWKS endpoint on
loopback, and tokens signed with them. Entra ID itself cannot be reached from here."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://login.microsoftonline.com/tenant-under-test/v2.0"
AUDIENCE = "api://jobmatch-under-test"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class IdentityProvider:
    """Signs tokens and publishes its public keys at `jwks_url`."""

    jwks_url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    downloads: int = 0

    def add_key(self, *, publish: bool = True) -> str:
        kid = uuid.uuid4().hex[:16]
        self.keys[kid] = _new_key()
        if publish:
            self.published.append(kid)
        return kid

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid in self.published:
            public = json.loads(
                jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[kid].public_key())
            )
            entries.append({**public, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": entries}

    def token(
        self,
        *,
        subject: str,
        roles: list[str],
        company_id: str | None = None,
        kid: str | None = None,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "oid": subject,
            "sub": f"pairwise-{subject}",
            "roles": roles,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        }
        if company_id is not None:
            claims["company_id"] = company_id
        claims.update(overrides)
        kid = kid or self.published[0]
        return jwt.encode(
            claims, self.keys[kid], algorithm="RS256", headers={"kid": kid}
        )


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.add_key()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            provider.downloads += 1
            body = json.dumps(provider.jwks()).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.jwks_url = f"http://127.0.0.1:{server.server_address[1]}/keys"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
