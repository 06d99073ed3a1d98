"""schemathesis against the OpenAPI document, in process, with a fixed seed.

Every operation gets generated valid and invalid requests as an admin; no answer may be
a 5xx, and every answer must match its documented status codes, content type, headers
and schema.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from app.api import create_app
from app.config import Settings
from app.runtime import Runtime

API_KEY = "fuzzing-admin-key"
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _schema() -> schemathesis.BaseSchema:
    # Built at collection: schemathesis' lazy fixture loader does not run on pytest 9.
    data = Path(tempfile.mkdtemp(prefix="jobmatch-fuzz-"))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    runtime = Runtime(
        Settings(
            embedded_store_path=data / "store.sqlite3",
            local_queue_path=data / "queue.sqlite3",
            email_outbox_path=data / "outbox",
            task_queue="local",
            api_key=API_KEY,
            rate_limit_per_minute=0,
        )
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(runtime))


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_answers_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-API-Key": API_KEY}, checks=CHECKS)
