"""Cosmos DB only: provisioning, the client's life cycle, error mapping, charges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos.aio import CosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError

from app.config import Settings
from app.errors import BadRequestError
from app.storage import CONTAINERS, Query, StoreUnavailableError
from app.storage.charges import charge_scope
from app.storage.containers import JOBS, USERS, USERS_DEFAULT_TTL_SECONDS
from app.storage.cosmos import CosmosStore, _operation, provision
from tests.cosmos_support import fresh_cosmos_settings

pytestmark = pytest.mark.anyio

# Nothing listens on the discard port of the loopback interface.
UNREACHABLE = "https://127.0.0.1:9"


@pytest.fixture
def cosmos_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return fresh_cosmos_settings(request, tmp_path)


@pytest.fixture
async def cosmos_store(cosmos_settings: Settings) -> AsyncIterator[CosmosStore]:
    store = CosmosStore.from_settings(cosmos_settings, CONTAINERS.values())
    yield store
    await store.close()


async def container_properties(settings: Settings) -> dict[str, dict[str, Any]]:
    assert settings.cosmos_endpoint and settings.cosmos_key
    async with CosmosClient(
        settings.cosmos_endpoint,
        credential=settings.cosmos_key.get_secret_value(),
        connection_verify=settings.cosmos_verify_tls,
    ) as client:
        database = client.get_database_client(settings.cosmos_database)
        return {
            name: await database.get_container_client(name).read()
            for name in CONTAINERS
        }


class TestProvision:
    async def test_containers_get_the_declared_partition_keys_and_ttl(
        self, cosmos_settings: Settings
    ) -> None:
        properties = await container_properties(cosmos_settings)

        for name, spec in CONTAINERS.items():
            assert properties[name]["partitionKey"]["paths"] == [
                spec.partition_key_path
            ]
        assert properties[USERS]["defaultTtl"] == USERS_DEFAULT_TTL_SECONDS
        assert properties[JOBS].get("defaultTtl") is None

    async def test_running_it_again_changes_nothing(
        self, cosmos_settings: Settings
    ) -> None:
        before = await container_properties(cosmos_settings)

        await provision(cosmos_settings, CONTAINERS.values())

        after = await container_properties(cosmos_settings)
        for name in CONTAINERS:
            assert after[name].get("defaultTtl") == before[name].get("defaultTtl")
            assert after[name]["partitionKey"] == before[name]["partitionKey"]


class TestClientLifecycle:
    async def test_opening_the_store_does_no_io(self) -> None:
        store = CosmosStore(
            endpoint=UNREACHABLE,
            key="a2V5",
            database="db",
            containers=CONTAINERS.values(),
        )

        await store.close()

    async def test_an_unreachable_account_is_store_unavailable(self) -> None:
        store = CosmosStore(
            endpoint=UNREACHABLE,
            key="a2V5",
            database="db",
            containers=CONTAINERS.values(),
        )

        with pytest.raises(StoreUnavailableError):
            await store.read(JOBS, partition_key="acme", item_id="acme:1")

        await store.close()

    async def test_the_store_reopens_after_close(
        self, cosmos_store: CosmosStore
    ) -> None:
        await cosmos_store.upsert(USERS, {"id": "a", "user_id": "a"})
        await cosmos_store.close()

        read = await cosmos_store.read(USERS, partition_key="a", item_id="a")

        assert read["id"] == "a"


class TestErrorMapping:
    @pytest.mark.parametrize(
        ("status", "retry_after_ms", "expected_seconds"),
        [(429, "2500", 3), (429, None, 1), (503, None, 1), (408, "100", 1)],
    )
    def test_transient_failures_become_store_unavailable_with_retry_after(
        self, status: int, retry_after_ms: str | None, expected_seconds: int
    ) -> None:
        error = CosmosHttpResponseError(status_code=status, message="busy")
        error.headers = (
            {} if retry_after_ms is None else {"x-ms-retry-after-ms": retry_after_ms}
        )

        with pytest.raises(StoreUnavailableError) as raised, _operation("read", JOBS):
            raise error

        assert raised.value.retry_after_seconds == expected_seconds
        assert raised.value.status_code == 503

    def test_other_failures_pass_through(self) -> None:
        error = CosmosHttpResponseError(status_code=400, message="bad query")

        with pytest.raises(CosmosHttpResponseError), _operation("query", JOBS):
            raise error


class TestContinuation:
    async def test_a_token_from_another_query_is_a_bad_request(
        self, cosmos_store: CosmosStore
    ) -> None:
        for n in range(4):
            await cosmos_store.create(
                JOBS,
                {"id": f"j{n}", "company_id": "acme", "created_at": f"2026-0{n + 1}"},
            )
        first = await cosmos_store.query(
            JOBS, Query(order_by="created_at"), partition_key="acme", limit=2
        )
        assert first.continuation is not None

        with pytest.raises(BadRequestError):
            await cosmos_store.query(
                JOBS,
                Query(order_by="created_at", direction="desc"),
                partition_key="acme",
                limit=2,
                continuation=first.continuation,
            )


class TestRequestCharge:
    async def test_every_operation_adds_its_charge_to_the_open_scope(
        self, cosmos_store: CosmosStore
    ) -> None:
        await cosmos_store.upsert(USERS, {"id": "a", "user_id": "a"})

        with charge_scope() as charge:
            await cosmos_store.read(USERS, partition_key="a", item_id="a")
            await cosmos_store.count(USERS)

        # The emulator charges 1 per response; Cosmos DB charges at least that.
        assert charge.responses >= 2
        assert charge.total >= 2.0
