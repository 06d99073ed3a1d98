"""Job postings: create, read, list with filters, change, close, delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.errors import InvalidInputError, NotFoundError
from app.matching.normalize import normalize_location, normalize_skill
from app.models.common import utc_now
from app.models.jobs import Job, JobCreate, JobStatus, JobUpdate, check_ranges
from app.services.common import modify_item
from app.storage import DocumentStore, Filter, ItemNotFoundError, Page, Query
from app.storage.containers import JOBS

# A job id carries its company (the partition key), so a read by id is a point read.
_SEPARATOR = ":"


def new_job_id(company_id: str) -> str:
    return f"{company_id}{_SEPARATOR}{uuid.uuid4().hex}"


def company_of(job_id: str) -> str | None:
    company_id, separator, suffix = job_id.rpartition(_SEPARATOR)
    return company_id if separator and company_id and suffix else None


def _derived_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Fields the server derives so filters match however a client spelled a value."""
    skills = document.get("skills", [])
    location = document.get("location")
    return {
        "skill_keys": sorted({normalize_skill(s) for s in skills}),
        "location_key": normalize_location(location),
    }


@dataclass(frozen=True, slots=True)
class JobFilters:
    skill: str | None = None
    location: str | None = None
    company_id: str | None = None
    status: JobStatus | None = None
    min_experience: float | None = None
    max_experience: float | None = None

    def conditions(self) -> tuple[Filter, ...]:
        where: list[Filter] = []
        if self.skill:
            where.append(Filter("skill_keys", "contains", normalize_skill(self.skill)))
        if self.location:
            where.append(
                Filter("location_key", "eq", normalize_location(self.location))
            )
        if self.status:
            where.append(Filter("status", "eq", self.status))
        # The experience range bounds the minimum experience a posting asks for.
        if self.min_experience is not None:
            where.append(Filter("min_experience", "ge", self.min_experience))
        if self.max_experience is not None:
            where.append(Filter("min_experience", "le", self.max_experience))
        return tuple(where)


async def create_job(
    store: DocumentStore, data: JobCreate, *, job_id: str | None = None
) -> Job:
    """Store a new posting; `job_id` lets an import make its ids repeatable."""
    now = utc_now()
    job_id = job_id or new_job_id(data.company_id)
    job = Job(
        id=job_id,
        job_id=job_id,
        status="active",
        created_at=now,
        updated_at=now,
        **data.model_dump(),
        **_derived_fields(data.model_dump()),
    )
    stored = await store.create(JOBS, job.model_dump(mode="json"))
    return Job.model_validate(stored)


def _company_or_not_found(job_id: str) -> str:
    company_id = company_of(job_id)
    if company_id is None:
        raise NotFoundError(f"Job {job_id!r} was not found.")
    return company_id


async def read_job_document(store: DocumentStore, job_id: str) -> dict[str, Any]:
    """The stored job with its `_etag`, or NotFoundError."""
    company_id = _company_or_not_found(job_id)
    try:
        return await store.read(JOBS, partition_key=company_id, item_id=job_id)
    except ItemNotFoundError:
        raise NotFoundError(f"Job {job_id!r} was not found.") from None


async def get_job(store: DocumentStore, job_id: str) -> Job:
    return Job.model_validate(await read_job_document(store, job_id))


async def list_jobs(
    store: DocumentStore,
    filters: JobFilters,
    *,
    limit: int,
    continuation: str | None = None,
    skip: int = 0,
) -> tuple[list[Job], str | None]:
    """One page of postings, newest first, and the token for the next page."""
    page: Page = await store.query(
        JOBS,
        Query(where=filters.conditions(), order_by="created_at", direction="desc"),
        partition_key=filters.company_id,
        limit=limit,
        continuation=continuation,
        skip=skip,
    )
    return [Job.model_validate(item) for item in page.items], page.continuation


async def update_job(
    store: DocumentStore, job_id: str, change: JobUpdate, *, if_match: str | None = None
) -> tuple[Job, str]:
    """Apply a partial change; returns the job and its new ETag."""
    fields = change.model_dump(exclude_unset=True)
    now = utc_now()

    def apply(document: dict[str, Any]) -> dict[str, Any]:
        current = Job.model_validate(document)
        merged = current.model_copy(update=fields)
        try:
            check_ranges(
                min_experience=merged.min_experience,
                max_experience=merged.max_experience,
                salary_min=merged.salary_min,
                salary_max=merged.salary_max,
            )
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
        if fields.get("status") == "closed" and current.status != "closed":
            merged.closed_at = now
        elif fields.get("status") == "active":
            merged.closed_at = None
        merged.updated_at = now
        updated = merged.model_dump(mode="json")
        updated.update(_derived_fields(updated))
        return updated

    company_id = _company_or_not_found(job_id)
    try:
        stored = await modify_item(
            store,
            JOBS,
            partition_key=company_id,
            item_id=job_id,
            change=apply,
            if_match=if_match,
        )
    except ItemNotFoundError:
        raise NotFoundError(f"Job {job_id!r} was not found.") from None
    return Job.model_validate(stored), stored["_etag"]


async def delete_job(
    store: DocumentStore, job_id: str, *, if_match: str | None = None
) -> None:
    company_id = _company_or_not_found(job_id)
    try:
        await store.delete(
            JOBS, partition_key=company_id, item_id=job_id, etag=if_match
        )
    except ItemNotFoundError:
        raise NotFoundError(f"Job {job_id!r} was not found.") from None
