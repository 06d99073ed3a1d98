"""Queue messages: typed and versioned, carrying ids only; handlers reload state."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

# Every trigger of the Function App reads this one queue.
TASK_QUEUE_NAME = "jobmatch-tasks"


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1


class ApplicationSubmitted(_Message):
    """Score a new application and confirm it to the candidate."""

    type: Literal["application.submitted"] = "application.submitted"
    user_id: str
    application_id: str


class CandidateChanged(_Message):
    """Recompute one candidate's recommendations after their profile changed."""

    type: Literal["candidate.changed"] = "candidate.changed"
    user_id: str


class JobImportChunk(_Message):
    """Create the job postings of one chunk of a bulk import."""

    type: Literal["jobs.import.chunk"] = "jobs.import.chunk"
    import_id: str
    chunk: int


class RecommendationShard(_Message):
    """Score one shard of a recommendation run's candidates."""

    type: Literal["recommendations.shard"] = "recommendations.shard"
    run_id: str
    shard: int


AnyMessage = (
    ApplicationSubmitted | CandidateChanged | JobImportChunk | RecommendationShard
)

TaskMessage = Annotated[AnyMessage, Field(discriminator="type")]

_ADAPTER: TypeAdapter[AnyMessage] = TypeAdapter(TaskMessage)


def encode_message(message: AnyMessage) -> str:
    return message.model_dump_json()


def decode_message(body: str | bytes) -> AnyMessage:
    """Parse a message body; raises pydantic.ValidationError for anything unknown."""
    return _ADAPTER.validate_json(body)
