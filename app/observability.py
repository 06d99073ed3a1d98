"""Telemetry for Azure: Application Insights through OpenTelemetry, or JSON log lines.

`configure_observability` runs once at start (function_app.py, `python -m app serve`):

- With APPLICATIONINSIGHTS_CONNECTION_STRING set, the Azure Monitor OpenTelemetry
  distro sends traces (requests, outgoing HTTP, Azure SDK calls), metrics and logs.
  Logs leave through a handler on the root logger, which turns each record's
  attributes into custom dimensions: the event's `extra` fields and `correlation_id`.
  The distro is imported only then; it adds a few hundred ms to a cold start.
- Otherwise, in Azure (WEBSITE_INSTANCE_ID set), the root logger's handlers write
  JSON lines (see `app.logs.use_json_lines` for what that means under the host).
- Locally nothing changes: `app.logs.configure_logging` keeps its key=value lines.

Exporting never blocks a request: the exporters batch in background threads, and a
failed export is logged by the SDK and retried from local storage, never raised.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Literal

from app.logs import use_json_lines

if TYPE_CHECKING:
    from app.config import Settings

Telemetry = Literal["opentelemetry", "json", "local"]

_configured: Telemetry | None = None


def configure_observability(settings: Settings) -> Telemetry:
    """Set up telemetry for this process once; later calls change nothing."""
    global _configured
    if _configured is not None:
        return _configured
    connection_string = settings.applicationinsights_connection_string
    if connection_string is not None:
        _configure_azure_monitor(connection_string.get_secret_value())
        _configured = "opentelemetry"
    elif settings.in_azure:
        use_json_lines()
        _configured = "json"
    else:
        _configured = "local"
    return _configured


def _configure_azure_monitor(connection_string: str) -> None:
    # The distro's default detectors include the Azure VM one, which asks the
    # instance metadata endpoint and waits up to 200 ms for an answer that App
    # Service and Functions instances do not give. An operator's choice still wins.
    os.environ.setdefault("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "azure_app_service")
    from azure.monitor.opentelemetry import configure_azure_monitor

    # Entra ID authentication (the infra turns key ingestion off) comes from
    # APPLICATIONINSIGHTS_AUTHENTICATION_STRING, which the exporter reads itself.
    configure_azure_monitor(connection_string=connection_string)


def warn_if_open(settings: Settings) -> None:
    """Say loudly at start-up that anyone may call the API as admin.

    Settings refuse this in Azure; locally it is the zero-setup default.
    """
    if not settings.authentication_enabled:
        logging.getLogger("app.auth").warning(
            "auth.open_access",
            extra={
                "detail": "No AUTH_JWKS_URL or API_KEY: every caller acts as admin."
                " Fine on your machine; never expose this server."
            },
        )
