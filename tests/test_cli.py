"""The local server and commands as a person runs them: real processes, real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STORAGE_BACKEND": "embedded",
        "EMBEDDED_STORE_PATH": str(data / "store.sqlite3"),
        "LOCAL_QUEUE_PATH": str(data / "queue.sqlite3"),
        "EMAIL_OUTBOX_PATH": str(data / "outbox"),
        "TASK_QUEUE": "local",
        "API_KEY": "",
    }


@contextmanager
def _server(data: Path, **settings: str) -> Iterator[str]:
    """`python -m app serve` on a free port; `settings` override the environment."""
    port = _free_port()
    log_path = data / f"server-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(data) | settings,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for(predicate: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


class TestServe:
    def test_data_survives_a_restart(self, tmp_path: Path):
        with _server(tmp_path) as base:
            job = httpx.post(
                f"{base}/api/jobs", json={"company_id": "acme", "title": "Kept"}
            ).json()["data"]

        with _server(tmp_path) as base:
            response = httpx.get(f"{base}/api/jobs/{job['job_id']}")

        assert response.status_code == 200
        assert response.json()["data"]["title"] == "Kept"

    def test_the_in_process_worker_scores_applications(self, tmp_path: Path):
        with _server(tmp_path) as base:
            user = httpx.post(
                f"{base}/api/users",
                json={"name": "Ann", "email": "ann@example.com", "skills": ["Go"]},
            ).json()["data"]
            job = httpx.post(
                f"{base}/api/jobs",
                json={
                    "company_id": "acme",
                    "title": "Gopher",
                    "skills": ["golang"],
                    "remote": True,
                },
            ).json()["data"]
            application = httpx.post(
                f"{base}/api/applications",
                json={"user_id": user["user_id"], "job_id": job["job_id"]},
            ).json()["data"]
            path = f"{user['user_id']}/{application['application_id']}"
            url = f"{base}/api/applications/{path}"

            _wait_for(lambda: httpx.get(url).json()["data"]["match_score"] is not None)

            assert httpx.get(url).json()["data"]["match_score"] == 100.0


class TestCommands:
    def test_recommend_runs_one_pass_and_exits(self, tmp_path: Path):
        with _server(tmp_path) as base:
            user = httpx.post(
                f"{base}/api/users",
                json={"name": "Bo", "email": "bo@example.com", "skills": ["Rust"]},
            ).json()["data"]
            httpx.post(
                f"{base}/api/jobs",
                json={
                    "company_id": "acme",
                    "title": "Rustacean",
                    "skills": ["rust"],
                    "remote": True,
                },
            )

        result = subprocess.run(
            [sys.executable, "-m", "app", "recommend"],
            cwd=ROOT,
            env=_env(tmp_path),
            capture_output=True,
            timeout=120,
        )

        assert result.returncode == 0, result.stderr.decode()
        assert b"finished, 1/1 shards, 1 candidates" in result.stdout
        with _server(tmp_path) as base:
            body = httpx.get(f"{base}/api/recommendations/{user['user_id']}").json()
        assert [r["job_title"] for r in body["data"]] == ["Rustacean"]

    def test_help_lists_the_commands(self):
        result = subprocess.run(
            [sys.executable, "-m", "app", "--help"], cwd=ROOT, capture_output=True
        )

        assert result.returncode == 0
        assert b"serve" in result.stdout and b"recommend" in result.stdout

    def test_a_bad_setting_stops_start_up_naming_it(self, tmp_path: Path):
        env = _env(tmp_path) | {"STORAGE_BACKEND": "floppy"}

        result = subprocess.run(
            [sys.executable, "-m", "app", "recommend"],
            cwd=ROOT,
            env=env,
            capture_output=True,
        )

        assert result.returncode == 2
        assert b"STORAGE_BACKEND" in result.stderr
