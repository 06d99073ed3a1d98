"""Microsoft Entra ID bearer tokens: signature, issuer, audience, lifetime, roles.

PyJWT does the cryptography; this module fetches and caches the signing keys and turns
verified claims into a Principal. RS256 only: `alg: none` and HS256 tokens (including
one "signed" with the public key) are refused before any key is used.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal

from app.errors import ServiceUnavailableError, UnauthorizedError

Role = Literal["candidate", "employer", "admin"]
ROLES: frozenset[str] = frozenset({"candidate", "employer", "admin"})

_ALGORITHMS = ["RS256"]
# A token naming an unknown key triggers at most one key download per this many
# seconds, so forged key ids cannot make us hammer the key endpoint.
_REFETCH_INTERVAL_SECONDS = 60.0
_FETCH_TIMEOUT_SECONDS = 5.0
_CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a candidate's `subject` is their user id."""

    subject: str
    roles: frozenset[str]
    company_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_candidate(self) -> bool:
        return "candidate" in self.roles

    @property
    def is_employer(self) -> bool:
        return "employer" in self.roles and self.company_id is not None


def _download(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=_FETCH_TIMEOUT_SECONDS) as response:
        document: dict[str, Any] = json.loads(response.read())
    return document


class TokenVerifier:
    """Verifies bearer tokens against the keys at a JWKS URL, cached per process."""

    def __init__(
        self, *, jwks_url: str, issuer: str, audience: str, company_claim: str
    ):
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._company_claim = company_claim
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        import jwt

        async with self._lock:
            if time.monotonic() - self._fetched_at < _REFETCH_INTERVAL_SECONDS:
                return
            self._fetched_at = time.monotonic()
            try:
                document = await asyncio.to_thread(_download, self._jwks_url)
                key_set = jwt.PyJWKSet.from_dict(document)
            except (OSError, ValueError, jwt.PyJWTError) as exc:
                if not self._keys:
                    raise ServiceUnavailableError(
                        "The token signing keys cannot be fetched.",
                        retry_after_seconds=int(_REFETCH_INTERVAL_SECONDS),
                    ) from exc
                return  # keep the keys we have
            self._keys = {k.key_id: k for k in key_set.keys if k.key_id}

    async def _key_for(self, key_id: str) -> Any:
        if key_id not in self._keys:
            await self._refresh()
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnauthorizedError(
                "The token is signed with an unknown key."
            ) from None

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; UnauthorizedError for anything else."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise UnauthorizedError("The bearer token is malformed.") from None
        if header.get("alg") not in _ALGORITHMS:
            raise UnauthorizedError("The token's algorithm is not accepted.")
        key = await self._key_for(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            raise UnauthorizedError("The bearer token is not valid.") from None
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        subject = claims.get("oid") or claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise UnauthorizedError("The token names no subject.")
        raw_roles = claims.get("roles", [])
        roles = (
            frozenset(r for r in raw_roles if r in ROLES)
            if isinstance(raw_roles, list)
            else frozenset()
        )
        company = claims.get(self._company_claim)
        return Principal(
            subject=subject,
            roles=roles,
            company_id=company if isinstance(company, str) and company else None,
        )
