"""Applications: a candidate's application to a job and its status path."""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import BaseModel, model_validator

from app.models.common import Identifier, LongText, RequestModel, StoredModel, Timestamp

ApplicationStatus = Literal[
    "submitted",
    "under_review",
    "interview",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
]

ProcessingStatus = Literal["received", "processed"]

OPEN_STATUSES: frozenset[str] = frozenset(
    {"submitted", "under_review", "interview", "offered"}
)
# The one forward path; rejected and withdrawn are reachable from every open status.
NEXT_STATUS: dict[str, str] = {
    "submitted": "under_review",
    "under_review": "interview",
    "interview": "offered",
    "offered": "hired",
}
ALL_STATUSES: tuple[str, ...] = get_args(ApplicationStatus)


def transition_allowed(current: str, new: str) -> bool:
    if current not in OPEN_STATUSES:
        return False
    return new in ("rejected", "withdrawn") or NEXT_STATUS.get(current) == new


class ApplicationCreate(RequestModel):
    user_id: Identifier
    job_id: Identifier
    cover_letter: LongText | None = None


class ApplicationStatusChange(RequestModel):
    """Move an application along its path; `interview` needs `interview_date`."""

    status: ApplicationStatus
    interview_date: Timestamp | None = None
    note: LongText | None = None

    @model_validator(mode="after")
    def _interview_needs_date(self) -> Self:
        if self.status == "interview" and self.interview_date is None:
            raise ValueError("interview_date is required when status is interview")
        if self.status != "interview" and self.interview_date is not None:
            raise ValueError("interview_date is only accepted with status interview")
        return self


class StatusChange(BaseModel):
    status: ApplicationStatus
    at: Timestamp
    note: str | None = None


class ApplicationRead(StoredModel):
    """An application as clients see it, with the path it took."""

    application_id: str
    user_id: str
    job_id: str
    company_id: str
    job_title: str
    cover_letter: str | None = None
    status: ApplicationStatus = "submitted"
    status_history: list[StatusChange] = []
    interview_date: Timestamp | None = None
    match_score: float | None = None
    match_reasons: list[str] = []
    # The background flow's own status, apart from the hiring path in `status`:
    # `received` when stored, `processed` once scored and confirmed to the candidate.
    processing_status: ProcessingStatus = "received"
    processed_at: Timestamp | None = None
    confirmation_sent_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp


class Application(ApplicationRead):
    """An application as stored (container `applications`, partition key `user_id`)."""

    id: str
    scored_at: Timestamp | None = None
    # While a delivery sends the confirmation, others leave it alone until this time.
    confirmation_claimed_until: Timestamp | None = None
