"""The Cosmos DB (NoSQL API) backend, on the `azure.cosmos.aio` SDK.

One async client per process, created on first use: Functions timers and queues never
run the ASGI lifespan, and the constructor does no I/O. The SDK's 404 / 409 / 412 become
the storage errors here; throttling, 503s and timeouts that outlast the SDK's own
retries become `StoreUnavailableError`, which the API answers with 503 and Retry-After.

Queries are parameterised SQL. Paging uses the SDK's continuation tokens, wrapped in a
token of ours (base64 JSON, bound to the query it came from) so clients never see or
forge the raw SDK token; the one exception is a cross-partition query with ORDER BY,
whose SDK continuation the Python SDK does not support (its README lists continuation
for cross-partition sorting queries under limitations): those page by keyset instead
(the last sort value, plus the ids already returned with that value).

Every response's request charge goes to `app.storage.charges`; each operation is logged
at DEBUG as `cosmos.operation` with its container and charge.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import math
import re
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from azure.core import MatchConditions
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.cosmos.exceptions import (
    CosmosAccessConditionFailedError,
    CosmosClientTimeoutError,
    CosmosHttpResponseError,
    CosmosResourceExistsError,
    CosmosResourceNotFoundError,
)

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
    StoreUnavailableError,
    every_page,
)
from app.storage.charges import charge_scope, record_charge

if TYPE_CHECKING:
    from azure.core.async_paging import AsyncPageIterator
    from azure.core.credentials_async import AsyncTokenCredential
    from azure.core.pipeline import PipelineResponse

    from app.config import Settings

logger = logging.getLogger(__name__)
_T = TypeVar("_T")
# The SDK logs every request and response at INFO: under Functions that floods
# Application Insights. It gets a logger of its own, quiet unless lowered on purpose.
_sdk_http_logger = logging.getLogger(f"{__name__}.http")

# The SDK's throttling defaults (9 attempts, up to 30 s of waiting) would hold an HTTP
# caller for half a minute; after ~10 s a 503 with Retry-After serves it better, and
# queue work is redelivered anyway.
_THROTTLE_RETRIES = 5
_THROTTLE_WAIT_MAX_SECONDS = 10
# Connection resets and gateway errors: a few quick retries, backoff capped at 4 s.
_CONNECTION_RETRIES = 3
_CONNECTION_BACKOFF_MAX_SECONDS = 4
_CONNECT_TIMEOUT_SECONDS = 5
_READ_TIMEOUT_SECONDS = 20
# 408 timeout, 410 gone, 429 throttled, 449 retry-with, 503 unavailable: transient.
_TRANSIENT_STATUS = frozenset({408, 410, 429, 449, 503})
_DEFAULT_RETRY_AFTER_SECONDS = 1

_PAGE_SIZE_FOR_SCANS = 500
# Requests in flight for one batched write: enough to hide the round trip, few enough
# that a shard's writes do not exhaust a small account's RU/s at once (the SDK retries
# 429s, see _THROTTLE_RETRIES).
_BULK_CONCURRENCY = 16
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMPARISONS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
# Cosmos DB's own properties; documents leave this module with `_etag` and `_ts` only,
# as the embedded store returns them.
_SYSTEM_FIELDS = frozenset({"_rid", "_self", "_attachments", "_etag", "_ts", "_lsn"})
_INVALID_TOKEN = "The continuation token is not valid."


def _path(field_name: str) -> str:
    # Bracket notation: a field named like a keyword (`value`, `order`) stays valid SQL.
    if not _FIELD_NAME.match(field_name):
        raise ValueError(f"unsupported field name: {field_name!r}")
    return f'c["{field_name}"]'


class _Sql:
    """Conditions and their parameters, collected while a query is built."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.parameters: list[dict[str, Any]] = []

    def param(self, value: Any) -> str:
        name = f"@p{len(self.parameters)}"
        self.parameters.append({"name": name, "value": value})
        return name

    def add_filter(self, condition: Filter) -> None:
        path = _path(condition.field)
        if condition.op == "contains":
            self.conditions.append(
                f"ARRAY_CONTAINS({path}, {self.param(condition.value)})"
            )
        elif condition.op == "in":
            values = list(condition.value)
            names = ", ".join(self.param(v) for v in values)
            self.conditions.append(f"{path} IN ({names})" if values else "false")
        elif condition.op == "ne":
            # A missing (or null) field counts as different, as base.Filter says.
            self.conditions.append(
                f"(NOT IS_DEFINED({path}) OR IS_NULL({path})"
                f" OR {path} != {self.param(condition.value)})"
            )
        else:
            operator = _COMPARISONS[condition.op]
            self.conditions.append(f"{path} {operator} {self.param(condition.value)}")

    def where(self) -> str:
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


def _encode_token(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise BadRequestError(_INVALID_TOKEN) from exc
    if not isinstance(payload, dict) or payload.get("q") != fingerprint:
        raise BadRequestError(_INVALID_TOKEN)
    if not isinstance(payload.get("s"), str) and not isinstance(payload.get("k"), dict):
        raise BadRequestError(_INVALID_TOKEN)
    return payload


def _fingerprint(container: str, sql: str, parameters: list[dict[str, Any]]) -> str:
    """Binds a token to its query: a token replayed on another query is refused."""
    text = json.dumps([container, sql, parameters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _to_document(item: Mapping[str, Any]) -> Document:
    document = {k: v for k, v in item.items() if k not in _SYSTEM_FIELDS}
    document["_etag"] = item.get("_etag")
    document["_ts"] = item.get("_ts")
    return document


def _body(document: Document) -> Document:
    return {k: v for k, v in document.items() if k not in _SYSTEM_FIELDS}


async def _bounded(calls: Iterable[Awaitable[_T]]) -> list[_T]:
    """Await the calls with at most `_BULK_CONCURRENCY` in flight, results in order."""
    gate = asyncio.Semaphore(_BULK_CONCURRENCY)

    async def gated(call: Awaitable[_T]) -> _T:
        async with gate:
            return await call

    return list(await asyncio.gather(*(gated(call) for call in calls)))


def _retry_after_seconds(exc: CosmosHttpResponseError) -> int:
    headers = getattr(exc, "headers", None) or {}
    milliseconds = headers.get("x-ms-retry-after-ms")
    if milliseconds is None:
        return _DEFAULT_RETRY_AFTER_SECONDS
    try:
        return max(_DEFAULT_RETRY_AFTER_SECONDS, math.ceil(float(milliseconds) / 1000))
    except ValueError:
        return _DEFAULT_RETRY_AFTER_SECONDS


def _record_response(response: PipelineResponse[Any, Any]) -> None:
    # Called by the SDK's pipeline for every HTTP response, retries included, in the
    # task that made the call, so the caller's charge scope is the current one.
    charge = response.http_response.headers.get("x-ms-request-charge")
    if charge:
        record_charge(float(charge))


@contextmanager
def _operation(op: str, container: str) -> Iterator[None]:
    """Log the operation's charge; transient failures become StoreUnavailableError."""
    with charge_scope() as charge:
        try:
            yield
        except CosmosHttpResponseError as exc:
            if exc.status_code not in _TRANSIENT_STATUS:
                raise
            logger.warning(
                "cosmos.unavailable",
                extra={"op": op, "container": container, "status": exc.status_code},
            )
            raise StoreUnavailableError(
                "The database is busy; try again shortly.",
                retry_after_seconds=_retry_after_seconds(exc),
            ) from exc
        except (
            CosmosClientTimeoutError,
            ServiceRequestError,
            ServiceResponseError,
            TimeoutError,
        ) as exc:
            logger.warning(
                "cosmos.unreachable",
                extra={"op": op, "container": container, "error": type(exc).__name__},
            )
            raise StoreUnavailableError(
                "The database cannot be reached; try again shortly.",
                retry_after_seconds=_DEFAULT_RETRY_AFTER_SECONDS,
            ) from exc
        finally:
            logger.debug(
                "cosmos.operation",
                extra={
                    "op": op,
                    "container": container,
                    "charge": charge.total,
                    "responses": charge.responses,
                },
            )


def _new_client(
    *, endpoint: str, key: str | None, verify_tls: bool
) -> tuple[CosmosClient, AsyncTokenCredential | None]:
    """A client with deliberate retries; the key when given, else managed identity."""
    credential: Any
    token_credential: AsyncTokenCredential | None = None
    if key:
        credential = key
    else:
        from azure.identity.aio import DefaultAzureCredential

        token_credential = credential = DefaultAzureCredential()
    client = CosmosClient(
        endpoint,
        credential=credential,
        # The SDK skips verification by itself only for localhost / 127.0.0.1.
        connection_verify=verify_tls,
        connection_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
        retry_total=_CONNECTION_RETRIES,
        retry_backoff_max=_CONNECTION_BACKOFF_MAX_SECONDS,
        retry_throttle_total=_THROTTLE_RETRIES,
        retry_throttle_backoff_max=_THROTTLE_WAIT_MAX_SECONDS,
        raw_response_hook=_record_response,
        logger=_sdk_http_logger,
    )
    if _sdk_http_logger.level == logging.NOTSET:
        _sdk_http_logger.setLevel(logging.WARNING)
    return client, token_credential


class CosmosStore:
    """A DocumentStore on one Cosmos DB database; one instance per process."""

    def __init__(
        self,
        *,
        endpoint: str,
        key: str | None,
        database: str,
        containers: Iterable[ContainerSpec],
        verify_tls: bool = True,
    ):
        self._endpoint = endpoint
        self._key = key
        self._database = database
        self._verify_tls = verify_tls
        self._specs = {spec.name: spec for spec in containers}
        self._client: CosmosClient | None = None
        self._credential: AsyncTokenCredential | None = None
        self._containers: dict[str, ContainerProxy] = {}
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, containers: Iterable[ContainerSpec]
    ) -> CosmosStore:
        if not settings.cosmos_endpoint:
            raise ValueError("COSMOS_ENDPOINT is required when STORAGE_BACKEND=cosmos")
        key = settings.cosmos_key.get_secret_value() if settings.cosmos_key else None
        return cls(
            endpoint=settings.cosmos_endpoint,
            key=key,
            database=settings.cosmos_database,
            containers=containers,
            verify_tls=settings.cosmos_verify_tls,
        )

    def _spec(self, container: str) -> ContainerSpec:
        try:
            return self._specs[container]
        except KeyError:
            raise ValueError(f"unknown container: {container!r}") from None

    async def _container(self, container: str) -> ContainerProxy:
        spec = self._spec(container)
        proxy = self._containers.get(spec.name)
        if proxy is not None:
            return proxy
        async with self._lock:
            if self._client is None:
                self._client, self._credential = await self._open_client()
            proxy = self._client.get_database_client(
                self._database
            ).get_container_client(spec.name)
            self._containers[spec.name] = proxy
        return proxy

    async def _open_client(self) -> tuple[CosmosClient, AsyncTokenCredential | None]:
        client, credential = _new_client(
            endpoint=self._endpoint, key=self._key, verify_tls=self._verify_tls
        )
        try:
            with _operation("connect", "-"):
                # Reads the account's regions once; every later call reuses it.
                await client.__aenter__()
        except BaseException:
            await client.close()
            if credential is not None:
                await credential.close()
            raise
        return client, credential

    def _key_of(self, spec: ContainerSpec, document: Document) -> tuple[str, str]:
        pk, item_id = document.get(spec.partition_key), document.get("id")
        if not isinstance(pk, str) or not isinstance(item_id, str):
            raise ValueError(
                f"{spec.name} documents need string 'id' and '{spec.partition_key}'"
            )
        return pk, item_id

    # Point operations -------------------------------------------------------------

    async def read(
        self, container: str, *, partition_key: str, item_id: str
    ) -> Document:
        proxy = await self._container(container)
        with _operation("read", container):
            try:
                item = await proxy.read_item(item=item_id, partition_key=partition_key)
            except CosmosResourceNotFoundError:
                raise ItemNotFoundError(
                    f"No item {item_id!r} in {container}."
                ) from None
        return _to_document(item)

    async def create(self, container: str, document: Document) -> Document:
        self._key_of(self._spec(container), document)
        proxy = await self._container(container)
        with _operation("create", container):
            try:
                item = await proxy.create_item(body=_body(document))
            except CosmosResourceExistsError:
                raise ItemExistsError(
                    f"Item {document['id']!r} already exists."
                ) from None
        return _to_document(item)

    async def upsert(self, container: str, document: Document) -> Document:
        self._key_of(self._spec(container), document)
        proxy = await self._container(container)
        with _operation("upsert", container):
            item = await proxy.upsert_item(body=_body(document))
        return _to_document(item)

    async def replace(
        self, container: str, document: Document, *, etag: str | None
    ) -> Document:
        _, item_id = self._key_of(self._spec(container), document)
        proxy = await self._container(container)
        condition: dict[str, Any] = (
            {}
            if etag is None
            else {"etag": etag, "match_condition": MatchConditions.IfNotModified}
        )
        with _operation("replace", container):
            try:
                item = await proxy.replace_item(
                    item=item_id, body=_body(document), **condition
                )
            except CosmosResourceNotFoundError:
                raise ItemNotFoundError(
                    f"No item {item_id!r} in {container}."
                ) from None
            except CosmosAccessConditionFailedError:
                raise EtagMismatchError(
                    f"Item {item_id!r} changed since it was read."
                ) from None
        return _to_document(item)

    async def delete(
        self,
        container: str,
        *,
        partition_key: str,
        item_id: str,
        etag: str | None = None,
    ) -> None:
        proxy = await self._container(container)
        condition: dict[str, Any] = (
            {}
            if etag is None
            else {"etag": etag, "match_condition": MatchConditions.IfNotModified}
        )
        with _operation("delete", container):
            try:
                await proxy.delete_item(
                    item=item_id, partition_key=partition_key, **condition
                )
            except CosmosResourceNotFoundError:
                raise ItemNotFoundError(
                    f"No item {item_id!r} in {container}."
                ) from None
            except CosmosAccessConditionFailedError:
                raise EtagMismatchError(
                    f"Item {item_id!r} changed since it was read."
                ) from None

    # Batched writes ---------------------------------------------------------------

    async def upsert_many(self, container: str, documents: Sequence[Document]) -> int:
        # Transactional batch is per partition only (and the emulator lacks it): items
        # go one request each, a bounded number in flight.
        spec = self._spec(container)
        for document in documents:
            self._key_of(spec, document)
        await _bounded(self.upsert(container, document) for document in documents)
        return len(documents)

    async def delete_many(self, container: str, keys: Sequence[tuple[str, str]]) -> int:
        async def delete(partition_key: str, item_id: str) -> bool:
            try:
                await self.delete(
                    container, partition_key=partition_key, item_id=item_id
                )
            except ItemNotFoundError:
                return False
            return True

        results = await _bounded(delete(pk, item_id) for pk, item_id in keys)
        return sum(results)

    # Queries ----------------------------------------------------------------------

    def _base_sql(
        self, spec: ContainerSpec, where: Iterable[Filter], partition_key: str | None
    ) -> _Sql:
        sql = _Sql()
        if partition_key is not None:
            # Redundant with the SDK's partition_key option on Cosmos DB itself, where
            # it costs nothing; it keeps the query's scope in its own text, and the
            # emulator honours only this form (it ignores the partition key header).
            sql.conditions.append(
                f"{_path(spec.partition_key)} = {sql.param(partition_key)}"
            )
        for condition in where:
            sql.add_filter(condition)
        return sql

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
        """One page; `skip` costs the skipped items' reads (see `_fill`).

        Cosmos DB's OFFSET costs as many reads as the offset too (and the emulator has
        no OFFSET at all), so skipped items are read and dropped here, in the same round
        trips as the page itself.
        """
        spec = self._spec(container)
        if limit < 1:
            raise ValueError("limit must be at least 1")
        sql = self._base_sql(spec, query.where, partition_key)
        order = ""
        if query.order_by:
            path = _path(query.order_by)
            # As in the embedded store, items without the sort field are left out.
            sql.conditions.append(f"IS_DEFINED({path}) AND NOT IS_NULL({path})")
            order = f" ORDER BY {path} {'DESC' if query.direction == 'desc' else 'ASC'}"
        text = f"SELECT * FROM c{sql.where()}{order}"
        fingerprint = _fingerprint(spec.name, text, sql.parameters)
        token = _decode_token(continuation, fingerprint) if continuation else None
        skip = 0 if token else max(skip, 0)
        proxy = await self._container(container)

        with _operation("query", container):
            if query.order_by and partition_key is None:
                return await self._keyset_page(
                    proxy, sql, query, fingerprint, token, limit=limit, skip=skip
                )
            items, sdk_token = await self._fill(
                proxy,
                text,
                sql.parameters,
                partition_key,
                want=skip + limit,
                sdk_token=token["s"] if token else None,
            )
        next_token = (
            _encode_token({"q": fingerprint, "s": sdk_token}) if sdk_token else None
        )
        return Page(
            items=[_to_document(i) for i in items[skip:]], continuation=next_token
        )

    @staticmethod
    async def _fill(
        proxy: ContainerProxy,
        text: str,
        parameters: list[dict[str, Any]],
        partition_key: str | None,
        *,
        want: int,
        sdk_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `want` items and the SDK token that resumes right after the last one.

        Each round trip asks for exactly the items still missing, so the SDK's token
        always ends where our page ends; Cosmos DB may answer a page short, then the
        loop asks again.
        """
        scope: dict[str, Any] = {}
        if partition_key is not None:
            scope["partition_key"] = partition_key
        items: list[dict[str, Any]] = []
        while len(items) < want:
            pager = cast(
                "AsyncPageIterator[dict[str, Any]]",
                proxy.query_items(
                    text,
                    parameters=parameters,
                    max_item_count=want - len(items),
                    **scope,
                ).by_page(sdk_token),
            )
            try:
                page = await pager.__anext__()
                items.extend([item async for item in page])
            except StopAsyncIteration:
                return items, None
            except CosmosHttpResponseError as exc:
                if exc.status_code == 400 and sdk_token is not None:
                    raise BadRequestError(_INVALID_TOKEN) from exc
                raise
            sdk_token = pager.continuation_token
            if not sdk_token:
                return items, None
        return items, sdk_token

    @staticmethod
    async def _keyset_page(
        proxy: ContainerProxy,
        sql: _Sql,
        query: Query,
        fingerprint: str,
        token: dict[str, Any] | None,
        *,
        limit: int,
        skip: int,
    ) -> Page:
        """A cross-partition ORDER BY page, resumed from the last sort value.

        The query restarts at the last value returned (inclusive) and drops the ids
        already returned with that value, so equal sort values never lose or repeat an
        item; those few items are read again. One item more than the page tells whether
        another page exists.
        """
        assert query.order_by is not None
        field_name = query.order_by
        path = _path(field_name)
        descending = query.direction == "desc"
        seen: set[str] = set()
        last_value: Any = None
        if token is not None:
            keyset = token["k"]
            last_value, seen = keyset.get("v"), set(keyset.get("ids", []))
            operator = "<=" if descending else ">="
            sql.conditions.append(f"{path} {operator} {sql.param(last_value)}")
        text = f"SELECT * FROM c{sql.where()} ORDER BY {path} "
        text += "DESC" if descending else "ASC"

        want = skip + limit + 1
        items: list[dict[str, Any]] = []
        pages = proxy.query_items(
            text, parameters=sql.parameters, max_item_count=min(want + len(seen), 1000)
        )
        async for item in pages:
            if item.get(field_name) == last_value and item.get("id") in seen:
                continue
            items.append(item)
            if len(items) == want:
                break
        has_more = len(items) == want
        consumed = items[: skip + limit]
        page = consumed[skip:]
        next_token = None
        if has_more and page:
            value = page[-1].get(field_name)
            ids = {i["id"] for i in consumed if i.get(field_name) == value}
            if token is not None and value == last_value:
                ids |= seen
            next_token = _encode_token(
                {"q": fingerprint, "k": {"v": value, "ids": sorted(ids)}}
            )
        return Page(items=[_to_document(i) for i in page], continuation=next_token)

    def query_all(
        self,
        container: str,
        query: Query,
        *,
        partition_key: str | None = None,
    ) -> AsyncIterator[Document]:
        # Page by page through `query`: each page is one logged, charged operation.
        return every_page(
            self,
            container,
            query,
            partition_key=partition_key,
            page_size=_PAGE_SIZE_FOR_SCANS,
        )

    async def _aggregate(
        self,
        op: str,
        container: str,
        select: str,
        sql: _Sql,
        partition_key: str | None,
    ) -> list[Any]:
        proxy = await self._container(container)
        scope: dict[str, Any] = {}
        if partition_key is not None:
            scope["partition_key"] = partition_key
        with _operation(op, container):
            return [
                value
                async for value in proxy.query_items(
                    f"{select} FROM c{sql.where()}", parameters=sql.parameters, **scope
                )
            ]

    async def count(
        self,
        container: str,
        where: tuple[Filter, ...] = (),
        *,
        partition_key: str | None = None,
    ) -> int:
        sql = self._base_sql(self._spec(container), where, partition_key)
        values = await self._aggregate(
            "count", container, "SELECT VALUE COUNT(1)", sql, partition_key
        )
        # The SDK merges a cross-partition COUNT into one value; summing is safe anyway.
        return int(sum(values))

    async def average(
        self,
        container: str,
        field_name: str,
        where: tuple[Filter, ...] = (),
        *,
        partition_key: str | None = None,
    ) -> float | None:
        sql = self._base_sql(self._spec(container), where, partition_key)
        path = _path(field_name)
        sql.conditions.append(f"IS_NUMBER({path})")
        values = await self._aggregate(
            "average", container, f"SELECT VALUE AVG({path})", sql, partition_key
        )
        # No matching item: Cosmos DB answers an empty result (AVG is undefined).
        numbers = [v for v in values if isinstance(v, int | float)]
        return float(numbers[0]) if numbers else None

    async def close(self) -> None:
        async with self._lock:
            client, credential = self._client, self._credential
            self._client, self._credential = None, None
            self._containers.clear()
        if client is not None:
            await client.close()
        if credential is not None:
            await credential.close()


async def provision(settings: Settings, containers: Iterable[ContainerSpec]) -> None:
    """Create the database and containers as declared; safe to run again.

    Needs the account key (or an emulator): a managed identity has data-plane rights
    only and cannot create databases or containers, which in Azure come from the
    infrastructure template. An existing container keeps its indexing policy; its
    default TTL is brought to the declared one, and a different partition key is an
    error (Cosmos DB cannot change it in place).
    """
    if not settings.cosmos_endpoint:
        raise ValueError("COSMOS_ENDPOINT is required to provision Cosmos DB")
    key = settings.cosmos_key.get_secret_value() if settings.cosmos_key else None
    client, credential = _new_client(
        endpoint=settings.cosmos_endpoint,
        key=key,
        verify_tls=settings.cosmos_verify_tls,
    )
    try:
        async with client:
            database = await client.create_database_if_not_exists(
                settings.cosmos_database
            )
            for spec in containers:
                container = await database.create_container_if_not_exists(
                    id=spec.name,
                    partition_key=PartitionKey(path=spec.partition_key_path),
                    default_ttl=spec.default_ttl,
                    indexing_policy=spec.indexing_policy,
                )
                properties = await container.read()
                paths = properties.get("partitionKey", {}).get("paths", [])
                if paths != [spec.partition_key_path]:
                    raise ValueError(
                        f"container {spec.name!r} is partitioned by {paths},"
                        f" not {spec.partition_key_path!r}; it must be recreated"
                    )
                if properties.get("defaultTtl") != spec.default_ttl:
                    await database.replace_container(
                        container,
                        partition_key=PartitionKey(path=spec.partition_key_path),
                        default_ttl=spec.default_ttl,
                        indexing_policy=properties.get("indexingPolicy"),
                    )
                logger.info(
                    "cosmos.provisioned",
                    extra={
                        "database": settings.cosmos_database,
                        "container": spec.name,
                        "partition_key": spec.partition_key_path,
                        "default_ttl": spec.default_ttl,
                    },
                )
    finally:
        if credential is not None:
            await credential.close()
