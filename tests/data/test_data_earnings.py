"""Earnings dates: the upload format, the store, and the (bars, symbols) array a strategy gets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ava_backtest.data.earnings import (
    earnings_sessions,
    ingest_earnings,
    parse_earnings,
    read_earnings,
)
from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


CSV = b"""Symbol,Date,Time,EPS Estimate,EPS Actual
AAPL,2024-05-02,amc,1.50,1.53
AAPL,2024-08-01,after,1.35,
MSFT,2024-04-25,AMC,2.83,2.94
JPM,2024-04-12,bmo,4.11,4.44
JPM,2024-07-13,bmo,,
"""


def test_parse_reads_the_documented_format():
    f = parse_earnings("e.csv", CSV)
    assert f.columns == ["symbol", "date", "time", "eps_estimate", "eps_actual"]
    assert f["time"].to_list() == ["amc", "amc", "bmo", "bmo", "amc"]
    assert f["symbol"].to_list() == ["AAPL", "AAPL", "JPM", "JPM", "MSFT"]
    assert f["eps_actual"].to_list()[:2] == [1.53, None]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"symbol,date\nAAPL,2024-05-02\n", "missing column(s) time"),
        (b"symbol,date,time\nAAPL,02/05/2024,amc\n", "unparseable date"),
        (b"symbol,date,time\nAAPL,2024-05-02,noon\n", "is not bmo"),
        (b"symbol,date,time\nAAPL,2024-05-02,amc\nAAPL,2024-05-02,bmo\n", "two rows"),
        (b"symbol,date,time,eps_actual\nAAPL,2024-05-02,amc,=1+1\n", "unparseable number"),
    ],
)
def test_parse_refuses_what_it_cannot_read_naming_it(content, needle):
    with pytest.raises(DataError) as err:
        parse_earnings("e.csv", content)
    assert needle in err.value.message and err.value.field == "file"


def test_an_upload_replaces_its_symbols_rows_and_keeps_the_others():
    ingest_earnings("US", "a.csv", CSV)
    ingest_earnings("US", "b.csv", b"symbol,date,time\nAAPL,2024-10-31,amc\n")
    t = read_earnings("US")
    assert t.filter(t["symbol"] == "AAPL")["date"].to_list() == [dt.date(2024, 10, 31)]
    assert sorted(set(t["symbol"].to_list())) == ["AAPL", "JPM", "MSFT"]


def test_reaction_session_is_the_first_open_after_the_announcement():
    ingest_earnings("US", "a.csv", CSV)
    dates = get_market("US").sessions("2024-04-08", "2024-08-06")
    e = earnings_sessions("US", ("AAPL", "JPM", "MSFT"), dates)
    days = dates.astype("datetime64[D]")

    def flagged(j):
        return [str(d) for d in days[e[:, j] > 0]]

    # AAPL after the close on Thursday 2024-05-02 -> Friday 05-03; 08-01 -> Friday 08-02.
    assert flagged(0) == ["2024-05-03", "2024-08-02"]
    # JPM before the open: the same day; Saturday 07-13 (a made-up date) -> Monday 07-15.
    assert flagged(1) == ["2024-04-12", "2024-07-15"]
    assert flagged(2) == ["2024-04-26"]
    assert set(np.unique(e)) == {0.0, 1.0}


def test_a_symbol_without_earnings_dates_is_an_error_naming_it_and_the_upload():
    ingest_earnings("US", "a.csv", CSV)
    with pytest.raises(DataError) as err:
        earnings_sessions(
            "US", ("AAPL", "NVDA"), get_market("US").sessions("2024-05-01", "2024-05-10")
        )
    assert err.value.field == "earnings" and err.value.details["missing"] == ["NVDA"]
    assert "NVDA" in err.value.message and "POST /api/v2/data/earnings" in err.value.message
