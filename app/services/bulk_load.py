"""Bulk load of candidates and job postings from NDJSON, one JSON object per line.

Each line is validated as the API validates its body (`UserCreate`, `JobCreate`) and
created through the same service functions, so ids, timestamps and derived fields are
the API's. A rejected line is kept with its number and reason and the load goes on.

No per-candidate recompute is queued: a load of many candidates would flood the queue
with messages that one recommendation run does better. Run `python -m app recommend`
(or wait for the night's run) after a load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from app.models.jobs import JobCreate
from app.models.users import UserCreate
from app.services.jobs import create_job
from app.services.users import create_user
from app.storage import DocumentStore
from app.tasks.messages import AnyMessage

Kind = Literal["users", "jobs"]


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line: int
    reason: str


@dataclass(slots=True)
class LoadResult:
    created: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)


class _NoRecompute:
    """The queue a load hands to `create_user`: it keeps no message (see above)."""

    async def send(self, message: AnyMessage) -> None:
        return None

    async def send_raw(self, body: str) -> None:
        return None

    async def close(self) -> None:
        return None


def _reason(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
        if detail["loc"]
        else detail["msg"]
        for detail in error.errors()
    )


async def load_lines(
    store: DocumentStore,
    kind: Kind,
    lines: Iterable[str],
    *,
    on_line: Callable[[], object] | None = None,
) -> LoadResult:
    """Create one candidate or job per line; blank lines are skipped."""
    result = LoadResult()
    for number, text in enumerate(lines, start=1):
        if on_line:
            on_line()
        if not text.strip():
            continue
        try:
            if kind == "users":
                data = UserCreate.model_validate_json(text)
                await create_user(store, _NoRecompute(), data)
            else:
                await create_job(store, JobCreate.model_validate_json(text))
        except ValidationError as exc:
            result.rejected.append(RejectedLine(line=number, reason=_reason(exc)))
            continue
        result.created += 1
    return result
