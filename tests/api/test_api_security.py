"""Bearer token on every /api/v2 route and the WebSocket, body size cap, CORS, bind address and
bad-input answers, all in the one error shape."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from ava_backtest.data.sample_store import read_sample
from ava_backtest.settings import Settings

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OPEN = {("GET", "/api/v2/health"), ("GET", "/api/v2/version")}
WRONG: list[dict[str, Any]] = [
    {},
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": TOKEN},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer caf\xe9".encode("latin-1")},  # non-ASCII: a 401, not a 500
]
RUN = {"strategy_name": "sma_crossover", "symbols": ["GOOG"], "params": {"fast_period": 10, "slow_period": 30}}  # fmt: skip
SLOW = {
    "strategy_name": "sma_crossover",
    "market": "IN",
    "universe": "in_sample_synthetic",
    "start_date": "2005-01-03",
    "end_date": "2024-12-31",
}
TERMINAL = ("completed", "failed", "cancelled", "interrupted")


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))  # uploads land in tmp_path


def api_routes(app: Any) -> tuple[set[tuple[str, str]], set[str]]:
    """(method, path) of every HTTP route and the path of every WebSocket route, from app.routes.

    Newer FastAPI keeps included routers as lazy entries in ``app.routes``; they are expanded."""
    http: set[tuple[str, str]] = set()
    ws: set[str] = set()

    def add(route: Any, path: str) -> None:
        if isinstance(route, APIRoute):
            http.update((m, path) for m in route.methods)
        elif isinstance(route, APIWebSocketRoute):
            ws.add(path)

    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            for ctx in route.effective_route_contexts():
                add(ctx.original_route, ctx.path or getattr(ctx.starlette_route, "path", ""))
        else:
            add(route, getattr(route, "path", ""))
    return {(m, p) for m, p in http if p.startswith("/api/v2/")}, ws


def fill(template: str, value: str = "x") -> str:
    return re.sub(r"\{[^}]+\}", value, template)


def assert_error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, (r.request.method, r.request.url, r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    return body["error"]


def wait(client: TestClient, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}", headers=AUTH).json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def upload_csv(n: int = 300) -> bytes:
    frame = read_sample("US", "GOOG").head(n)
    names = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
    return frame.rename(dict(zip(frame.columns, names, strict=True))).write_csv().encode()


def test_every_api_route_needs_the_token_and_works_with_it(make_client, sqlite_url):
    with make_client(sqlite_url, api_token=TOKEN, workers=1) as c:
        routes, _ = api_routes(c.app)
        assert routes >= OPEN and len(routes) >= 20, sorted(routes)
        guarded = routes - OPEN

        for method, path in sorted(guarded):
            for headers in WRONG:
                r = c.request(method, fill(path), headers=headers)
                assert_error(r, 401, "unauthorized")
        for method, path in OPEN:
            assert c.request(method, path).status_code == 200

        # With the token, a real request to every route is a 2xx.
        run_id = c.post("/api/v2/backtests", json=RUN, headers=AUTH).json()["id"]
        assert wait(c, run_id)["status"] == "completed"
        other = c.post("/api/v2/backtests", json=RUN, headers=AUTH).json()["id"]
        assert wait(c, other)["status"] == "completed"
        pair = f"backtest_ids={run_id}&backtest_ids={other}"
        busy = c.post("/api/v2/backtests", json=SLOW, headers=AUTH).json()["id"]  # the one worker
        queued = c.post("/api/v2/backtests", json=RUN, headers=AUTH).json()["id"]  # waits for it
        plan: list[tuple[str, str, str, dict[str, Any]]] = [
            # First, while `queued` still waits behind `busy` (cancelling a finished run is a 409).
            ("POST", "/api/v2/backtests/{run_id}/cancel", f"/api/v2/backtests/{queued}/cancel", {}),
            ("POST", "/api/v2/backtests", "/api/v2/backtests", {"json": RUN}),
            ("GET", "/api/v2/backtests", "/api/v2/backtests", {}),
            ("GET", "/api/v2/backtests/{run_id}", f"/api/v2/backtests/{run_id}", {}),
            ("PATCH", "/api/v2/backtests/{run_id}", f"/api/v2/backtests/{run_id}", {"json": {"name": "n", "tags": ["t"]}}),
            ("GET", "/api/v2/backtests/{run_id}/trades", f"/api/v2/backtests/{run_id}/trades", {}),
            ("GET", "/api/v2/backtests/{run_id}/equity-curve", f"/api/v2/backtests/{run_id}/equity-curve", {}),
            ("GET", "/api/v2/strategies", "/api/v2/strategies", {}),
            ("GET", "/api/v2/strategies/{name}", "/api/v2/strategies/sma_crossover", {}),
            ("POST", "/api/v2/strategies/reload", "/api/v2/strategies/reload", {}),
            ("GET", "/api/v2/strategies/-/plugins", "/api/v2/strategies/-/plugins", {}),
            ("GET", "/api/v2/markets", "/api/v2/markets", {}),
            ("GET", "/api/v2/markets/{code}", "/api/v2/markets/US", {}),
            ("POST", "/api/v2/universes", "/api/v2/universes", {"json": {"name": "mine", "market": "US", "symbols": ["GOOG"]}}),
            ("GET", "/api/v2/universes", "/api/v2/universes", {}),
            ("PATCH", "/api/v2/universes/{name}", "/api/v2/universes/mine", {"json": {"symbols": ["GOOG", "AAPL"]}}),
            ("DELETE", "/api/v2/universes/{name}", "/api/v2/universes/mine", {}),
            ("GET", "/api/v2/data/symbols", "/api/v2/data/symbols", {}),
            ("GET", "/api/v2/data/bars/{market}/{symbol}", "/api/v2/data/bars/US/GOOG", {}),
            ("POST", "/api/v2/data/upload", "/api/v2/data/upload", {"data": {"market": "US", "symbol": "SECTEST"}, "files": {"file": ("s.csv", upload_csv(), "text/csv")}}),
            ("DELETE", "/api/v2/data/upload/{market}/{symbol}", "/api/v2/data/upload/US/SECTEST", {}),
            ("GET", "/api/v2/data/candles", "/api/v2/data/candles?symbol=GOOG&start=2010-01-04&end=2010-02-26", {}),
            ("GET", "/api/v2/symbols/search", "/api/v2/symbols/search?q=goo", {}),
            ("GET", "/api/v2/analytics/correlation", f"/api/v2/analytics/correlation?{pair}", {}),
            ("GET", "/api/v2/analytics/portfolio", f"/api/v2/analytics/portfolio?{pair}", {}),
            ("DELETE", "/api/v2/backtests/{run_id}", f"/api/v2/backtests/{busy}", {}),
            ("DELETE", "/api/v2/backtests/{run_id}", f"/api/v2/backtests/{run_id}", {}),
        ]  # fmt: skip
        done = set()
        for method, template, url, kwargs in plan:
            if (method, template) not in routes:
                continue  # a route that is gone is not this test's business
            r = c.request(method, url, headers=AUTH, **kwargs)
            assert 200 <= r.status_code < 300, (method, url, r.status_code, r.text)
            done.add((method, template))
        # A route added later without an entry above: the token still lets it through.
        for method, path in sorted(guarded - done):
            r = c.request(method, fill(path), headers=AUTH)
            assert r.status_code != 401 and r.status_code < 500, (method, path, r.text)
            if method == "GET" and "{" not in path:
                assert 200 <= r.status_code < 300, (method, path, r.text)


def test_the_websocket_needs_the_token(make_client, sqlite_url):
    with make_client(sqlite_url, api_token=TOKEN, workers=1) as c:
        _, ws_paths = api_routes(c.app)
        assert ws_paths == {
            "/ws/backtests/{run_id}", "/api/v2/ws/backtests/{run_id}",
            "/ws/optimizations/{study_id}", "/api/v2/ws/optimizations/{study_id}",
            "/ws/walk-forwards/{wf_id}", "/api/v2/ws/walk-forwards/{wf_id}",
            "/ws/screens/{screen_id}", "/api/v2/ws/screens/{screen_id}",
            "/ws/data/sync", "/api/v2/ws/data/sync",
        }  # fmt: skip
        run_id = c.post("/api/v2/backtests", json=RUN, headers=AUTH).json()["id"]
        wait(c, run_id)
        for template in sorted(ws_paths):
            url = fill(template, run_id)
            refused = [
                (url, {}),
                (f"{url}?token=wrong", {}),
                (f"{url}?token={TOKEN}x", {}),
                (f"{url}?token=caf%C3%A9", {}),  # non-ASCII: refused, not a crash
                (url, {"Authorization": "Bearer wrong"}),
                (url, {"Authorization": TOKEN}),
            ]
            for target, headers in refused:
                with (
                    pytest.raises(WebSocketDisconnect) as info,
                    c.websocket_connect(target, headers=headers) as ws,
                ):
                    ws.receive_json()
                assert info.value.code == 4401, (target, headers)
            for target, headers in ((f"{url}?token={TOKEN}", {}), (url, AUTH)):
                with c.websocket_connect(target, headers=headers) as ws:
                    first = ws.receive_json()
                    if "data/sync" in template:  # let in: the sync state (none running)
                        assert first["type"] == "state" and first["status"] == "idle", first
                        continue
                    if "backtests" not in template:  # let in, and told there is no such job
                        assert first["type"] == "error", (template, first)
                        continue
                    second = ws.receive_json()
                assert first["type"] == "state" and first["run_id"] == run_id
                assert second["type"] == "completed"


def test_a_body_over_max_body_bytes_is_413(make_client, sqlite_url):
    limit = 1024
    big = {**RUN, "symbols": [f"S{i:05d}" for i in range(400)]}  # ~3.6 KB of JSON
    with make_client(sqlite_url, max_body_bytes=limit, workers=1) as c:
        r = c.post("/api/v2/backtests", json=big)
        err = assert_error(r, 413, "payload_too_large")
        assert str(limit) in err["message"]
        payload = r.request.content
        assert len(payload) > limit

        def chunks():  # no Content-Length: the cap holds while the body streams in
            for i in range(0, len(payload), 256):
                yield payload[i : i + 256]

        r = c.post("/api/v2/backtests", content=chunks(), headers={"content-type": "application/json"})  # fmt: skip
        assert "content-length" not in r.request.headers
        assert_error(r, 413, "payload_too_large")
        assert c.get("/api/v2/backtests").json()["total"] == 0
        assert c.post("/api/v2/backtests", json=RUN).status_code == 201  # under the cap


def test_cors_allows_only_the_configured_origin(make_client, sqlite_url):
    allowed, other = "http://localhost:5173", "http://evil.example"
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    with make_client(sqlite_url, cors_origins=allowed, api_token=TOKEN, workers=1) as c:
        r = c.options("/api/v2/backtests", headers={"Origin": allowed, **preflight})
        assert r.status_code == 200, r.text  # answered before the token check
        assert r.headers["access-control-allow-origin"] == allowed
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "authorization" in r.headers["access-control-allow-headers"].lower()

        r = c.options("/api/v2/backtests", headers={"Origin": other, **preflight})
        assert r.status_code == 400
        assert "access-control-allow-origin" not in r.headers

        r = c.get("/api/v2/strategies", headers={"Origin": allowed, **AUTH})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == allowed
        r = c.get("/api/v2/strategies", headers={"Origin": other, **AUTH})
        assert "access-control-allow-origin" not in r.headers

    with make_client(sqlite_url, workers=1) as c:  # no origins configured: none allowed
        r = c.options("/api/v2/backtests", headers={"Origin": allowed, **preflight})
        assert r.status_code >= 400 and "access-control-allow-origin" not in r.headers


def test_the_server_binds_localhost_by_default(monkeypatch):
    monkeypatch.delenv("AVA_HOST", raising=False)
    assert Settings().host == "127.0.0.1"
    assert Settings.model_fields["host"].default == "127.0.0.1"


def test_malformed_json_is_422_in_the_error_shape(sqlite_client):
    headers = {"content-type": "application/json"}
    for content in (b'{"strategy_name": ', b"not json", b'{"a": 1,}'):
        r = sqlite_client.post("/api/v2/backtests", content=content, headers=headers)
        assert_error(r, 422, "validation_error")
    r = sqlite_client.post("/api/v2/universes", content=b"\x80\x81", headers=headers)
    assert r.status_code in (400, 422) and set(r.json()["error"]) == {"code", "message", "details"}  # fmt: skip
    assert sqlite_client.get("/api/v2/backtests").json()["total"] == 0


@pytest.mark.parametrize("value", ["max+1", str(10**30), "-1", "0", "lots", "1e3"])
@pytest.mark.parametrize(
    ("path", "most"), [("/api/v2/backtests", 500), ("/api/v2/backtests/{run_id}/trades", 5000)]
)
def test_a_bad_limit_is_422_naming_limit(sqlite_client, path, most, value):
    value = str(most + 1) if value == "max+1" else value
    r = sqlite_client.get(fill(path, "deadbeef"), params={"limit": value})
    err = assert_error(r, 422, "validation_error")
    assert err["message"].startswith("limit:"), err
    assert [f["field"] for f in err["details"]["fields"]] == ["limit"]


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(make_client, sqlite_url, scheme):
    with make_client(sqlite_url, api_token=TOKEN, workers=1) as c:
        r = c.get("/api/v2/backtests", headers={"Authorization": f"{scheme} {TOKEN}"})
        assert r.status_code == 200, r.text
        r = c.get("/api/v2/backtests", headers={"Authorization": f"{scheme} {TOKEN}x"})
        assert_error(r, 401, "unauthorized")  # the token itself stays case-sensitive


def test_the_api_docs_need_the_token_when_one_is_set(make_client, sqlite_url):
    docs = ("/docs", "/redoc", "/openapi.json")
    with make_client(sqlite_url, api_token=TOKEN, workers=1) as c:
        for path in docs:
            for headers in WRONG:
                assert_error(c.get(path, headers=headers), 401, "unauthorized")
            assert_error(c.get(path, params={"token": "wrong"}), 401, "unauthorized")
            assert c.get(path, headers=AUTH).status_code == 200
            # A browser opening the docs sends no header: ?token= works there...
            assert c.get(path, params={"token": TOKEN}).status_code == 200
        # ...and the docs page passes it on to the schema it loads.
        page = c.get("/docs", params={"token": TOKEN}).text
        assert f"/openapi.json?token={TOKEN}" in page
        schema = c.get("/openapi.json", headers=AUTH).json()
        assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        assert schema["security"] == [{"bearer": []}]
        assert "/api/v2/backtests" in schema["paths"]
        # ?token= is for the docs and the WebSocket only, not the API itself.
        assert_error(c.get("/api/v2/backtests", params={"token": TOKEN}), 401, "unauthorized")
    with make_client(sqlite_url, workers=1) as c:  # no token: the docs are open
        for path in docs:
            assert c.get(path).status_code == 200
        assert "securitySchemes" not in c.get("/openapi.json").json().get("components", {})


@pytest.mark.parametrize(
    "path",
    [
        "//api/v2/backtests",
        "//api/v2/backtests?limit=1",
        "/api//v2/backtests",
        "/api",
        "/api/",
        "/api/v2/no-such-thing",
        "/api/v3/backtests",
        "/ws",
        "/ws/nothing",
    ],
)
def test_an_api_path_that_matches_no_route_is_a_json_404_not_the_ui(sqlite_client, path):
    r = sqlite_client.get(f"http://testserver{path}")  # a full URL: `//api` is not a host here
    err = assert_error(r, 404, "not_found")
    assert r.headers["content-type"].startswith("application/json")
    assert "<html" not in r.text.lower()
    assert path.split("?")[0].replace("//", "/").rstrip("/") in err["message"], err


def test_an_unmatched_api_path_still_needs_the_token(make_client, sqlite_url):
    with make_client(sqlite_url, api_token=TOKEN, workers=1) as c:
        assert_error(c.get("http://testserver//api/v2/backtests"), 401, "unauthorized")
        r = c.get("http://testserver//api/v2/backtests", headers=AUTH)
        assert_error(r, 404, "not_found")


@pytest.mark.parametrize(
    "content",
    [b'{"strategy_name": "sma_crossover",}', '{"strategy_name": "\u20b9\u00e9",}'.encode()],
)
def test_invalid_json_names_the_body_and_the_byte_offset(sqlite_client, content):
    headers = {"content-type": "application/json"}
    r = sqlite_client.post("/api/v2/backtests", content=content, headers=headers)
    err = assert_error(r, 422, "validation_error")
    offset = content.rindex(b"}")  # the decoder stops at the "}" after the trailing comma
    assert err["details"]["fields"] == [
        {"field": "body", "message": err["details"]["fields"][0]["message"]}
    ]
    assert f"at byte {offset}" in err["details"]["fields"][0]["message"], err
    assert err["message"].startswith(f"body: invalid JSON at byte {offset}"), err


def test_a_refused_websocket_closes_with_4401_on_a_real_server(tmp_path):
    """Over a real socket (uvicorn), not the test client: a close before the handshake would
    reach the client as an HTTP 403, and a browser would see close code 1006."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AVA_DATABASE_URL", "AVA_REDIS_URL", "AVA_CORS_ORIGINS")
    }
    env.update(AVA_HOME=str(tmp_path), AVA_WORKERS="1", AVA_API_TOKEN=TOKEN)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("ava")), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://{base}/api/v2/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        for query in ("", "?token=wrong"):
            with (
                connect(f"ws://{base}/ws/backtests/nope{query}", open_timeout=10) as ws,
                pytest.raises(ConnectionClosed) as info,
            ):
                ws.recv(timeout=10)
            assert info.value.rcvd is not None and info.value.rcvd.code == 4401, info.value
        with connect(f"ws://{base}/ws/backtests/nope?token={TOKEN}", open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "error"  # in, and told: no such run
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
