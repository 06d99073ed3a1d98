"""The FastAPI application: every route under /api, documented at /api/docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Security
from fastapi.middleware.cors import CORSMiddleware

from app import __version__
from app.api.auth import api_key_scheme, bearer_scheme, get_principal
from app.api.errors import install_error_handlers
from app.api.middleware import RequestMiddleware
from app.api.responses import errors
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

    # Every /api route but the health check needs a principal, whatever the route
    # itself declares; the schemes are listed for the OpenAPI document.
    secured = APIRouter(
        dependencies=[
            Depends(get_principal),
            Security(api_key_scheme),
            Security(bearer_scheme),
        ],
        responses=errors(400, 401, 413, 429, 503),
    )
    for module in (jobs, users, applications, insights, operations):
        secured.include_router(module.router)
    app.include_router(secured, prefix="/api")
    app.include_router(insights.health_router, prefix="/api")
    return app
