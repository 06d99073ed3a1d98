"""Telemetry: JSON log lines, and Application Insights through OpenTelemetry.

The OpenTelemetry set-up installs process-wide providers and instrumentations, so the
tests that start the Function App do it in a child interpreter of their own.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import observability
from app.config import Settings
from app.logs import JsonFormatter, correlation, install_correlation, use_json_lines

ROOT = Path(__file__).resolve().parents[1]
# Nothing listens on port 9 (discard): every export fails at once, as offline.
DUMMY_CONNECTION_STRING = (
    "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
    "IngestionEndpoint=http://127.0.0.1:9/;LiveEndpoint=http://127.0.0.1:9/"
)
# Starts the Function App, answers GET /api/health through the function the host
# calls, logs one event, and prints what it saw as one JSON object.
_START = """
import asyncio, json, logging, sys
import azure.functions as func
import function_app
from app.logs import correlation

http = next(
    f for f in function_app.app.get_functions()
    if f.get_function_name() == "http_app_func"
).get_user_function()
request = func.HttpRequest(
    method="GET", url="http://localhost/api/health", headers={}, params={},
    route_params={"route": "api/health"}, body=b"",
)
status = asyncio.run(http(request, None)).status_code
exported = []
if "opentelemetry.sdk" in sys.modules:
    from opentelemetry._logs import get_logger_provider
    from opentelemetry.sdk._logs.export import (
        InMemoryLogRecordExporter, SimpleLogRecordProcessor,
    )
    memory = InMemoryLogRecordExporter()
    get_logger_provider().add_log_record_processor(SimpleLogRecordProcessor(memory))
logging.getLogger().setLevel(logging.INFO)
with correlation("corr-1"):
    logging.getLogger("app.test").info("test.event", extra={"job_id": "j-1"})
if "opentelemetry.sdk" in sys.modules:
    exported = [
        dict(item.log_record.attributes) for item in memory.get_finished_logs()
    ]
print(json.dumps({
    "status": status,
    "modules": sorted(
        name for name in ("azure.monitor.opentelemetry", "opentelemetry.sdk", "fastapi")
        if name in sys.modules
    ),
    "exported": exported,
}))
"""


def _start_function_app(tmp_path: Path, **settings: str) -> dict[str, object]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("APPLICATIONINSIGHTS_", "WEBSITE_"))
    }
    env.update(
        {
            "STORAGE_BACKEND": "embedded",
            "EMBEDDED_STORE_PATH": str(tmp_path / "store.sqlite3"),
            "LOCAL_QUEUE_PATH": str(tmp_path / "queue.sqlite3"),
            "TASK_QUEUE": "local",
            "API_KEY": "",
            # The exporters' retry files, and no calls to Microsoft's own endpoints
            # (SDK statistics, remote configuration).
            "TMPDIR": str(tmp_path),
            "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
            "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "true",
            **settings,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", _START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    started: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return started


def _record(**extra: object) -> logging.LogRecord:
    install_correlation()
    with correlation("req-7"):
        record = logging.getLogger("app.jobs").makeRecord(
            "app.jobs", logging.INFO, __file__, 1, "jobs.created", None, None
        )
    for key, value in extra.items():
        setattr(record, key, value)
    return record


class TestJsonFormatter:
    def test_a_record_is_one_json_line_with_event_fields_and_correlation(self):
        line = JsonFormatter().format(_record(job_id="acme:1", request_charge=2.5))

        entry = json.loads(line)
        assert "\n" not in line
        assert entry["event"] == "jobs.created"
        assert entry["level"] == "INFO"
        assert entry["logger"] == "app.jobs"
        assert entry["correlation_id"] == "req-7"
        assert entry["job_id"] == "acme:1"
        assert entry["request_charge"] == 2.5
        assert entry["time"].endswith("Z")

    def test_a_record_without_correlation_says_null(self):
        record = logging.makeLogRecord({"name": "app", "msg": "server.starting"})

        assert json.loads(JsonFormatter().format(record))["correlation_id"] is None

    def test_values_json_cannot_hold_are_written_as_text(self):
        entry = json.loads(JsonFormatter().format(_record(path=Path("/data/x"))))

        assert entry["path"] == "/data/x"

    def test_an_exception_is_kept_in_the_line(self):
        try:
            raise ValueError("broken")
        except ValueError:
            record = _record()
            record.exc_info = sys.exc_info()

        entry = json.loads(JsonFormatter().format(record))

        assert "ValueError: broken" in entry["exception"]

    def test_use_json_lines_changes_only_the_formatter(self):
        handler = logging.StreamHandler()

        use_json_lines([handler])

        assert isinstance(handler.formatter, JsonFormatter)


class TestConfigureObservability:
    @pytest.fixture(autouse=True)
    def _unconfigured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(observability, "_configured", None)

    def test_locally_nothing_changes(self):
        assert observability.configure_observability(Settings()) == "local"

    def test_in_azure_without_application_insights_the_handlers_write_json(self):
        handler = logging.StreamHandler()
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            telemetry = observability.configure_observability(
                Settings(website_instance_id="abc", api_key="k" * 32)
            )
        finally:
            root.removeHandler(handler)

        assert telemetry == "json"
        assert isinstance(handler.formatter, JsonFormatter)

    def test_it_runs_once_per_process(self):
        observability.configure_observability(Settings())

        in_azure = Settings(website_instance_id="abc", api_key="k" * 32)
        assert observability.configure_observability(in_azure) == "local"


class TestFunctionAppTelemetry:
    def test_without_a_connection_string_opentelemetry_is_not_imported(
        self, tmp_path: Path
    ):
        started = _start_function_app(tmp_path)

        assert started["status"] == 200
        # FastAPI is imported by the first request, not by the import.
        assert started["modules"] == ["fastapi"]

    def test_with_a_connection_string_logs_leave_with_their_fields(
        self, tmp_path: Path
    ):
        started = _start_function_app(
            tmp_path, APPLICATIONINSIGHTS_CONNECTION_STRING=DUMMY_CONNECTION_STRING
        )

        assert started["status"] == 200
        assert {"azure.monitor.opentelemetry", "opentelemetry.sdk"} <= set(
            started["modules"]  # type: ignore[call-overload]
        )
        exported = started["exported"]
        assert isinstance(exported, list)
        (attributes,) = [a for a in exported if a.get("job_id") == "j-1"]
        assert attributes["correlation_id"] == "corr-1"
