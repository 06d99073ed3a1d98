from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from pydantic import Field

from app.api.access import require_any_role, require_company
from app.api.deps import (
    Continuation,
    IfMatch,
    Limit,
    QueryParameters,
    context,
    page_size,
    query_parameters,
)
from app.api.responses import SIGNED_IN_ERRORS, errors, json_response
from app.models.applications import ApplicationRead
from app.models.common import Envelope, ListEnvelope
from app.models.jobs import JobCreate, JobRead, JobStatus, JobUpdate
from app.services import applications as application_service
from app.services import jobs as job_service

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=SIGNED_IN_ERRORS)


@router.post(
    "",
    response_model=Envelope[JobRead],
    status_code=status.HTTP_201_CREATED,
    responses=errors(403, 422),
    summary="Post a job",
    description="Employers post for their own company only.",
)
async def create_job(body: JobCreate, request: Request) -> Response:
    ctx = context(request)
    require_company(ctx.principal, body.company_id)
    job = await job_service.create_job(ctx.store, body)
    return json_response(
        Envelope[JobRead](data=job),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/jobs/{job.job_id}"},
    )


class JobListQuery(QueryParameters):
    skip: int = Field(
        0,
        ge=0,
        le=10_000,
        description="Items to skip (seed clients); prefer `continuation`.",
    )
    skill: str | None = Field(None, max_length=60)
    location: str | None = Field(None, max_length=200)
    company_id: str | None = Field(None, max_length=128)
    status: JobStatus | None = None
    min_experience: float | None = Field(None, ge=0, le=70)
    max_experience: float | None = Field(None, ge=0, le=70)


@router.get(
    "",
    response_model=ListEnvelope[JobRead],
    responses=errors(400, 403, 422),
    summary="List jobs, newest first",
    openapi_extra=JobListQuery.documented(),
)
async def list_jobs(request: Request) -> Response:
    ctx = context(request)
    require_any_role(ctx.principal)
    query = query_parameters(JobListQuery, request)
    filters = job_service.JobFilters(
        skill=query.skill,
        location=query.location,
        company_id=query.company_id,
        status=query.status,
        min_experience=query.min_experience,
        max_experience=query.max_experience,
    )
    jobs, token = await job_service.list_jobs(
        ctx.store,
        filters,
        limit=query.page_size,
        continuation=query.continuation,
        skip=query.skip,
    )
    return json_response(
        ListEnvelope[JobRead](data=jobs, count=len(jobs), continuation=token)
    )


@router.get(
    "/{job_id}",
    response_model=Envelope[JobRead],
    responses=errors(403, 404),
    summary="Read a job",
)
async def get_job(
    job_id: str,
    request: Request,
) -> Response:
    ctx = context(request)
    require_any_role(ctx.principal)
    document = await job_service.read_job_document(ctx.store, job_id)
    return json_response(
        Envelope[JobRead].model_validate({"data": document}),
        headers={"ETag": document["_etag"]},
    )


@router.patch(
    "/{job_id}",
    response_model=Envelope[JobRead],
    responses=errors(403, 404, 409, 412, 422),
    summary="Change or close a job",
)
async def update_job(
    job_id: str,
    body: JobUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    ctx = context(request)
    current = await job_service.get_job(ctx.store, job_id)
    require_company(ctx.principal, current.company_id)
    job, etag = await job_service.update_job(ctx.store, job_id, body, if_match=if_match)
    return json_response(Envelope[JobRead](data=job), headers={"ETag": etag})


@router.delete(
    "/{job_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(403, 404, 412),
    summary="Delete a job",
)
async def delete_job(
    job_id: str,
    request: Request,
    if_match: IfMatch = None,
) -> None:
    ctx = context(request)
    current = await job_service.get_job(ctx.store, job_id)
    require_company(ctx.principal, current.company_id)
    await job_service.delete_job(ctx.store, job_id, if_match=if_match)


@router.get(
    "/{job_id}/applications",
    response_model=ListEnvelope[ApplicationRead],
    responses=errors(403, 404),
    summary="The applications to one job, newest first",
    description="For the company's employers and admins.",
)
async def list_job_applications(
    job_id: str,
    request: Request,
    limit: Limit = 10,
    continuation: Continuation = None,
) -> Response:
    ctx = context(request)
    job = await job_service.get_job(ctx.store, job_id)
    require_company(ctx.principal, job.company_id)
    applications, token = await application_service.list_for_job(
        ctx.store, job_id, limit=page_size(limit), continuation=continuation
    )
    return json_response(
        ListEnvelope[ApplicationRead](
            data=applications, count=len(applications), continuation=token
        )
    )
