"""Recommendations, analytics and the health check."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.access import CurrentPrincipal, require_self_or_admin
from app.api.deps import SettingsDep, StoreDep
from app.api.responses import errors
from app.errors import ForbiddenError
from app.models.common import Envelope, ListEnvelope
from app.models.recommendations import Analytics, RecommendationRead
from app.services import analytics as analytics_service
from app.services import recommendations as recommendation_service

router = APIRouter(tags=["recommendations and analytics"])
health_router = APIRouter(tags=["health"])


@router.get(
    "/recommendations/{user_id}",
    responses=errors(404),
    summary="A candidate's recommended jobs, best first",
)
async def list_recommendations(
    user_id: str, store: StoreDep, settings: SettingsDep, principal: CurrentPrincipal
) -> ListEnvelope[RecommendationRead]:
    require_self_or_admin(principal, user_id, what=f"User {user_id!r}")
    recommendations = await recommendation_service.list_for_user(
        store, user_id, limit=settings.recommendations_per_candidate
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
    store: StoreDep, principal: CurrentPrincipal
) -> Envelope[Analytics]:
    if principal.is_admin:
        company_id = None
    elif principal.is_employer:
        company_id = principal.company_id
    else:
        raise ForbiddenError("Analytics are for admins and employers.")
    return Envelope(
        data=await analytics_service.compute_analytics(store, company_id=company_id)
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    storage_backend: str


@health_router.get("/health", summary="Liveness: the API answers")
async def health(settings: SettingsDep) -> Health:
    return Health(storage_backend=settings.storage_backend)
