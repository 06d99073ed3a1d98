"""Pure matching engine: normalisation, pair scoring and batch top-k (no I/O)."""

from typing import TYPE_CHECKING, Any

from app.matching.normalize import (
    is_remote_location,
    normalize_location,
    normalize_skill,
    normalize_skills,
)
from app.matching.scoring import (
    CandidateFeatures,
    JobFeatures,
    MatchResult,
    candidate_features,
    job_features,
    score_pair,
)

if TYPE_CHECKING:
    from app.matching.batch import JobIndex

__all__ = [
    "CandidateFeatures",
    "JobFeatures",
    "JobIndex",
    "MatchResult",
    "candidate_features",
    "is_remote_location",
    "job_features",
    "normalize_location",
    "normalize_skill",
    "normalize_skills",
    "score_pair",
]


def __getattr__(name: str) -> Any:
    # The batch engine pulls in NumPy and Numba (about half a second); the HTTP path
    # scores single pairs and must not pay for it at import.
    if name == "JobIndex":
        from app.matching.batch import JobIndex

        return JobIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
