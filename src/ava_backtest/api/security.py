"""The API token (``AVA_API_TOKEN``): who may call what, and how a refusal is answered.

With a token set, every ``/api/`` route but health/version, the WebSocket and the API docs
(``/docs``, ``/redoc``, ``/openapi.json``) need ``Authorization: Bearer <token>``; the scheme is
case-insensitive (RFC 7235). A browser cannot set a header on a WebSocket or on a page it
navigates to, so the WebSocket and the docs pages also accept ``?token=<token>``. A refused
WebSocket is accepted and then closed with code 4401 (``WS_UNAUTHORIZED``): closing before the
handshake would reach a browser as a bare 403 and close code 1006, which says nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

__all__ = [
    "DOCS_PATHS",
    "OPEN_PATHS",
    "WS_UNAUTHORIZED",
    "bearer_ok",
    "canonical_path",
    "needs_token",
    "request_ok",
]

WS_UNAUTHORIZED = 4401
"""The close code of a WebSocket refused for a missing or wrong token (documented in README)."""
OPEN_PATHS = frozenset({"/api/v2/health", "/api/v2/version", "/health"})
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


def _same(given: str, token: str) -> bool:
    # Bytes, not str: compare_digest raises TypeError on non-ASCII str (a 500, not a 401).
    return hmac.compare_digest(given.encode(), token.encode())


def bearer_ok(header: str | None, token: str | None) -> bool:
    """True when no token is configured or ``header`` is ``Bearer <token>`` (scheme in any case)."""
    if not token:
        return True
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and _same(given, token)


def request_ok(
    headers: Mapping[str, str], query: Mapping[str, str], token: str | None, *, query_ok: bool
) -> bool:
    """The bearer header, or (where ``query_ok``) a ``token`` query parameter, carries the token."""
    if bearer_ok(headers.get("authorization"), token):
        return True
    given = query.get("token") if query_ok else None
    return given is not None and token is not None and _same(given, token)


def canonical_path(path: str) -> str:
    """``//api//v2/x`` -> ``/api/v2/x``: the path the router and the token check both see."""
    return "/" + "/".join(p for p in path.split("/") if p)


def needs_token(path: str) -> bool:
    """Whether ``path`` (canonical) is guarded when a token is set: the API and its docs."""
    if path in OPEN_PATHS:
        return False
    return path == "/api" or path.startswith("/api/") or path in DOCS_PATHS
