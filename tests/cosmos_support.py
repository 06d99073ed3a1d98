"""Cosmos DB for the tests: the emulator launcher or a real account, fresh databases.

Without `COSMOS_ENDPOINT` in the environment the session starts
`node scripts/cosmos-emulator.js` (@vercel/cosmosdb-server, installed by `npm ci`) on a
free port of 127.0.0.1 and stops it at the end. With `COSMOS_ENDPOINT` set (and
`COSMOS_KEY`, `COSMOS_VERIFY_TLS` as the app reads them) the tests use that account or
the official emulator instead. Either way each test that calls `fresh_cosmos_settings`
gets its own database, provisioned from `CONTAINERS` and deleted afterwards.

`TEST_STORAGE_BACKEND=cosmos` makes the shared `settings` fixture (tests/conftest.py)
point the API and trigger tests at Cosmos DB too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.storage.containers import CONTAINERS

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = REPO / "scripts" / "cosmos-emulator.js"
EMULATOR_PACKAGE = REPO / "node_modules" / "@vercel" / "cosmosdb-server"
BACKEND_VARIABLE = "TEST_STORAGE_BACKEND"
# The launcher's server accepts any key; the SDK only needs valid base64 to sign with.
EMULATOR_KEY = "bm90LWEtc2VjcmV0LWFueS1rZXktd29ya3M="
_START_TIMEOUT_SECONDS = 20

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CosmosAccount:
    endpoint: str
    key: str | None
    verify_tls: bool
    is_launcher: bool

    def settings(self, database: str, tmp_path: Path) -> Settings:
        return Settings(
            storage_backend="cosmos",
            cosmos_endpoint=self.endpoint,
            cosmos_key=SecretStr(self.key) if self.key else None,
            cosmos_database=database,
            cosmos_verify_tls=self.verify_tls,
            embedded_store_path=tmp_path / "unused.sqlite3",
            local_queue_path=tmp_path / "queue.sqlite3",
            api_key=None,
        )


_TLS_CLOSE_SECONDS = 0.02


async def settle_tls_closes() -> None:
    """Let a closed client's TLS connections finish closing before the loop ends.

    They close on the loop's next turns; a loop closed before leaves their transports
    to be collected open, a ResourceWarning (an error here) in whichever test the
    collector happens to run.
    """
    await asyncio.sleep(_TLS_CLOSE_SECONDS)


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on its own loop, in a thread of its own.

    Sync fixtures may run while a test's event loop exists in this thread; a thread
    keeps the two loops apart.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    async def then_settle() -> T:
        try:
            return await coroutine
        finally:
            await settle_tls_closes()

    def target() -> None:
        try:
            result.append(asyncio.run(then_settle()))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def storage_backend_under_test() -> str:
    backend = os.environ.get(BACKEND_VARIABLE, "embedded")
    if backend not in ("embedded", "cosmos"):
        raise pytest.UsageError(f"{BACKEND_VARIABLE} must be 'embedded' or 'cosmos'")
    return backend


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_launcher(log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Cosmos DB tests need Node.js 20 (`node`) on PATH.", pytrace=False)
    if not EMULATOR_PACKAGE.is_dir():
        pytest.fail(
            "Cosmos DB tests need the emulator package: run `npm ci` in the repository"
            " root (or set COSMOS_ENDPOINT to test against a real account).",
            pytrace=False,
        )
    port = _free_port()
    # Output goes to a file: a pipe nobody reads would block the server once full.
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, str(LAUNCHER), "--port", str(port)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        for line in log_path.read_text().splitlines():
            if line.startswith("cosmos-emulator ready "):
                return process, line.split()[-1]
        time.sleep(0.05)
    _stop(process)
    pytest.fail(
        f"The Cosmos DB emulator did not start:\n{log_path.read_text()}", pytrace=False
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_account: CosmosAccount | None = None


def _account_from_environment() -> CosmosAccount | None:
    endpoint = os.environ.get("COSMOS_ENDPOINT")
    if not endpoint:
        return None
    verify = os.environ.get("COSMOS_VERIFY_TLS", "true").lower()
    return CosmosAccount(
        endpoint=endpoint,
        key=os.environ.get("COSMOS_KEY") or None,
        verify_tls=verify not in ("0", "false", "no"),
        is_launcher=False,
    )


def cosmos_account_for(config: pytest.Config) -> CosmosAccount:
    """The account of this session: started on first use, stopped when pytest ends."""
    global _account
    if _account is None:
        account = _account_from_environment()
        if account is None:
            log_path = Path(tempfile.mkdtemp(prefix="cosmos-emulator-")) / "log.txt"
            process, endpoint = _start_launcher(log_path)
            config.add_cleanup(lambda: _stop(process))
            account = CosmosAccount(
                endpoint=endpoint, key=EMULATOR_KEY, verify_tls=False, is_launcher=True
            )
        _account = account
    return _account


async def _drop_database(settings: Settings) -> None:
    from azure.cosmos.aio import CosmosClient
    from azure.cosmos.exceptions import CosmosResourceNotFoundError

    key = settings.cosmos_key.get_secret_value() if settings.cosmos_key else None
    assert settings.cosmos_endpoint is not None and key is not None
    async with CosmosClient(
        settings.cosmos_endpoint,
        credential=key,
        connection_verify=settings.cosmos_verify_tls,
    ) as client:
        with contextlib.suppress(CosmosResourceNotFoundError):
            await client.delete_database(settings.cosmos_database)


def fresh_cosmos_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Cosmos settings on a new, provisioned database, dropped after the test."""
    from app.storage.cosmos import provision

    account = cosmos_account_for(request.config)
    settings = account.settings(f"test-{uuid.uuid4().hex[:12]}", tmp_path)
    run_sync(provision(settings, CONTAINERS.values()))
    request.addfinalizer(lambda: run_sync(_drop_database(settings)))
    return settings
