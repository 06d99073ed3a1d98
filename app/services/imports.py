"""Bulk import of job postings through the queue, with progress and per-row errors.

The rows are stored in chunks next to the import record (one partition), then one queue
message per chunk creates its jobs. A job's id is derived from (import, row), so a chunk
delivered twice creates nothing twice.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from pydantic import ValidationError

from app.errors import NotFoundError
from app.models.common import format_timestamp, utc_now
from app.models.imports import JobImportRead, RowError
from app.models.jobs import JobCreate
from app.services.common import modify_item
from app.services.jobs import create_job
from app.storage import DocumentStore, Filter, ItemExistsError, ItemNotFoundError, Query
from app.storage.containers import IMPORTS
from app.tasks.messages import JobImportChunk
from app.tasks.queue import TaskQueue

# Rows per stored chunk and per message: 50 rows of the largest allowed posting stay
# well under Cosmos DB's 2 MB item limit.
CHUNK_ROWS = 50
_RECORD_ID = "import"
_CHUNKS = Query(where=(Filter("kind", "eq", "chunk"),), order_by="chunk")


def _chunk_id(chunk: int) -> str:
    return f"chunk-{chunk:05d}"


async def start_job_import(
    store: DocumentStore,
    queue: TaskQueue,
    rows: list[dict[str, Any]],
    *,
    created_by: str,
) -> JobImportRead:
    """Store the rows, then queue their chunks; returns the import's first status."""
    import_id = uuid.uuid4().hex
    now = format_timestamp(utc_now())
    chunks = [rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)]
    for number, chunk_rows in enumerate(chunks):
        await store.create(
            IMPORTS,
            {
                "id": _chunk_id(number),
                "import_id": import_id,
                "kind": "chunk",
                "chunk": number,
                "first_row": number * CHUNK_ROWS,
                "row_count": len(chunk_rows),
                "rows": chunk_rows,
                "done": False,
                "created": 0,
                "errors": [],
            },
        )
    await store.create(
        IMPORTS,
        {
            "id": _RECORD_ID,
            "import_id": import_id,
            "kind": "record",
            "created_by": created_by,
            "total_rows": len(rows),
            "chunk_count": len(chunks),
            "created_at": now,
        },
    )
    for number in range(len(chunks)):
        await queue.send(JobImportChunk(import_id=import_id, chunk=number))
    return await get_job_import(store, import_id)


def _row_errors(row: int, error: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "field": ".".join(str(part) for part in detail["loc"]) or None,
            "message": detail["msg"],
        }
        for detail in error.errors()
    ]


async def process_import_chunk(
    store: DocumentStore, *, import_id: str, chunk: int
) -> None:
    """Create the chunk's jobs; a repeated delivery finds it done or resumes it."""
    try:
        document = await store.read(
            IMPORTS, partition_key=import_id, item_id=_chunk_id(chunk)
        )
    except ItemNotFoundError:
        return  # the import was deleted
    if document["done"]:
        return

    created = 0
    errors: list[dict[str, Any]] = []
    for offset, raw in enumerate(document["rows"]):
        row = document["first_row"] + offset
        try:
            data = JobCreate.model_validate(raw)
        except ValidationError as exc:
            errors.extend(_row_errors(row, exc))
            continue
        job_id = f"{data.company_id}:{uuid.uuid5(uuid.UUID(import_id), str(row)).hex}"
        # A job that exists already was created by an earlier delivery of this chunk.
        with contextlib.suppress(ItemExistsError):
            await create_job(store, data, job_id=job_id)
        created += 1

    def finish(current: dict[str, Any]) -> dict[str, Any]:
        # The rows are not needed once processed; the results stay.
        return {
            **current,
            "done": True,
            "created": created,
            "errors": errors,
            "rows": [],
            "completed_at": format_timestamp(utc_now()),
        }

    await modify_item(
        store, IMPORTS, partition_key=import_id, item_id=_chunk_id(chunk), change=finish
    )


async def get_job_import(store: DocumentStore, import_id: str) -> JobImportRead:
    try:
        record = await store.read(IMPORTS, partition_key=import_id, item_id=_RECORD_ID)
    except ItemNotFoundError:
        raise NotFoundError(f"Import {import_id!r} was not found.") from None
    chunks = [
        c async for c in store.query_all(IMPORTS, _CHUNKS, partition_key=import_id)
    ]
    done = [c for c in chunks if c["done"]]
    errors = [RowError.model_validate(e) for c in done for e in c["errors"]]
    processed = sum(c["row_count"] for c in done)
    if len(done) == record["chunk_count"]:
        status = "completed"
    else:
        status = "running" if done else "queued"
    return JobImportRead(
        import_id=import_id,
        created_by=record["created_by"],
        status=status,
        total_rows=record["total_rows"],
        processed_rows=processed,
        created=sum(c["created"] for c in done),
        rejected=len({e.row for e in errors}),
        errors=errors,
        created_at=record["created_at"],
        completed_at=max((c["completed_at"] for c in done), default=None)
        if status == "completed"
        else None,
    )
