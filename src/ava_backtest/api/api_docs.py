"""The interactive API docs (``/docs``, ``/redoc``) and the schema they read (``/openapi.json``).

FastAPI's own docs pages fetch ``/openapi.json`` with no header; with ``AVA_API_TOKEN`` set that
fetch is refused. These pages pass on the ``?token=`` they were opened with, so
``/docs?token=<token>`` works in a browser, and the schema declares the bearer scheme so Swagger
UI's "Authorize" button sends the token on "Try it out". The token check itself is the API's
guard (``security.needs_token``), not here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse

OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def _schema_url(request: Request) -> str:
    token = request.query_params.get("token")
    return "/openapi.json" + ("?" + urlencode({"token": token}) if token else "")


def install(app: FastAPI, *, bearer: bool) -> None:
    """Serve /docs and /redoc; with ``bearer``, declare the bearer scheme on every operation."""

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=_schema_url(request),
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=OAUTH2_REDIRECT,
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(openapi_url=_schema_url(request), title=f"{app.title} - ReDoc")

    if not bearer:
        return

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes["bearer"] = {"type": "http", "scheme": "bearer"}
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
