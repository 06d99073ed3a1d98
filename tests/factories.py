"""Request bodies for tests: valid by default, overridable field by field."""

from __future__ import annotations

from typing import Any

import httpx


def job_body(**overrides: Any) -> dict[str, Any]:
    return {
        "company_id": "acme",
        "company_name": "Acme",
        "title": "Backend engineer",
        "description": "Build APIs.",
        "skills": ["Python", "PostgreSQL", "Kubernetes"],
        "location": "San Francisco, CA",
        "remote": False,
        "min_experience": 2,
        "max_experience": 6,
        **overrides,
    }


def user_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "skills": ["python", "postgres"],
        "experience_years": 4,
        "location": "San Francisco",
        **overrides,
    }


async def create_job(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/jobs", json=job_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def create_user(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/users", json=user_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def apply(client: httpx.AsyncClient, user_id: str, job_id: str) -> httpx.Response:
    return await client.post(
        "/api/applications", json={"user_id": user_id, "job_id": job_id}
    )
