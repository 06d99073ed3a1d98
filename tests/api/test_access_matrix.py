"""Who may call what: every route of the OpenAPI document against every kind of caller.

The table below is the specification. A route the API serves that is missing from the
table fails the test, so a new route cannot ship without its row. Each cell runs on a
fresh world: candidates A and B, jobs of Acme and Globex, A's application to Acme, B's
application to Globex, an import by Acme, a poison message, recommendations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.api import create_app
from app.runtime import Runtime
from app.services.poison import record_poison
from app.tasks.worker import run_pass
from tests.api.secured import API_KEY, bearer, secured_settings
from tests.auth_support import IdentityProvider
from tests.factories import job_body, user_body

pytestmark = pytest.mark.anyio

PRINCIPALS = ("anonymous", "cand_a", "cand_b", "emp_acme", "emp_globex", "admin")

# route -> the answer each principal gets, in PRINCIPALS order.
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/health"): (200, 200, 200, 200, 200, 200),
    ("POST", "/api/jobs"): (401, 403, 403, 201, 403, 201),
    ("GET", "/api/jobs"): (401, 200, 200, 200, 200, 200),
    ("GET", "/api/jobs/{job_id}"): (401, 200, 200, 200, 200, 200),
    ("PATCH", "/api/jobs/{job_id}"): (401, 403, 403, 200, 403, 200),
    ("DELETE", "/api/jobs/{job_id}"): (401, 403, 403, 204, 403, 204),
    ("GET", "/api/jobs/{job_id}/applications"): (401, 403, 403, 200, 403, 200),
    # Candidates A and B have profiles already: a candidate may create only their own.
    ("POST", "/api/users"): (401, 409, 409, 403, 403, 201),
    ("GET", "/api/users/{user_id}"): (401, 200, 404, 200, 404, 200),
    ("PATCH", "/api/users/{user_id}"): (401, 200, 404, 404, 404, 200),
    ("DELETE", "/api/users/{user_id}"): (401, 204, 404, 404, 404, 204),
    ("POST", "/api/applications"): (401, 201, 403, 403, 403, 201),
    # Employers get only the applications to their own company's jobs.
    ("GET", "/api/applications/{user_id}"): (401, 200, 404, 200, 200, 200),
    ("GET", "/api/applications/{user_id}/{application_id}"): (
        401,
        200,
        404,
        200,
        404,
        200,
    ),
    # Moving to under_review is the employer's; the candidate may only withdraw.
    ("PATCH", "/api/applications/{user_id}/{application_id}"): (
        401,
        403,
        404,
        200,
        404,
        200,
    ),
    ("GET", "/api/recommendations/{user_id}"): (401, 200, 404, 404, 404, 200),
    ("GET", "/api/analytics"): (401, 403, 403, 200, 200, 200),
    ("POST", "/api/imports/jobs"): (401, 403, 403, 202, 403, 202),
    ("GET", "/api/imports/{import_id}"): (401, 404, 404, 200, 404, 200),
    ("GET", "/api/admin/poison-messages"): (401, 403, 403, 403, 403, 200),
    ("POST", "/api/admin/poison-messages/{message_id}/requeue"): (
        401,
        403,
        403,
        403,
        403,
        204,
    ),
}


@dataclass
class World:
    client: httpx.AsyncClient
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]


def _headers(provider: IdentityProvider) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "cand_a": bearer(provider.token(subject="cand-a", roles=["candidate"])),
        "cand_b": bearer(provider.token(subject="cand-b", roles=["candidate"])),
        "emp_acme": bearer(
            provider.token(subject="emp-1", roles=["employer"], company_id="acme")
        ),
        "emp_globex": bearer(
            provider.token(subject="emp-2", roles=["employer"], company_id="globex")
        ),
        "admin": bearer(provider.token(subject="admin-1", roles=["admin"])),
    }


async def _created(
    client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (201, 202), response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.fixture
async def world(
    tmp_path: Path, identity_provider: IdentityProvider
) -> AsyncIterator[World]:
    runtime = Runtime(secured_settings(tmp_path, identity_provider))
    transport = httpx.ASGITransport(app=create_app(runtime))
    headers = _headers(identity_provider)
    admin = {"X-API-Key": API_KEY}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await _created(client, "/api/users", user_body(), headers["cand_a"])
        await _created(
            client, "/api/users", user_body(email="b@example.com"), headers["cand_b"]
        )
        acme = await _created(client, "/api/jobs", job_body(company_id="acme"), admin)
        globex = await _created(
            client, "/api/jobs", job_body(company_id="globex"), admin
        )
        applied = {"user_id": "cand-a", "job_id": acme["job_id"]}
        application = await _created(client, "/api/applications", applied, admin)
        await _created(
            client,
            "/api/applications",
            {"user_id": "cand-b", "job_id": globex["job_id"]},
            admin,
        )
        started = await _created(
            client,
            "/api/imports/jobs",
            {"jobs": [job_body(company_id="acme")]},
            headers["emp_acme"],
        )
        await record_poison(
            runtime.store,
            queue_name="jobmatch-tasks-poison",
            message_id="poisoned-1",
            body="{}",
            dequeue_count=5,
        )
        await run_pass(runtime)
        yield World(
            client=client,
            headers=headers,
            ids={
                "job_id": acme["job_id"],
                "globex_job_id": globex["job_id"],
                "user_id": "cand-a",
                "application_id": application["application_id"],
                "import_id": started["import_id"],
                "message_id": "poisoned-1",
            },
        )
    await runtime.aclose()


def _body(method: str, path: str, ids: dict[str, str]) -> Any:
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/api/jobs"): job_body(company_id="acme"),
        ("PATCH", "/api/jobs/{job_id}"): {"title": "Renamed"},
        ("POST", "/api/users"): user_body(email="new@example.com"),
        ("PATCH", "/api/users/{user_id}"): {"summary": "Changed"},
        ("POST", "/api/applications"): {
            "user_id": "cand-a",
            "job_id": ids["globex_job_id"],
        },
        ("PATCH", "/api/applications/{user_id}/{application_id}"): {
            "status": "under_review"
        },
        ("POST", "/api/imports/jobs"): {"jobs": [job_body(company_id="acme")]},
    }
    return bodies.get((method, path))


def _served_routes() -> set[tuple[str, str]]:
    schema = create_app(Runtime()).openapi()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


class TestMatrix:
    def test_every_served_route_has_a_row(self):
        served = _served_routes()

        assert served - MATRIX.keys() == set(), "add these routes to MATRIX"
        assert MATRIX.keys() - served == set(), "MATRIX names routes that do not exist"

    @pytest.mark.parametrize("principal", PRINCIPALS)
    @pytest.mark.parametrize("route", sorted(MATRIX), ids=" ".join)
    async def test_the_answer_is_as_specified(
        self, world: World, route: tuple[str, str], principal: str
    ):
        method, template = route
        url = template.format(**world.ids)
        expected = MATRIX[route][PRINCIPALS.index(principal)]

        response = await world.client.request(
            method,
            url,
            json=_body(method, template, world.ids),
            headers=world.headers[principal],
        )

        assert response.status_code == expected, response.text
        if expected >= 400:
            body = response.json()
            assert body["status"] == "error"
            assert "data" not in body
