"""Match score of one candidate against one job.

The formula, in full:

- ``skill_match = |candidate skills ∩ job skills| / |job skills|``; a job that lists no
  skills gives 1.0.
- ``experience_match`` is 1.0 inside ``[min_experience, max_experience]`` (no maximum
  means open-ended). Below the minimum each missing year costs 0.25, down to 0.0;
  above the maximum each extra year costs 0.1, down to 0.5. Fractional years count
  fractionally.
- ``location_compatible`` holds when the job is remote, or when the candidate and the
  job have the same normalised location. A candidate without a location is compatible
  with remote jobs only.
- ``score = 100 * (0.6 * skill_match + 0.25 * experience_match + 0.15 * location)``,
  rounded half up to one decimal, in 0..100.
- ``reasons`` give each component as a percentage rounded half up to an integer.

The score is computed as an integer number of tenths by :func:`score_tenths`, in
float64 with a fixed order of operations. The batch engine compiles these very
functions, so a score from ``score_pair`` and from the batch engine are the same float.

Pure Python on purpose: the HTTP path imports this module and cold start matters.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from app.matching.normalize import (
    is_remote_location,
    normalize_location,
    normalize_skills,
)

SKILL_WEIGHT = 0.6
EXPERIENCE_WEIGHT = 0.25
LOCATION_WEIGHT = 0.15
MISSING_YEAR_PENALTY = 0.25
EXTRA_YEAR_PENALTY = 0.1
OVERQUALIFIED_FLOOR = 0.5
# Rounding adds a hair over one half so that decimal ties such as 83.75 round up even
# when float64 lands just below them (0.6 + 0.25 * 0.95 gives 837.4999... tenths). A
# score within 1e-6 of a tenth below a tie is rounded up too, which is harmless.
_HALF_UP = 0.5 + 1e-6


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    skills: frozenset[str]
    experience_years: float
    location: str | None


@dataclass(frozen=True, slots=True)
class JobFeatures:
    skills: frozenset[str]
    min_experience: float
    max_experience: float | None
    location: str | None
    remote: bool


@dataclass(frozen=True, slots=True)
class MatchResult:
    score: float
    skill_match: float
    experience_match: float
    location_compatible: bool

    @property
    def reasons(self) -> list[str]:
        """Human-readable explanation, one line per component of the score."""
        return [
            f"Skill match: {_percent(self.skill_match)}%",
            f"Experience match: {_percent(self.experience_match)}%",
            f"Location compatible: {'Yes' if self.location_compatible else 'No'}",
        ]


def _percent(share: float) -> int:
    return math.floor(share * 100 + _HALF_UP)


def candidate_features(
    *, skills: Iterable[str], experience_years: float, location: str | None
) -> CandidateFeatures:
    """Features of a candidate from raw profile values."""
    return CandidateFeatures(
        skills=normalize_skills(skills),
        experience_years=float(experience_years),
        location=normalize_location(location),
    )


def job_features(
    *,
    skills: Iterable[str],
    min_experience: float,
    max_experience: float | None,
    location: str | None,
    remote: bool,
) -> JobFeatures:
    """Features of a job from raw posting values; a remote location makes it remote."""
    return JobFeatures(
        skills=normalize_skills(skills),
        min_experience=float(min_experience),
        max_experience=None if max_experience is None else float(max_experience),
        location=normalize_location(location),
        remote=remote or is_remote_location(location),
    )


# The three functions below use only float arithmetic that Numba compiles to the same
# IEEE operations as CPython: app.matching.batch compiles them rather than restating
# the formula. Keep them free of Python objects.


def skill_match(overlap: int, job_skill_count: int) -> float:
    """Share of the job's skills the candidate has; 1.0 when the job lists none."""
    if job_skill_count == 0:
        return 1.0
    return overlap / job_skill_count


def experience_match(years: float, min_years: float, max_years: float) -> float:
    """Experience component; ``max_years`` is ``math.inf`` for an open range."""
    if years < min_years:
        return max(0.0, 1.0 - MISSING_YEAR_PENALTY * (min_years - years))
    if years > max_years:
        return max(OVERQUALIFIED_FLOOR, 1.0 - EXTRA_YEAR_PENALTY * (years - max_years))
    return 1.0


def score_tenths(skill: float, experience: float, location: float) -> int:
    """Score in tenths of a point (0..1000); ``location`` is 1.0 or 0.0."""
    weighted = (
        SKILL_WEIGHT * skill
        + EXPERIENCE_WEIGHT * experience
        + LOCATION_WEIGHT * location
    )
    return math.floor(weighted * 1000.0 + _HALF_UP)


def is_location_compatible(candidate: CandidateFeatures, job: JobFeatures) -> bool:
    """Remote jobs suit everyone; otherwise both locations must be known and equal."""
    return job.remote or (
        candidate.location is not None and candidate.location == job.location
    )


def score_pair(candidate: CandidateFeatures, job: JobFeatures) -> MatchResult:
    """Score one candidate against one job; see the module docstring for the formula."""
    skill = skill_match(len(candidate.skills & job.skills), len(job.skills))
    max_years = math.inf if job.max_experience is None else job.max_experience
    experience = experience_match(
        candidate.experience_years, job.min_experience, max_years
    )
    compatible = is_location_compatible(candidate, job)

    tenths = score_tenths(skill, experience, 1.0 if compatible else 0.0)
    return MatchResult(
        score=tenths / 10,
        skill_match=skill,
        experience_match=experience,
        location_compatible=compatible,
    )
