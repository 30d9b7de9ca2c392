"""A real local HTTP server speaking the market-data vendors' protocols, for tests.

One ``ThreadingHTTPServer`` on 127.0.0.1 (free port) answers, each under its own path prefix:

- ``/fmp``          Financial Modeling Prep ``/api/v3`` (historical-price-full, historical-chart,
  stock_split, stock_dividend, search, historical/earning_calendar, sp500_constituent, nasdaq_constituent, dowjones_constituent)
- ``/alpaca``       Alpaca data v2 bars (``page_token`` pagination, APCA headers) and v1 corporate actions
- ``/alphavantage`` Alpha Vantage ``/query`` (TIME_SERIES_DAILY, TIME_SERIES_INTRADAY, SPLITS,
  DIVIDENDS, SYMBOL_SEARCH, EARNINGS; ``Note``/``Information``/``Error Message`` bodies)
- ``/finnhub``      Finnhub ``/api/v1`` (stock/candle, search, calendar/earnings, news-sentiment)
- ``/nse``          NSE archives: CM bhavcopy zips in both layouts and the daily index file

Bars are generated deterministically, seeded by (market, symbol), for a configurable set of known
symbols (plus the benchmarks and VIX of each market); a vendor answers an unknown symbol the way
it really does. The shapes follow the vendors' public documentation; ``vendor_fixtures/`` holds
one written-out example of each, and ``tests/data/providers`` checks the generated bodies against
them.

Usage::

    with FakeVendors(symbols={"US": ["AAPL", "MSFT"], "IN": ["RELIANCE"]}) as fake:
        for k, v in fake.settings_env().items():
            monkeypatch.setenv(k, v)
        fake.fail("fmp", "AAPL", [429, 500])        # the next two AAPL requests fail so
        ...
        assert fake.count("fmp") == 3

Faults (``fail(vendor, key, [...])``; ``key`` is the Ava symbol — for NSE the session date
``YYYY-MM-DD`` — or ``"*"`` for any): an HTTP status (429 carries ``Retry-After``), ``"truncated"``
(Content-Length promises more than is sent, then the connection closes), ``"ok"`` (answer
normally: to aim a fault at a later request), ``"cut"`` (a complete
response whose JSON stops half-way), ``"malformed"`` (an HTML page with status 200), ``"note"``
and ``"information"`` (Alpha Vantage's rate-limit bodies), ``"empty"`` (vendor's empty answer), or
``("body", status, bytes)`` to serve a recorded fixture verbatim. Each request of that key
consumes one fault.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import math
import re
import threading
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np

FIXTURES = Path(__file__).parent / "vendor_fixtures"

UDIFF_FROM = dt.date(2024, 7, 8)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Index-like symbols every fake knows, with a starting level and a volatility.
INDICES: dict[str, dict[str, tuple[float, float]]] = {
    "US": {"GSPC": (3800.0, 0.011), "NDX": (11000.0, 0.014), "VIX": (21.0, 0.0)},
    "IN": {"NIFTY50": (18000.0, 0.009), "SENSEX": (61000.0, 0.009), "INDIAVIX": (14.0, 0.0)},
}
FMP_INDEX = {
    "^GSPC": ("US", "GSPC"),
    "^NDX": ("US", "NDX"),
    "^VIX": ("US", "VIX"),
    "^NSEI": ("IN", "NIFTY50"),
    "^BSESN": ("IN", "SENSEX"),
    "^INDIAVIX": ("IN", "INDIAVIX"),
}
NSE_INDEX_NAMES = {"NIFTY50": "Nifty 50", "INDIAVIX": "India VIX", "SENSEX": None}
CALENDARS = {"US": "XNYS", "IN": "XBOM"}
TZ = {"US": "America/New_York", "IN": "Asia/Kolkata"}

FMP_BAD_KEY = (
    "Invalid API KEY. Feel free to create a Free API Key or visit "
    "https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for more information."
)
AV_NOTE = (
    "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute "
    "and 100 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like "
    "to target a higher API call frequency."
)
AV_INFORMATION = (
    "We have detected your API key as FAKE and our standard API rate limit is 25 requests per "
    "day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ "
    "to instantly remove all daily rate limits."
)
HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1></body></html>"
)


def _seed(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


@lru_cache(maxsize=8)
def _sessions(market: str, start: dt.date, end: dt.date) -> tuple[list[dt.date], Any]:
    import exchange_calendars as xcals

    cal = xcals.get_calendar(CALENDARS[market])
    lo = max(start, cal.first_session.date())
    hi = min(end, cal.last_session.date())
    schedule = cal.schedule.loc[lo.isoformat() : hi.isoformat()]
    days = [d.date() for d in schedule.index]
    return days, schedule


@lru_cache(maxsize=8)
def _session_array(market: str, start: dt.date, end: dt.date) -> np.ndarray:
    return np.array(_sessions(market, start, end)[0], dtype="datetime64[D]")


@lru_cache(maxsize=8)
def _session_set(market: str, start: dt.date, end: dt.date) -> frozenset[dt.date]:
    return frozenset(_sessions(market, start, end)[0])


@dataclass
class Bars:
    """One symbol's generated daily history (as traded) and its events."""

    dates: list[dt.date]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray  # as traded (shares)
    factor: np.ndarray  # split factor: product of later split ratios (1 after the last split)
    prev_close: np.ndarray  # NSE's PREVCLOSE: yesterday's close adjusted for today's actions
    index: dict[dt.date, int] = field(default_factory=dict)
    # (open, high, low, close, prev_close, volume) per session as Python floats (fast to format)
    rows: list[tuple[float, ...]] = field(default_factory=list)


@dataclass
class FakeRequest:
    vendor: str
    path: str
    query: dict[str, str]
    key: str
    status: int
    fault: str = ""


class FakeVendors:
    """See the module docstring."""

    def __init__(
        self,
        symbols: Mapping[str, Iterable[str]] | Iterable[str] | None = None,
        *,
        splits: Mapping[str, Iterable[tuple[str | dt.date, float]]] | None = None,
        dividends: Mapping[str, Iterable[tuple[str | dt.date, float]]] | None = None,
        illiquid: Iterable[str] = (),
        names: Mapping[str, str] | None = None,
        start: dt.date = dt.date(2018, 1, 1),
        end: dt.date = dt.date(2026, 12, 31),
        alpaca_page_size: int = 1000,
        retry_after: str = "1",
        today: dt.date | None = None,
        constituents: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        if symbols is None:
            symbols = {"US": ["AAPL", "MSFT", "SPY"], "IN": ["RELIANCE", "TCS", "INFY"]}
        if not isinstance(symbols, Mapping):
            symbols = {"US": list(symbols)}
        self.symbols: dict[str, set[str]] = {
            m.upper(): {s.upper() for s in syms} for m, syms in symbols.items()
        }
        for market in ("US", "IN"):
            self.symbols.setdefault(market, set())
        self.symbols["US"].add("SPY")  # the benchmark ETF is always there (Alpaca's ping asks it)
        self.splits = {
            s.upper(): sorted((_d(d), float(r)) for d, r in v) for s, v in (splits or {}).items()
        }
        self.dividends = {
            s.upper(): sorted((_d(d), float(a)) for d, a in v) for s, v in (dividends or {}).items()
        }
        self.illiquid = {s.upper() for s in illiquid}
        self.names = {k.upper(): v for k, v in (names or {}).items()}
        self.start, self.end = start, end
        self.alpaca_page_size = alpaca_page_size
        self.retry_after = retry_after
        self.today = today or dt.date.today()
        # FMP's constituent lists: "sp500" (default: every known US symbol), "nasdaq", "dowjones"
        self.constituents = {k: sorted(v) for k, v in (constituents or {}).items()}
        self.requests: list[FakeRequest] = []
        self._faults: dict[tuple[str, str], list[Any]] = {}
        self._lock = threading.Lock()
        self._bars: dict[tuple[str, str], Bars] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> FakeVendors:
        self.start_server()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_server(self) -> None:
        fake = self

        class Handler(_Handler):
            vendors = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings_env(self, vendors: Iterable[str] | None = None) -> dict[str, str]:
        """Environment for Ava's settings: every base URL here, keys for ``vendors`` (all)."""
        chosen = (
            set(vendors)
            if vendors is not None
            else {"fmp", "alpaca", "alphavantage", "finnhub", "nse"}
        )
        env = {
            "AVA_FMP_BASE_URL": f"{self.url}/fmp",
            "AVA_ALPACA_DATA_URL": f"{self.url}/alpaca",
            "AVA_ALPHAVANTAGE_BASE_URL": f"{self.url}/alphavantage",
            "AVA_FINNHUB_BASE_URL": f"{self.url}/finnhub",
            "AVA_NSE_ARCHIVE_URL": f"{self.url}/nse",
            # No throttling or long back-off against a local server.
            "AVA_PROVIDER_BACKOFF_BASE": "0.01",
            "AVA_PROVIDER_BACKOFF_MAX": "0.05",
            "AVA_PROVIDER_RETRY_AFTER_MAX": "0.05",
        }
        for vendor in ("fmp", "alpaca", "alphavantage", "finnhub", "nse"):
            env[f"AVA_{vendor.upper()}_REQUESTS_PER_MINUTE"] = "600000"
        keys = {
            "fmp": {"AVA_FMP_API_KEY": "fake-fmp-key"},
            "alpaca": {
                "AVA_ALPACA_API_KEY": "fake-alpaca-id",
                "AVA_ALPACA_SECRET_KEY": "fake-alpaca-secret",
            },
            "alphavantage": {"AVA_ALPHAVANTAGE_API_KEY": "fake-av-key"},
            "finnhub": {"AVA_FINNHUB_API_KEY": "fake-finnhub-key"},
        }
        for vendor, values in keys.items():
            if vendor in chosen:
                env.update(values)
        return env

    def apply(self, monkeypatch: Any, vendors: Iterable[str] | None = None) -> None:
        """Set :meth:`settings_env` with pytest's ``monkeypatch`` (and clear unchosen keys)."""
        for name in (
            "FMP_API_KEY",
            "ALPACA_API_KEY",
            "ALPACA_SECRET_KEY",
            "ALPHAVANTAGE_API_KEY",
            "FINNHUB_API_KEY",
        ):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(f"AVA_{name}", raising=False)
        for key, value in self.settings_env(vendors).items():
            monkeypatch.setenv(key, value)

    # -- scripting and inspection -------------------------------------------------------------
    def fail(self, vendor: str, key: str, faults: Iterable[Any]) -> None:
        with self._lock:
            self._faults.setdefault((vendor, key.upper()), []).extend(faults)

    def _take_fault(self, vendor: str, key: str) -> Any:
        with self._lock:
            for k in ((vendor, key.upper()), (vendor, "*")):
                queue = self._faults.get(k)
                if queue:
                    return queue.pop(0)
        return None

    def count(self, vendor: str | None = None, key: str | None = None) -> int:
        return sum(
            1
            for r in list(self.requests)
            if (vendor is None or r.vendor == vendor) and (key is None or r.key == key.upper())
        )

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- generated data -----------------------------------------------------------------------
    def knows(self, market: str, symbol: str) -> bool:
        return symbol in self.symbols.get(market, set()) or symbol in INDICES.get(market, {})

    def bars(self, market: str, symbol: str) -> Bars:
        key = (market, symbol)
        with self._lock:
            cached = self._bars.get(key)
        if cached is not None:
            return cached
        dates, _ = _sessions(market, self.start, self.end)
        n = len(dates)
        rng = np.random.default_rng(_seed(market, symbol))
        index = INDICES.get(market, {}).get(symbol)
        if index is not None and index[1] == 0.0:  # a volatility index: mean-reverting level
            level = np.empty(n)
            level[0] = index[0]
            shocks = rng.normal(0.0, 1.2, n)
            for i in range(1, n):
                level[i] = max(9.0, level[i - 1] + 0.06 * (index[0] - level[i - 1]) + shocks[i])
            close = level
            volume = np.full(n, np.nan)
        else:
            start_price = index[0] if index else float(rng.uniform(20.0, 400.0))
            vol = index[1] if index else float(rng.uniform(0.012, 0.028))
            close = start_price * np.exp(np.cumsum(rng.normal(0.0003, vol, n)))
            base_volume = (
                float(rng.uniform(5e4, 3e5))
                if symbol in self.illiquid
                else float(rng.uniform(1.5e6, 2e7))
            )
            volume = np.round(np.exp(rng.normal(math.log(base_volume), 0.3, n)))
        gap = rng.normal(0.0, 0.004, n)
        open_ = np.concatenate([[close[0]], close[:-1]]) * np.exp(gap)
        high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0.0, 0.006, n)))
        low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0.0, 0.006, n)))
        factor = np.ones(n)
        ratio_on = np.ones(n)
        day_arr = _session_array(market, self.start, self.end)
        for when, ratio in self.splits.get(symbol, []):
            factor[day_arr < np.datetime64(when)] *= ratio
            hit = np.searchsorted(day_arr, np.datetime64(when))
            if hit < n:
                ratio_on[hit] *= ratio
        o, h, lo, c = (np.round(x * factor, 2) for x in (open_, high, low, close))
        vol_traded = np.where(np.isnan(volume), np.nan, np.round(volume / factor))
        prev = np.concatenate([[c[0]], c[:-1]]) / ratio_on
        cash = np.zeros(n)
        for when, amount in self.dividends.get(symbol, []):
            hit = np.searchsorted(day_arr, np.datetime64(when))
            if hit < n:
                cash[hit] += amount
        prev = np.round(prev - cash, 2)
        bars = Bars(dates, o, h, lo, c, vol_traded, factor, prev)
        bars.index = {d: i for i, d in enumerate(dates)}
        bars.rows = list(zip(*(x.tolist() for x in (o, h, lo, c, prev, vol_traded)), strict=True))
        with self._lock:
            self._bars[key] = bars
        return bars

    def daily_rows(self, market: str, symbol: str, start: dt.date, end: dt.date) -> list[int]:
        day_arr = _session_array(market, self.start, self.end)
        lo = int(np.searchsorted(day_arr, np.datetime64(start)))
        hi = int(np.searchsorted(day_arr, np.datetime64(min(end, self.today)), side="right"))
        return list(range(lo, hi))

    def columns(self, market: str, symbol: str, rows: list[int]) -> dict[str, list[Any]]:
        """The rows' values as Python lists (fast to put into JSON): date, o, h, l, c, v, factor."""
        b = self.bars(market, symbol)
        sl = slice(rows[0], rows[-1] + 1) if rows else slice(0, 0)
        volume = b.volume[sl]
        return {
            "date": b.dates[sl],
            "open": b.open[sl].tolist(),
            "high": b.high[sl].tolist(),
            "low": b.low[sl].tolist(),
            "close": b.close[sl].tolist(),
            "volume": [None if v != v else v for v in volume.tolist()],
            "factor": b.factor[sl].tolist(),
        }

    def intraday(
        self, market: str, symbol: str, minutes: int, start: dt.date, end: dt.date
    ) -> list[tuple[dt.datetime, float, float, float, float, float]]:
        """Bars of ``minutes`` over the sessions in range: (UTC open time, o, h, l, c, v)."""
        b = self.bars(market, symbol)
        _, schedule = _sessions(market, self.start, self.end)
        out: list[tuple[dt.datetime, float, float, float, float, float]] = []
        for i in self.daily_rows(market, symbol, start, end):
            day = b.dates[i]
            row = schedule.loc[day.isoformat()]
            opens, closes = row["open"].to_pydatetime(), row["close"].to_pydatetime()
            count = math.ceil((closes - opens).total_seconds() / 60 / minutes)
            rng = np.random.default_rng(_seed(market, symbol, day, minutes))
            # A Brownian bridge from the day's open to its close.
            steps = rng.normal(0.0, 1.0, count)
            walk = np.cumsum(steps)
            bridge = walk - np.arange(1, count + 1) / count * walk[-1]
            scale = abs(b.high[i] - b.low[i]) / (4 * (np.abs(bridge).max() + 1e-9))
            path = (
                b.open[i]
                + (b.close[i] - b.open[i]) * np.arange(1, count + 1) / count
                + bridge * scale
            )
            prev = np.concatenate([[b.open[i]], path[:-1]])
            hi = np.minimum(np.maximum(prev, path) * 1.0005, b.high[i])
            lo = np.maximum(np.minimum(prev, path) * 0.9995, b.low[i])
            vol = b.volume[i] if not np.isnan(b.volume[i]) else 0.0
            share = rng.dirichlet(np.ones(count)) * vol
            for k in range(count):
                out.append(
                    (
                        opens + dt.timedelta(minutes=minutes * k),
                        round(float(prev[k]), 4),
                        round(float(max(hi[k], prev[k], path[k])), 4),
                        round(float(min(lo[k], prev[k], path[k])), 4),
                        round(float(path[k]), 4),
                        float(round(share[k])),
                    )
                )
        return out

    def earnings_dates(self, symbol: str) -> list[tuple[dt.date, str, float, float]]:
        rng = np.random.default_rng(_seed("earnings", symbol))
        out = []
        eps = float(rng.uniform(0.5, 3.0))
        for year in range(self.start.year, self.end.year + 1):
            for month in (1, 4, 7, 10):
                day = dt.date(year, month, 20) + dt.timedelta(days=int(rng.integers(0, 14)))
                while day.weekday() >= 5:
                    day += dt.timedelta(days=1)
                estimate = round(eps * float(rng.uniform(0.9, 1.1)), 2)
                actual = round(estimate * float(rng.uniform(0.85, 1.2)), 2)
                out.append((day, "bmo" if rng.random() < 0.5 else "amc", estimate, actual))
        return out

    def name_of(self, symbol: str) -> str:
        return self.names.get(symbol, f"{symbol.title()} Inc.")

    # -- NSE files ---------------------------------------------------------------------------
    def bhavcopy(self, day: dt.date, udiff: bool) -> bytes | None:
        if day not in _session_set("IN", self.start, self.end) or day > self.today:
            return None
        lines = []
        if udiff:
            header = (
                "TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,"
                "FininstrmActlXpryDt,StrkPric,OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,"
                "LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,ChngInOpnIntrst,TtlTradgVol,"
                "TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4"
            )
        else:
            header = (
                "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,"
                "TOTALTRADES,ISIN,"
            )
        lines.append(header)
        for n, symbol in enumerate(sorted(self.symbols["IN"])):
            b = self.bars("IN", symbol)
            i = b.index.get(day)
            if i is None:
                continue
            isin = f"INE{n:03d}A01{n % 10:03d}"
            o, h, lo, c, pc, v = b.rows[i]
            value = round(v * c, 2)
            trades = int(v // 250) + 1
            if udiff:
                stamp = day.isoformat()
                lines.append(
                    f"{stamp},{stamp},CM,NSE,STK,{1000 + n},{isin},{symbol},EQ,,,,,"
                    f"{self.name_of(symbol).upper()},{o:.2f},{h:.2f},{lo:.2f},{c:.2f},{c:.2f},"
                    f"{pc:.2f},,{c:.2f},,,{int(v)},{value},{trades},F1,1,,,,,"
                )
            else:
                stamp = f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"
                lines.append(
                    f"{symbol},EQ,{o:.2f},{h:.2f},{lo:.2f},{c:.2f},{c:.2f},{pc:.2f},{int(v)},"
                    f"{value},{stamp},{trades},{isin},"
                )
                # Other series of the same symbol are in the file too (and must be ignored).
                if n % 7 == 0:
                    lines.append(
                        f"{symbol},BL,{o:.2f},{o:.2f},{o:.2f},{o:.2f},{o:.2f},{pc:.2f},5000,"
                        f"{round(5000 * o, 2)},{stamp},1,{isin},"
                    )
        csv = ("\n".join(lines) + "\n").encode()
        inner = (
            f"BhavCopy_NSE_CM_0_0_0_{day.strftime('%Y%m%d')}_F_0000.csv"
            if udiff
            else f"cm{day.day:02d}{MONTHS[day.month - 1]}{day.year}bhav.csv"
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(inner, csv)
        return buffer.getvalue()

    def index_file(self, day: dt.date) -> bytes | None:
        if day not in _session_set("IN", self.start, self.end) or day > self.today:
            return None
        lines = [
            "Index Name,Index Date,Open Index Value,High Index Value,Low Index Value,"
            "Closing Index Value,Points Change,Change(%),Volume,Turnover (Rs. Cr.),P/E,P/B,Div Yield"
        ]
        stamp = day.strftime("%d-%m-%Y")
        for symbol in ("NIFTY50", "INDIAVIX"):
            b = self.bars("IN", symbol)
            i = b.index[day]
            name = NSE_INDEX_NAMES[symbol]
            change = b.close[i] - b.prev_close[i]
            volume = "-" if np.isnan(b.volume[i]) else str(int(b.volume[i]))
            lines.append(
                f"{name},{stamp},{b.open[i]:.2f},{b.high[i]:.2f},{b.low[i]:.2f},{b.close[i]:.2f},"
                f"{change:.2f},{100 * change / b.prev_close[i]:.2f},{volume},-,-,-,-"
            )
        return ("\n".join(lines) + "\n").encode()


def _d(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


class _Handler(BaseHTTPRequestHandler):
    vendors: FakeVendors
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    # -- response helpers ---------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        parts = [unquote(p) for p in split.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        vendor = parts[0] if parts else ""
        route = getattr(self, f"_{vendor}", None)
        fake = self.vendors
        if route is None:
            self._send(404, b'{"error":"no such vendor"}')
            return
        try:
            key, answer = route(parts[1:], query)
        except Exception as exc:  # a bug of the fake: say so instead of dropping the connection
            self._send(
                500, f"fake vendor error: {type(exc).__name__}: {exc}".encode(), "text/plain"
            )
            fake.requests.append(FakeRequest(vendor, split.path, query, "", 500, "error"))
            return
        fault = fake._take_fault(vendor, key) if key else None
        if fault == "ok":
            fault = None
        status, label = answer[0], ""
        if isinstance(fault, int):
            status, label = fault, str(fault)
        elif isinstance(fault, tuple):
            status, label = fault[1], str(fault[0])
        elif isinstance(fault, str):
            label = fault
            if fault not in ("truncated", "cut"):
                status = 200
        # Logged before answering: a client that has its response sees its request in the log.
        fake.requests.append(FakeRequest(vendor, split.path, query, key.upper(), status, label))
        if fault is not None:
            self._fault(vendor, fault, answer)
        else:
            self._send(*answer)

    def _fault(self, vendor: str, fault: Any, answer: tuple[Any, ...]) -> int:
        fake = self.vendors
        if isinstance(fault, int):
            headers = {"Retry-After": fake.retry_after} if fault == 429 else {}
            bodies = {
                "fmp": {
                    "Error Message": "Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/"
                },
                "alpaca": {"message": "too many requests."},
                "finnhub": {
                    "error": "API limit reached. Please try again later. Remaining Limit: 0"
                },
            }
            body = (
                _json(bodies.get(vendor, {"error": "rate limited"})) if fault == 429 else HTML_ERROR
            )
            self._send(fault, body, "application/json" if fault == 429 else "text/html", headers)
            return fault
        if isinstance(fault, tuple) and fault[0] == "body":
            _, status, body = fault
            self._send(status, body)
            return status
        if fault == "truncated":
            body = answer[1]
            self.send_response(answer[0])
            self.send_header("Content-Type", answer[2] if len(answer) > 2 else "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: max(len(body) // 2, 1)])
            self.wfile.flush()
            self.close_connection = True
            return answer[0]
        if fault == "cut":
            body = answer[1]
            self._send(answer[0], body[: max(len(body) // 2, 1)])
            return answer[0]
        if fault == "malformed":
            self._send(200, HTML_ERROR, "text/html")
            return 200
        if fault in ("note", "information"):
            text = AV_NOTE if fault == "note" else AV_INFORMATION
            self._send(200, _json({"Note" if fault == "note" else "Information": text}))
            return 200
        if fault == "empty":
            empty = {
                "fmp": b"{}",
                "alpaca": b'{"bars":null,"symbol":"","next_page_token":null}',
                "finnhub": b'{"s":"no_data"}',
                "alphavantage": b"{}",
            }
            self._send(200, empty.get(vendor, b""))
            return 200
        raise ValueError(f"unknown fault {fault!r}")

    # -- FMP ------------------------------------------------------------------------------------
    def _fmp(self, parts: list[str], q: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        fake = self.vendors
        if q.get("apikey") != "fake-fmp-key":
            return "", (401, _json({"Error Message": FMP_BAD_KEY}))
        if parts[:2] != ["api", "v3"]:
            return "", (404, _json({"Error Message": "not found"}))
        rest = parts[2:]

        def resolve(vsym: str) -> tuple[str, str]:
            if vsym in FMP_INDEX:
                return FMP_INDEX[vsym]
            if vsym.endswith(".NS"):
                return "IN", vsym[:-3]
            return "US", vsym.replace("-", ".")

        if rest[:1] == ["historical-price-full"] and len(rest) == 3:
            kind, vsym = rest[1], rest[2]
            market, sym = resolve(vsym)
            if not fake.knows(market, sym):
                return sym, (200, b"{}")
            if kind == "stock_split":
                rows = [
                    {
                        "date": d.isoformat(),
                        "label": d.strftime("%B %d, %y"),
                        "numerator": r,
                        "denominator": 1,
                    }
                    for d, r in reversed(fake.splits.get(sym, []))
                ]
            else:
                rows = [
                    {
                        "date": d.isoformat(),
                        "label": d.strftime("%B %d, %y"),
                        "adjDividend": a,
                        "dividend": a,
                        "recordDate": "",
                        "paymentDate": "",
                        "declarationDate": "",
                    }
                    for d, a in reversed(fake.dividends.get(sym, []))
                ]
            return sym, (200, _json({"symbol": vsym, "historical": rows}))
        if rest[:1] == ["historical-price-full"] and len(rest) == 2:
            vsym = rest[1]
            market, sym = resolve(vsym)
            if not fake.knows(market, sym):
                return sym, (200, b"{}")
            b = fake.bars(market, sym)
            start, end = _d(q.get("from", "1990-01-01")), _d(q.get("to", "2100-01-01"))
            idx = fake.daily_rows(market, sym, start, end)
            sl = slice(idx[0], idx[-1] + 1) if idx else slice(0, 0)
            f = b.factor[sl]  # FMP serves split-adjusted prices
            o, h, lo, c = (
                np.round(x[sl] / f, 4).tolist() for x in (b.open, b.high, b.low, b.close)
            )
            vol = b.volume[sl]
            adj_vol = [None if v != v else v for v in np.round(vol * f).tolist()]
            raw_vol = [None if v != v else v for v in vol.tolist()]
            change = np.round((b.close[sl] - b.open[sl]) / f, 4).tolist()
            pct = np.round(100 * (b.close[sl] / b.open[sl] - 1), 4).tolist()
            vwap = np.round((b.high[sl] + b.low[sl] + b.close[sl]) / 3 / f, 4).tolist()
            rows = [
                {
                    "date": day.isoformat(),
                    "open": o[k],
                    "high": h[k],
                    "low": lo[k],
                    "close": c[k],
                    "adjClose": c[k],
                    "volume": adj_vol[k],
                    "unadjustedVolume": raw_vol[k],
                    "change": change[k],
                    "changePercent": pct[k],
                    "vwap": vwap[k],
                    "label": day.strftime("%B %d, %y"),
                    "changeOverTime": round(pct[k] / 100, 6),
                }
                for k, day in enumerate(b.dates[sl])
            ][::-1]
            return sym, (200, _json({"symbol": vsym, "historical": rows}))
        if rest[:1] == ["historical-chart"] and len(rest) == 3:
            minutes = {
                "1min": 1,
                "5min": 5,
                "15min": 15,
                "30min": 30,
                "1hour": 60,
                "4hour": 240,
            }.get(rest[1])
            market, sym = resolve(rest[2])
            if minutes is None:
                return sym, (400, _json({"Error Message": f"invalid interval {rest[1]}"}))
            if not fake.knows(market, sym):
                return sym, (200, b"[]")
            start, end = _d(q.get("from", "1990-01-01")), _d(q.get("to", "2100-01-01"))
            b = fake.bars(market, sym)
            tz = __import__("zoneinfo").ZoneInfo(TZ[market])
            rows = []
            for ts, o, h, lo, c, v in reversed(fake.intraday(market, sym, minutes, start, end)):
                f = b.factor[b.index[ts.astimezone(tz).date()]]
                rows.append(
                    {
                        "date": ts.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                        "open": round(o / f, 4),
                        "low": round(lo / f, 4),
                        "high": round(h / f, 4),
                        "close": round(c / f, 4),
                        "volume": int(v * f),
                    }
                )
            return sym, (200, _json(rows))
        if rest == ["search"]:
            text = q.get("query", "").upper()
            limit = int(q.get("limit", "10"))
            rows = []
            for market in ("US", "IN"):
                for sym in sorted(fake.symbols[market]):
                    if text in sym or text in fake.name_of(sym).upper():
                        rows.append(
                            {
                                "symbol": f"{sym}.NS" if market == "IN" else sym.replace(".", "-"),
                                "name": fake.name_of(sym),
                                "currency": "INR" if market == "IN" else "USD",
                                "stockExchange": "National Stock Exchange of India"
                                if market == "IN"
                                else "NASDAQ Global Select",
                                "exchangeShortName": "NSE" if market == "IN" else "NASDAQ",
                            }
                        )
            return text, (200, _json(rows[:limit]))
        if rest[:2] == ["historical", "earning_calendar"] and len(rest) == 3:
            market, sym = resolve(rest[2])
            if not fake.knows(market, sym):
                return sym, (200, b"[]")
            rows = [
                {
                    "date": d.isoformat(),
                    "symbol": rest[2],
                    "eps": actual if d <= fake.today else None,
                    "epsEstimated": est,
                    "time": time,
                    "revenue": None,
                    "revenueEstimated": None,
                    "fiscalDateEnding": d.isoformat(),
                    "updatedFromDate": d.isoformat(),
                }
                for d, time, est, actual in reversed(fake.earnings_dates(sym))
            ]
            return sym, (200, _json(rows[: int(q.get("limit", "1000"))]))
        if rest and rest[0] in ("sp500_constituent", "nasdaq_constituent", "dowjones_constituent"):
            index = rest[0].split("_")[0]
            members = fake.constituents.get(index)
            if members is None:
                members = sorted(fake.symbols["US"]) if index == "sp500" else []
            rows = [
                {
                    "symbol": s.replace(".", "-"),
                    "name": fake.name_of(s),
                    "sector": "Technology",
                    "subSector": "",
                    "headQuarter": "",
                    "dateFirstAdded": "2000-01-01",
                    "cik": "",
                    "founded": "",
                }
                for s in members
            ]
            return index, (200, _json(rows))
        return "", (404, _json({"Error Message": "not found"}))

    # -- Alpaca ---------------------------------------------------------------------------------
    def _alpaca(self, parts: list[str], q: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        fake = self.vendors
        if (
            self.headers.get("APCA-API-KEY-ID") != "fake-alpaca-id"
            or self.headers.get("APCA-API-SECRET-KEY") != "fake-alpaca-secret"
        ):
            return "", (401, _json({"message": "unauthorized."}))
        if parts[:2] == ["v2", "stocks"] and len(parts) == 4 and parts[3] == "bars":
            sym = parts[2]
            if (
                not re.fullmatch(r"[A-Z.]{1,10}", sym)
                or not fake.knows("US", sym)
                or sym in INDICES["US"]
            ):
                return sym, (422, _json({"code": 42210000, "message": f"invalid symbol: {sym}"}))
            frame = {"1Day": 0, "1Hour": 60, "15Min": 15, "5Min": 5, "1Min": 1}.get(
                q.get("timeframe", "")
            )
            if frame is None:
                return sym, (422, _json({"code": 42210000, "message": "invalid timeframe"}))
            start = dt.datetime.fromisoformat(q["start"].replace("Z", "+00:00"))
            end = dt.datetime.fromisoformat(
                q.get("end", "2100-01-01T00:00:00Z").replace("Z", "+00:00")
            )
            adjust = q.get("adjustment", "raw") != "raw"
            b = fake.bars("US", sym)
            ny = __import__("zoneinfo").ZoneInfo("America/New_York")
            rows: list[dict[str, Any]] = []
            if frame == 0:
                for i in fake.daily_rows(
                    "US", sym, start.date() - dt.timedelta(days=1), end.date()
                ):
                    t = dt.datetime.combine(b.dates[i], dt.time(0), ny).astimezone(dt.UTC)
                    if not start <= t <= end:
                        continue
                    f = b.factor[i] if adjust else 1.0
                    rows.append(
                        _alpaca_bar(
                            t,
                            b.open[i] / f,
                            b.high[i] / f,
                            b.low[i] / f,
                            b.close[i] / f,
                            b.volume[i] * f,
                        )
                    )
            else:
                for t, o, h, lo, c, v in fake.intraday(
                    "US", sym, frame, start.date() - dt.timedelta(days=1), end.date()
                ):
                    if start <= t <= end:
                        f = b.factor[b.index[t.astimezone(ny).date()]] if adjust else 1.0
                        rows.append(_alpaca_bar(t, o / f, h / f, lo / f, c / f, v * f))
            offset = 0
            if q.get("page_token"):
                try:
                    owner, _, at = base64.b64decode(q["page_token"]).decode().partition("|")
                    offset = int(at)
                except ValueError:
                    owner = ""
                if owner != sym:
                    return sym, (422, _json({"code": 42210000, "message": "invalid page_token"}))
            size = min(int(q.get("limit", "1000")), fake.alpaca_page_size)
            page = rows[offset : offset + size]
            token = (
                base64.b64encode(f"{sym}|{offset + size}".encode()).decode()
                if offset + size < len(rows)
                else None
            )
            return sym, (
                200,
                _json({"bars": page or None, "symbol": sym, "next_page_token": token}),
            )
        if parts == ["v1", "corporate-actions"]:
            sym = q.get("symbols", "")
            start, end = _d(q.get("start", "1990-01-01")), _d(q.get("end", "2100-01-01"))
            splits = [
                {
                    "symbol": sym,
                    "new_rate": r,
                    "old_rate": 1,
                    "process_date": d.isoformat(),
                    "ex_date": d.isoformat(),
                    "record_date": d.isoformat(),
                    "payable_date": d.isoformat(),
                }
                for d, r in fake.splits.get(sym, [])
                if start <= d <= end
            ]
            cash = [
                {
                    "symbol": sym,
                    "rate": a,
                    "special": False,
                    "foreign": False,
                    "process_date": d.isoformat(),
                    "ex_date": d.isoformat(),
                    "record_date": d.isoformat(),
                    "payable_date": d.isoformat(),
                }
                for d, a in fake.dividends.get(sym, [])
                if start <= d <= end
            ]
            body: dict[str, Any] = {}
            if splits:
                body["forward_splits"] = splits
            if cash:
                body["cash_dividends"] = cash
            return sym, (200, _json({"corporate_actions": body, "next_page_token": None}))
        return "", (404, _json({"message": "Not Found"}))

    # -- Alpha Vantage --------------------------------------------------------------------------
    def _alphavantage(self, parts: list[str], q: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        fake = self.vendors
        if parts != ["query"]:
            return "", (404, b"Not Found", "text/plain")
        function = q.get("function", "")
        if q.get("apikey") != "fake-av-key":
            return "", (
                200,
                _json(
                    {
                        "Error Message": "the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds."
                    }
                ),
            )
        sym = q.get("symbol", "").replace("-", ".")
        invalid = _json(
            {
                "Error Message": f"Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for {function}."
            }
        )
        if function == "SYMBOL_SEARCH":
            text = q.get("keywords", "").upper()
            matches = [
                {
                    "1. symbol": s,
                    "2. name": fake.name_of(s),
                    "3. type": "Equity",
                    "4. region": "United States",
                    "5. marketOpen": "09:30",
                    "6. marketClose": "16:00",
                    "7. timezone": "UTC-04",
                    "8. currency": "USD",
                    "9. matchScore": "1.0000" if s == text else "0.5000",
                }
                for s in sorted(fake.symbols["US"])
                if text in s or text in fake.name_of(s).upper()
            ]
            return text, (200, _json({"bestMatches": matches}))
        if not fake.knows("US", sym) or sym in INDICES["US"]:
            return sym, (200, invalid)
        b = fake.bars("US", sym)
        if function == "TIME_SERIES_DAILY":
            rows = fake.daily_rows("US", sym, fake.start, fake.today)
            if q.get("outputsize") != "full":
                rows = rows[-100:]
            series = {
                b.dates[i].isoformat(): {
                    "1. open": f"{b.open[i]:.4f}",
                    "2. high": f"{b.high[i]:.4f}",
                    "3. low": f"{b.low[i]:.4f}",
                    "4. close": f"{b.close[i]:.4f}",
                    "5. volume": str(int(b.volume[i])),
                }
                for i in reversed(rows)
            }
            meta = {
                "1. Information": "Daily Prices (open, high, low, close) and Volumes",
                "2. Symbol": sym,
                "3. Last Refreshed": b.dates[rows[-1]].isoformat() if rows else "",
                "4. Output Size": "Full size" if q.get("outputsize") == "full" else "Compact",
                "5. Time Zone": "US/Eastern",
            }
            return sym, (200, _json({"Meta Data": meta, "Time Series (Daily)": series}))
        if function == "TIME_SERIES_INTRADAY":
            interval = q.get("interval", "")
            minutes = {"1min": 1, "5min": 5, "15min": 15, "30min": 30, "60min": 60}.get(interval)
            if minutes is None or "month" not in q:
                return sym, (200, invalid)
            first = _d(q["month"] + "-01")
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            ny = __import__("zoneinfo").ZoneInfo("America/New_York")
            series = {
                t.astimezone(ny).strftime("%Y-%m-%d %H:%M:%S"): {
                    "1. open": f"{o:.4f}",
                    "2. high": f"{h:.4f}",
                    "3. low": f"{lo:.4f}",
                    "4. close": f"{c:.4f}",
                    "5. volume": str(int(v)),
                }
                for t, o, h, lo, c, v in reversed(fake.intraday("US", sym, minutes, first, last))
            }
            meta = {
                "1. Information": f"Intraday ({interval}) open, high, low, close prices and volume",
                "2. Symbol": sym,
                "3. Last Refreshed": next(iter(series), ""),
                "4. Interval": interval,
                "5. Output Size": "Full size",
                "6. Time Zone": "US/Eastern",
            }
            return sym, (200, _json({"Meta Data": meta, f"Time Series ({interval})": series}))
        if function == "SPLITS":
            data = [
                {"effective_date": d.isoformat(), "split_factor": f"{r:.4f}"}
                for d, r in reversed(fake.splits.get(sym, []))
            ]
            return sym, (200, _json({"symbol": sym, "data": data}))
        if function == "DIVIDENDS":
            data = [
                {
                    "ex_dividend_date": d.isoformat(),
                    "declaration_date": "None",
                    "record_date": "None",
                    "payment_date": "None",
                    "amount": f"{a}",
                }
                for d, a in reversed(fake.dividends.get(sym, []))
            ]
            return sym, (200, _json({"symbol": sym, "data": data}))
        if function == "EARNINGS":
            quarterly = [
                {
                    "fiscalDateEnding": (d - dt.timedelta(days=25)).isoformat(),
                    "reportedDate": d.isoformat(),
                    "reportedEPS": str(actual) if d <= fake.today else "None",
                    "estimatedEPS": str(est),
                    "surprise": f"{actual - est:.4f}",
                    "surprisePercentage": f"{100 * (actual / est - 1):.4f}",
                    "reportTime": "pre-market" if time == "bmo" else "post-market",
                }
                for d, time, est, actual in reversed(fake.earnings_dates(sym))
            ]
            return sym, (
                200,
                _json({"symbol": sym, "annualEarnings": [], "quarterlyEarnings": quarterly}),
            )
        return sym, (200, invalid)

    # -- Finnhub --------------------------------------------------------------------------------
    def _finnhub(self, parts: list[str], q: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        fake = self.vendors
        if q.get("token") != "fake-finnhub-key":
            return "", (401, _json({"error": "Invalid API key"}))
        if parts[:2] != ["api", "v1"]:
            return "", (404, b"404 page not found", "text/plain")
        rest = parts[2:]
        fh_index = {"^GSPC": "GSPC", "^NDX": "NDX", "^VIX": "VIX"}
        if rest == ["stock", "candle"]:
            vsym = q.get("symbol", "")
            sym = fh_index.get(vsym, vsym)
            minutes = {"D": 0, "60": 60, "30": 30, "15": 15, "5": 5, "1": 1}.get(
                q.get("resolution", "")
            )
            if minutes is None:
                return sym, (422, _json({"error": "Wrong resolution"}))
            if not fake.knows("US", sym):
                return sym, (200, b'{"s":"no_data"}')
            lo_t, hi_t = int(q["from"]), int(q["to"])
            start = dt.datetime.fromtimestamp(lo_t, dt.UTC)
            end = dt.datetime.fromtimestamp(hi_t, dt.UTC)
            b = fake.bars("US", sym)
            cols: dict[str, list[Any]] = {"c": [], "h": [], "l": [], "o": [], "t": [], "v": []}
            if minutes == 0:
                for i in fake.daily_rows("US", sym, start.date(), end.date()):
                    t = int(dt.datetime.combine(b.dates[i], dt.time(0), dt.UTC).timestamp())
                    if lo_t <= t <= hi_t:
                        for k, v in zip(
                            "ohlcv",
                            (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]),
                            strict=True,
                        ):
                            cols[k].append(0 if k == "v" and np.isnan(v) else float(v))
                        cols["t"].append(t)
            else:
                for t, o, h, lo, c, v in fake.intraday(
                    "US", sym, minutes, start.date(), end.date()
                ):
                    if lo_t <= t.timestamp() <= hi_t:
                        for k, x in zip("ohlcv", (o, h, lo, c, v), strict=True):
                            cols[k].append(x)
                        cols["t"].append(int(t.timestamp()))
            if not cols["t"]:
                return sym, (200, b'{"s":"no_data"}')
            return sym, (200, _json({**cols, "s": "ok"}))
        if rest == ["search"]:
            text = q.get("q", "").upper()
            result = [
                {
                    "description": fake.name_of(s).upper(),
                    "displaySymbol": s,
                    "symbol": s,
                    "type": "Common Stock",
                }
                for s in sorted(fake.symbols["US"])
                if text in s or text in fake.name_of(s).upper()
            ]
            result += [
                {
                    "description": fake.name_of(s).upper(),
                    "displaySymbol": f"{s}.SW",
                    "symbol": f"{s}.SW",
                    "type": "Common Stock",
                }
                for s in sorted(fake.symbols["US"])
                if text == s
            ]
            return text, (200, _json({"count": len(result), "result": result}))
        if rest == ["calendar", "earnings"]:
            sym = q.get("symbol", "")
            start, end = _d(q.get("from", "1990-01-01")), _d(q.get("to", "2100-01-01"))
            rows = [
                {
                    "date": d.isoformat(),
                    "epsActual": actual if d <= fake.today else None,
                    "epsEstimate": est,
                    "hour": time,
                    "quarter": (d.month - 1) // 3 + 1,
                    "revenueActual": None,
                    "revenueEstimate": None,
                    "symbol": sym,
                    "year": d.year,
                }
                for d, time, est, actual in fake.earnings_dates(sym)
                if start <= d <= end and fake.knows("US", sym)
            ]
            return sym, (200, _json({"earningsCalendar": rows}))
        if rest == ["news-sentiment"]:
            sym = q.get("symbol", "")
            if not fake.knows("US", sym):
                return sym, (
                    200,
                    _json(
                        {
                            "buzz": {},
                            "companyNewsScore": None,
                            "sectorAverageBullishPercent": None,
                            "sectorAverageNewsScore": None,
                            "sentiment": {},
                            "symbol": sym,
                        }
                    ),
                )
            rng = np.random.default_rng(_seed("sentiment", sym, fake.today))
            bullish = round(float(rng.uniform(0.3, 0.9)), 4)
            articles = int(rng.integers(5, 200))
            weekly = round(float(articles / rng.uniform(0.5, 1.5)), 2)
            return sym, (
                200,
                _json(
                    {
                        "buzz": {
                            "articlesInLastWeek": articles,
                            "buzz": round(articles / weekly, 4),
                            "weeklyAverage": weekly,
                        },
                        "companyNewsScore": round(float(rng.uniform(0.3, 0.9)), 4),
                        "sectorAverageBullishPercent": 0.6,
                        "sectorAverageNewsScore": 0.52,
                        "sentiment": {
                            "bearishPercent": round(1 - bullish, 4),
                            "bullishPercent": bullish,
                        },
                        "symbol": sym,
                    }
                ),
            )
        return "", (404, b"404 page not found", "text/plain")

    # -- NSE archives ---------------------------------------------------------------------------
    def _nse(self, parts: list[str], q: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        fake = self.vendors
        not_found = (404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
        path = "/".join(parts)
        m = re.fullmatch(
            r"content/historical/EQUITIES/(\d{4})/([A-Z]{3})/cm(\d{2})([A-Z]{3})(\d{4})bhav\.csv\.zip",
            path,
        )
        if m and m.group(2) in MONTHS:
            day = dt.date(int(m.group(5)), MONTHS.index(m.group(4)) + 1, int(m.group(3)))
            body = fake.bhavcopy(day, udiff=False) if day < UDIFF_FROM else None
            return day.isoformat(), (200, body, "application/zip") if body else not_found
        m = re.fullmatch(r"content/cm/BhavCopy_NSE_CM_0_0_0_(\d{8})_F_0000\.csv\.zip", path)
        if m:
            day = dt.datetime.strptime(m.group(1), "%Y%m%d").date()
            body = fake.bhavcopy(day, udiff=True) if day >= UDIFF_FROM else None
            return day.isoformat(), (200, body, "application/zip") if body else not_found
        m = re.fullmatch(r"content/indices/ind_close_all_(\d{8})\.csv", path)
        if m:
            day = dt.datetime.strptime(m.group(1), "%d%m%Y").date()
            body = fake.index_file(day)
            return day.isoformat(), (200, body, "text/csv") if body else not_found
        return "", not_found


def _alpaca_bar(
    t: dt.datetime, o: float, h: float, lo: float, c: float, v: float
) -> dict[str, Any]:
    return {
        "t": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "o": round(float(o), 4),
        "h": round(float(h), 4),
        "l": round(float(lo), 4),
        "c": round(float(c), 4),
        "v": 0 if np.isnan(v) else int(v),
        "n": max(int(v // 300), 1) if not np.isnan(v) else 0,
        "vw": round(float((h + lo + c) / 3), 4),
    }
