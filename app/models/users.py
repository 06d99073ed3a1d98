"""Candidates: the stored profile and what clients send and receive."""

from __future__ import annotations

from app.models.common import (
    Email,
    LongText,
    PatchModel,
    RequestModel,
    ShortText,
    Skills,
    StoredModel,
    Timestamp,
    Years,
)


class UserCreate(RequestModel):
    """A new candidate profile; the server sets its id and timestamps."""

    name: ShortText
    email: Email
    skills: Skills = []
    experience_years: Years = 0
    location: ShortText | None = None
    summary: LongText | None = None


class UserUpdate(PatchModel):
    """A partial change of a profile."""

    not_nullable = frozenset({"name", "email", "skills", "experience_years"})

    name: ShortText | None = None
    email: Email | None = None
    skills: Skills | None = None
    experience_years: Years | None = None
    location: ShortText | None = None
    summary: LongText | None = None


class UserRead(StoredModel):
    """A candidate profile as clients see it."""

    user_id: str
    name: str
    email: str
    skills: list[str] = []
    experience_years: float = 0
    location: str | None = None
    summary: str | None = None
    created_at: Timestamp
    updated_at: Timestamp


class User(UserRead):
    """A candidate profile as stored (container `users`, partition key `user_id`)."""

    id: str
