"""RunStore's custom universes, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.store.db import make_engine, migrate
from ava_backtest.store.repository import RunStore


@pytest.fixture
def store(db_url) -> Iterator[RunStore]:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        yield RunStore(engine)
    finally:
        engine.dispose()


def test_custom_universes(store: RunStore):
    assert store.list_custom_universes() == []
    assert store.get_custom_universe("tech") is None
    made = store.create_universe("tech", "US", ["AAPL", "MSFT", "NVDA"], "three techs")
    assert made["name"] == "tech" and made["symbols"] == ["AAPL", "MSFT", "NVDA"]
    store.create_universe("banks", "IN", ["HDFCBANK", "ICICIBANK"])

    tech = store.get_custom_universe("tech")
    assert tech is not None
    assert tech["market"] == "US"
    assert tech["symbols"] == ["AAPL", "MSFT", "NVDA"]  # order kept
    assert tech["description"] == "three techs"
    created = dt.datetime.fromisoformat(tech["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert [u["name"] for u in store.list_custom_universes()] == ["banks", "tech"]
    assert store.get_custom_universe("banks")["description"] == ""

    with pytest.raises(ValueError, match="already exists"):
        store.create_universe("tech", "IN", ["TCS"])
    assert store.get_custom_universe("tech")["symbols"] == ["AAPL", "MSFT", "NVDA"]

    assert store.delete_universe("tech") is True
    assert store.delete_universe("tech") is False
    assert store.get_custom_universe("tech") is None
    assert [u["name"] for u in store.list_custom_universes()] == ["banks"]
    store.create_universe("tech", "US", ["IBM"])  # the name is free again
    assert store.get_custom_universe("tech")["symbols"] == ["IBM"]


def test_run_on_a_custom_universe_records_its_symbols(store: RunStore):
    store.create_universe("pair", "US", ["AAPL", "IBM"])
    cfg = RunConfig(strategy_name="sma_crossover", universe="pair")
    run_id = store.create_run(cfg, params={}, code_version="test")
    row = store.get_run(run_id)
    assert row["universe"] == "pair" and row["symbols"] == ["AAPL", "IBM"]


def test_a_custom_universe_is_edited_in_place(store: RunStore):
    store.create_universe("tech", "US", ["AAPL", "MSFT"], "two")
    assert store.update_universe("nope", symbols=["IBM"]) is None
    edited = store.update_universe("tech", symbols=["NVDA", "AAPL", "IBM"])
    assert edited is not None and edited["symbols"] == ["NVDA", "AAPL", "IBM"]
    assert edited["description"] == "two" and edited["market"] == "US"
    assert store.update_universe("tech", description="three")["symbols"] == ["NVDA", "AAPL", "IBM"]
    assert store.get_custom_universe("tech")["description"] == "three"
    assert store.update_universe("tech") == store.get_custom_universe("tech")  # nothing given
