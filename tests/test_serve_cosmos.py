"""The local server on the Cosmos DB backend: every kind of document lands in its
container under the declared partition key, checked with the azure-cosmos SDK itself."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from azure.cosmos import CosmosClient

from tests.cosmos_support import fresh_cosmos_settings
from tests.test_cli import _server


# The emulator's certificate is self-signed; the SDK's own check is turned off for it.
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_serve_stores_documents_in_the_declared_containers(
    request: pytest.FixtureRequest, tmp_path: Path
):
    settings = fresh_cosmos_settings(request, tmp_path)
    key = settings.cosmos_key.get_secret_value() if settings.cosmos_key else ""
    assert settings.cosmos_endpoint is not None
    with _server(
        tmp_path,
        STORAGE_BACKEND="cosmos",
        COSMOS_ENDPOINT=settings.cosmos_endpoint,
        COSMOS_KEY=key,
        COSMOS_DATABASE=settings.cosmos_database,
        COSMOS_VERIFY_TLS=str(settings.cosmos_verify_tls).lower(),
    ) as (base, _):
        job = httpx.post(
            f"{base}/api/jobs",
            json={"company_id": "contoso", "title": "Data engineer", "skills": ["SQL"]},
        ).json()["data"]
        user = httpx.post(
            f"{base}/api/users",
            json={"name": "Ada", "email": "ada@example.com", "skills": ["SQL"]},
        ).json()["data"]
        application = httpx.post(
            f"{base}/api/applications",
            json={"user_id": user["user_id"], "job_id": job["job_id"]},
        ).json()["data"]
        reads = [
            httpx.get(f"{base}/api/jobs/{job['job_id']}").status_code,
            httpx.get(f"{base}/api/users/{user['user_id']}").status_code,
            httpx.get(f"{base}/api/applications/{user['user_id']}").status_code,
            httpx.get(f"{base}/api/analytics").status_code,
        ]

    client = CosmosClient(
        settings.cosmos_endpoint,
        credential=key,
        connection_verify=settings.cosmos_verify_tls,
    )
    database = client.get_database_client(settings.cosmos_database)
    stored = {
        "jobs": database.get_container_client("jobs").read_item(
            job["job_id"], partition_key="contoso"
        ),
        "users": database.get_container_client("users").read_item(
            user["user_id"], partition_key=user["user_id"]
        ),
        "applications": database.get_container_client("applications").read_item(
            application["application_id"], partition_key=user["user_id"]
        ),
    }
    keys = {
        name: database.get_container_client(name).read()["partitionKey"]["paths"]
        for name in stored
    }

    assert reads == [200, 200, 200, 200]
    assert stored["jobs"]["title"] == "Data engineer"
    assert stored["users"]["email"] == "ada@example.com"
    assert stored["applications"]["job_id"] == job["job_id"]
    assert keys == {
        "jobs": ["/company_id"],
        "users": ["/user_id"],
        "applications": ["/user_id"],
    }
