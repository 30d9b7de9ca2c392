"""/api/v2/builder/pine (preview) and /builder/pine/strategies (verify, save, register): a Pine
EMA cross saved over HTTP trades exactly like the built-in ema_crossover(20, 50); unsupported
constructs are a 422 listing each one's line and column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ava_backtest.api.app import create_app
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from ava_backtest.settings import Settings
from ava_backtest.strategies.registry import all_strategies, reload_plugins

CORPUS = Path(__file__).parent / "corpus"
COLUMNS = ("symbol", "direction", "entry_time", "exit_time", "entry_price", "exit_price", "qty")


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(tmp_path / "strategies"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ava.db'}", workers=1)
    with TestClient(create_app(settings)) as c:
        yield c
    monkeypatch.undo()
    reload_plugins()


def test_preview_returns_code_and_typed_parameters_without_registering(client: TestClient):
    before = set(all_strategies())
    r = client.post(
        "/api/v2/builder/pine",
        json={"pine": (CORPUS / "v5_string_options.pine").read_text(), "name": "pine_ma_choice"},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["pine_version"] == 5 and doc["title"] == "MA type choice"
    params = {p["name"]: p for p in doc["parameters"]}
    assert params["ma_type"]["kind"] == "choice" and params["ma_type"]["choices"] == ["EMA", "SMA"]
    assert (params["len"]["default"], params["len"]["minimum"], params["len"]["maximum"]) == (
        40,
        2,
        200,
    )
    assert "class PineMaChoice(Strategy):" in doc["code"] and doc["path"] is None
    assert set(all_strategies()) == before


def test_unsupported_constructs_are_a_422_with_line_and_column(client: TestClient):
    src = (
        '//@version=5\nstrategy("x")\n'
        'w = request.security(syminfo.tickerid, "W", close, lookahead=barmerge.lookahead_on)\n'
        'strategy.entry("L", strategy.long, when=close > w)\n'
    )
    r = client.post("/api/v2/builder/pine", json={"pine": src, "name": "pine_peek"})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["details"]["field"] == "pine"
    assert err["details"]["problems"][0] == {
        "line": 3,
        "column": 62,
        "construct": "barmerge.lookahead_on",
        "message": "unsupported because it peeks: it shows the higher bar's final value before "
        "the period has closed",
    }


@pytest.mark.slow
def test_saved_pine_ema_cross_trades_like_the_builtin_ema_crossover(client: TestClient):
    r = client.post(
        "/api/v2/builder/pine/strategies",
        json={
            "pine": (CORPUS / "v5_ema_cross.pine").read_text(),
            "name": "pine_ema_cross_api",
            "category": "trend",
        },
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["path"].endswith("pine_ema_cross_api.py")
    assert {c["name"] for c in doc["verification"]} >= {"allow-list", "look-ahead", "registered"}

    def trades(name: str, params: dict[str, int]):
        cfg = RunConfig(strategy_name=name, universe="us_sample", params=params)
        return run_backtest(cfg).trades.select(*COLUMNS)

    ours = trades("pine_ema_cross_api", {})
    theirs = trades("ema_crossover", {"fast_period": 20, "slow_period": 50})
    assert ours.height > 50
    assert ours.equals(theirs)
