"""One error shape everywhere: ``{"error": {"code", "message", "details"}}``.

Domain errors map to 4xx with their field named; validation errors list every bad field; anything
unexpected is a 500 with a generic message (and is logged), never a dropped connection.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ava_backtest.domain.errors import AvaError, ConfigError, DataError, NotFoundError

log = logging.getLogger("ava.api")


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
    )


class ApiError(Exception):
    """An HTTP error raised by a route, in the common shape."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _status_for(exc: AvaError) -> int:
    if isinstance(exc, NotFoundError):
        # An unknown name inside a request body is a bad request, not a missing resource.
        return 404 if exc.field in ("path", None) else 422
    if isinstance(exc, ConfigError | DataError):
        return 422
    return 400


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")] or [str(p) for p in loc]
    return ".".join(parts)


def _json_field(error: dict[str, Any], document: Any) -> dict[str, str]:
    """A body that is not JSON: the field is ``body``, the message names the byte offset (the
    decoder's position counts characters of the decoded text)."""
    loc = tuple(error.get("loc", ()))
    pos = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = str((error.get("ctx") or {}).get("error") or "not valid JSON")
    if pos is None:
        return {"field": "body", "message": f"invalid JSON: {reason}"}
    if isinstance(document, str):
        pos = len(document[:pos].encode("utf-8", "surrogatepass"))
    return {"field": "body", "message": f"invalid JSON at byte {pos}: {reason}"}


def install(app: FastAPI) -> None:
    @app.exception_handler(AvaError)
    async def _ava(_: Request, exc: AvaError) -> JSONResponse:
        details = {"field": exc.field}
        if isinstance(exc.details, dict):
            details.update(exc.details)
        return error_response(_status_for(exc), exc.code, str(exc), details)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            _json_field(e, exc.body)
            if e.get("type") == "json_invalid"
            else {
                "field": _field(tuple(e.get("loc", ()))),
                "message": str(e.get("msg", "")).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        first = fields[0] if fields else {"field": "", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        if len(fields) > 1:
            message += f" (and {len(fields) - 1} more)"
        return error_response(422, "validation_error", message, {"fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            413: "payload_too_large",
        }
        return error_response(
            exc.status_code, code.get(exc.status_code, "http_error"), str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            500, "internal_error", "internal server error; the request was not completed"
        )
