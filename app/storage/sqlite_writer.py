"""Group commit for SQLite: the writes waiting at one moment share one transaction.

With `synchronous=FULL` every commit waits for the disk (about 0.3 ms and 0.1 ms of CPU
here, bench/route_costs.py). Concurrent requests each writing one document would pay
that once each; here a thread takes every write waiting when it is free, runs each in a
savepoint of its own (so one write's error undoes that write only) and commits them
together: one fsync for the lot. A caller resumes only once its write is committed, so
nothing is acknowledged before it is on disk, and the waiting holds neither the GIL nor
the caller's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")

# Enough to take what 32 concurrent clients queue; bounds the time one batch holds the
# database's write lock.
_MAX_BATCH = 64


@dataclass(slots=True)
class _Write(Generic[_T]):
    statements: Callable[[], _T]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[_T]
    result: Any = None
    error: BaseException | None = field(default=None)


def _settle(writes: list[_Write[Any]]) -> None:
    for write in writes:
        if write.future.done():  # the caller was cancelled meanwhile
            continue
        if write.error is None:
            write.future.set_result(write.result)
        else:
            write.future.set_exception(write.error)


class BatchWriter:
    """Runs write functions on one thread, committing those that wait together.

    `conn` is used by that thread only (under `lock`, which others may hold to use it
    between batches); `statements` must not begin or end transactions themselves.
    """

    def __init__(
        self, conn: sqlite3.Connection, lock: AbstractContextManager[Any], name: str
    ):
        self._conn = conn
        self._lock = lock
        self._pending: queue.SimpleQueue[_Write[Any] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    async def write(self, statements: Callable[[], _T]) -> _T:
        """Run `statements` in a transaction; returns once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        self._pending.put(_Write(statements, loop, future))
        return await future

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._pending.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._pending.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < _MAX_BATCH:
                try:
                    write = self._pending.get_nowait()
                except queue.Empty:
                    break
                if write is None:
                    stop = True
                    break
                batch.append(write)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Write[Any]]) -> None:
        conn = self._conn
        with self._lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                for write in batch:
                    conn.execute("SAVEPOINT write")
                    try:
                        write.result = write.statements()
                    except Exception as exc:
                        conn.execute("ROLLBACK TO write")
                        write.error = exc
                    conn.execute("RELEASE write")
                conn.execute("COMMIT")
            except Exception as exc:
                # Nothing of the batch is stored: every caller hears of it.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                for write in batch:
                    write.error = exc
        by_loop: dict[asyncio.AbstractEventLoop, list[_Write[Any]]] = {}
        for write in batch:
            by_loop.setdefault(write.loop, []).append(write)
        for loop, writes in by_loop.items():
            # A closed loop has nobody waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, writes)
