"""One settings object, read from the environment and validated once per process.

Under Azure Functions the `Values` of `local.settings.json` (locally) and the app
settings (in Azure) arrive as environment variables, so the same names work
everywhere. Each field is read from the variable of the same name, in any case.

The environment is read here rather than with pydantic-settings: every value is one
plain variable (no .env file, no nesting, no JSON), and pydantic-settings with its
sources (python-dotenv, argparse) costs about 16 ms of every cold start.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

# NCRONTAB as the Functions timer trigger reads it: second minute hour day month
# weekday.
_NCRONTAB_FIELD = re.compile(r"^[0-9A-Za-z*/,\-]+$")


class SettingsError(Exception):
    """The environment holds a value the service cannot start with."""


class Settings(BaseModel):
    """The settings; `Settings(...)` takes values as given, `from_environment` reads
    them from the process environment."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    storage_backend: Literal["embedded", "cosmos"] = "embedded"
    embedded_store_path: Path = Path(".data/store.sqlite3")
    local_queue_path: Path = Path(".data/queue.sqlite3")

    cosmos_endpoint: str | None = None
    cosmos_key: SecretStr | None = None
    cosmos_database: str = "job-db"
    cosmos_verify_tls: bool = True

    # Background work: "auto" picks the Azure Storage queue under the Functions host
    # (FUNCTIONS_WORKER_RUNTIME is set there) and the local durable queue elsewhere.
    task_queue: Literal["auto", "local", "azure"] = "auto"
    functions_worker_runtime: str | None = None
    azurewebjobsstorage: SecretStr | None = None
    azurewebjobsstorage__queueserviceuri: str | None = None

    email_backend: Literal["file", "smtp", "acs"] = "file"
    email_sender: str = "no-reply@jobmatch.local"
    email_outbox_path: Path = Path(".data/outbox")
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    acs_endpoint: str | None = None
    acs_connection_string: SecretStr | None = None

    api_key: SecretStr | None = None
    # Microsoft Entra ID bearer tokens: all three, or none.
    auth_jwks_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_company_claim: str = "company_id"
    # Set by the platform on every Azure Functions / App Service instance.
    website_instance_id: str | None = None
    # Traces, metrics and logs to Application Insights (app/observability.py).
    applicationinsights_connection_string: SecretStr | None = None

    rate_limit_per_minute: int = Field(default=600, ge=0)
    max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    max_import_body_bytes: int = Field(default=16_777_216, ge=1_024)
    cors_origins: str = ""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    debug: bool = False

    recommendation_schedule: str = "0 0 2 * * *"
    recommendations_per_candidate: int = Field(default=10, ge=1, le=100)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("recommendation_schedule")
    @classmethod
    def _six_field_ncrontab(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 6 or not all(_NCRONTAB_FIELD.match(f) for f in fields):
            raise ValueError(
                "must be a six-field NCRONTAB expression"
                " (second minute hour day month weekday), e.g. '0 0 2 * * *'"
            )
        return value

    @field_validator(
        "api_key",
        "cosmos_endpoint",
        "cosmos_key",
        "auth_jwks_url",
        "auth_issuer",
        "auth_audience",
        "smtp_username",
        "smtp_password",
        "acs_endpoint",
        "acs_connection_string",
        "azurewebjobsstorage",
        "azurewebjobsstorage__queueserviceuri",
        "functions_worker_runtime",
        "website_instance_id",
        "applicationinsights_connection_string",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # local.settings.json lists every setting, unused ones as "".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Validate the variables named like a field (case-insensitively)."""
        environ = os.environ if environ is None else environ
        values = {
            name.lower(): value
            for name, value in environ.items()
            if name.lower() in cls.model_fields
        }
        return cls.model_validate(values)

    @property
    def jwt_enabled(self) -> bool:
        return self.auth_jwks_url is not None

    @property
    def authentication_enabled(self) -> bool:
        return self.jwt_enabled or self.api_key is not None

    @property
    def in_azure(self) -> bool:
        return self.website_instance_id is not None

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def uses_azure_queue(self) -> bool:
        if self.task_queue == "auto":
            return self.functions_worker_runtime is not None
        return self.task_queue == "azure"

    def check_backend(self) -> None:
        """Fail early when a chosen backend lacks what it needs."""
        jwt_settings = (self.auth_jwks_url, self.auth_issuer, self.auth_audience)
        if any(jwt_settings) and not all(jwt_settings):
            raise SettingsError(
                "AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE go together:"
                " set all three"
            )
        if self.in_azure and not self.authentication_enabled:
            raise SettingsError(
                "Running in Azure without authentication: set AUTH_JWKS_URL,"
                " AUTH_ISSUER and AUTH_AUDIENCE (Microsoft Entra ID) and/or API_KEY"
            )
        if self.storage_backend == "cosmos" and not self.cosmos_endpoint:
            raise SettingsError(
                "COSMOS_ENDPOINT is required when STORAGE_BACKEND=cosmos"
            )
        if self.uses_azure_queue and not (
            self.azurewebjobsstorage or self.azurewebjobsstorage__queueserviceuri
        ):
            raise SettingsError(
                "AzureWebJobsStorage (or AzureWebJobsStorage__queueServiceUri) is"
                " required for the Azure Storage task queue"
            )
        if self.in_azure and self.email_backend == "file":
            raise SettingsError(
                "EMAIL_BACKEND=file writes email to a local folder, which in Azure is"
                " read-only or lost with the instance: set EMAIL_BACKEND=acs (with"
                " ACS_ENDPOINT) or EMAIL_BACKEND=smtp"
            )
        if self.email_backend == "acs" and not (
            self.acs_endpoint or self.acs_connection_string
        ):
            raise SettingsError(
                "ACS_ENDPOINT or ACS_CONNECTION_STRING is required"
                " when EMAIL_BACKEND=acs"
            )


def load_settings() -> Settings:
    """Read and validate the environment; a bad value raises SettingsError naming it."""
    try:
        settings = Settings.from_environment()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"Invalid settings: {problems}") from None
    settings.check_backend()
    return settings


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read on first use (never at import)."""
    return load_settings()
