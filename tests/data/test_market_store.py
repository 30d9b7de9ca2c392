"""The market-data store: atomic Parquet per market/timeframe/symbol, a manifest of covered
sessions, validation on ingest, actions apart from as-traded bars."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from ava_backtest.data import market_store
from ava_backtest.data.events import derive_events
from ava_backtest.domain.errors import DataError
from tests.data.market_fixtures import make_bars


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    return tmp_path


D = dt.date


def test_write_then_manifest_covers_the_fetched_sessions(home):
    bars = make_bars("US", "XYZ", D(2024, 1, 2), D(2024, 1, 31))
    market_store.write_download(
        "US", "1d", "XYZ", bars, None, (D(2024, 1, 1), D(2024, 1, 31)), provider="t"
    )
    path = home / "market-data" / "US" / "1d" / "XYZ.parquet"
    assert path.is_file()
    s = market_store.stored("US", "1d", "XYZ")
    assert s is not None and s.rows == bars.height and s.provider == "t"
    assert s.coverage == ((D(2024, 1, 1), D(2024, 1, 31)),)
    assert market_store.missing_ranges("US", "1d", "XYZ", D(2024, 1, 2), D(2024, 1, 31)) == []
    # February is missing, as sessions of the XNYS calendar (2024-02-19 is Presidents' Day)
    gaps = market_store.missing_ranges("US", "1d", "XYZ", D(2024, 1, 15), D(2024, 2, 29))
    assert gaps == [(D(2024, 2, 1), D(2024, 2, 29))]
    # no temporary files left behind
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_merge_keeps_old_bars_and_joins_ranges(home):
    a = make_bars("US", "XYZ", D(2024, 1, 2), D(2024, 1, 31))
    b = make_bars("US", "XYZ", D(2024, 3, 1), D(2024, 3, 28))
    market_store.write_download(
        "US", "1d", "XYZ", a, None, (D(2024, 1, 2), D(2024, 1, 31)), provider="t"
    )
    market_store.write_download(
        "US", "1d", "XYZ", b, None, (D(2024, 3, 1), D(2024, 3, 28)), provider="t"
    )
    assert market_store.missing_ranges("US", "1d", "XYZ", D(2024, 1, 2), D(2024, 3, 28)) == [
        (D(2024, 2, 1), D(2024, 2, 29))
    ]
    stored = market_store.read_bars("US", "1d", "XYZ")
    assert stored is not None and stored.height == a.height + b.height
    assert stored["date"].is_sorted()


def test_a_refused_download_stores_nothing(home):
    good = make_bars("US", "XYZ", D(2024, 1, 2), D(2024, 1, 31))
    market_store.write_download(
        "US", "1d", "XYZ", good, None, (D(2024, 1, 2), D(2024, 1, 31)), provider="t"
    )
    before = (home / "market-data" / "US" / "1d" / "XYZ.parquet").read_bytes()
    bad = make_bars("US", "XYZ", D(2024, 2, 1), D(2024, 2, 29)).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(-1.0).otherwise(pl.col("close")).alias("close")
    )
    with pytest.raises(DataError, match="XYZ"):
        market_store.write_download(
            "US", "1d", "XYZ", bad, None, (D(2024, 2, 1), D(2024, 2, 29)), provider="t"
        )
    assert (home / "market-data" / "US" / "1d" / "XYZ.parquet").read_bytes() == before
    assert market_store.missing_ranges("US", "1d", "XYZ", D(2024, 2, 1), D(2024, 2, 29))


def test_a_failed_write_leaves_the_old_file(home, monkeypatch):
    good = make_bars("US", "XYZ", D(2024, 1, 2), D(2024, 1, 31))
    market_store.write_download(
        "US", "1d", "XYZ", good, None, (D(2024, 1, 2), D(2024, 1, 31)), provider="t"
    )
    path = home / "market-data" / "US" / "1d" / "XYZ.parquet"
    before = path.read_bytes()

    def boom(self, file, **kw):
        with open(file, "wb") as fh:
            fh.write(b"PAR1 half")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", boom)
    more = make_bars("US", "XYZ", D(2024, 2, 1), D(2024, 2, 29))
    with pytest.raises(OSError):
        market_store.write_download(
            "US", "1d", "XYZ", more, None, (D(2024, 2, 1), D(2024, 2, 29)), provider="t"
        )
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_actions_are_kept_apart_and_give_engine_events(home):
    bars = make_bars("US", "XYZ", D(2024, 1, 2), D(2024, 3, 28))
    acts = pl.DataFrame(
        {
            "date": [D(2024, 2, 5), D(2024, 3, 1)],
            "kind": ["split", "dividend"],
            "value": [2.0, 0.5],
        },
        schema={"date": pl.Date, "kind": pl.Utf8, "value": pl.Float64},
    )
    market_store.write_download(
        "US", "1d", "XYZ", bars, acts, (D(2024, 1, 2), D(2024, 3, 28)), provider="t"
    )
    stored = market_store.read_bars("US", "1d", "XYZ")
    assert stored is not None
    assert stored["close"].to_list() == bars["close"].to_list()  # as traded, untouched
    got = market_store.read_actions("US", "1d", "XYZ")
    assert got.height == 2
    dates = stored["date"].to_numpy()
    close = stored["close"].to_numpy()
    split, dividend, factor = market_store.event_arrays(dates, close, got)
    i_split = int(np.flatnonzero(dates == np.datetime64("2024-02-05"))[0])
    i_div = int(np.flatnonzero(dates == np.datetime64("2024-03-01"))[0])
    assert split[i_split] == 2.0 and np.count_nonzero(split != 1.0) == 1
    assert dividend[i_div] == 0.5 and np.count_nonzero(dividend) == 1
    # the adjusted close round-trips through the generic event derivation
    ev = derive_events(close, close * factor)
    assert ev.split_ratio[i_split] == 2.0
    assert ev.dividend[i_div] == pytest.approx(0.5, rel=1e-9)
    assert factor[-1] == 1.0 and factor[0] < 0.5


def test_store_symbols_load_through_the_panel(home):
    from ava_backtest.data.panel import load_panel_with_info
    from ava_backtest.data.universes import get_symbol, list_symbols

    bars = make_bars("US", "QQQX", D(2023, 1, 3), D(2023, 6, 30))
    market_store.write_download(
        "US", "1d", "QQQX", bars, None, (D(2023, 1, 1), D(2023, 6, 30)), provider="t"
    )
    info = get_symbol("US", "qqqx")
    assert info.source == "market-data: t" and info.first == D(2023, 1, 3)
    assert "QQQX" in {i.symbol for i in list_symbols("US")}
    panel, load = load_panel_with_info(
        "US", ["QQQX"], "2023-02-01", "2023-05-31", adjustment="none"
    )
    assert load.start == D(2023, 2, 1)
    assert np.isfinite(panel.bars.close).all()
    expect = bars.filter(pl.col("date").is_between(D(2023, 2, 1), D(2023, 5, 31)))[
        "close"
    ].to_numpy()
    np.testing.assert_allclose(panel.bars.close[:, 0], expect)
    # a second write is seen at once (the generation token changes)
    more = make_bars("US", "QQQX", D(2023, 7, 3), D(2023, 7, 31))
    market_store.write_download(
        "US", "1d", "QQQX", more, None, (D(2023, 7, 1), D(2023, 7, 31)), provider="t"
    )
    _, load2 = load_panel_with_info("US", ["QQQX"], "2023-07-01", "2023-07-31")
    assert load2.end == D(2023, 7, 31)


def test_intraday_bars_load_as_symbol_at_timeframe(home):
    from ava_backtest.data.intraday import session_grid
    from ava_backtest.data.panel import load_panel_with_info

    grid = session_grid("US", D(2024, 3, 4), D(2024, 3, 6), 15)
    n = len(grid)
    close = 100 + np.arange(n, dtype=float) * 0.1
    frame = pl.DataFrame(
        {
            "ts": pl.Series(grid).dt.replace_time_zone("UTC"),
            "open": close,
            "high": close + 0.5,
            "low": close - 0.5,
            "close": close,
            "volume": np.full(n, 1000.0),
        }
    )
    market_store.write_download(
        "US", "15m", "XYZ", frame, None, (D(2024, 3, 4), D(2024, 3, 6)), provider="t"
    )
    panel, info = load_panel_with_info(
        "US", ["XYZ@15M"], "2024-03-04", "2024-03-06", adjustment="none"
    )
    assert info.timeframe == "15m"
    assert len(panel.bars.dates) == n
    np.testing.assert_allclose(panel.bars.close[:, 0], close)
