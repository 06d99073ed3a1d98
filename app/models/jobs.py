"""Job postings: the stored document and what clients send and receive."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from app.models.common import (
    Identifier,
    LongText,
    PatchModel,
    RequestModel,
    ShortText,
    Skills,
    StoredModel,
    Timestamp,
    Years,
)

JobStatus = Literal["active", "closed"]
EmploymentType = Literal[
    "full_time", "part_time", "contract", "internship", "temporary"
]
Salary = int


class _JobFields(RequestModel):
    company_name: ShortText | None = None
    title: ShortText
    description: LongText = ""
    skills: Skills = []
    location: ShortText | None = None
    remote: bool = False
    min_experience: Years = 0
    max_experience: Years | None = None
    employment_type: EmploymentType = "full_time"
    salary_min: Salary | None = Field(default=None, ge=0, le=100_000_000)
    salary_max: Salary | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


def check_ranges(
    *,
    min_experience: float,
    max_experience: float | None,
    salary_min: int | None,
    salary_max: int | None,
) -> None:
    if max_experience is not None and max_experience < min_experience:
        raise ValueError("max_experience must not be less than min_experience")
    if salary_min is not None and salary_max is not None and salary_max < salary_min:
        raise ValueError("salary_max must not be less than salary_min")


class JobCreate(_JobFields):
    """A new posting; the server sets its id, status and timestamps."""

    company_id: Identifier

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        check_ranges(
            min_experience=self.min_experience,
            max_experience=self.max_experience,
            salary_min=self.salary_min,
            salary_max=self.salary_max,
        )
        return self


class JobUpdate(PatchModel):
    """A partial change of a posting; `status: closed` closes it."""

    not_nullable = frozenset(
        {
            "title",
            "description",
            "skills",
            "remote",
            "min_experience",
            "employment_type",
            "status",
        }
    )

    company_name: ShortText | None = None
    title: ShortText | None = None
    description: LongText | None = None
    skills: Skills | None = None
    location: ShortText | None = None
    remote: bool | None = None
    min_experience: Years | None = None
    max_experience: Years | None = None
    employment_type: EmploymentType | None = None
    salary_min: Salary | None = Field(default=None, ge=0, le=100_000_000)
    salary_max: Salary | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    status: JobStatus | None = None


class JobRead(StoredModel):
    """A job posting as clients see it."""

    job_id: str
    company_id: str
    company_name: str | None = None
    title: str
    description: str = ""
    skills: list[str] = []
    location: str | None = None
    remote: bool = False
    min_experience: float = 0
    max_experience: float | None = None
    employment_type: EmploymentType = "full_time"
    salary_min: int | None = None
    salary_max: int | None = None
    salary_currency: str | None = None
    status: JobStatus = "active"
    created_at: Timestamp
    updated_at: Timestamp
    closed_at: Timestamp | None = None


class Job(JobRead):
    """A job posting as stored (container `jobs`, partition key `company_id`), with the
    fields the server derives for filtering."""

    id: str
    skill_keys: list[str] = []
    location_key: str | None = None
