"""Bulk imports of job postings and poison messages: what admins and employers see."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.models.common import RequestModel, StoredModel, Timestamp

MAX_IMPORT_ROWS = 5_000

ImportStatus = Literal["queued", "running", "completed"]


class JobImportCreate(RequestModel):
    """Rows shaped like `POST /api/jobs` bodies; each is checked when processed."""

    jobs: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_IMPORT_ROWS)


class RowError(StoredModel):
    row: int
    field: str | None = None
    message: str


class JobImportRead(StoredModel):
    import_id: str
    created_by: str
    status: ImportStatus
    total_rows: int
    processed_rows: int
    created: int
    rejected: int
    errors: list[RowError]
    created_at: Timestamp
    completed_at: Timestamp | None = None


class PoisonMessageRead(StoredModel):
    message_id: str
    queue_name: str
    body: str
    dequeue_count: int
    recorded_at: Timestamp
