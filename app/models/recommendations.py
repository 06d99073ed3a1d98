"""Recommendations: the stored top jobs for a candidate, and analytics figures."""

from __future__ import annotations

from pydantic import Field

from app.models.common import StoredModel, Timestamp


class RecommendationRead(StoredModel):
    """One recommended job with its score, its components and the reasons."""

    user_id: str
    job_id: str
    company_id: str
    job_title: str
    score: float
    skill_match: float
    experience_match: float
    location_compatible: bool
    reasons: list[str]
    computed_at: Timestamp


class Recommendation(RecommendationRead):
    """As stored: container `recommendations`, partition key `user_id`, id = job id."""

    id: str


class Analytics(StoredModel):
    total_jobs: int
    active_jobs: int
    total_candidates: int | None = Field(
        description="All candidates; null in a company's own figures."
    )
    total_applications: int
    average_match_score: float | None
    applications_by_status: dict[str, int]
