"""The API of `python -m app serve`: one instance per server process."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import create_app
from app.config import load_settings
from app.logs import configure_logging
from app.observability import configure_observability
from app.runtime import Runtime, set_process_runtime


def create_local_app() -> FastAPI:
    """Build the app from the environment (uvicorn calls this in each process)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    configure_observability(settings)
    return create_app(set_process_runtime(Runtime(settings)))
