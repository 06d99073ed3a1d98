"""The DocumentStore contract: the same behaviour from every backend.

Documents live in the real containers (jobs, applications, users) so that on Cosmos DB
the declared indexing policies are exercised too: sorting and filtering use indexed
fields only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from app.errors import BadRequestError
from app.storage import (
    Document,
    DocumentStore,
    EtagMismatchError,
    Filter,
    ItemExistsError,
    ItemNotFoundError,
    Page,
    Query,
)
from app.storage.containers import APPLICATIONS, JOBS, USERS

pytestmark = pytest.mark.anyio

NEWEST_FIRST = Query(order_by="created_at", direction="desc")
OLDEST_FIRST = Query(order_by="created_at", direction="asc")


def job(n: int, *, company: str = "acme", **fields: Any) -> Document:
    return {
        "id": f"{company}:{n:03d}",
        "company_id": company,
        "title": f"Job {n}",
        "status": "active",
        "min_experience": n,
        "skill_keys": ["python"] if n % 2 == 0 else ["go"],
        "created_at": f"2026-01-01T00:00:{n:02d}Z",
        **fields,
    }


def user(name: str, **fields: Any) -> Document:
    return {"id": name, "user_id": name, "name": name, **fields}


async def create_jobs(store: DocumentStore, *documents: Document) -> None:
    for document in documents:
        await store.create(JOBS, document)


def ids(items: list[Document]) -> list[str]:
    return [item["id"] for item in items]


async def all_pages(
    store: DocumentStore,
    query: Query,
    *,
    limit: int,
    partition_key: str | None = None,
    skip: int = 0,
) -> list[Page]:
    pages = [
        await store.query(
            JOBS, query, partition_key=partition_key, limit=limit, skip=skip
        )
    ]
    while pages[-1].continuation is not None and len(pages) < 50:
        pages.append(
            await store.query(
                JOBS,
                query,
                partition_key=partition_key,
                limit=limit,
                continuation=pages[-1].continuation,
            )
        )
    return pages


class TestPointOperations:
    async def test_create_returns_the_document_with_etag_and_timestamp(
        self, store: DocumentStore
    ) -> None:
        created = await store.create(JOBS, job(1))

        assert set(created) == set(job(1)) | {"_etag", "_ts"}
        assert isinstance(created["_etag"], str) and isinstance(created["_ts"], int)

    async def test_read_returns_what_was_created(self, store: DocumentStore) -> None:
        created = await store.create(JOBS, job(1))

        read = await store.read(JOBS, partition_key="acme", item_id="acme:001")

        assert read == created

    async def test_create_of_an_existing_id_raises_item_exists(
        self, store: DocumentStore
    ) -> None:
        await store.create(JOBS, job(1))

        with pytest.raises(ItemExistsError):
            await store.create(JOBS, job(1, title="Other"))

    async def test_same_id_in_another_partition_is_another_item(
        self, store: DocumentStore
    ) -> None:
        await store.create(USERS, {"id": "x", "user_id": "a"})

        await store.create(USERS, {"id": "x", "user_id": "b"})

        assert (await store.read(USERS, partition_key="b", item_id="x"))[
            "user_id"
        ] == "b"

    async def test_read_of_a_missing_item_raises_not_found(
        self, store: DocumentStore
    ) -> None:
        with pytest.raises(ItemNotFoundError):
            await store.read(JOBS, partition_key="acme", item_id="acme:404")

    async def test_read_in_the_wrong_partition_raises_not_found(
        self, store: DocumentStore
    ) -> None:
        await store.create(JOBS, job(1))

        with pytest.raises(ItemNotFoundError):
            await store.read(JOBS, partition_key="globex", item_id="acme:001")

    async def test_upsert_inserts_then_overwrites(self, store: DocumentStore) -> None:
        await store.upsert(JOBS, job(1))

        await store.upsert(JOBS, job(1, title="Renamed"))

        read = await store.read(JOBS, partition_key="acme", item_id="acme:001")
        assert read["title"] == "Renamed"

    async def test_delete_removes_the_item(self, store: DocumentStore) -> None:
        await store.create(JOBS, job(1))

        await store.delete(JOBS, partition_key="acme", item_id="acme:001")

        with pytest.raises(ItemNotFoundError):
            await store.read(JOBS, partition_key="acme", item_id="acme:001")

    async def test_delete_of_a_missing_item_raises_not_found(
        self, store: DocumentStore
    ) -> None:
        with pytest.raises(ItemNotFoundError):
            await store.delete(JOBS, partition_key="acme", item_id="acme:404")

    async def test_a_document_without_its_partition_key_is_refused(
        self, store: DocumentStore
    ) -> None:
        with pytest.raises(ValueError):
            await store.create(JOBS, {"id": "no-company", "title": "x"})

    async def test_an_unknown_container_is_refused(self, store: DocumentStore) -> None:
        with pytest.raises(ValueError):
            await store.read("nope", partition_key="a", item_id="b")


class TestBatchedWrites:
    async def test_upsert_many_inserts_and_overwrites_across_partitions(
        self, store: DocumentStore
    ) -> None:
        await store.create(USERS, user("ann", city="Oslo"))

        written = await store.upsert_many(
            USERS, [user("ann", city="Rome"), user("bob"), user("cy")]
        )

        assert written == 3
        ann = await store.read(USERS, partition_key="ann", item_id="ann")
        assert ann["city"] == "Rome"
        assert await store.count(USERS) == 3

    async def test_upsert_many_gives_each_item_a_new_etag(
        self, store: DocumentStore
    ) -> None:
        before = await store.create(USERS, user("ann"))

        await store.upsert_many(USERS, [user("ann", city="Rome")])

        after = await store.read(USERS, partition_key="ann", item_id="ann")
        assert after["_etag"] != before["_etag"]

    async def test_upsert_many_of_nothing_writes_nothing(
        self, store: DocumentStore
    ) -> None:
        written = await store.upsert_many(USERS, [])

        assert written == 0
        assert await store.count(USERS) == 0

    async def test_upsert_many_refuses_a_document_without_its_partition_key(
        self, store: DocumentStore
    ) -> None:
        with pytest.raises(ValueError):
            await store.upsert_many(USERS, [user("ann"), {"id": "nobody"}])

    async def test_delete_many_deletes_what_exists_and_skips_the_rest(
        self, store: DocumentStore
    ) -> None:
        await store.upsert_many(USERS, [user("ann"), user("bob"), user("cy")])

        deleted = await store.delete_many(
            USERS, [("ann", "ann"), ("bob", "bob"), ("zed", "zed"), ("cy", "ann")]
        )

        assert deleted == 2
        remaining = [u async for u in store.query_all(USERS, Query())]
        assert ids(remaining) == ["cy"]


class TestEtagConcurrency:
    async def test_replace_with_the_current_etag_writes_and_changes_it(
        self, store: DocumentStore
    ) -> None:
        created = await store.create(JOBS, job(1))

        replaced = await store.replace(
            JOBS, {**created, "title": "New"}, etag=created["_etag"]
        )

        assert replaced["_etag"] != created["_etag"]
        read = await store.read(JOBS, partition_key="acme", item_id="acme:001")
        assert read["title"] == "New" and read["_etag"] == replaced["_etag"]

    async def test_replace_with_a_stale_etag_raises_and_writes_nothing(
        self, store: DocumentStore
    ) -> None:
        created = await store.create(JOBS, job(1))
        await store.replace(JOBS, {**created, "title": "First"}, etag=created["_etag"])

        with pytest.raises(EtagMismatchError):
            await store.replace(
                JOBS, {**created, "title": "Second"}, etag=created["_etag"]
            )

        read = await store.read(JOBS, partition_key="acme", item_id="acme:001")
        assert read["title"] == "First"

    async def test_replace_without_etag_overwrites(self, store: DocumentStore) -> None:
        created = await store.create(JOBS, job(1))

        await store.replace(JOBS, {**created, "title": "Forced"}, etag=None)

        read = await store.read(JOBS, partition_key="acme", item_id="acme:001")
        assert read["title"] == "Forced"

    @pytest.mark.parametrize("etag", [None, '"any"'])
    async def test_replace_of_a_missing_item_raises_not_found(
        self, store: DocumentStore, etag: str | None
    ) -> None:
        with pytest.raises(ItemNotFoundError):
            await store.replace(JOBS, job(404), etag=etag)

    async def test_delete_with_a_stale_etag_raises_and_keeps_the_item(
        self, store: DocumentStore
    ) -> None:
        created = await store.create(JOBS, job(1))
        await store.replace(JOBS, {**created, "title": "Changed"}, etag=None)

        with pytest.raises(EtagMismatchError):
            await store.delete(
                JOBS, partition_key="acme", item_id="acme:001", etag=created["_etag"]
            )

        assert await store.read(JOBS, partition_key="acme", item_id="acme:001")

    async def test_delete_with_the_current_etag_deletes(
        self, store: DocumentStore
    ) -> None:
        created = await store.create(JOBS, job(1))

        await store.delete(
            JOBS, partition_key="acme", item_id="acme:001", etag=created["_etag"]
        )

        assert await store.count(JOBS) == 0


class TestTtl:
    async def test_an_items_own_ttl_field_is_stored_with_it(
        self, store: DocumentStore
    ) -> None:
        await store.create(USERS, user("ada", ttl=3600))

        read = await store.read(USERS, partition_key="ada", item_id="ada")

        assert read["ttl"] == 3600

    async def test_an_item_is_gone_once_its_ttl_has_passed(
        self, store: DocumentStore, emulator_gap: Callable[[str], None]
    ) -> None:
        emulator_gap(
            "@vercel/cosmosdb-server 1.0.1 stores `ttl` but never expires items;"
            " Cosmos DB itself hides an expired item from reads at once"
        )
        await store.create(USERS, user("ada", ttl=1))

        await asyncio.sleep(2.2)

        with pytest.raises(ItemNotFoundError):
            await store.read(USERS, partition_key="ada", item_id="ada")


class TestFilters:
    @pytest.fixture(autouse=True)
    async def _jobs(self, store: DocumentStore) -> None:
        await create_jobs(
            store,
            job(1, remote=True),
            job(2, remote=False),
            job(3),
            job(4, company="globex", remote=True),
        )

    @pytest.mark.parametrize(
        ("condition", "expected"),
        [
            (Filter("min_experience", "eq", 2), {"acme:002"}),
            (Filter("min_experience", "lt", 2), {"acme:001"}),
            (Filter("min_experience", "le", 2), {"acme:001", "acme:002"}),
            (Filter("min_experience", "gt", 3), {"globex:004"}),
            (Filter("min_experience", "ge", 3), {"acme:003", "globex:004"}),
            (Filter("remote", "eq", True), {"acme:001", "globex:004"}),
            (Filter("title", "eq", "Job 3"), {"acme:003"}),
            (Filter("skill_keys", "contains", "python"), {"acme:002", "globex:004"}),
            (Filter("min_experience", "in", [1, 4, 9]), {"acme:001", "globex:004"}),
            (Filter("min_experience", "in", []), set()),
        ],
        ids=lambda value: getattr(value, "op", ""),
    )
    async def test_a_condition_selects_the_matching_items(
        self, store: DocumentStore, condition: Filter, expected: set[str]
    ) -> None:
        page = await store.query(JOBS, Query(where=(condition,)), limit=10)

        assert set(ids(page.items)) == expected

    async def test_ne_also_matches_items_without_the_field(
        self, store: DocumentStore
    ) -> None:
        page = await store.query(
            JOBS, Query(where=(Filter("remote", "ne", True),)), limit=10
        )

        assert set(ids(page.items)) == {"acme:002", "acme:003"}

    async def test_conditions_combine_with_and(self, store: DocumentStore) -> None:
        where = (Filter("remote", "eq", True), Filter("min_experience", "lt", 4))

        page = await store.query(JOBS, Query(where=where), limit=10)

        assert ids(page.items) == ["acme:001"]

    async def test_a_partition_key_limits_the_query_to_that_partition(
        self, store: DocumentStore
    ) -> None:
        page = await store.query(JOBS, Query(), partition_key="globex", limit=10)

        assert ids(page.items) == ["globex:004"]

    @pytest.mark.parametrize(
        ("partition_key", "also", "expected"),
        [
            (None, (), {"acme:002", "globex:004"}),
            (None, (Filter("remote", "eq", True),), {"globex:004"}),
            (None, (Filter("remote", "eq", False),), {"acme:002"}),
            ("acme", (), {"acme:002"}),
            ("globex", (Filter("remote", "eq", True),), {"globex:004"}),
        ],
    )
    async def test_an_array_condition_holds_alone_or_beside_a_narrower_one(
        self,
        store: DocumentStore,
        partition_key: str | None,
        also: tuple[Filter, ...],
        expected: set[str],
    ) -> None:
        where = (Filter("skill_keys", "contains", "python"), *also)

        page = await store.query(
            JOBS, Query(where=where), partition_key=partition_key, limit=10
        )

        assert set(ids(page.items)) == expected


class TestOrderAndPaging:
    async def test_order_by_sorts_in_the_asked_direction(
        self, store: DocumentStore
    ) -> None:
        await create_jobs(store, job(2), job(3, company="globex"), job(1))

        newest = await store.query(JOBS, NEWEST_FIRST, limit=10)
        oldest = await store.query(JOBS, OLDEST_FIRST, limit=10)

        assert ids(newest.items) == ["globex:003", "acme:002", "acme:001"]
        assert ids(oldest.items) == ["acme:001", "acme:002", "globex:003"]

    async def test_items_without_the_sort_field_are_left_out(
        self, store: DocumentStore
    ) -> None:
        undated = {k: v for k, v in job(9).items() if k != "created_at"}
        await create_jobs(store, job(1), undated)

        page = await store.query(JOBS, NEWEST_FIRST, limit=10)

        assert ids(page.items) == ["acme:001"]

    @pytest.mark.parametrize("partition_key", [None, "acme"], ids=["cross", "single"])
    @pytest.mark.parametrize(
        "query", [Query(), NEWEST_FIRST, OLDEST_FIRST], ids=["unordered", "desc", "asc"]
    )
    async def test_continuations_walk_every_item_once_in_pages_of_at_most_limit(
        self, store: DocumentStore, query: Query, partition_key: str | None
    ) -> None:
        await create_jobs(store, *(job(n) for n in range(1, 12)))

        pages = await all_pages(store, query, limit=3, partition_key=partition_key)

        walked = [i for page in pages for i in ids(page.items)]
        assert sorted(walked) == sorted(ids([job(n) for n in range(1, 12)]))
        assert all(len(page.items) <= 3 for page in pages)
        if query.order_by:
            expected = sorted(walked, reverse=query.direction == "desc")
            assert walked == expected

    async def test_equal_sort_values_across_pages_lose_and_repeat_nothing(
        self, store: DocumentStore
    ) -> None:
        same_time = "2026-01-01T00:00:00Z"
        await create_jobs(
            store,
            *(job(n, created_at=same_time) for n in range(1, 8)),
            *(job(n, company="globex", created_at=same_time) for n in range(1, 4)),
        )

        pages = await all_pages(store, NEWEST_FIRST, limit=3)

        walked = [i for page in pages for i in ids(page.items)]
        assert len(walked) == 10 and len(set(walked)) == 10

    async def test_the_last_page_has_no_continuation(
        self, store: DocumentStore
    ) -> None:
        await create_jobs(store, job(1), job(2))

        page = await store.query(JOBS, NEWEST_FIRST, limit=5)

        assert ids(page.items) == ["acme:002", "acme:001"]
        assert page.continuation is None

    @pytest.mark.parametrize("partition_key", [None, "acme"], ids=["cross", "single"])
    async def test_skip_drops_leading_items_and_the_continuation_follows_on(
        self, store: DocumentStore, partition_key: str | None
    ) -> None:
        await create_jobs(store, *(job(n) for n in range(1, 9)))

        pages = await all_pages(
            store, OLDEST_FIRST, limit=2, skip=3, partition_key=partition_key
        )

        walked = [i for page in pages for i in ids(page.items)]
        assert ids(pages[0].items) == ["acme:004", "acme:005"]
        assert walked == [f"acme:{n:03d}" for n in range(4, 9)]

    async def test_skip_past_the_end_gives_an_empty_last_page(
        self, store: DocumentStore
    ) -> None:
        await create_jobs(store, job(1), job(2))

        page = await store.query(JOBS, NEWEST_FIRST, limit=2, skip=5)

        assert page.items == [] and page.continuation is None

    @pytest.mark.parametrize("token", ["not-a-token", "eyJ4IjoxfQ", "%%%"])
    async def test_a_malformed_continuation_is_a_bad_request(
        self, store: DocumentStore, token: str
    ) -> None:
        with pytest.raises(BadRequestError):
            await store.query(JOBS, NEWEST_FIRST, limit=2, continuation=token)

    async def test_query_all_yields_every_matching_item(
        self, store: DocumentStore
    ) -> None:
        await create_jobs(store, *(job(n) for n in range(1, 8)))
        query = Query(where=(Filter("skill_keys", "contains", "go"),))

        found = [item["id"] async for item in store.query_all(JOBS, query)]

        assert sorted(found) == ["acme:001", "acme:003", "acme:005", "acme:007"]


class TestAggregates:
    async def test_count_counts_matching_items_across_partitions(
        self, store: DocumentStore
    ) -> None:
        await create_jobs(store, job(1), job(2), job(3, company="globex"))

        total = await store.count(JOBS)
        python = await store.count(JOBS, (Filter("skill_keys", "contains", "python"),))

        assert (total, python) == (3, 1)

    async def test_count_in_one_partition(self, store: DocumentStore) -> None:
        await create_jobs(store, job(1), job(2), job(3, company="globex"))

        assert await store.count(JOBS, partition_key="acme") == 2

    async def test_count_of_nothing_is_zero(self, store: DocumentStore) -> None:
        assert await store.count(JOBS) == 0

    async def test_average_ignores_items_without_a_number(
        self, store: DocumentStore
    ) -> None:
        for n, score in enumerate([60, 90, None, "high"]):
            document = {"id": f"a{n}", "user_id": f"u{n}", "status": "submitted"}
            if score is not None:
                document["match_score"] = score
            await store.create(APPLICATIONS, document)

        mean = await store.average(APPLICATIONS, "match_score")

        assert mean == pytest.approx(75.0)

    async def test_average_with_a_filter_and_a_partition(
        self, store: DocumentStore
    ) -> None:
        for n, score in enumerate([10, 20, 40]):
            await store.create(
                APPLICATIONS,
                {
                    "id": f"a{n}",
                    "user_id": "u",
                    "status": f"s{n % 2}",
                    "match_score": score,
                },
            )

        mean = await store.average(
            APPLICATIONS,
            "match_score",
            (Filter("status", "eq", "s0"),),
            partition_key="u",
        )

        assert mean == pytest.approx(25.0)

    async def test_average_of_nothing_is_none(self, store: DocumentStore) -> None:
        assert await store.average(APPLICATIONS, "match_score") is None
