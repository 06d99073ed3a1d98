"""Figures across the whole store."""

from __future__ import annotations

from app.models.applications import ALL_STATUSES
from app.models.recommendations import Analytics
from app.storage import DocumentStore, Filter
from app.storage.containers import APPLICATIONS, JOBS, USERS


async def compute_analytics(store: DocumentStore) -> Analytics:
    by_status = {
        status: await store.count(APPLICATIONS, (Filter("status", "eq", status),))
        for status in ALL_STATUSES
    }
    average = await store.average(APPLICATIONS, "match_score")
    return Analytics(
        total_jobs=await store.count(JOBS),
        active_jobs=await store.count(JOBS, (Filter("status", "eq", "active"),)),
        total_candidates=await store.count(USERS),
        total_applications=sum(by_status.values()),
        average_match_score=None if average is None else round(average, 1),
        applications_by_status=by_status,
    )
