"""Role rules the access matrix cannot show with one request per route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.secured import API_KEY, bearer, secured_client, secured_settings
from tests.auth_support import IdentityProvider
from tests.factories import job_body, user_body

pytestmark = pytest.mark.anyio

ADMIN = {"X-API-Key": API_KEY}


@pytest.fixture
async def client(
    tmp_path: Path, identity_provider: IdentityProvider
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in secured_client(secured_settings(tmp_path, identity_provider)):
        yield client


@pytest.fixture
def candidate(identity_provider: IdentityProvider) -> dict[str, str]:
    return bearer(identity_provider.token(subject="cand-1", roles=["candidate"]))


@pytest.fixture
def employer(identity_provider: IdentityProvider) -> dict[str, str]:
    return bearer(
        identity_provider.token(subject="emp-1", roles=["employer"], company_id="acme")
    )


async def _application(
    client: httpx.AsyncClient, candidate: dict[str, str]
) -> dict[str, Any]:
    await client.post("/api/users", json=user_body(), headers=candidate)
    job = (
        await client.post("/api/jobs", json=job_body(company_id="acme"), headers=ADMIN)
    ).json()["data"]
    response = await client.post(
        "/api/applications",
        json={"user_id": "cand-1", "job_id": job["job_id"]},
        headers=candidate,
    )
    data: dict[str, Any] = response.json()["data"]
    return data


class TestCandidates:
    async def test_a_profile_takes_the_account_id(
        self, client: httpx.AsyncClient, candidate: dict[str, str]
    ):
        response = await client.post("/api/users", json=user_body(), headers=candidate)

        assert response.json()["data"]["user_id"] == "cand-1"

    async def test_may_withdraw_their_application(
        self, client: httpx.AsyncClient, candidate: dict[str, str]
    ):
        application = await _application(client, candidate)

        response = await client.patch(
            f"/api/applications/cand-1/{application['application_id']}",
            json={"status": "withdrawn"},
            headers=candidate,
        )

        assert response.status_code == 200


class TestEmployers:
    async def test_may_not_withdraw_for_the_candidate(
        self,
        client: httpx.AsyncClient,
        candidate: dict[str, str],
        employer: dict[str, str],
    ):
        application = await _application(client, candidate)

        response = await client.patch(
            f"/api/applications/cand-1/{application['application_id']}",
            json={"status": "withdrawn"},
            headers=employer,
        )

        assert response.status_code == 403

    async def test_may_not_post_for_another_company(
        self, client: httpx.AsyncClient, employer: dict[str, str]
    ):
        response = await client.post(
            "/api/jobs", json=job_body(company_id="globex"), headers=employer
        )

        assert response.status_code == 403

    async def test_may_not_import_another_companys_rows(
        self, client: httpx.AsyncClient, employer: dict[str, str]
    ):
        rows = [job_body(company_id="acme"), job_body(company_id="globex")]

        response = await client.post(
            "/api/imports/jobs", json={"jobs": rows}, headers=employer
        )

        assert response.status_code == 403

    async def test_see_their_own_companys_figures(
        self,
        client: httpx.AsyncClient,
        candidate: dict[str, str],
        employer: dict[str, str],
    ):
        await _application(client, candidate)
        await client.post(
            "/api/jobs", json=job_body(company_id="globex"), headers=ADMIN
        )

        data = (await client.get("/api/analytics", headers=employer)).json()["data"]

        assert (data["total_jobs"], data["total_applications"]) == (1, 1)
        assert data["total_candidates"] is None
