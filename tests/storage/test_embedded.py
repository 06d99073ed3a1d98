"""Embedded store only: what lives in its file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.storage import CONTAINERS, ItemNotFoundError
from app.storage.containers import JOBS, USERS
from app.storage.embedded import EmbeddedStore

pytestmark = pytest.mark.anyio


class TestPersistence:
    async def test_items_survive_reopening_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "store.sqlite3"
        first = EmbeddedStore(path, CONTAINERS.values())
        created = await first.create(JOBS, {"id": "acme:1", "company_id": "acme"})
        await first.close()

        reopened = EmbeddedStore(path, CONTAINERS.values())
        read = await reopened.read(JOBS, partition_key="acme", item_id="acme:1")
        await reopened.close()

        assert read == created


class TestPurgeExpired:
    async def test_purge_removes_expired_items_for_good(self, tmp_path: Path) -> None:
        store = EmbeddedStore(tmp_path / "store.sqlite3", CONTAINERS.values())
        await store.create(USERS, {"id": "old", "user_id": "old", "ttl": 1})
        await store.create(USERS, {"id": "new", "user_id": "new"})
        await asyncio.sleep(1.1)

        removed = store.purge_expired()

        assert removed == 1
        with pytest.raises(ItemNotFoundError):
            await store.read(USERS, partition_key="old", item_id="old")
        assert await store.count(USERS) == 1
        await store.close()
