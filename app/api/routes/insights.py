"""Recommendations, analytics and the health check."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.api.access import require_self_or_admin
from app.api.deps import context
from app.api.responses import SIGNED_IN_ERRORS, errors
from app.errors import ForbiddenError
from app.models.common import Envelope, ListEnvelope
from app.models.recommendations import Analytics, RecommendationRead
from app.services import analytics as analytics_service
from app.services import recommendations as recommendation_service

router = APIRouter(
    prefix="/api", tags=["recommendations and analytics"], responses=SIGNED_IN_ERRORS
)
health_router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/recommendations/{user_id}",
    responses=errors(404),
    summary="A candidate's recommended jobs, best first",
)
async def list_recommendations(
    user_id: str,
    request: Request,
) -> ListEnvelope[RecommendationRead]:
    ctx = context(request)
    require_self_or_admin(ctx.principal, user_id, what=f"User {user_id!r}")
    recommendations = await recommendation_service.list_for_user(
        ctx.store, user_id, limit=ctx.settings.recommendations_per_candidate
    )
    data = [RecommendationRead.model_validate(r.model_dump()) for r in recommendations]
    return ListEnvelope(data=data, count=len(data))


@router.get(
    "/analytics",
    responses=errors(403),
    summary="Totals across jobs, candidates and applications",
    description="Admins see everything; employers see their own company's figures.",
)
async def get_analytics(
    request: Request,
) -> Envelope[Analytics]:
    ctx = context(request)
    if ctx.principal.is_admin:
        company_id = None
    elif ctx.principal.is_employer:
        company_id = ctx.principal.company_id
    else:
        raise ForbiddenError("Analytics are for admins and employers.")
    return Envelope(
        data=await analytics_service.compute_analytics(ctx.store, company_id=company_id)
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    storage_backend: str


@health_router.get("/health", summary="Liveness: the API answers")
async def health(request: Request) -> Health:
    return Health(storage_backend=request.app.state.runtime.settings.storage_backend)
