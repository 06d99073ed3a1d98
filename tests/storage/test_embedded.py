"""Embedded store only: what lives in its file."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

import pytest

from app.storage import CONTAINERS, Filter, ItemExistsError, ItemNotFoundError, Query
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
    async def test_queries_and_counts_hide_expired_items_before_a_purge(
        self, tmp_path: Path
    ) -> None:
        # Jobs with per-item TTL on (-1), as Cosmos DB allows for any container.
        jobs = dataclasses.replace(CONTAINERS[JOBS], default_ttl=-1)
        store = EmbeddedStore(tmp_path / "store.sqlite3", [jobs])
        for company, ttl in (("acme", 1), ("acme", None), ("globex", 1)):
            job = {"id": f"{company}:{ttl}", "company_id": company}
            job |= {"skill_keys": ["go"], "created_at": "2026-01-01T00:00:00Z"}
            await store.create(JOBS, job if ttl is None else job | {"ttl": ttl})
        await asyncio.sleep(1.1)
        go = (Filter("skill_keys", "contains", "go"),)
        newest = Query(where=go, order_by="created_at", direction="desc")

        page = await store.query(JOBS, newest, limit=10)
        in_acme = await store.query(JOBS, newest, partition_key="acme", limit=10)

        assert [item["id"] for item in page.items] == ["acme:None"]
        assert [item["id"] for item in in_acme.items] == ["acme:None"]
        assert await store.count(JOBS, go) == 1
        await store.close()

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


class TestScansOffTheEventLoop:
    async def test_a_query_sees_every_write_acknowledged_before_it(
        self, tmp_path: Path
    ) -> None:
        store = EmbeddedStore(tmp_path / "store.sqlite3", CONTAINERS.values())
        seen = []
        for n in range(20):
            await store.create(JOBS, {"id": f"acme:{n}", "company_id": "acme"})
            page = await store.query(JOBS, Query(), partition_key="acme", limit=100)
            seen.append(len(page.items))

        assert seen == list(range(1, 21))
        assert await store.count(JOBS) == 20
        await store.close()

    async def test_a_scan_runs_on_another_thread_while_the_loop_serves(
        self, tmp_path: Path
    ) -> None:
        store = EmbeddedStore(tmp_path / "store.sqlite3", CONTAINERS.values())
        await store.upsert_many(
            JOBS, [{"id": f"acme:{n}", "company_id": "acme"} for n in range(2000)]
        )
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        before = ticks
        await store.count(JOBS, (Filter("title", "ne", "x"),))
        ticker.cancel()

        assert ticks > before + 1
        await store.close()

    async def test_an_in_memory_store_scans_on_its_own_connection(self) -> None:
        store = EmbeddedStore(":memory:", CONTAINERS.values())
        await store.create(JOBS, {"id": "acme:1", "company_id": "acme"})

        page = await store.query(JOBS, Query(), limit=10)

        assert [item["id"] for item in page.items] == ["acme:1"]
        await store.close()


def _job(item_id: str, *skills: str) -> dict[str, object]:
    return {"id": item_id, "company_id": "acme", "skill_keys": list(skills)}


async def _with_skill(store: EmbeddedStore, skill: str) -> list[str]:
    page = await store.query(
        JOBS, Query(where=(Filter("skill_keys", "contains", skill),)), limit=100
    )
    return sorted(item["id"] for item in page.items)


class TestArrayIndex:
    async def test_follows_every_kind_of_write(self, tmp_path: Path) -> None:
        store = EmbeddedStore(tmp_path / "store.sqlite3", CONTAINERS.values())
        await store.create(JOBS, _job("acme:1", "python", "go"))
        replaced = await store.create(JOBS, _job("acme:2", "python"))
        await store.upsert(JOBS, _job("acme:3", "rust"))
        await store.replace(JOBS, _job("acme:2", "rust"), etag=replaced["_etag"])
        await store.upsert_many(JOBS, [_job("acme:3", "go")])
        await store.delete(JOBS, partition_key="acme", item_id="acme:1")

        found = {s: await _with_skill(store, s) for s in ("python", "go", "rust")}
        await store.close()

        assert found == {"python": [], "go": ["acme:3"], "rust": ["acme:2"]}

    async def test_a_store_written_before_the_index_is_indexed_on_opening(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "store.sqlite3"
        first = EmbeddedStore(path, CONTAINERS.values())
        await first.create(JOBS, _job("acme:1", "python"))
        first._conn.execute('DROP TABLE "jobs__skill_keys"')
        await first.close()

        reopened = EmbeddedStore(path, CONTAINERS.values())
        found = await _with_skill(reopened, "python")
        await reopened.close()

        assert found == ["acme:1"]


class TestGroupCommit:
    async def test_one_failing_write_leaves_the_others_of_its_batch_stored(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "store.sqlite3"
        store = EmbeddedStore(path, CONTAINERS.values())
        await store.create(USERS, {"id": "u5", "user_id": "u5", "name": "first"})

        # Sent together, they wait for the write thread together.
        results = await asyncio.gather(
            *(
                store.create(USERS, {"id": f"u{n}", "user_id": f"u{n}"})
                for n in range(20)
            ),
            return_exceptions=True,
        )

        failed = [
            n for n, result in enumerate(results) if isinstance(result, Exception)
        ]
        assert failed == [5]
        assert isinstance(results[5], ItemExistsError)
        # Acknowledged means committed: another connection (process) sees it all.
        other = sqlite3.connect(path)
        names = dict(other.execute("SELECT id, json_extract(doc, '$.name') FROM users"))
        other.close()
        assert sorted(names, key=lambda i: int(i[1:])) == [f"u{n}" for n in range(20)]
        assert names["u5"] == "first"
        await store.close()

    async def test_close_commits_the_writes_already_sent(self, tmp_path: Path) -> None:
        path = tmp_path / "store.sqlite3"
        store = EmbeddedStore(path, CONTAINERS.values())
        pending = [
            asyncio.ensure_future(
                store.upsert(USERS, {"id": f"u{n}", "user_id": f"u{n}"})
            )
            for n in range(10)
        ]
        await asyncio.sleep(0)  # each has reached the write thread's queue

        await store.close()

        reopened = EmbeddedStore(path, CONTAINERS.values())
        assert await reopened.count(USERS) == 10
        await reopened.close()
        await asyncio.gather(*pending)


class TestIndexedColumns:
    async def test_a_file_without_a_fields_column_gets_it_filled(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "store.sqlite3"
        store = EmbeddedStore(path, CONTAINERS.values())
        for n, city in enumerate(["oslo", "lima", "oslo"]):
            await store.create(
                JOBS, {"id": f"acme:{n}", "company_id": "acme", "location_key": city}
            )
        await store.close()
        # As written before the column existed: its indexes and the column gone.
        raw = sqlite3.connect(path)
        indexes = [
            name
            for (name,) in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND sql LIKE '%f_location_key%'"
            )
        ]
        for name in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        raw.execute('ALTER TABLE jobs DROP COLUMN "f_location_key"')
        raw.commit()
        raw.close()

        reopened = EmbeddedStore(path, CONTAINERS.values())
        page = await reopened.query(
            JOBS, Query(where=(Filter("location_key", "eq", "oslo"),)), limit=10
        )
        await reopened.close()

        assert sorted(item["id"] for item in page.items) == ["acme:0", "acme:2"]
