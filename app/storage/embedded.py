"""The embedded backend: the document store in one SQLite file, zero setup.

It keeps the Cosmos DB semantics the services rely on: items keyed by (partition key,
id) per container, a new `_etag` on every write with conditional replace and delete,
opaque continuation tokens (keyset paging, so a page costs the same wherever it
starts), and TTL (per-container default, per-item `ttl` field, -1 for never). Indexes
on the fields a container's indexing policy includes make filtered and sorted queries
index seeks.

Point reads and API-sized pages run on the caller's thread: one takes tens of
microseconds, less than handing it to another thread would cost. Writes run on a
write thread with their own connection: a commit waits for the disk (synchronous=FULL),
and that wait then holds neither the GIL nor the event loop. Longer scans (background
pages, counts and averages) run on a scan thread with its own connection: SQLite runs
them without holding the GIL, so the event loop keeps serving meanwhile. WAL lets the
readers read while the writer writes, here and in other processes sharing the file
(`python -m app serve --workers N` and its worker process).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import (
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from app.errors import BadRequestError
from app.storage.base import (
    ContainerSpec,
    Document,
    EtagMismatchError,
    Filter,
    ItemExistsError,
    ItemNotFoundError,
    Page,
    Query,
    every_page,
)
from app.storage.sqlite_writer import BatchWriter

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCALAR_INDEX_PATH = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)/\?$")
_ARRAY_INDEX_PATH = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)/\[\]/\?$")
_COMPARISONS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_PAGE_SIZE_FOR_SCANS = 500
# Pages up to this size run on the caller's thread (see `query`).
_INLINE_PAGE_SIZE = 100
# One: with more, scans compete with the event loop for the cores (bench/mixed_load.py
# on 2 cores: 312 req/s with one scan thread, 231 with four).
_SCAN_THREADS = 1

_T = TypeVar("_T")
# Hides expired items from every query (see `_where`).
_LIVE = "(expires_at IS NULL OR expires_at > ?)"


def _json_field(field_name: str) -> str:
    if not _FIELD_NAME.match(field_name):
        raise ValueError(f"unsupported field name: {field_name!r}")
    return f"json_extract(doc, '$.{field_name}')"


def _quote(name: str) -> str:
    if not _FIELD_NAME.match(name):
        raise ValueError(f"unsupported container name: {name!r}")
    return f'"{name}"'


def _sql_value(value: Any) -> Any:
    # json_extract yields 1/0 for JSON booleans; bind Python booleans the same way.
    return int(value) if isinstance(value, bool) else value


def _column(field_name: str) -> str:
    """The column holding an indexed field's value, beside the document."""
    if not _FIELD_NAME.match(field_name):
        raise ValueError(f"unsupported field name: {field_name!r}")
    return f'"f_{field_name}"'


def _column_value(value: Any) -> Any:
    """What json_extract(doc, '$.field') would give for this field's value."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return _sql_value(value)


def _encode_token(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise BadRequestError("The continuation token is not valid.") from exc
    if not isinstance(payload, dict) or not {"pk", "id"} <= payload.keys():
        raise BadRequestError("The continuation token is not valid.")
    return payload


class EmbeddedStore:
    """A DocumentStore on SQLite; safe to share between threads of one process."""

    def __init__(self, path: Path | str, containers: Iterable[ContainerSpec]):
        self._specs = {spec.name: spec for spec in containers}
        self._arrays = {
            name: frozenset(self._array_fields(spec))
            for name, spec in self._specs.items()
        }
        # Indexed fields live in columns of their own too, so an index holds the
        # values and a scan of it never opens a document (SQLite 3.40 reads the row
        # behind every entry of an index on json_extract: 6 us a row here).
        self._columns = {
            name: tuple(self._indexed_fields(spec))
            for name, spec in self._specs.items()
        }
        self._lock = threading.RLock()
        self._path = str(path)
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        # Writes go through `_conn` and inline reads through `_read_conn`, each under
        # its lock, so a read never waits for a write's commit to reach the disk.
        self._conn = self._connect()
        for spec in self._specs.values():
            self._create_table(spec)
        self.purge_expired()
        # Each scan thread opens its own connection on first use. An in-memory database
        # is private to its connection: everything runs on the first one, inline.
        self._scans: ThreadPoolExecutor | None = None
        self._writer: BatchWriter | None = None
        self._read_conn, self._read_lock = self._conn, self._lock
        self._readers: list[sqlite3.Connection] = []
        self._reader = threading.local()
        if self._path != ":memory:":
            self._scans = ThreadPoolExecutor(
                _SCAN_THREADS, thread_name_prefix="embedded-scan"
            )
            self._writer = BatchWriter(self._conn, self._lock, "embedded-write")
            self._read_conn, self._read_lock = self._connect(), threading.RLock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a write is acknowledged only after it reached the disk.
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    async def _fetch(
        self, sql: str, params: Sequence[Any], *, inline: bool = False
    ) -> list[Any]:
        """Every row of a multi-row statement, read on the scan thread (or, `inline`,
        on the caller's).

        Each statement reads the latest committed state, so a query sees every write
        acknowledged before it started.
        """
        if self._scans is None or inline:
            with self._read_lock:
                return self._read_conn.execute(sql, params).fetchall()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._scans, self._fetch_on_reader, sql, params
        )

    async def _write(self, statements: Callable[[], _T]) -> _T:
        """Run `statements` in a transaction; return once it is committed.

        On a file, the write thread commits the writes waiting together
        (`BatchWriter`); in memory, this thread does, at once.
        """
        if self._writer is None:
            with self._lock, self._transaction():
                return statements()
        return await self._writer.write(statements)

    def _fetch_on_reader(self, sql: str, params: Sequence[Any]) -> list[Any]:
        conn: sqlite3.Connection | None = getattr(self._reader, "conn", None)
        if conn is None:
            conn = self._reader.conn = self._connect()
            with self._lock:
                self._readers.append(conn)
        return conn.execute(sql, params).fetchall()

    def _create_table(self, spec: ContainerSpec) -> None:
        table = _quote(spec.name)
        self._conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            " pk TEXT NOT NULL, id TEXT NOT NULL, etag TEXT NOT NULL,"
            " ts INTEGER NOT NULL, expires_at REAL, doc TEXT NOT NULL,"
            " PRIMARY KEY (pk, id)) WITHOUT ROWID"
        )
        self._add_field_columns(spec)
        for field_name in self._indexed_fields(spec):
            # Files written before the columns indexed json_extract under this name.
            self._conn.execute(f'DROP INDEX IF EXISTS "{spec.name}_{field_name}"')
            self._conn.execute(
                f'CREATE INDEX IF NOT EXISTS "{spec.name}_by_{field_name}"'
                f" ON {table} ({_column(field_name)}, id, pk, expires_at)"
            )
        for composite in spec.indexing_policy.get("compositeIndexes", []):
            # A filter on the first fields and the newest-first sort on the last one
            # read the index in order and stop at the page's end. The tie-breakers
            # (id, pk) follow the sort's direction, as `query` orders.
            fields = [entry["path"].lstrip("/") for entry in composite]
            last = "DESC" if composite[-1]["order"] == "descending" else "ASC"
            columns = [
                f"{_column(entry['path'].lstrip('/'))}"
                f" {'DESC' if entry['order'] == 'descending' else 'ASC'}"
                for entry in composite
            ]
            self._conn.execute(f'DROP INDEX IF EXISTS "{spec.name}_{"_".join(fields)}"')
            self._conn.execute(
                f'CREATE INDEX IF NOT EXISTS "{spec.name}_by_{"_".join(fields)}"'
                f" ON {table} ({', '.join(columns)}, id {last}, pk {last}, expires_at)"
            )
        for field_name in self._array_fields(spec):
            self._create_array_index(spec.name, field_name)

    def _add_field_columns(self, spec: ContainerSpec) -> None:
        """Add the columns of newly indexed fields, filled from the documents."""
        table = _quote(spec.name)
        existing = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
        missing = [f for f in self._columns[spec.name] if f"f_{f}" not in existing]
        if not missing:
            return
        with self._transaction():
            for field_name in missing:
                self._conn.execute(
                    f"ALTER TABLE {table} ADD COLUMN {_column(field_name)}"
                )
            assignments = ", ".join(f"{_column(f)} = {_json_field(f)}" for f in missing)
            self._conn.execute(f"UPDATE {table} SET {assignments}")

    def _field_sql(self, container: str, field_name: str) -> str:
        """The SQL for a field's value: its column when indexed, else read from the
        document."""
        if field_name in self._columns[container]:
            return _column(field_name)
        return _json_field(field_name)

    def _row(
        self, spec: ContainerSpec, document: Document, etag: str, ts: int, now: float
    ) -> tuple[Any, ...]:
        """A full row, in the order of `_row_sql`'s columns."""
        return (
            *self._key(spec, document),
            etag,
            ts,
            self._expiry(spec, document, now),
            self._body(document),
            *self._field_values(spec.name, document),
        )

    def _field_values(self, container: str, document: Document) -> tuple[Any, ...]:
        return tuple(
            _column_value(document.get(field_name))
            for field_name in self._columns[container]
        )

    def _row_sql(self, container: str) -> tuple[str, str, str]:
        """Column list, placeholders and upsert assignments of a full row."""
        names = ["pk", "id", "etag", "ts", "expires_at", "doc"] + [
            _column(f) for f in self._columns[container]
        ]
        assignments = ", ".join(
            f"{name} = excluded.{name}" for name in names if name not in ("pk", "id")
        )
        return ", ".join(names), ", ".join("?" * len(names)), assignments

    def _create_array_index(self, container: str, field_name: str) -> None:
        """Index the elements of an array field, as Cosmos DB's `/field/[]/?` does.

        SQLite indexes no JSON arrays, so a side table holds one row per element, kept
        by triggers in the same transaction as every write; `contains` filters look
        elements up there instead of opening every document.
        """
        side = _quote(f"{container}__{field_name}")
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            (f"{container}__{field_name}",),
        ).fetchone()
        table = _quote(container)
        path = f"'$.{field_name}'"
        elements = (
            f"(value, pk, id) SELECT element.value, NEW.pk, NEW.id"
            f" FROM json_each(NEW.doc, {path}) AS element"
        )
        with self._transaction():
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {side} (value NOT NULL, pk TEXT NOT NULL,"
                " id TEXT NOT NULL, PRIMARY KEY (value, pk, id)) WITHOUT ROWID"
            )
            self._conn.execute(
                f'CREATE INDEX IF NOT EXISTS "{container}__{field_name}_item"'
                f" ON {side} (pk, id)"
            )
            for event, body in (
                ("insert AFTER INSERT", f"INSERT OR IGNORE INTO {side} {elements};"),
                (
                    "update AFTER UPDATE OF doc",
                    f"DELETE FROM {side} WHERE pk = OLD.pk AND id = OLD.id;"
                    f" INSERT OR IGNORE INTO {side} {elements};",
                ),
                (
                    "delete AFTER DELETE",
                    f"DELETE FROM {side} WHERE pk = OLD.pk AND id = OLD.id;",
                ),
            ):
                name, timing = event.split(" ", 1)
                self._conn.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{container}__{field_name}_{name}"'
                    f" {timing} ON {table} BEGIN {body} END"
                )
            if not exists:
                # A store written before this index existed: index what it holds.
                self._conn.execute(
                    f"INSERT OR IGNORE INTO {side} (value, pk, id)"
                    f" SELECT element.value, item.pk, item.id"
                    f" FROM {table} AS item, json_each(item.doc, {path}) AS element"
                )

    @staticmethod
    def _array_fields(spec: ContainerSpec) -> list[str]:
        paths = spec.indexing_policy.get("includedPaths", [])
        return [m.group(1) for p in paths if (m := _ARRAY_INDEX_PATH.match(p["path"]))]

    @staticmethod
    def _indexed_fields(spec: ContainerSpec) -> list[str]:
        paths = spec.indexing_policy.get("includedPaths", [])
        fields = [
            m.group(1) for p in paths if (m := _SCALAR_INDEX_PATH.match(p["path"]))
        ]
        for composite in spec.indexing_policy.get("compositeIndexes", []):
            fields.extend(entry["path"].lstrip("/") for entry in composite)
        return list(dict.fromkeys(fields))

    def _spec(self, container: str) -> ContainerSpec:
        try:
            return self._specs[container]
        except KeyError:
            raise ValueError(f"unknown container: {container!r}") from None

    def _key(self, spec: ContainerSpec, document: Document) -> tuple[str, str]:
        pk, item_id = document.get(spec.partition_key), document.get("id")
        if not isinstance(pk, str) or not isinstance(item_id, str):
            raise ValueError(
                f"{spec.name} documents need string 'id' and '{spec.partition_key}'"
            )
        return pk, item_id

    def _expiry(
        self, spec: ContainerSpec, document: Document, now: float
    ) -> float | None:
        # As in Cosmos DB, an item's own `ttl` counts only where the container has TTL
        # on.
        if spec.default_ttl is None:
            return None
        ttl = document.get("ttl", spec.default_ttl)
        if ttl is None or ttl == -1:
            return None
        return now + float(ttl)

    @staticmethod
    def _body(document: Document) -> str:
        body = {k: v for k, v in document.items() if k not in ("_etag", "_ts")}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def _row_to_doc(row: tuple[str, int, str]) -> Document:
        etag, ts, body = row
        document: Document = json.loads(body)
        document["_etag"] = etag
        document["_ts"] = ts
        return document

    @staticmethod
    def _new_etag() -> str:
        return f'"{uuid.uuid4().hex}"'

    # Point operations -------------------------------------------------------------

    async def read(
        self, container: str, *, partition_key: str, item_id: str
    ) -> Document:
        table = _quote(self._spec(container).name)
        with self._read_lock:
            row = self._read_conn.execute(
                f"SELECT etag, ts, doc FROM {table} WHERE pk = ? AND id = ?"
                " AND (expires_at IS NULL OR expires_at > ?)",
                (partition_key, item_id, time.time()),
            ).fetchone()
        if row is None:
            raise ItemNotFoundError(f"No item {item_id!r} in {container}.")
        return self._row_to_doc(row)

    async def create(self, container: str, document: Document) -> Document:
        spec = self._spec(container)
        pk, item_id = self._key(spec, document)
        now = time.time()
        etag, ts = self._new_etag(), int(now)
        table = _quote(spec.name)
        names, marks, _ = self._row_sql(spec.name)
        row = self._row(spec, document, etag, ts, now)

        def insert() -> None:
            # An expired item is gone for every reader; its key is free again.
            self._conn.execute(
                f"DELETE FROM {table} WHERE pk = ? AND id = ? AND expires_at <= ?",
                (pk, item_id, now),
            )
            self._conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)

        try:
            await self._write(insert)
        except sqlite3.IntegrityError:
            raise ItemExistsError(f"Item {item_id!r} already exists.") from None
        return {**document, "_etag": etag, "_ts": ts}

    async def upsert(self, container: str, document: Document) -> Document:
        spec = self._spec(container)
        now = time.time()
        etag, ts = self._new_etag(), int(now)
        row = self._row(spec, document, etag, ts, now)  # checks the key too
        sql = self._upsert_sql(spec.name)

        def upsert() -> None:
            self._conn.execute(sql, row)

        await self._write(upsert)
        return {**document, "_etag": etag, "_ts": ts}

    async def replace(
        self, container: str, document: Document, *, etag: str | None
    ) -> Document:
        spec = self._spec(container)
        pk, item_id = self._key(spec, document)
        now = time.time()
        new_etag, ts = self._new_etag(), int(now)
        condition = "" if etag is None else " AND etag = ?"
        fields = "".join(f", {_column(f)} = ?" for f in self._columns[spec.name])
        params: tuple[Any, ...] = (
            new_etag,
            ts,
            self._expiry(spec, document, now),
            self._body(document),
            *self._field_values(spec.name, document),
            pk,
            item_id,
            now,
        ) + (() if etag is None else (etag,))

        def update() -> int:
            return self._conn.execute(
                f"UPDATE {_quote(spec.name)} SET etag = ?, ts = ?, expires_at = ?,"
                f" doc = ?{fields} WHERE pk = ? AND id = ?"
                f" AND (expires_at IS NULL OR expires_at > ?){condition}",
                params,
            ).rowcount

        if await self._write(update) == 0:
            await self.read(container, partition_key=pk, item_id=item_id)
            raise EtagMismatchError(f"Item {item_id!r} changed since it was read.")
        return {**document, "_etag": new_etag, "_ts": ts}

    async def delete(
        self,
        container: str,
        *,
        partition_key: str,
        item_id: str,
        etag: str | None = None,
    ) -> None:
        spec = self._spec(container)
        condition = "" if etag is None else " AND etag = ?"
        params: tuple[Any, ...] = (partition_key, item_id, time.time()) + (
            () if etag is None else (etag,)
        )

        def delete() -> int:
            return self._conn.execute(
                f"DELETE FROM {_quote(spec.name)} WHERE pk = ? AND id = ?"
                f" AND (expires_at IS NULL OR expires_at > ?){condition}",
                params,
            ).rowcount

        if await self._write(delete) == 0:
            await self.read(container, partition_key=partition_key, item_id=item_id)
            raise EtagMismatchError(f"Item {item_id!r} changed since it was read.")

    # Batched writes ---------------------------------------------------------------

    async def upsert_many(self, container: str, documents: Sequence[Document]) -> int:
        spec = self._spec(container)
        if not documents:
            return 0  # no transaction, no round trip to the write thread
        now = time.time()
        rows = [
            self._row(spec, document, self._new_etag(), int(now), now)
            for document in documents
        ]
        sql = self._upsert_sql(spec.name)

        def upsert() -> None:
            self._conn.executemany(sql, rows)

        await self._write(upsert)
        return len(rows)

    async def delete_many(self, container: str, keys: Sequence[tuple[str, str]]) -> int:
        spec = self._spec(container)
        if not keys:
            return 0
        now = time.time()

        def delete() -> int:
            return self._conn.executemany(
                f"DELETE FROM {_quote(spec.name)} WHERE pk = ? AND id = ?"
                " AND (expires_at IS NULL OR expires_at > ?)",
                [(pk, item_id, now) for pk, item_id in keys],
            ).rowcount

        return max(await self._write(delete), 0)

    def _upsert_sql(self, container: str) -> str:
        names, marks, assignments = self._row_sql(container)
        return (
            f"INSERT INTO {_quote(container)} ({names}) VALUES ({marks})"
            f" ON CONFLICT (pk, id) DO UPDATE SET {assignments}"
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # Queries ----------------------------------------------------------------------

    def _where(
        self,
        spec: ContainerSpec,
        where: Iterable[Filter],
        partition_key: str | None,
    ) -> tuple[list[str], list[Any]]:
        """The SQL conditions of `where`. Callers add `_LIVE` last: checked after the
        conditions an index answers, it reads only the rows that pass them (a skill
        in a city: 83 us instead of 227 us)."""
        arrays = self._arrays[spec.name]
        # Array membership is checked per row when an indexed equality (or the
        # partition) already narrows the rows, and as a set otherwise. The set costs
        # one row per holder of the value, a few hundred us for a common skill; per
        # row, the check would scan the whole container when the value is rare.
        narrowed = partition_key is not None or any(
            condition.op == "eq" and condition.field in self._columns[spec.name]
            for condition in where
        )
        clauses: list[str] = []
        params: list[Any] = []
        if partition_key is not None:
            clauses.append("pk = ?")
            params.append(partition_key)
        for condition in where:
            expr = self._field_sql(spec.name, condition.field)
            if condition.op == "contains" and condition.field in arrays:
                side = _quote(f"{spec.name}__{condition.field}")
                if narrowed:
                    clauses.append(
                        f"EXISTS (SELECT 1 FROM {side} AS element WHERE"
                        f" element.value = ? AND element.pk = {_quote(spec.name)}.pk"
                        f" AND element.id = {_quote(spec.name)}.id)"
                    )
                else:
                    clauses.append(
                        f"(pk, id) IN (SELECT pk, id FROM {side} WHERE value = ?)"
                    )
                params.append(_sql_value(condition.value))
            elif condition.op == "contains":
                path = f"$.{condition.field}"
                clauses.append(
                    "EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE value = ?)"
                )
                params.extend([path, _sql_value(condition.value)])
            elif condition.op == "in":
                values = [_sql_value(v) for v in condition.value]
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{expr} IN ({', '.join('?' * len(values))})")
                params.extend(values)
            else:
                # A missing field matches `ne` (base.Filter); SQL's NULL != x does not.
                null_ok = f"{expr} IS NULL OR " if condition.op == "ne" else ""
                clauses.append(f"({null_ok}{expr} {_COMPARISONS[condition.op]} ?)")
                params.append(_sql_value(condition.value))
        return clauses, params

    async def query(
        self,
        container: str,
        query: Query,
        *,
        partition_key: str | None = None,
        limit: int,
        continuation: str | None = None,
        skip: int = 0,
    ) -> Page:
        spec = self._spec(container)
        if limit < 1:
            raise ValueError("limit must be at least 1")
        clauses, params = self._where(spec, query.where, partition_key)
        descending = query.direction == "desc"
        cmp = "<" if descending else ">"
        order = "DESC" if descending else "ASC"
        sort_expr = (
            self._field_sql(spec.name, query.order_by) if query.order_by else None
        )
        if sort_expr:
            clauses.append(f"{sort_expr} IS NOT NULL")
            order_sql = f"{sort_expr} {order}, id {order}, pk {order}"
        else:
            order_sql = f"pk {order}, id {order}"

        if continuation:
            token = _decode_token(continuation)
            if sort_expr:
                clauses.append(
                    f"({sort_expr} {cmp} ? OR ({sort_expr} = ? AND"
                    f" (id {cmp} ? OR (id = ? AND pk {cmp} ?))))"
                )
                value = token.get("v")
                params.extend([value, value, token["id"], token["id"], token["pk"]])
            else:
                clauses.append(f"(pk {cmp} ? OR (pk = ? AND id {cmp} ?))")
                params.extend([token["pk"], token["pk"], token["id"]])
            skip = 0

        clauses.append(_LIVE)
        params.append(time.time())
        select = "SELECT etag, ts, doc, pk, id"
        if sort_expr:
            select += f", {sort_expr}"
        table = _quote(spec.name)
        # The page's keys first, then its rows: when an index holds every field
        # the conditions and the order name (the indexed fields' columns, id, pk,
        # expires_at), the keys come from the index alone and only the page's
        # documents are read (a skill in a city: 0.13 ms, where reading the row of
        # every entry scanned took up to 2 ms).
        sql = (
            f"{select} FROM {table} WHERE (pk, id) IN (SELECT pk, id FROM {table}"
            f" WHERE {' AND '.join(clauses)} ORDER BY {order_sql} LIMIT ? OFFSET ?)"
            f" ORDER BY {order_sql}"
        )
        # One row more than asked tells whether another page exists. A page the size
        # the API serves is an index seek of a millisecond: handing it to the scan
        # thread would cost more, waiting for the GIL behind a busy event loop
        # (bench/mixed_load.py: list p50 150 ms that way). Longer pages (query_all,
        # background work) scan on the thread.
        rows = await self._fetch(
            sql, (*params, limit + 1, max(skip, 0)), inline=limit <= _INLINE_PAGE_SIZE
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        items = [self._row_to_doc(row[:3]) for row in rows]
        next_token = None
        if has_more and rows:
            last = rows[-1]
            payload: dict[str, Any] = {"pk": last[3], "id": last[4]}
            if sort_expr:
                payload["v"] = last[5]
            next_token = _encode_token(payload)
        return Page(items=items, continuation=next_token)

    def query_all(
        self,
        container: str,
        query: Query,
        *,
        partition_key: str | None = None,
    ) -> AsyncIterator[Document]:
        return every_page(
            self,
            container,
            query,
            partition_key=partition_key,
            page_size=_PAGE_SIZE_FOR_SCANS,
        )

    async def count(
        self,
        container: str,
        where: tuple[Filter, ...] = (),
        *,
        partition_key: str | None = None,
    ) -> int:
        spec = self._spec(container)
        clauses, params = self._where(spec, where, partition_key)
        clauses.append(_LIVE)
        params.append(time.time())
        [(total,)] = await self._fetch(
            f"SELECT COUNT(*) FROM {_quote(spec.name)} WHERE {' AND '.join(clauses)}",
            params,
        )
        return int(total)

    async def average(
        self,
        container: str,
        field_name: str,
        where: tuple[Filter, ...] = (),
        *,
        partition_key: str | None = None,
    ) -> float | None:
        spec = self._spec(container)
        clauses, params = self._where(spec, where, partition_key)
        expr = self._field_sql(spec.name, field_name)
        clauses.append(f"json_type(doc, '$.{field_name}') IN ('integer', 'real')")
        clauses.append(_LIVE)
        params.append(time.time())
        [(mean,)] = await self._fetch(
            f"SELECT AVG({expr}) FROM {_quote(spec.name)}"
            f" WHERE {' AND '.join(clauses)}",
            params,
        )
        return None if mean is None else float(mean)

    # Maintenance ------------------------------------------------------------------

    def purge_expired(self) -> int:
        """Delete expired items for good; readers already ignore them."""
        removed = 0
        now = time.time()
        with self._lock:
            for spec in self._specs.values():
                removed += self._conn.execute(
                    f"DELETE FROM {_quote(spec.name)} WHERE expires_at <= ?", (now,)
                ).rowcount
        return removed

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()  # commits what is queued
            self._writer = None
        if self._scans is not None:
            self._scans.shutdown()  # waits for the scans still running
            self._scans = None
        with self._lock:
            for reader in self._readers:
                reader.close()
            if self._read_conn is not self._conn:
                self._read_conn.close()
            self._conn.close()
