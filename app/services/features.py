"""The bridge from stored documents to the matching engine's inputs."""

from __future__ import annotations

from app.matching.scoring import (
    CandidateFeatures,
    JobFeatures,
    candidate_features,
    job_features,
)
from app.models.jobs import Job
from app.models.users import User


def candidate_from(user: User) -> CandidateFeatures:
    return candidate_features(
        skills=user.skills,
        experience_years=user.experience_years,
        location=user.location,
    )


def job_from(job: Job) -> JobFeatures:
    return job_features(
        skills=job.skills,
        min_experience=job.min_experience,
        max_experience=job.max_experience,
        location=job.location,
        remote=job.remote,
    )
