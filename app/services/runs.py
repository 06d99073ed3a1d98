"""Recommendation runs: the nightly pass as a planned, sharded, resumable job.

A run is one partition of the `runs` container: a record (`id` "run") and one item per
shard holding the ids of the candidates it scores. Planning pages through the users
container with continuation tokens and stores each page as the next shard together with
the token that follows it, so a planner that stops half-way (or two that race) resumes
from the last stored shard: every candidate present when the scan passed lands in
exactly one shard. Only then is the shard count fixed on the record and one message per
shard sent.

Scheduled runs are named after the UTC date they fire on (`nightly-2024-06-01`): the
timer firing twice that day plans once. Manual runs get a fresh id each time.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from app.errors import NotFoundError
from app.models.common import format_timestamp, utc_now
from app.services.common import modify_item
from app.storage import (
    Document,
    DocumentStore,
    EtagMismatchError,
    Filter,
    ItemExistsError,
    ItemNotFoundError,
    Query,
)
from app.storage.containers import RUNS, USERS
from app.tasks.messages import RecommendationShard
from app.tasks.queue import TaskQueue

# Candidates per shard: 1,000 ids (~35 kB) keep a shard item far below Cosmos DB's
# 2 MB item limit and a shard's work (reads, scoring, writes) well within one queue
# invocation, while a million candidates make a thousand messages.
SHARD_SIZE = 1_000

RunState = Literal["planning", "planned", "enqueued", "finished"]
Trigger = Literal["schedule", "manual"]

_RECORD_ID = "run"
_SHARDS = Query(where=(Filter("kind", "eq", "shard"),), order_by="shard")
_DONE_SHARDS = (Filter("kind", "eq", "shard"), Filter("done", "eq", True))


def scheduled_run_id(fired_at: datetime) -> str:
    """The run of one night: the UTC calendar date the schedule fired on."""
    return f"nightly-{fired_at.astimezone(UTC):%Y-%m-%d}"


def manual_run_id() -> str:
    return f"manual-{utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _shard_id(shard: int) -> str:
    return f"shard-{shard:05d}"


@dataclass(frozen=True, slots=True)
class RunProgress:
    """A run's record with its shards' totals summed."""

    run_id: str
    trigger: Trigger
    state: RunState
    top_k: int
    planned_shards: int | None
    done_shards: int
    candidates: int
    written: int
    deleted: int
    started_at: str
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class Shard:
    """A shard still to score, as read before the work (its `_etag` guards the
    result)."""

    run_id: str
    shard: int
    user_ids: list[str]
    top_k: int
    etag: str


async def plan_run(
    store: DocumentStore,
    *,
    run_id: str,
    trigger: Trigger,
    top_k: int,
    shard_size: int = SHARD_SIZE,
) -> RunProgress:
    """Create the run and its shards, or finish planning a run planned before."""
    # A run created before (or being planned right now) is continued from its shards.
    with contextlib.suppress(ItemExistsError):
        await store.create(
            RUNS,
            {
                "id": _RECORD_ID,
                "run_id": run_id,
                "kind": "record",
                "trigger": trigger,
                "state": "planning",
                "top_k": top_k,
                "planned_shards": None,
                "started_at": format_timestamp(utc_now()),
                "finished_at": None,
            },
        )
    record = await _record(store, run_id)
    if record["state"] == "planning":
        count = await _write_shards(store, run_id, shard_size)

        def planned(current: Document) -> Document:
            if current["state"] != "planning":
                return current
            return {**current, "state": "planned", "planned_shards": count}

        await modify_item(
            store, RUNS, partition_key=run_id, item_id=_RECORD_ID, change=planned
        )
        await finish_if_complete(store, run_id)
    return await get_run(store, run_id)


async def _write_shards(store: DocumentStore, run_id: str, shard_size: int) -> int:
    """Store the candidates' pages as shards, resuming after the last stored one."""
    shard: int = 0
    continuation: str | None = None
    async for item in store.query_all(RUNS, _SHARDS, partition_key=run_id):
        shard, continuation = int(item["shard"]) + 1, item["next"]
        if continuation is None:
            return shard
    while True:
        page = await store.query(
            USERS, Query(), limit=shard_size, continuation=continuation
        )
        if not page.items:
            return shard
        try:
            await store.create(
                RUNS,
                {
                    "id": _shard_id(shard),
                    "run_id": run_id,
                    "kind": "shard",
                    "shard": shard,
                    "user_ids": [item["user_id"] for item in page.items],
                    "next": page.continuation,
                    "done": False,
                },
            )
            continuation = page.continuation
        except ItemExistsError:
            # A concurrent planner stored this shard first: follow its page instead.
            stored = await store.read(
                RUNS, partition_key=run_id, item_id=_shard_id(shard)
            )
            continuation = stored["next"]
        shard += 1
        if continuation is None:
            return shard


async def start_run(
    store: DocumentStore,
    queue: TaskQueue,
    *,
    run_id: str,
    trigger: Trigger,
    top_k: int,
    shard_size: int = SHARD_SIZE,
) -> RunProgress:
    """Plan the run and send one message per shard; a run already sent is left
    alone."""
    progress = await plan_run(
        store, run_id=run_id, trigger=trigger, top_k=top_k, shard_size=shard_size
    )
    if progress.state != "planned":
        return progress
    for shard in await pending_shards(store, run_id):
        await queue.send(RecommendationShard(run_id=run_id, shard=shard))

    def enqueued(current: Document) -> Document:
        if current["state"] != "planned":
            return current
        return {**current, "state": "enqueued"}

    await modify_item(
        store, RUNS, partition_key=run_id, item_id=_RECORD_ID, change=enqueued
    )
    return await get_run(store, run_id)


async def pending_shards(store: DocumentStore, run_id: str) -> dict[int, int]:
    """The shards of the run not yet done, in order, with their candidate counts."""
    return {
        item["shard"]: len(item["user_ids"])
        async for item in store.query_all(RUNS, _SHARDS, partition_key=run_id)
        if not item["done"]
    }


async def claim_shard(store: DocumentStore, *, run_id: str, shard: int) -> Shard | None:
    """The shard's candidates, or None when it is done or its run is gone."""
    try:
        item = await store.read(RUNS, partition_key=run_id, item_id=_shard_id(shard))
        record = await _record(store, run_id)
    except NotFoundError:
        return None
    if item["done"]:
        return None
    return Shard(
        run_id=run_id,
        shard=shard,
        user_ids=list(item["user_ids"]),
        top_k=record["top_k"],
        etag=item["_etag"],
    )


async def complete_shard(
    store: DocumentStore, shard: Shard, *, candidates: int, written: int, deleted: int
) -> bool:
    """Record the shard's totals if no other delivery did; False if one did."""
    try:
        current = await store.read(
            RUNS, partition_key=shard.run_id, item_id=_shard_id(shard.shard)
        )
        await store.replace(
            RUNS,
            {
                **current,
                # The ids are not needed once scored; the totals stay.
                "user_ids": [],
                "done": True,
                "candidates": candidates,
                "written": written,
                "deleted": deleted,
                "completed_at": format_timestamp(utc_now()),
            },
            etag=shard.etag,
        )
    except (ItemNotFoundError, EtagMismatchError):
        return False
    await finish_if_complete(store, shard.run_id)
    return True


async def finish_if_complete(store: DocumentStore, run_id: str) -> None:
    """Stamp the record finished, with its totals, once every shard is done."""
    record = await _record(store, run_id)
    planned = record["planned_shards"]
    if record["state"] == "finished" or planned is None:
        return
    if await store.count(RUNS, _DONE_SHARDS, partition_key=run_id) < planned:
        return
    totals = await _shard_totals(store, run_id)

    def finished(current: Document) -> Document:
        if current["state"] == "finished":
            return current
        return {
            **current,
            **totals,
            "state": "finished",
            "finished_at": format_timestamp(utc_now()),
        }

    await modify_item(
        store, RUNS, partition_key=run_id, item_id=_RECORD_ID, change=finished
    )


async def _shard_totals(store: DocumentStore, run_id: str) -> dict[str, int]:
    totals = {"done_shards": 0, "candidates": 0, "written": 0, "deleted": 0}
    async for item in store.query_all(RUNS, _SHARDS, partition_key=run_id):
        if item["done"]:
            totals["done_shards"] += 1
            for name in ("candidates", "written", "deleted"):
                totals[name] += item[name]
    return totals


async def _record(store: DocumentStore, run_id: str) -> Document:
    try:
        return await store.read(RUNS, partition_key=run_id, item_id=_RECORD_ID)
    except ItemNotFoundError:
        raise NotFoundError(f"Run {run_id!r} was not found.") from None


async def get_run(store: DocumentStore, run_id: str) -> RunProgress:
    record = await _record(store, run_id)
    totals: dict[str, Any] = (
        record if record["state"] == "finished" else await _shard_totals(store, run_id)
    )
    return RunProgress(
        run_id=run_id,
        trigger=record["trigger"],
        state=record["state"],
        top_k=record["top_k"],
        planned_shards=record["planned_shards"],
        done_shards=totals["done_shards"],
        candidates=totals["candidates"],
        written=totals["written"],
        deleted=totals["deleted"],
        started_at=record["started_at"],
        finished_at=record["finished_at"],
    )
