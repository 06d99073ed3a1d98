"""Recommendations, analytics and the health check."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import SettingsDep, StoreDep
from app.api.responses import errors
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
    user_id: str, store: StoreDep, settings: SettingsDep
) -> ListEnvelope[RecommendationRead]:
    recommendations = await recommendation_service.list_for_user(
        store, user_id, limit=settings.recommendations_per_candidate
    )
    data = [RecommendationRead.model_validate(r.model_dump()) for r in recommendations]
    return ListEnvelope(data=data, count=len(data))


@router.get("/analytics", summary="Totals across jobs, candidates and applications")
async def get_analytics(store: StoreDep) -> Envelope[Analytics]:
    return Envelope(data=await analytics_service.compute_analytics(store))


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    storage_backend: str


@health_router.get("/health", summary="Liveness: the API answers")
async def health(settings: SettingsDep) -> Health:
    return Health(storage_backend=settings.storage_backend)
