"""Recommendations, analytics and the health check."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.api.access import require_self_or_admin
from app.api.deps import context
from app.api.responses import SIGNED_IN_ERRORS, errors, json_response
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
    response_model=ListEnvelope[RecommendationRead],
    responses=errors(404),
    summary="A candidate's recommended jobs, best first",
)
async def list_recommendations(
    user_id: str,
    request: Request,
) -> Response:
    ctx = context(request)
    require_self_or_admin(ctx.principal, user_id, what=f"User {user_id!r}")
    recommendations = await recommendation_service.list_for_user(
        ctx.store, user_id, limit=ctx.settings.recommendations_per_candidate
    )
    return json_response(
        ListEnvelope[RecommendationRead](
            data=recommendations, count=len(recommendations)
        )
    )


@router.get(
    "/analytics",
    response_model=Envelope[Analytics],
    responses=errors(403),
    summary="Totals across jobs, candidates and applications",
    description="Admins see everything; employers see their own company's figures.",
)
async def get_analytics(request: Request) -> Response:
    ctx = context(request)
    if ctx.principal.is_admin:
        company_id = None
    elif ctx.principal.is_employer:
        company_id = ctx.principal.company_id
    else:
        raise ForbiddenError("Analytics are for admins and employers.")
    figures = await analytics_service.compute_analytics(
        ctx.store, company_id=company_id
    )
    return json_response(Envelope[Analytics](data=figures))


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    storage_backend: str


@health_router.get("/health", summary="Liveness: the API answers")
async def health(request: Request) -> Health:
    return Health(storage_backend=request.app.state.runtime.settings.storage_backend)
