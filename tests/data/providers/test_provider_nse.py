"""NSE bhavcopy archives against the fake: both file layouts, holidays, indices, derived actions."""

from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.providers.base import (
    BarRequest,
    NotSupportedError,
    ProviderError,
    UnknownSymbolError,
)
from ava_backtest.data.providers.nse import (
    NSEProvider,
    old_path,
    parse_bhavcopy,
    parse_index_file,
    udiff_path,
)
from tests.fakes.vendors import FIXTURES


def _req(symbol: str, start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 12)):
    return BarRequest("IN", symbol, "1d", start, end)


def test_bars_across_the_switch_to_udiff(fake, opts) -> None:
    frame = NSEProvider(options=opts).bars(_req("RELIANCE"))
    truth = fake.bars("IN", "RELIANCE")
    rows = [truth.index[d] for d in frame["date"].to_list()]
    assert frame.height == 10
    np.testing.assert_allclose(frame["close"].to_numpy(), truth.close[rows])
    np.testing.assert_allclose(frame["volume"].to_numpy(), truth.volume[rows])
    paths = [r.path for r in fake.requests]
    assert paths[0] == "/nse/" + old_path(dt.date(2024, 7, 1))
    assert paths[-1] == "/nse/" + udiff_path(dt.date(2024, 7, 12))
    assert len(paths) == 10  # one file per session, the right layout first each time


def test_one_download_per_session_serves_every_symbol_and_survives_the_process(fake, opts) -> None:
    provider = NSEProvider(options=opts)
    provider.bars(_req("RELIANCE"))
    provider.bars(_req("TCS"))
    assert fake.count("nse") == 10
    fresh = NSEProvider(options=opts)  # same AVA_HOME: past sessions come from the disk cache
    fake.clear()
    import ava_backtest.data.providers.nse as nse

    nse._CACHE.clear()
    assert fresh.bars(_req("INFY")).height == 10
    assert fake.count("nse") == 0
    assert len(list(fresh.cache_dir.iterdir())) == 10


def test_missing_session_is_skipped_and_listed(fake, opts) -> None:
    fake.fail("nse", "2024-07-03", [404])
    provider = NSEProvider(options=opts)
    frame = provider.bars(_req("RELIANCE"))
    assert dt.date(2024, 7, 3) not in frame["date"].to_list() and frame.height == 9
    assert provider.missing_sessions == [dt.date(2024, 7, 3)]
    tried = [r.path for r in fake.requests if "03JUL2024" in r.path or "20240703" in r.path]
    assert len(tried) == 2  # the old layout, then the UDiFF one


def test_truncated_zip_and_5xx(fake, opts) -> None:
    fake.fail("nse", "2024-07-02", ["cut"])
    with pytest.raises(
        ProviderError, match=r"nse 2024-07-02 2024-07-02\.\.2024-07-02: malformed or truncated file"
    ):
        NSEProvider(options=opts).bars(_req("RELIANCE"))
    fake.fail("nse", "2024-07-05", [503, 500])
    assert NSEProvider(options=opts).bars(_req("TCS")).height == 10


def test_unknown_symbol_and_other_markets(fake, opts) -> None:
    with pytest.raises(UnknownSymbolError, match="ZZZZ is in none of the 10 session files"):
        NSEProvider(options=opts).bars(_req("ZZZZ"))
    with pytest.raises(NotSupportedError, match="timeframe 5m"):
        NSEProvider(options=opts).bars(
            BarRequest("IN", "TCS", "5m", dt.date(2024, 7, 1), dt.date(2024, 7, 1))
        )
    with pytest.raises(NotSupportedError, match="SENSEX"):
        NSEProvider(options=opts).bars(_req("SENSEX"))


def test_indices_from_the_daily_index_file(fake, opts) -> None:
    provider = NSEProvider(options=opts)
    nifty = provider.bars(_req("NIFTY50"))
    truth = fake.bars("IN", "NIFTY50")
    np.testing.assert_allclose(
        nifty["close"].to_numpy(), [truth.close[truth.index[d]] for d in nifty["date"]]
    )
    vix = provider.bars(_req("INDIAVIX"))
    assert vix.height == 10 and vix["volume"].null_count() == 10
    assert fake.requests[-1].path == "/nse/content/indices/ind_close_all_12072024.csv"


def test_actions_from_adjusted_previous_close(fake, opts) -> None:
    actions = NSEProvider(options=opts).corporate_actions(
        "IN", "TCS", dt.date(2024, 1, 1), dt.date(2024, 3, 31)
    )
    assert actions.rows() == [
        (dt.date(2024, 1, 19), "dividend", pytest.approx(27.0, abs=0.011)),
        (dt.date(2024, 3, 12), "split", 2.0),
    ]
    assert (
        NSEProvider(options=opts)
        .corporate_actions("IN", "INFY", dt.date(2024, 1, 1), dt.date(2024, 3, 31))
        .height
        == 0
    )


def test_search_reads_the_latest_file(fake, opts) -> None:
    provider = NSEProvider(options=opts)
    provider.today = dt.date(2024, 12, 31)
    hits = provider.search("IN", "reliance")
    assert [(h.symbol, h.name) for h in hits] == [("RELIANCE", "RELIANCE INDUSTRIES LTD")]
    assert [h.symbol for h in provider.search("IN", "T")][:1] == ["TCS"]


def test_documented_files_parse() -> None:
    def zipped(name: str) -> bytes:
        import io

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, (FIXTURES / name).read_bytes())
        return buffer.getvalue()

    old = parse_bhavcopy(zipped("nse_cm05JAN2024bhav.csv"), "old")
    assert old.filter(pl.col("symbol") == "RELIANCE").rows() == [
        ("RELIANCE", "", 2594.5, 2620.0, 2589.35, 2612.3, 2593.6, 5098412.0)
    ]  # the BL-series row is not the stock's bar
    new = parse_bhavcopy(zipped("nse_BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv"), "udiff")
    assert new.rows()[1] == (
        "TCS",
        "TATA CONSULTANCY SERV LT",
        3985.0,
        4000.6,
        3968.0,
        3989.2,
        3981.6,
        1273615.0,
    )
    index = parse_index_file((FIXTURES / "nse_ind_close_all_05012024.csv").read_bytes(), "idx")
    assert index["symbol"].to_list() == ["Nifty 50", "India VIX"]
    assert index["close"].to_list() == [21710.8, 14.24] and index["volume"][1] is None
    with pytest.raises(ValueError, match="not a bhavcopy"):
        parse_bhavcopy(b"a,b\n1,2\n", "junk")
