"""Recommendations: the stored top jobs per candidate, and the pass that computes
them."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.errors import NotFoundError
from app.matching.scoring import CandidateFeatures, MatchResult, score_pair
from app.models.common import utc_now
from app.models.jobs import Job
from app.models.recommendations import Recommendation
from app.models.users import User
from app.services.features import candidate_from, job_from
from app.services.users import get_user
from app.storage import DocumentStore, Filter, ItemNotFoundError, Query
from app.storage.containers import APPLICATIONS, JOBS, RECOMMENDATIONS, USERS

if TYPE_CHECKING:
    from app.matching.batch import JobIndex

_BEST_FIRST = Query(order_by="score", direction="desc")
_ACTIVE_JOBS = Query(where=(Filter("status", "eq", "active"),))
# Candidates scored per batch in a pass: bounds memory, whatever the population.
_CHUNK = 1_000


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


async def replace_recommendations(
    store: DocumentStore, user_id: str, fresh: Sequence[Recommendation]
) -> PassStats:
    """Make the stored set equal `fresh`, writing only what changed."""
    stats = PassStats(candidates=1)
    stored = {
        doc["job_id"]: doc
        async for doc in store.query_all(
            RECOMMENDATIONS, Query(), partition_key=user_id
        )
    }
    for recommendation in fresh:
        document = recommendation.model_dump(mode="json")
        previous = stored.pop(recommendation.job_id, None)
        if previous is not None and _unchanged(previous, document):
            continue
        await store.upsert(RECOMMENDATIONS, document)
        stats.written += 1
    for job_id in stored:
        try:
            await store.delete(RECOMMENDATIONS, partition_key=user_id, item_id=job_id)
        except ItemNotFoundError:
            continue
        stats.deleted += 1
    return stats


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


async def _store_ranked(
    store: DocumentStore,
    users: Sequence[User],
    candidates: Sequence[CandidateFeatures],
    jobs: Sequence[Job],
    ranked: Sequence[Sequence[tuple[int, float]]],
) -> PassStats:
    stats = PassStats()
    for user, candidate, best in zip(users, candidates, ranked, strict=True):
        fresh = [
            _recommendation(
                user.user_id, jobs[j], score_pair(candidate, job_from(jobs[j]))
            )
            for j, _ in best
        ]
        stats.add(await replace_recommendations(store, user.user_id, fresh))
    return stats


async def recompute_for_user(
    store: DocumentStore, user_id: str, *, top_k: int
) -> PassStats:
    """Recompute one candidate's recommendations against every active job.

    One candidate is scored with the plain scorer: loading the batch engine would cost a
    queue invocation more than the scoring itself.
    """
    try:
        user = await get_user(store, user_id)
    except NotFoundError:
        return PassStats()  # deleted since the message was sent: nothing to do
    jobs = await load_active_jobs(store)
    position = {job.job_id: i for i, job in enumerate(jobs)}
    excluded = (await _exclusions(store, [user], position))[0]
    candidate = candidate_from(user)
    scored = (
        (score_pair(candidate, job_from(job)).score, i)
        for i, job in enumerate(jobs)
        if i not in excluded
    )
    # Best score first, ties by job position: the batch engine's order.
    best = heapq.nsmallest(top_k, ((-score, i) for score, i in scored if score > 0))
    stats = await _store_ranked(
        store, [user], [candidate], jobs, [[(i, -neg) for neg, i in best]]
    )
    stats.jobs = len(jobs)
    return stats


async def _score_chunk(
    store: DocumentStore,
    users: Sequence[User],
    jobs: Sequence[Job],
    index: JobIndex,
    position: dict[str, int],
    top_k: int,
) -> PassStats:
    candidates = [candidate_from(user) for user in users]
    exclude = await _exclusions(store, users, position)
    ranked = index.top_k(candidates, k=top_k, exclude=exclude)
    return await _store_ranked(store, users, candidates, jobs, ranked)


async def run_recommendation_pass(
    store: DocumentStore,
    *,
    top_k: int,
    on_progress: Callable[[int], None] | None = None,
) -> PassStats:
    """Score every candidate against every active job and store each one's top K."""
    from app.matching.batch import JobIndex

    jobs = await load_active_jobs(store)
    index = JobIndex.build([job_from(job) for job in jobs])
    position = {job.job_id: i for i, job in enumerate(jobs)}
    stats = PassStats(jobs=len(jobs))
    chunk: list[User] = []
    async for document in store.query_all(USERS, Query()):
        chunk.append(User.model_validate(document))
        if len(chunk) == _CHUNK:
            stats.add(await _score_chunk(store, chunk, jobs, index, position, top_k))
            if on_progress:
                on_progress(len(chunk))
            chunk = []
    if chunk:
        stats.add(await _score_chunk(store, chunk, jobs, index, position, top_k))
        if on_progress:
            on_progress(len(chunk))
    return stats
