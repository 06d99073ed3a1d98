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
def _server(
    data: Path, *args: str, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m app serve ARGS` on a free port; `settings` override the env."""
    port = _free_port()
    log_path = data / f"server-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *args],
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
        yield base, process
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
        with _server(tmp_path) as (base, _):
            job = httpx.post(
                f"{base}/api/jobs", json={"company_id": "acme", "title": "Kept"}
            ).json()["data"]

        with _server(tmp_path) as (base, _):
            response = httpx.get(f"{base}/api/jobs/{job['job_id']}")

        assert response.status_code == 200
        assert response.json()["data"]["title"] == "Kept"

    def test_the_worker_process_scores_applications(self, tmp_path: Path):
        with _server(tmp_path) as (base, _):
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

    def test_each_request_is_logged_once(self, tmp_path: Path):
        with _server(tmp_path) as (base, _):
            httpx.get(f"{base}/api/jobs/acme:nope")

        [log] = tmp_path.glob("server-*.log")
        lines = [line for line in log.read_text().splitlines() if "nope" in line]
        assert len(lines) == 1
        assert "http.request" in lines[0] and "status=404" in lines[0]

    def test_api_processes_share_the_store(self, tmp_path: Path):
        with _server(tmp_path, "--workers", "2") as (base, _):
            created = [
                httpx.post(
                    f"{base}/api/jobs", json={"company_id": "acme", "title": f"J{n}"}
                ).json()["data"]
                for n in range(10)
            ]
            # New connections: the kernel spreads them over both processes.
            found = [
                httpx.get(f"{base}/api/jobs/{job['job_id']}").status_code
                for job in created
            ]

        assert found == [200] * 10

    def test_a_worker_that_dies_is_started_again(self, tmp_path: Path):
        with _server(tmp_path) as (_, process):
            [first] = _children(process.pid)
            os.kill(first, signal.SIGKILL)

            _wait_for(lambda: _children(process.pid) not in ([], [first]), timeout=10)
            [second] = _children(process.pid)
            assert _running(second)

    def test_the_worker_exits_once_its_server_is_killed(self, tmp_path: Path):
        with _server(tmp_path) as (_, process):
            [worker] = _children(process.pid)
            process.kill()
            process.wait()

            _wait_for(lambda: not _running(worker), timeout=10)


def _children(pid: int) -> list[int]:
    """The processes `pid` started, whichever of its threads started them."""
    return sorted(
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    )


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie is reaped by init soon after)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


class TestCommands:
    def test_recommend_runs_one_pass_and_exits(self, tmp_path: Path):
        with _server(tmp_path) as (base, _):
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
        with _server(tmp_path) as (base, _):
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
