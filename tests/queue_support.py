"""Azurite (the Azure Storage emulator, npm) for the queue tests.

The session starts `azurite-queue` from node_modules (installed by `npm ci`) on a free
loopback port, with telemetry off, and stops it at the end.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AZURITE_QUEUE = REPO / "node_modules" / ".bin" / "azurite-queue"
# Azurite's well-known development account (public, documented by Microsoft).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
    "K1SZFPTOtr/KBHBeksoGMGw=="
)
_START_TIMEOUT_SECONDS = 20


@dataclass(frozen=True, slots=True)
class Azurite:
    port: int

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};"
            f"AccountKey={ACCOUNT_KEY};"
            f"QueueEndpoint=http://127.0.0.1:{self.port}/{ACCOUNT};"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    if not AZURITE_QUEUE.exists():
        pytest.fail("Azurite is not installed: run `npm ci` in the repository root.")
    port = _free_port()
    location = tmp_path_factory.mktemp("azurite")
    log = (location / "azurite.log").open("wb")
    process = subprocess.Popen(
        [
            str(AZURITE_QUEUE),
            "--queueHost",
            "127.0.0.1",
            "--queuePort",
            str(port),
            "--location",
            str(location),
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--silent",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"Azurite did not start: {(location / 'azurite.log').read_text()}"
                )
            time.sleep(0.1)
        yield Azurite(port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
