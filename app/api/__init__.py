"""The FastAPI application: every route under /api, documented at /api/docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from app import __version__
from app.api.errors import install_error_handlers
from app.api.middleware import RequestMiddleware
from app.api.routes import applications, insights, jobs, operations, users
from app.runtime import Runtime, get_runtime

CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "X-API-Key",
    "X-Request-ID",
]
CORS_RESPONSE_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-ID"]


def create_app(runtime: Runtime | None = None) -> FastAPI:
    """Build the API around a runtime (the process's own unless one is given)."""
    runtime = runtime or get_runtime()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await runtime.aclose()

    app = FastAPI(
        title="Job matching API",
        version=__version__,
        summary="Candidates, jobs, applications, recommendations and analytics.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    origins = runtime.settings.cors_origin_list
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
            max_age=600,
        )
    app.add_middleware(RequestMiddleware)

    # RequestMiddleware authenticates every /api path but the public ones, whatever
    # the route declares. The routes join the app's own list instead of being
    # included: FastAPI walks included routers again on every request (about 30 us
    # through five of them, measured with bench/adapter.py).
    for router in (
        jobs.router,
        users.router,
        applications.router,
        insights.router,
        operations.router,
        insights.health_router,
    ):
        app.router.routes.extend(router.routes)
    document_security(app)
    return app


def document_security(app: FastAPI) -> None:
    """List the two schemes in the OpenAPI document.

    Declaring them as route dependencies would do the same at a cost on every request;
    `get_principal` does the checking.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            schema.setdefault("components", {})["securitySchemes"] = {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "EntraId": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            }
            for path, operations in schema["paths"].items():
                if path == "/api/health":
                    continue
                for operation in operations.values():
                    operation["security"] = [{"ApiKey": []}, {"EntraId": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
