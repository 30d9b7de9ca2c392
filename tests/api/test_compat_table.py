"""docs/compatibility.md, one test per row, against a real ``ava serve`` process.

``ROWS`` mirrors the doc's table (id -> the original's endpoint, variable or command); the first
test fails when the two disagree, and ``test_row[<id>]`` checks what Ava answers for that row. The
README's verify line and example POST run verbatim through curl and python3 (host aside)."""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from websockets.sync.client import connect

from ava_backtest.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "compatibility.md"
AVA = Path(sys.executable).with_name("ava")
ORIGINAL_STRATEGY = Path(__file__).with_name("fixtures") / "original_sma_cross.py"
TERMINAL = ("completed", "failed", "cancelled", "interrupted")
US_RUN = {"universe": "us_sample", "start_date": "2010-01-04", "end_date": "2011-12-30"}
ORIGINAL_IMPORTS = (
    "from src.core.strategy.base import BaseStrategy, Signal\n"
    "from src.core.strategy.registry import register\n"
)
AVA_IMPORT = "from ava_backtest.strategies import BaseStrategy, Signal, register\n"

README_VERIFY = """curl http://localhost:8201/api/v2/strategies | python3 -c "import json,sys; print(f'{len(json.load(sys.stdin))} strategies loaded')\""""
README_POST = """curl -X POST http://localhost:8201/api/v2/backtests \\
  -H "Content-Type: application/json" \\
  -d '{
    "strategy_name": "sma_crossover",
    "universe": "sp500_liquid",
    "start_date": "2023-01-01",
    "end_date": "2024-06-01",
    "initial_capital": 100000,
    "market": "US"
  }'"""

ROWS: dict[str, str] = {
    "E01": "`GET /health` → `{status, version}`",
    "E02": "`GET /api/v2/markets`",
    "E03": "`GET /api/v2/strategies` → a JSON array",
    "E04": "`GET /api/v2/strategies/{name}` → `parameter_schema`, `default_config`, `warmup_periods`",
    "E05": "`POST /api/v2/strategies/{name}/backtest` (a stub id in the original)",
    "E06": "`POST /api/v2/backtests` with `strategy_name`, `strategy_version`, `parameters`, `universe`, `start_date`, `end_date`, `initial_capital`, `market`",
    "E07": "`GET /api/v2/backtests?market=US&status=completed` (`strategy`, `limit`, `offset`)",
    "E08": "`GET /api/v2/backtests/{id}` → run with metrics, trades and equity",
    "E09": "`DELETE /api/v2/backtests/{id}` → marked cancelled",
    "E10": "`GET /api/v2/backtests/{id}/trades` (`limit`, `offset`)",
    "E11": "`GET /api/v2/backtests/{id}/equity-curve` → `{points: [{date, equity}]}`",
    "E12": "`WS /ws/backtests/{id}` (the README) and `WS /api/v2/ws/backtests/{id}` (the code)",
    "E13": "`GET /api/v2/universes?market=US`",
    "E14": "`GET /api/v2/analytics/correlation` and `/analytics/portfolio` (stubs)",
    "E15": "`GET /docs` (Swagger)",
    "V01": "`DATABASE_URL=postgresql+asyncpg://ava:ava2026@ava-db:5432/ava`",
    "V02": "`REDIS_URL=redis://redis:6379/0`",
    "V03": "`FMP_API_KEY`",
    "V04": "`ALPACA_API_KEY`",
    "V05": "`ALPACA_SECRET_KEY`",
    "V06": "`ALPHAVANTAGE_API_KEY`",
    "V07": "`FINNHUB_API_KEY`",
    "V08": "`OPENROUTER_API_KEY`",
    "V09": "`OPENROUTER_BASE_URL`",
    "V10": "`OPENROUTER_MODEL`",
    "C01": """`curl http://localhost:8201/api/v2/strategies \\| python3 -c "import json,sys; print(f'{len(json.load(sys.stdin))} strategies loaded')"`""",
    "C02": """`curl -X POST http://localhost:8201/api/v2/backtests -H "Content-Type: application/json" -d '{"strategy_name": "sma_crossover", "universe": "sp500_liquid", ...}'`""",
    "C03": '`python3 skills/strategy-builder/build_strategy.py --name my_strategy --category trend --input "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"`',
    "C04": "`docker compose up -d` (four services: `ava-db` 5435, `redis` 6379, `backtester-v2` 8201, `ava-ui` 8203)",
    "C05": "drop a `.py` in `src/strategies/custom/`, `docker compose restart backtester-v2`",
    "C06": "`docker compose exec backtester-v2 pytest`",
    "C07": "`docker compose build backtester-v2 && docker compose up -d backtester-v2`, `docker compose logs backtester-v2 --tail=50 -f`",
    "S01": "`from src.core.strategy.base import BaseStrategy, Signal` and `from src.core.strategy.registry import register`",
}  # fmt: skip


def doc_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| ([ECVS]\d\d) \| (.*?) \| (.*) \|$", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} twice in docs/compatibility.md"
            rows[m.group(1)] = m.group(2)
    return rows


def test_the_doc_and_this_table_agree():
    assert doc_rows() == ROWS


# ---------------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path, strategies: Path) -> dict[str, str]:
    original = {"DATABASE_URL", "REDIS_URL", "FMP_API_KEY", "ALPACA_API_KEY", "ALPACA_SECRET_KEY",
                "ALPHAVANTAGE_API_KEY", "FINNHUB_API_KEY", "OPENROUTER_API_KEY",
                "OPENROUTER_BASE_URL", "OPENROUTER_MODEL"}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVA_") and k not in original}
    return env | {
        "AVA_HOME": str(home),
        "AVA_DATABASE_URL": f"sqlite:///{home / 'ava.db'}",
        "AVA_WORKERS": "1",
        "AVA_STRATEGY_DIRS": str(strategies),
    }


@dataclass
class Server:
    home: Path
    strategies: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.port = _free_port()
        log = (self.home / f"server-{self.port}.log").open("wb")
        self.proc = subprocess.Popen(
            [str(AVA), "serve", "--port", str(self.port)],
            env=_env(self.home, self.strategies), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, Path(log.name).read_text()[-3000:]
            try:
                if httpx.get(f"{self.base}/api/v2/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError(f"server did not start: {Path(log.name).read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.base + path, timeout=120, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.post(self.base + path, timeout=120, **kw)

    def wait(self, run_id: str, timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"/api/v2/backtests/{run_id}").json()
            if run["status"] in TERMINAL:
                return run
            time.sleep(0.3)
        raise AssertionError(f"{run_id} still {run['status']}")

    def run(self, strategy: str = "sma_crossover", **body: Any) -> dict[str, Any]:
        r = self.post("/api/v2/backtests", json={"strategy_name": strategy, **US_RUN, **body})
        assert r.status_code == 201, r.text
        run = self.wait(r.json()["id"])
        assert run["status"] == "completed", run
        return run


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("compat-live")
    (home / "strategies").mkdir()
    server = Server(home, home / "strategies").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def completed(live) -> dict[str, Any]:
    return live.run(params={"fast_period": 10, "slow_period": 30})


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Iterator[Server]:
    """A server of its own for the user strategy file (the main one must list exactly 124)."""
    home = tmp_path_factory.mktemp("compat-plugin")
    (home / "strategies").mkdir()
    server = Server(home, home / "strategies").start()
    try:
        yield server
    finally:
        server.stop()


def ported_strategy() -> str:
    """The original-style file with only its import lines changed."""
    original = ORIGINAL_STRATEGY.read_text(encoding="utf-8")
    assert ORIGINAL_IMPORTS in original
    ported = original.replace(ORIGINAL_IMPORTS, AVA_IMPORT)
    changed = [
        line
        for line in difflib.unified_diff(
            original.splitlines(), ported.splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == ["-" + s for s in ORIGINAL_IMPORTS.splitlines()] + ["+" + AVA_IMPORT.strip()]
    return ported


# ---------------------------------------------------------------------------------- the rows


@dataclass
class Ctx:
    request: pytest.FixtureRequest
    monkeypatch: pytest.MonkeyPatch
    tmp_path: Path

    @property
    def live(self) -> Server:
        return self.request.getfixturevalue("live")

    @property
    def completed(self) -> dict[str, Any]:
        return self.request.getfixturevalue("completed")

    @property
    def plugin(self) -> Server:
        return self.request.getfixturevalue("plugin")


def e01(c: Ctx) -> None:
    for path in ("/health", "/api/v2/health"):
        r = c.live.get(path)
        assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["version"], path


def e02(c: Ctx) -> None:
    markets = {m["code"]: m for m in c.live.get("/api/v2/markets").json()}
    assert {"US", "IN"} <= set(markets)
    assert markets["US"]["currency"] == "USD" and markets["IN"]["currency"] == "INR"
    assert (
        markets["US"]["default_capital"] == 100_000
        and markets["IN"]["default_capital"] == 1_000_000
    )
    assert "NSE" in markets["IN"]["exchanges"]


def e03(c: Ctx) -> None:
    r = c.live.get("/api/v2/strategies")
    assert isinstance(r.json(), list) and len(r.json()) == int(r.headers["X-Total-Count"]) == 124
    trend = c.live.get("/api/v2/strategies", params={"category": "trend"})
    assert 0 < len(trend.json()) == int(trend.headers["X-Total-Count"]) < 124
    assert all(s["category"] == "trend" for s in trend.json())


def e04(c: Ctx) -> None:
    d = c.live.get("/api/v2/strategies/sma_crossover").json()
    assert d["parameters"]["properties"]["fast_period"]["default"] > 0
    assert d["warmup"] > 0 and d["version"]
    r = c.live.get("/api/v2/strategies/no_such_strategy")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def e05(c: Ctx) -> None:
    r = c.live.post("/api/v2/strategies/ema_crossover/backtest", json=US_RUN)
    assert r.status_code == 201, r.text
    run = c.live.wait(r.json()["id"])
    assert run["status"] == "completed" and run["strategy_name"] == "ema_crossover"


def e06(c: Ctx) -> None:
    body = {"strategy_name": "sma_crossover", "strategy_version": "latest",
            "parameters": {"fast_period": 10, "slow_period": 30}, "universe": "us_sample",
            "start_date": "2010-01-04", "end_date": "2011-12-30", "initial_capital": 100000,
            "market": "us"}  # fmt: skip
    r = c.live.post("/api/v2/backtests", json=body)
    assert r.status_code == 201 and r.json()["status"] == "queued", r.text
    assert r.json()["config"]["params"] == body["parameters"]
    run = c.live.wait(r.json()["id"])
    assert run["status"] == "completed" and run["n_trades"] > 0
    bad = c.live.post("/api/v2/backtests", json=body | {"initial_capital": "lots"})
    assert bad.status_code == 422 and bad.json()["error"]["message"].startswith("initial_capital:")


def e07(c: Ctx) -> None:
    c.completed  # noqa: B018 - at least one completed US run
    r = c.live.get("/api/v2/backtests?market=US&status=completed").json()
    assert r["items"] and r["total"] >= len(r["items"])
    assert all(i["market"] == "US" and i["status"] == "completed" for i in r["items"])
    page = c.live.get("/api/v2/backtests", params={"strategy": "sma_crossover", "limit": 1}).json()
    assert len(page["items"]) == 1 and page["limit"] == 1 and page["offset"] == 0


def e08(c: Ctx) -> None:
    run = c.live.get(f"/api/v2/backtests/{c.completed['id']}").json()
    assert run["status"] == "completed" and run["currency"] == "USD"
    assert run["metrics"]["sharpe"] is not None and run["final_equity"] > 0 and run["n_trades"] > 0


def e09(c: Ctx) -> None:
    run = c.live.run()
    r = httpx.delete(f"{c.live.base}/api/v2/backtests/{run['id']}", timeout=60)
    assert r.status_code == 200 and r.json() == {"id": run["id"], "deleted": True}
    assert c.live.get(f"/api/v2/backtests/{run['id']}").status_code == 404
    # Cancel is its own verb: a finished run cannot be cancelled (409), an unknown one is a 404.
    done = c.completed["id"]
    assert c.live.post(f"/api/v2/backtests/{done}/cancel").status_code == 409
    assert c.live.post("/api/v2/backtests/nope/cancel").status_code == 404


def e10(c: Ctx) -> None:
    r = c.live.get(
        f"/api/v2/backtests/{c.completed['id']}/trades", params={"limit": 2, "offset": 1}
    ).json()
    assert r["total"] == c.completed["n_trades"] and len(r["items"]) == 2 and r["offset"] == 1
    t = r["items"][0]
    assert {"symbol", "direction", "entry_time", "exit_time", "entry_price", "exit_price", "qty",
            "pnl_net", "fees", "exit_reason"} <= set(t)  # fmt: skip


def e11(c: Ctx) -> None:
    r = c.live.get(f"/api/v2/backtests/{c.completed['id']}/equity-curve").json()
    assert r["run_id"] == c.completed["id"] and len(r["points"]) > 100
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", r["points"][0]["date"])
    assert r["points"][-1]["equity"] == pytest.approx(c.completed["final_equity"])


def e12(c: Ctx) -> None:
    run_id = c.completed["id"]
    for path in (f"/ws/backtests/{run_id}", f"/api/v2/ws/backtests/{run_id}"):
        frames = []
        with connect(f"ws://127.0.0.1:{c.live.port}{path}", open_timeout=30) as ws:
            for _ in range(5):
                frames.append(json.loads(ws.recv(timeout=60)))
                if frames[-1]["type"] in TERMINAL:
                    break
        assert frames[0]["type"] == "state" and frames[0]["status"] == "completed", frames
        assert frames[-1]["type"] == "completed", frames


def e13(c: Ctx) -> None:
    r = c.live.get("/api/v2/universes", params={"market": "US"})
    assert r.status_code == 200
    names = {u["name"] for u in r.json()["items"]}
    assert "us_sample" in names


def e14(c: Ctx) -> None:
    other = c.live.run(params={"fast_period": 5, "slow_period": 50})
    ids = f"backtest_ids={c.completed['id']}&backtest_ids={other['id']}"
    corr = c.live.get(f"/api/v2/analytics/correlation?{ids}")
    assert corr.status_code == 200, corr.text
    assert "matrix" in corr.json() or "correlation" in json.dumps(corr.json())
    port = c.live.get(f"/api/v2/analytics/portfolio?{ids}")
    assert port.status_code == 200, port.text


def e15(c: Ctx) -> None:
    r = c.live.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def _variable(name: str, value: str, field: str, ava: str) -> Callable[[Ctx], None]:
    def check(c: Ctx) -> None:
        for k in (name, ava):
            c.monkeypatch.delenv(k, raising=False)
        c.monkeypatch.setenv(name, value)
        expect = value.replace("postgresql+asyncpg://", "postgresql+psycopg://")
        assert getattr(get_settings(), field) == expect
        other = (
            "redis://other:6379/1" if field == "redis_url" else value.replace("ava2026", "x") + "2"
        )
        c.monkeypatch.setenv(ava, other)
        got = getattr(get_settings(), field)
        assert got == other.replace("postgresql+asyncpg://", "postgresql+psycopg://")

    return check


def c01(c: Ctx) -> None:
    command = README_VERIFY.replace("localhost:8201", f"127.0.0.1:{c.live.port}")
    p = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "124 strategies loaded\n"


def c02(c: Ctx) -> None:
    command = README_POST.replace("localhost:8201", f"127.0.0.1:{c.live.port}")
    p = subprocess.run(command + " -s -w '\\n%{http_code}'", shell=True, capture_output=True,
                       text=True, timeout=300)  # fmt: skip
    assert p.returncode == 0, p.stderr
    body, status = p.stdout.rsplit("\n", 1)
    answer = json.loads(body)
    if status == "201":  # synced data: the run completes
        assert c.live.wait(answer["id"], timeout=1800)["status"] == "completed"
        return
    assert status == "422", p.stdout
    err = answer["error"]
    assert err["details"]["field"] == "universe" and err["details"]["missing"], err
    assert "AAPL" in err["details"]["missing"]
    assert "ava data sync --universe sp500_liquid" in err["message"], err


def c03(c: Ctx) -> None:
    out = c.tmp_path / "built"
    out.mkdir()
    line = '--name my_strategy --category trend --input "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"'
    env = _env(c.tmp_path, out)
    p = subprocess.run([str(AVA), "build-strategy", *shlex.split(line)], env=env,
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert p.returncode == 0, p.stdout + p.stderr
    code = (out / "my_strategy.py").read_text(encoding="utf-8")
    assert 'name = "my_strategy"' in code and "trend" in code


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def c04(c: Ctx) -> None:
    services = _compose()
    ports = {"ava-db": "5435", "redis": "6379", "backtester-v2": "8201", "ava-ui": "8203"}
    for name, port in ports.items():
        published = [str(p).rsplit(":", 1)[0] for p in services[name]["ports"]]
        assert any(p == port or p.endswith(f":-{port}}}") for p in published), (name, published)
    assert "timescale" in services["ava-db"]["image"]


def c05(c: Ctx) -> None:
    server = c.plugin
    (server.strategies / "original_sma_cross.py").write_text(ported_strategy(), encoding="utf-8")
    server.stop()  # docker compose restart backtester-v2
    server.start()
    d = server.get("/api/v2/strategies/original_sma_cross")
    assert d.status_code == 200 and d.json()["category"] == "trend"


def c06(c: Ctx) -> None:
    api = _compose()["backtester-v2"]
    assert api["build"]["target"] == "${IMAGE_TARGET:-runtime}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    dev = dockerfile.split("FROM app AS dev", 1)[1].split("\nFROM ", 1)[0]
    assert "COPY" in dev and '".[dev]"' in dev  # the tests and pytest are in the dev image
    assert re.search(r"^test:", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)


def c07(c: Ctx) -> None:
    api = _compose()["backtester-v2"]
    assert api["build"]["context"] == "." and api["healthcheck"]
    assert any("8201" in str(p) for p in api["ports"])


def s01(c: Ctx) -> None:
    server = c.plugin
    (server.strategies / "original_sma_cross.py").write_text(ported_strategy(), encoding="utf-8")
    reload = server.post("/api/v2/strategies/reload").json()
    assert not reload["errors"], reload
    assert "original_sma_cross" in {s["name"] for s in server.get("/api/v2/strategies").json()}
    run = server.run("original_sma_cross", params={"fast": 10, "slow": 30})
    assert run["n_trades"] > 0 and run["config"]["params"] == {"fast": 10, "slow": 30}


CHECKS: dict[str, Callable[[Ctx], None]] = {
    "E01": e01, "E02": e02, "E03": e03, "E04": e04, "E05": e05, "E06": e06, "E07": e07,
    "E08": e08, "E09": e09, "E10": e10, "E11": e11, "E12": e12, "E13": e13, "E14": e14,
    "E15": e15,
    "V01": _variable("DATABASE_URL", "postgresql+asyncpg://ava:ava2026@ava-db:5432/ava", "database_url", "AVA_DATABASE_URL"),
    "V02": _variable("REDIS_URL", "redis://redis:6379/0", "redis_url", "AVA_REDIS_URL"),
    "V03": _variable("FMP_API_KEY", "fmp", "fmp_api_key", "AVA_FMP_API_KEY"),
    "V04": _variable("ALPACA_API_KEY", "id", "alpaca_api_key", "AVA_ALPACA_API_KEY"),
    "V05": _variable("ALPACA_SECRET_KEY", "s", "alpaca_secret_key", "AVA_ALPACA_SECRET_KEY"),
    "V06": _variable("ALPHAVANTAGE_API_KEY", "av", "alphavantage_api_key", "AVA_ALPHAVANTAGE_API_KEY"),
    "V07": _variable("FINNHUB_API_KEY", "fh", "finnhub_api_key", "AVA_FINNHUB_API_KEY"),
    "V08": _variable("OPENROUTER_API_KEY", "or", "llm_api_key", "AVA_LLM_API_KEY"),
    "V09": _variable("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1", "llm_base_url", "AVA_LLM_BASE_URL"),
    "V10": _variable("OPENROUTER_MODEL", "anthropic/claude", "llm_model", "AVA_LLM_MODEL"),
    "C01": c01, "C02": c02, "C03": c03, "C04": c04, "C05": c05, "C06": c06, "C07": c07,
    "S01": s01,
}  # fmt: skip


def test_every_row_has_a_check():
    assert set(CHECKS) == set(ROWS)


@pytest.mark.parametrize("row", sorted(ROWS))
def test_row(row, request, monkeypatch, tmp_path):
    CHECKS[row](Ctx(request, monkeypatch, tmp_path))
