"""Intraday equity bars on the exchange's session calendar: the grid, the session clock strategies
read, the synthetic generator, and the intraday requirement's check."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ava_backtest.data.intraday import (
    bar_minutes,
    intraday_extras,
    required_minutes,
    session_clock,
    session_grid,
    synthetic_intraday_panel,
)
from ava_backtest.data.panel import _grid
from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market


def _ny(stamps: np.ndarray) -> list[str]:
    import pandas as pd

    idx = pd.DatetimeIndex(stamps).tz_localize("UTC").tz_convert("America/New_York")
    return [t.strftime("%Y-%m-%d %H:%M") for t in idx]


def test_grid_is_the_sessions_bars_in_new_york_time_with_early_closes_and_holidays():
    # Wed 2024-11-27 full day, Thu 11-28 Thanksgiving (closed), Fri 11-29 closes at 13:00.
    g = session_grid("US", dt.date(2024, 11, 27), dt.date(2024, 11, 29), 15)
    ny = _ny(g)
    assert ny[0] == "2024-11-27 09:30" and ny[25] == "2024-11-27 15:45"
    assert ny[26] == "2024-11-29 09:30" and ny[-1] == "2024-11-29 12:45"
    assert len(g) == 26 + 14
    assert not any(t.startswith("2024-11-28") for t in ny)
    # Summer time: 09:30 New York is 13:30 UTC (14:30 in winter, above).
    summer = session_grid("US", dt.date(2024, 7, 1), dt.date(2024, 7, 1), 5)
    assert str(summer[0])[11:16] == "13:30" and len(summer) == 78


def test_panel_grid_for_intraday_equity_bars_is_the_session_grid():
    g = session_grid("US", dt.date(2024, 3, 1), dt.date(2024, 3, 8), 15)
    assert np.array_equal(_grid("US", "15m", g[3], g[-2]), g[3:-1])


def test_session_clock_counts_minutes_from_the_open_and_to_the_close():
    g = session_grid("US", dt.date(2024, 11, 29), dt.date(2024, 12, 2), 15)
    c = session_clock(g, "US")
    assert c["session_minute"][:3].tolist() == [0.0, 15.0, 30.0]
    assert c["minutes_to_close"][13] == 15.0  # 12:45, the early close's last bar
    assert c["session_minute"][14] == 0.0 and c["minutes_to_close"][14] == 390.0
    day = np.datetime64("2024-11-29", "D").astype(np.int64)
    assert (c["session"][:14] == day).all() and (c["session"][14:] == day + 3).all()
    outside = session_clock(np.array(["2024-11-30T15:00"], dtype="datetime64[ns]"), "US")
    assert np.isnan(outside["session"]).all()


def test_synthetic_intraday_bars_are_deterministic_sane_and_gap_between_sessions():
    a = synthetic_intraday_panel(["X", "Y"], "US", dt.date(2024, 1, 2), dt.date(2024, 2, 29), 15)
    b = synthetic_intraday_panel(["X"], "US", dt.date(2024, 1, 2), dt.date(2024, 2, 29), 15)
    assert np.array_equal(a.bars.close[:, 0], b.bars.close[:, 0])  # per symbol, not per request
    assert np.array_equal(
        a.dates, session_grid("US", dt.date(2024, 1, 2), dt.date(2024, 2, 29), 15)
    )
    o, h, lo, c = a.bars.open, a.bars.high, a.bars.low, a.bars.close
    assert (lo <= np.minimum(o, c)).all() and (h >= np.maximum(o, c)).all() and (lo > 0).all()
    first = session_clock(a.dates, "US")["session_minute"] == 0
    inside = ~first
    inside[0] = False
    # Within a session a bar opens where the last closed (to the tick); sessions open with gaps.
    assert np.allclose(o[1:][inside[1:]], c[:-1][inside[1:]], atol=0.011)
    assert (np.abs(o[1:][first[1:]] / c[:-1][first[1:]] - 1) > 0.002).mean() > 0.3
    assert a.synthetic == (True, True)


def test_intraday_requirement_names_what_is_missing_and_how_to_provide_it():
    assert required_minutes("intraday:15m") == 15 and required_minutes("intraday:1h") == 60
    daily = get_market("US").sessions("2024-01-02", "2024-01-31")
    assert bar_minutes(daily) is None
    with pytest.raises(DataError) as err:
        intraday_extras("intraday:15m", daily, "US", "strategy 'x'")
    msg = err.value.message
    assert "intraday:15m" in msg and "daily" in msg and "POST /api/v2/data/upload-intraday" in msg
    coarse = session_grid("US", dt.date(2024, 1, 2), dt.date(2024, 1, 5), 30)
    with pytest.raises(DataError, match="30-minute"):
        intraday_extras("intraday:15m", coarse, "US", "strategy 'x'")
    fine = session_grid("US", dt.date(2024, 1, 2), dt.date(2024, 1, 5), 5)
    extras = intraday_extras("intraday:15m", fine, "US", "strategy 'x'")
    assert set(extras) == {"session", "session_minute", "minutes_to_close", "bar_minutes"}
    assert (extras["bar_minutes"] == 5).all()


def _csv(rows: list[str]) -> bytes:
    return ("timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n").encode()


def test_upload_reads_exchange_time_or_offsets_and_loads_onto_the_session_grid(
    tmp_path, monkeypatch
):
    from ava_backtest.data.intraday import ingest_intraday_upload
    from ava_backtest.data.panel import load_panel

    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    rows = [
        "2024-03-04 08:00,1,1,1,1,1",  # pre-market: dropped
        "2024-03-04 09:30,10,11,9,10.5,100",  # New York time
        "2024-03-04T14:45:00Z,10.5,11,10,10.8,100",  # 09:45 New York, as UTC
        "2024-03-04T10:15:00-05:00,10.8,11,10,10.9,100",  # 10:15 with its offset (10:00 missing)
        "2024-03-05 09:30,11,11.5,10.5,11.2,100",
    ]
    up = ingest_intraday_upload("US", "MINE", "15m", "mine.csv", _csv(rows))
    assert (up.rows, up.rows_in_file, up.outside_sessions) == (4, 5, 1)
    assert up.info.timeframe == "15m"
    assert [i.kind for i in up.report.issues] == ["gap"]  # 10:00 missing, not the night
    panel = load_panel("US", ["MINE"])
    grid = session_grid("US", dt.date(2024, 3, 4), dt.date(2024, 3, 5), 15)
    assert np.array_equal(panel.dates, grid[: 26 + 1])
    assert panel.bars.close[:5, 0].tolist()[:2] == [10.5, 10.8]
    assert np.isnan(panel.bars.close[2, 0]) and panel.bars.close[3, 0] == 10.9


def test_upload_refuses_bars_off_the_timeframe_naming_the_row(tmp_path, monkeypatch):
    from ava_backtest.data.intraday import ingest_intraday_upload

    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    rows = ["2024-03-04 09:30,10,11,9,10.5,100", "2024-03-04 09:40,10,11,9,10.5,100"]
    with pytest.raises(DataError) as err:
        ingest_intraday_upload("US", "MINE", "15m", "m.csv", _csv(rows))
    assert "row 2" in err.value.message and "15m" in err.value.message
    with pytest.raises(DataError, match="unparseable time"):
        ingest_intraday_upload("US", "MINE", "15m", "m.csv", _csv(["03/04/2024 9:30,1,1,1,1,1"]))
