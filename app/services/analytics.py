"""Figures across the whole store, or across one company's postings."""

from __future__ import annotations

from app.models.applications import ALL_STATUSES
from app.models.recommendations import Analytics
from app.storage import DocumentStore, Filter
from app.storage.containers import APPLICATIONS, JOBS, USERS


async def compute_analytics(
    store: DocumentStore, *, company_id: str | None = None
) -> Analytics:
    """With `company_id`, the company's jobs and the applications to them; candidates
    are counted only across the whole store."""
    company = (Filter("company_id", "eq", company_id),) if company_id else ()
    by_status = {
        status: await store.count(
            APPLICATIONS, (*company, Filter("status", "eq", status))
        )
        for status in ALL_STATUSES
    }
    average = await store.average(APPLICATIONS, "match_score", company)
    return Analytics(
        total_jobs=await store.count(JOBS, company, partition_key=company_id),
        active_jobs=await store.count(
            JOBS, (Filter("status", "eq", "active"),), partition_key=company_id
        ),
        total_candidates=None if company_id else await store.count(USERS),
        total_applications=sum(by_status.values()),
        average_match_score=None if average is None else round(average, 1),
        applications_by_status=by_status,
    )
