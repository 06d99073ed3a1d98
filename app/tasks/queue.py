"""Task queues: the interface the services send through, and the local durable queue.

The local queue keeps messages in a SQLite file, so they survive a restart, and follows
the Azure Storage queue rules the Functions host applies: a received message is hidden
for a visibility timeout, is delivered again if not deleted in time, and after
`max_dequeue_count` deliveries moves to the poison list (the `-poison` queue's twin).
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.storage.sqlite_writer import BatchWriter
from app.tasks.messages import AnyMessage, encode_message

# The Functions host's defaults (host.json extensions.queues).
DEFAULT_MAX_DEQUEUE_COUNT = 5
DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30.0


class TaskQueue(Protocol):
    """Where services hand work to the queue trigger (or the local worker)."""

    async def send(self, message: AnyMessage) -> None: ...

    async def send_raw(self, body: str) -> None:
        """Send an already encoded body, e.g. a poison message being requeued."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    message_id: str
    pop_receipt: str
    body: str
    dequeue_count: int


@dataclass(frozen=True, slots=True)
class PoisonMessage:
    message_id: str
    body: str
    dequeue_count: int
    failed_at: float


class LocalQueue:
    """A durable queue in one SQLite file, for local runs on the embedded store."""

    def __init__(
        self,
        path: Path | str,
        *,
        max_dequeue_count: int = DEFAULT_MAX_DEQUEUE_COUNT,
        visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    ):
        self.max_dequeue_count = max_dequeue_count
        self.visibility_timeout = visibility_timeout
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = self._connect(path, synchronous="FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS messages (message_id TEXT PRIMARY KEY,"
            " body TEXT NOT NULL, visible_at REAL NOT NULL, enqueued_at REAL NOT NULL,"
            " dequeue_count INTEGER NOT NULL DEFAULT 0, pop_receipt TEXT)"
        )
        self._conn.execute(
            "CREATE INDEX IF NOT EXISTS messages_visible ON messages (visible_at)"
        )
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS poison (message_id TEXT PRIMARY KEY,"
            " body TEXT NOT NULL, dequeue_count INTEGER NOT NULL,"
            " failed_at REAL NOT NULL)"
        )
        # A send is acknowledged once it reached the disk (FULL). Receiving, deleting
        # and releasing only skip that wait (NORMAL: safe from a crash of this
        # process, not from a power cut): one lost on a power cut brings the message
        # back, which at-least-once delivery allows and the handlers tolerate.
        self._consumer = (
            self._conn
            if str(path) == ":memory:"
            else self._connect(path, synchronous="NORMAL")
        )
        # Sends from concurrent requests commit together, off the event loop.
        self._sends = (
            None
            if str(path) == ":memory:"
            else BatchWriter(self._conn, self._lock, "local-queue-send")
        )

    @staticmethod
    def _connect(path: Path | str, *, synchronous: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        return conn

    async def send(self, message: AnyMessage) -> None:
        await self.send_raw(encode_message(message))

    async def send_raw(self, body: str) -> None:
        if self._sends is None:
            self.put(body)
        else:
            await self._sends.write(functools.partial(self._insert, body, 0.0))

    def put(self, body: str, *, delay: float = 0.0) -> str:
        """Enqueue on this thread; returns the message id."""
        with self._lock:
            return self._insert(body, delay)

    def _insert(self, body: str, delay: float) -> str:
        message_id = uuid.uuid4().hex
        now = time.time()
        self._conn.execute(
            "INSERT INTO messages (message_id, body, visible_at, enqueued_at)"
            " VALUES (?, ?, ?, ?)",
            (message_id, body, now + delay, now),
        )
        return message_id

    def receive(self) -> ReceivedMessage | None:
        """Take the next visible message and hide it; None when there is none.

        A message already delivered `max_dequeue_count` times moves to the poison list.
        """
        while True:
            now = time.time()
            with self._lock:
                self._consumer.execute("BEGIN IMMEDIATE")
                try:
                    row = self._consumer.execute(
                        "SELECT message_id, body, dequeue_count FROM messages"
                        " WHERE visible_at <= ? ORDER BY visible_at LIMIT 1",
                        (now,),
                    ).fetchone()
                    if row is None:
                        self._consumer.execute("COMMIT")
                        return None
                    message_id, body, dequeue_count = row
                    if dequeue_count >= self.max_dequeue_count:
                        self._consumer.execute(
                            "INSERT OR REPLACE INTO poison VALUES (?, ?, ?, ?)",
                            (message_id, body, dequeue_count, now),
                        )
                        self._consumer.execute(
                            "DELETE FROM messages WHERE message_id = ?", (message_id,)
                        )
                        self._consumer.execute("COMMIT")
                        continue
                    receipt = uuid.uuid4().hex
                    self._consumer.execute(
                        "UPDATE messages SET visible_at = ?, dequeue_count = ?,"
                        " pop_receipt = ? WHERE message_id = ?",
                        (
                            now + self.visibility_timeout,
                            dequeue_count + 1,
                            receipt,
                            message_id,
                        ),
                    )
                    self._consumer.execute("COMMIT")
                except BaseException:
                    self._consumer.execute("ROLLBACK")
                    raise
            return ReceivedMessage(message_id, receipt, body, dequeue_count + 1)

    def delete(self, received: ReceivedMessage) -> None:
        """Remove a processed message, unless it was redelivered to someone else
        since."""
        with self._lock:
            self._consumer.execute(
                "DELETE FROM messages WHERE message_id = ? AND pop_receipt = ?",
                (received.message_id, received.pop_receipt),
            )

    def release(self, received: ReceivedMessage, *, delay: float) -> None:
        """Make a failed message visible again after `delay` seconds."""
        with self._lock:
            self._consumer.execute(
                "UPDATE messages SET visible_at = ? WHERE message_id = ?"
                " AND pop_receipt = ?",
                (time.time() + delay, received.message_id, received.pop_receipt),
            )

    def pending(self) -> int:
        with self._lock:
            (count,) = self._consumer.execute(
                "SELECT COUNT(*) FROM messages"
            ).fetchone()
        return int(count)

    def poison(self) -> list[PoisonMessage]:
        with self._lock:
            rows = self._consumer.execute(
                "SELECT message_id, body, dequeue_count, failed_at FROM poison"
                " ORDER BY failed_at"
            ).fetchall()
        return [PoisonMessage(*row) for row in rows]

    def forget_poison(self, message_id: str) -> None:
        """Drop a poison message once it has been recorded in the store."""
        with self._lock:
            self._consumer.execute(
                "DELETE FROM poison WHERE message_id = ?", (message_id,)
            )

    async def close(self) -> None:
        if self._sends is not None:
            self._sends.close()
            self._sends = None
        with self._lock:
            if self._consumer is not self._conn:
                self._consumer.close()
            self._conn.close()
