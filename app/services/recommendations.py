"""Recommendations: the stored top jobs per candidate, and the pass that computes
them."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.errors import NotFoundError
from app.matching.scoring import (
    CandidateFeatures,
    JobFeatures,
    MatchResult,
    score_pair,
)
from app.models.common import utc_now
from app.models.jobs import Job
from app.models.recommendations import Recommendation
from app.models.users import User
from app.services.features import candidate_from, job_from
from app.services.jobs import get_job
from app.services.runs import (
    RunProgress,
    claim_shard,
    complete_shard,
    get_run,
    manual_run_id,
    pending_shards,
    plan_run,
)
from app.services.users import get_user
from app.storage import Document, DocumentStore, Filter, ItemNotFoundError, Query
from app.storage.containers import APPLICATIONS, JOBS, RECOMMENDATIONS, USERS

if TYPE_CHECKING:
    from app.matching.batch import JobIndex

_BEST_FIRST = Query(order_by="score", direction="desc")
_ACTIVE_JOBS = Query(where=(Filter("status", "eq", "active"),))


@dataclass(slots=True)
class PassStats:
    candidates: int = 0
    jobs: int = 0
    written: int = 0
    deleted: int = 0

    def add(self, other: PassStats) -> None:
        self.candidates += other.candidates
        self.written += other.written
        self.deleted += other.deleted


async def list_for_user(
    store: DocumentStore, user_id: str, *, limit: int
) -> list[Recommendation]:
    """The stored recommendations of one candidate, best first (one partition)."""
    await get_user(store, user_id)
    page = await store.query(
        RECOMMENDATIONS, _BEST_FIRST, partition_key=user_id, limit=limit
    )
    return [Recommendation.model_validate(item) for item in page.items]


async def load_active_jobs(store: DocumentStore) -> list[Job]:
    return [
        Job.model_validate(doc) async for doc in store.query_all(JOBS, _ACTIVE_JOBS)
    ]


async def applied_job_ids(store: DocumentStore, user_id: str) -> set[str]:
    return {
        doc["job_id"]
        async for doc in store.query_all(APPLICATIONS, Query(), partition_key=user_id)
    }


def _recommendation(user_id: str, job: Job, result: MatchResult) -> Recommendation:
    return Recommendation(
        id=job.job_id,
        user_id=user_id,
        job_id=job.job_id,
        company_id=job.company_id,
        job_title=job.title,
        score=result.score,
        skill_match=result.skill_match,
        experience_match=result.experience_match,
        location_compatible=result.location_compatible,
        reasons=result.reasons,
        computed_at=utc_now(),
    )


_COMPARED = (
    "company_id",
    "job_title",
    "score",
    "skill_match",
    "experience_match",
    "location_compatible",
    "reasons",
)


def _unchanged(stored: dict[str, Any], fresh: dict[str, Any]) -> bool:
    return all(stored.get(key) == fresh[key] for key in _COMPARED)


def _changes(
    stored: dict[str, Document], fresh: Sequence[Recommendation]
) -> tuple[list[Document], list[str]]:
    """What to write (new or changed) and which stored job ids to delete."""
    stale = dict(stored)
    changed = []
    for recommendation in fresh:
        document = recommendation.model_dump(mode="json")
        previous = stale.pop(recommendation.job_id, None)
        if previous is None or not _unchanged(previous, document):
            changed.append(document)
    return changed, list(stale)


async def _stored(store: DocumentStore, user_id: str) -> dict[str, Document]:
    return {
        doc["job_id"]: doc
        async for doc in store.query_all(
            RECOMMENDATIONS, Query(), partition_key=user_id
        )
    }


async def replace_recommendations(
    store: DocumentStore, user_id: str, fresh: Sequence[Recommendation]
) -> PassStats:
    """Make the stored set equal `fresh`, writing only what changed."""
    changed, stale = _changes(await _stored(store, user_id), fresh)
    return PassStats(
        candidates=1,
        written=await store.upsert_many(RECOMMENDATIONS, changed),
        deleted=await store.delete_many(
            RECOMMENDATIONS, [(user_id, job_id) for job_id in stale]
        ),
    )


async def _exclusions(
    store: DocumentStore, users: Sequence[User], position: dict[str, int]
) -> dict[int, set[int]]:
    """Per candidate (by position), the positions of the jobs they already applied
    to."""
    exclude: dict[int, set[int]] = {}
    for i, user in enumerate(users):
        applied = await applied_job_ids(store, user.user_id)
        exclude[i] = {position[j] for j in applied if j in position}
    return exclude


# Profile changes arrive one candidate at a time. Loading every active job for each
# costs far more than scoring them (about 200 ms at 3,000 jobs, bench/mixed_load.py),
# so a process reuses the list for this long. Each job picked is read again before it
# is recommended, so a job closed meanwhile is never recommended; one posted meanwhile
# waits for the next refresh or the nightly run.
ACTIVE_JOBS_MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class _ActiveJobs:
    jobs: list[Job]
    features: list[JobFeatures]
    position: dict[str, int]
    index: JobIndex
    loaded_at: float

    def features_of(self, job: Job) -> JobFeatures:
        """`job`'s features: the cached ones while the posting is unchanged."""
        i = self.position.get(job.job_id)
        if i is not None and self.jobs[i].updated_at == job.updated_at:
            return self.features[i]
        return job_from(job)


def _index_active(jobs: list[Job]) -> tuple[list[JobFeatures], JobIndex]:
    """The jobs' features and the batch engine's index of them, its kernel compiled
    by a first call (about 3 s, once per process)."""
    from app.matching.batch import JobIndex

    features = [job_from(job) for job in jobs]
    # One thread: a single candidate is one block, scored on the caller's thread.
    index = JobIndex.build(features, workers=1)
    index.top_k([CandidateFeatures(frozenset(), 0.0, None)], k=1)
    return features, index


class _ActiveJobsCache:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._entry: _ActiveJobs | None = None

    async def get(self, store: DocumentStore) -> _ActiveJobs:
        async with self._lock:
            entry = self._entry
            if entry is None or (
                time.monotonic() - entry.loaded_at > ACTIVE_JOBS_MAX_AGE_SECONDS
            ):
                jobs = await load_active_jobs(store)
                # On a thread: building and compiling must not stall the requests
                # that share this event loop (the Function App's HTTP trigger).
                features, index = await asyncio.to_thread(_index_active, jobs)
                entry = self._entry = _ActiveJobs(
                    jobs=jobs,
                    features=features,
                    position={job.job_id: i for i, job in enumerate(jobs)},
                    index=index,
                    loaded_at=time.monotonic(),
                )
            return entry


# One cache per store object: a process has one store, tests have many.
_ACTIVE_JOBS_CACHES: weakref.WeakKeyDictionary[DocumentStore, _ActiveJobsCache] = (
    weakref.WeakKeyDictionary()
)


async def _still_active(store: DocumentStore, job_id: str) -> Job | None:
    try:
        job = await get_job(store, job_id)
    except NotFoundError:
        return None
    return job if job.status == "active" else None


async def warm_up(store: DocumentStore) -> None:
    """Load the active jobs and compile the scoring kernel now, so that the first
    profile change after start does not wait for it (the local worker's start)."""
    await _active_jobs(store)


async def _active_jobs(store: DocumentStore) -> _ActiveJobs:
    cache = _ACTIVE_JOBS_CACHES.get(store)
    if cache is None:
        cache = _ACTIVE_JOBS_CACHES[store] = _ActiveJobsCache()
    return await cache.get(store)


async def recompute_for_user(
    store: DocumentStore, user_id: str, *, top_k: int
) -> PassStats:
    """Recompute one candidate's recommendations against every active job, with the
    batch engine's index of the process's cached active jobs (a few hundred us at
    3,000 jobs where the plain scorer took 5 ms)."""
    try:
        user = await get_user(store, user_id)
    except NotFoundError:
        return PassStats()  # deleted since the message was sent: nothing to do
    active = await _active_jobs(store)
    excluded = (await _exclusions(store, [user], active.position))[0]
    candidate = candidate_from(user)
    # Best score first, ties by job position. Twice as many as needed, in case some
    # closed since the list was loaded.
    [shortlist] = active.index.top_k([candidate], k=2 * top_k, exclude={0: excluded})
    verified: list[Job] = []
    for i, _ in shortlist:
        job = await _still_active(store, active.jobs[i].job_id)
        if job is not None:
            verified.append(job)
    # Scored again on the postings as they are now; ties keep the shortlist's order.
    results = [score_pair(candidate, active.features_of(job)) for job in verified]
    best = sorted((-r.score, n) for n, r in enumerate(results) if r.score > 0)
    fresh = [
        _recommendation(user.user_id, verified[n], results[n]) for _, n in best[:top_k]
    ]
    stats = await replace_recommendations(store, user.user_id, fresh)
    stats.jobs = len(active.jobs)
    return stats


@dataclass(frozen=True, slots=True)
class _JobSnapshot:
    """The active jobs as one run's shards score them in this process."""

    run_id: str
    jobs: list[Job]
    features: list[JobFeatures]
    position: dict[str, int]
    index: JobIndex


class _SnapshotCache:
    """The latest run's snapshot, so consecutive shards on one instance load the jobs
    and build the index once (the first shard also pays the kernel's compilation)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._snapshot: _JobSnapshot | None = None

    async def get(self, store: DocumentStore, run_id: str) -> _JobSnapshot:
        async with self._lock:
            if self._snapshot is None or self._snapshot.run_id != run_id:
                self._snapshot = None  # let the previous run's index go first
                self._snapshot = await _load_snapshot(store, run_id)
            return self._snapshot


async def _load_snapshot(store: DocumentStore, run_id: str) -> _JobSnapshot:
    from app.matching.batch import JobIndex

    jobs = await load_active_jobs(store)
    features = [job_from(job) for job in jobs]
    return _JobSnapshot(
        run_id=run_id,
        jobs=jobs,
        features=features,
        position={job.job_id: i for i, job in enumerate(jobs)},
        index=JobIndex.build(features),
    )


# One cache per store object: a process has one store, tests have many.
_SNAPSHOTS: weakref.WeakKeyDictionary[DocumentStore, _SnapshotCache] = (
    weakref.WeakKeyDictionary()
)


async def _snapshot(store: DocumentStore, run_id: str) -> _JobSnapshot:
    cache = _SNAPSHOTS.get(store)
    if cache is None:
        cache = _SNAPSHOTS[store] = _SnapshotCache()
    return await cache.get(store, run_id)


async def _load_users(store: DocumentStore, user_ids: Sequence[str]) -> list[User]:
    users = []
    for user_id in user_ids:
        try:
            document = await store.read(USERS, partition_key=user_id, item_id=user_id)
        except ItemNotFoundError:
            continue  # deleted since the run was planned
        users.append(User.model_validate(document))
    return users


async def _score_users(
    store: DocumentStore, users: Sequence[User], snapshot: _JobSnapshot, top_k: int
) -> PassStats:
    """Score the candidates against the snapshot; write only what changed."""
    candidates = [candidate_from(user) for user in users]
    exclude = await _exclusions(store, users, snapshot.position)
    ranked = snapshot.index.top_k(candidates, k=top_k, exclude=exclude)

    changed: list[Document] = []
    stale: list[tuple[str, str]] = []
    for user, candidate, best in zip(users, candidates, ranked, strict=True):
        fresh = [
            _recommendation(
                user.user_id,
                snapshot.jobs[j],
                score_pair(candidate, snapshot.features[j]),
            )
            for j, _ in best
        ]
        to_write, to_delete = _changes(await _stored(store, user.user_id), fresh)
        changed.extend(to_write)
        stale.extend((user.user_id, job_id) for job_id in to_delete)

    return PassStats(
        candidates=len(users),
        jobs=len(snapshot.jobs),
        written=await store.upsert_many(RECOMMENDATIONS, changed),
        deleted=await store.delete_many(RECOMMENDATIONS, stale),
    )


async def score_shard(
    store: DocumentStore, *, run_id: str, shard: int
) -> PassStats | None:
    """Score one shard of a run and record its totals; None if it was done already.

    A delivery that stops half-way leaves some candidates written; the next delivery
    scores the whole shard again and finds those unchanged.
    """
    claimed = await claim_shard(store, run_id=run_id, shard=shard)
    if claimed is None:
        return None
    snapshot = await _snapshot(store, run_id)
    users = await _load_users(store, claimed.user_ids)
    stats = await _score_users(store, users, snapshot, claimed.top_k)
    await complete_shard(
        store,
        claimed,
        candidates=stats.candidates,
        written=stats.written,
        deleted=stats.deleted,
    )
    return stats


async def run_recommendation_pass(
    store: DocumentStore,
    *,
    top_k: int,
    run_id: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunProgress:
    """Plan a run (or resume `run_id`) and score its pending shards in this process.

    `on_progress(scored, total)` is called once planned (scored 0), then per shard.
    """
    run_id = run_id or manual_run_id()
    await plan_run(store, run_id=run_id, trigger="manual", top_k=top_k)
    pending = await pending_shards(store, run_id)
    total = sum(pending.values())
    if on_progress:
        on_progress(0, total)
    for shard, size in pending.items():
        await score_shard(store, run_id=run_id, shard=shard)
        if on_progress:
            on_progress(size, total)
    return await get_run(store, run_id)
