"""`ava data sync | status | providers | refresh` and `ava backtest --sync`, against the fake
vendors: an India universe (nifty50) synced from the NSE archives and backtested with NSE
delivery costs on every trade."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.data import market_store, universe_members
from tests.fakes.vendors import FakeVendors

runner = CliRunner()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AVA_REDIS_URL", raising=False)
    monkeypatch.delenv("AVA_DATABASE_URL", raising=False)
    return tmp_path / "home"


def test_sync_status_and_a_rerun_that_fetches_nothing(home, monkeypatch):
    djia = universe_members.member_list("djia").symbols
    with FakeVendors(symbols={"US": [*djia, "SPY"]}) as fake:
        fake.apply(monkeypatch, vendors=["fmp"])
        args = [
            "data",
            "sync",
            "--universe",
            "djia",
            "--provider",
            "fmp",
            "--start",
            "2024-01-01",
            "--end",
            "2024-03-28",
        ]
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
        assert "synced 34/34 symbols" in r.output and "0 errors" in r.output
        first = fake.count()
        assert first >= 34
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
        assert "0 downloads" in r.output and "34 already covered" in r.output
        assert fake.count() == first

        r = runner.invoke(app, ["data", "status", "--market", "US"])
        assert r.exit_code == 0, r.output
        assert "34 series" in r.output
        import datetime as dt

        ibm = market_store.stored("US", "1d", "IBM")
        assert ibm is not None and ibm.coverage == ((dt.date(2024, 1, 2), dt.date(2024, 3, 28)),)

        r = runner.invoke(app, ["data", "providers"])
        assert r.exit_code == 0 and "Financial Modeling Prep" in r.output
        assert "fallback order: US: fmp -> alpaca" in r.output

        r = runner.invoke(app, ["data", "refresh", "sp500"])
        assert r.exit_code == 0, r.output
        refreshed = universe_members.member_list("sp500")
        assert refreshed.refreshed and set(refreshed.symbols) == {*djia, "SPY"}
        assert "FMP /api/v3/sp500_constituent" in refreshed.source


def test_sync_errors_name_the_field():
    r = runner.invoke(app, ["data", "sync", "--universe", "djia", "--provider", "nosuch"])
    assert r.exit_code == 2 and "provider" in r.output
    r = runner.invoke(app, ["data", "sync", "--universe", "djia", "--start", "2024-13-01"])
    assert r.exit_code == 2 and "--start" in r.output
    r = runner.invoke(app, ["data", "sync", "--universe", "djia", "--timeframe", "2h"])
    assert r.exit_code == 2 and "timeframe" in r.output


def test_nifty50_backtest_on_nse_archive_data_with_delivery_costs(home, monkeypatch):
    nifty = universe_members.member_list("nifty50").symbols
    with FakeVendors(symbols={"IN": list(nifty)}) as fake:
        fake.apply(monkeypatch, vendors=["fmp"])  # nse needs no key; fmp serves SENSEX
        base = ["backtest", "sma_crossover", "--universe", "nifty50", "--market", "IN",
                "--start", "2023-03-01", "--end", "2023-12-29", "--json"]  # fmt: skip
        r = runner.invoke(app, base)
        assert r.exit_code == 2
        assert "ava data sync --universe nifty50 --start 2023-01-29 --end 2023-12-29" in r.output
        assert fake.count() == 0
        r = runner.invoke(app, [*base, "--sync"])
        assert r.exit_code == 0, r.output
        result = json.loads(r.stdout)
        assert fake.count("nse") > 0
        assert market_store.stored("IN", "1d", "RELIANCE").provider == "nse"  # type: ignore[union-attr]
        trades = result["trades"]
        assert trades, "sma_crossover on 50 symbols over ten months trades"
        assert {t["symbol"] for t in trades} <= set(nifty)
        for t in trades:
            # NSE delivery: STT 0.1% on both legs, stamp duty on the buy, DP charges on the sell
            turnover = t["qty"] * (t["entry_price"] + t["exit_price"])
            assert t["fees"] >= 0.001 * turnover + 13.5 - 1e-6, t
        assert result["config"]["market"] == "IN" and result["currency"] == "INR"
