"""Types shared by the documents and the request and response models."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(value: datetime) -> str:
    # Always six fractional digits and a Z, so stored timestamps sort as strings.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _require_timezone(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a timezone, e.g. 2026-01-31T09:00:00Z")
    return value.astimezone(UTC)


Timestamp = Annotated[
    datetime,
    AfterValidator(_require_timezone),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
]

# Syntax only (no DNS look-up): local part, @, a domain with at least one dot.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def _check_email(value: str) -> str:
    if not _EMAIL.match(value) or ".." in value:
        raise ValueError("is not a valid email address")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_check_email),
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Skill = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
]


def dedupe(values: list[str]) -> list[str]:
    """Keep the first spelling of each value, case-insensitively, in order."""
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


# Each skill once, the first spelling kept.
Skills = Annotated[list[Skill], Field(max_length=50), AfterValidator(dedupe)]
# Ids travel in URLs and Cosmos DB ids; they may not hold '/', '\\', '?' or '#'.
Identifier = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
    ),
]
Years = Annotated[float, Field(ge=0, le=70)]


class RequestModel(BaseModel):
    """A client's input: unknown fields are refused, so no field can be smuggled in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatchModel(RequestModel):
    """A partial change: only the fields sent are changed.

    Fields named in `not_nullable` may be changed but not removed: an explicit null is
    refused rather than stored.
    """

    not_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_nulls(self) -> Self:
        for name in self.not_nullable & self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class StoredModel(BaseModel):
    """A stored document's shape; extra keys (the store's `_etag`, `_ts`) are
    dropped."""

    model_config = ConfigDict(extra="ignore")


class Envelope(BaseModel, Generic[T]):
    """The seed's success envelope for one object."""

    status: Literal["success"] = "success"
    data: T


class ListEnvelope(BaseModel, Generic[T]):
    """The seed's success envelope for a list, with the token for the next page."""

    status: Literal["success"] = "success"
    data: list[T]
    count: int
    continuation: str | None = None


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(BaseModel):
    """The one body of every 4xx and 5xx answer."""

    status: Literal["error"] = "error"
    error: ErrorInfo
