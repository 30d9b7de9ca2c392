"""The original interface: BaseStrategy / generate_signal(window) / Signal, run bar by bar.

The seed README's EMA crossover (examples/seed_ema_crossover.py) must trade exactly like the
vectorised ema_crossover; the window must be causal, zero-copy and compute indicators once.
"""

from __future__ import annotations

import pickle
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from ava_backtest import indicators as ind
from ava_backtest.domain.bars import Bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.runs.execute import load_run_panel, run_backtest, with_required_data
from ava_backtest.strategies import BaseStrategy, Signal, register, registry
from ava_backtest.strategies import bar_by_bar as bbb
from ava_backtest.strategies.bar_by_bar import as_strategy, params_from_schema, snake_case
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.lookahead import check_lookahead

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed_ema_crossover.py"
ARRAYS = ("long_entry", "long_exit", "short_entry", "short_exit")


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """The README example dropped, unchanged, into a strategies directory."""
    mp = pytest.MonkeyPatch()
    plugins = tmp_path_factory.mktemp("plugins")
    shutil.copy(EXAMPLE, plugins / EXAMPLE.name)
    mp.setenv("AVA_STRATEGY_DIRS", str(plugins))
    report = registry.reload_plugins()
    assert report.errors == [] and report.strategies == ["seed_ema_crossover"]
    yield registry.get_strategy("seed_ema_crossover")
    mp.undo()
    registry.reload_plugins()


@pytest.fixture(scope="module")
def sample() -> Bars:
    strategy = registry.get_strategy("ema_crossover")()
    cfg = RunConfig(strategy_name="ema_crossover", universe="us_sample")
    panel, _ = load_run_panel(cfg, strategy)
    return with_required_data(strategy, panel, "US")


def _signals(cls, bars: Bars, **params):
    return compute_signals(as_strategy(cls)(**params), bars)


def _assert_same_signals(a, b, rows=slice(None)):
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name)[rows], getattr(b, name)[rows], name)


# -- the seed example against the vectorised ema_crossover --------------------------------------


def test_seed_example_is_registered_as_a_normal_strategy(seed):
    assert seed.style == "bar_by_bar" and seed.name == "seed_ema_crossover"
    d = seed.describe()
    assert d["style"] == "bar_by_bar" and d["category"] == "trend"
    props = d["parameters"]["properties"]
    assert props["fast_period"] == {
        "default": 12,
        "type": "integer",
        "minimum": 5,
        "maximum": 50,
        "description": "Fast EMA length",
    }
    assert seed(fast_period=10).warmup() == 27


@pytest.mark.parametrize(
    "kw",
    [
        {"symbols": ["AAPL", "MSFT", "GOOG"]},
        {"universe": "us_sample", "params": {"fast_period": 8, "slow_period": 30}},
        {"universe": "us_sample", "start_date": "2010-01-04", "end_date": "2016-12-30"},
    ],
)
def test_seed_example_trades_exactly_like_the_vectorised_ema_crossover(seed, kw):
    common = {"costs": {"model": "none"}, **kw}
    bar = run_backtest(RunConfig(strategy_name="seed_ema_crossover", **common))
    vec = run_backtest(RunConfig(strategy_name="ema_crossover", **common))
    assert vec.trades.height > 20
    assert bar.trades.equals(vec.trades)
    assert bar.fills.equals(vec.fills)
    np.testing.assert_array_equal(bar.equity, vec.equity)
    assert bar.strategy["style"] == "bar_by_bar" and bar.params == vec.params


def test_seed_example_signals_equal_the_vectorised_ones_everywhere(seed, sample):
    vec = registry.get_strategy("ema_crossover")
    for params in (
        {},
        {"fast_period": 5, "slow_period": 10},
        {"fast_period": 50, "slow_period": 100},
    ):
        a = compute_signals(seed(**params), sample)
        b = compute_signals(vec(**params), sample)
        assert b.long_entry.any() and b.long_exit.any()
        _assert_same_signals(a, b)


def test_seed_example_is_prefix_invariant(seed, sample):
    strategy = seed()
    full = compute_signals(strategy, sample)
    for k in (10, 27, 28, 300, 2500, 5000, sample.n_bars - 1):
        _assert_same_signals(full, compute_signals(strategy, sample.prefix(k)), slice(0, k))
    assert check_lookahead(strategy, sample, points=8).ok


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"fast_period": 4}, "params.fast_period"),
        ({"fast_period": 51}, "params.fast_period"),
        ({"slow_period": 101}, "params.slow_period"),
        ({"slow_period": 9}, "params.slow_period"),
        ({"fast_period": 1.5}, "params.fast_period"),
        ({"fast_period": 30, "slow_period": 30}, "params.fast_period"),  # the user's ValueError
        ({"nope": 1}, "params.nope"),
    ],
)
def test_bad_params_are_rejected_naming_the_parameter(seed, params, field):
    with pytest.raises(ParameterError) as err:
        seed(**params)
    assert err.value.field == field


# -- the window -----------------------------------------------------------------------------------


def _panel(n: int = 60, symbols: tuple[str, ...] = ("A", "B", "C"), seed_: int = 1) -> Bars:
    rng = np.random.default_rng(seed_)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, len(symbols))), axis=0))
    if len(symbols) > 2:
        close[:7, 2] = np.nan  # C lists late
    high, low = close * 1.01, close * 0.99
    opn = close * (1 + rng.normal(0, 0.003, close.shape))
    dates = np.arange("2020-01-01", n, dtype="datetime64[D]").astype("datetime64[ns]")
    vol = np.full(close.shape, 1e6)
    return Bars(dates, symbols, opn, high, low, close, vol)


class _Spy(BaseStrategy):
    """Records what every instance sees; class-level log, instance-level state."""

    log: list = []

    def __init__(self, lookback: int = 3):
        super().__init__()
        self.lookback = lookback
        self.calls = 0
        self.symbols: set[str] = set()

    def get_warmup_periods(self) -> int:
        return self.lookback

    def generate_signal(self, window):
        self.calls += 1
        self.symbols.add(window.symbol)
        hist = window.historical()
        bar = window.current_bar()
        _Spy.log.append((self, window.symbol, window.index, self.calls, hist, bar))
        return None


def test_fresh_instance_per_symbol_sees_only_its_own_bars():
    bars = _panel()
    _Spy.log = []
    _signals(_Spy, bars, lookback=3)
    by_instance = defaultdict(list)
    for inst, sym, index, calls, *_ in _Spy.log:
        by_instance[inst].append((sym, index, calls))
    assert len(by_instance) == 3
    seen = {}
    for rows in by_instance.values():
        assert len({s for s, _, _ in rows}) == 1  # one symbol per instance
        assert [c for _, _, c in rows] == list(range(1, len(rows) + 1))  # its own count from 1
        seen[rows[0][0]] = [i for _, i, _ in rows]
    # generate_signal starts at the warm-up, counted from the symbol's own first bar
    assert seen["A"] == list(range(3, 60)) and seen["C"] == list(range(3, 53))


def test_historical_is_a_zero_copy_view_of_the_bars_before_the_current_one():
    bars = _panel()
    _Spy.log = []
    _signals(_Spy, bars)
    cols = {"A": 0, "B": 1, "C": 2}
    for _, sym, index, _, hist, bar in _Spy.log:
        j = cols[sym]
        first = 7 if sym == "C" else 0
        t = first + index
        assert len(hist) == index == bar.index
        np.testing.assert_array_equal(hist["close"], bars.close[first:t, j])
        np.testing.assert_array_equal(hist.high, bars.high[first:t, j])
        assert hist["close"][-1] == bars.close[t - 1, j]  # the previous bar is the last one
        assert np.shares_memory(hist["close"], bars.close)
        assert np.shares_memory(hist.volume, bars.volume)
        assert hist["close"].base is not None  # a view, never a copy
        assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
            bars.open[t, j],
            bars.high[t, j],
            bars.low[t, j],
            bars.close[t, j],
            bars.volume[t, j],
        )
        assert bar["close"] == bar.close and np.datetime64(bar.timestamp, "ns") == bars.dates[t]
        prev = hist[-1]
        assert prev.close == bars.close[t - 1, j] and prev.index == index - 1
        assert len(hist[-2:]) == 2 and hist[-2:].close[-1] == prev.close
    assert hist.timestamp[-1] == bars.dates[t - 1]
    assert hist.to_polars().height == len(hist)


def test_a_symbol_with_missing_sessions_sees_only_its_own_bars():
    bars = _panel()
    close = bars.close.copy()
    close[20:25, 1] = np.nan  # B halted for five sessions
    bars = Bars(bars.dates, bars.symbols, bars.open, bars.high, bars.low, close, bars.volume)
    _Spy.log = []
    _signals(_Spy, bars)
    b = [(index, hist, bar) for _, sym, index, _, hist, bar in _Spy.log if sym == "B"]
    assert [i for i, _, _ in b] == list(range(3, 55))  # 60 sessions, 5 without a bar
    _, hist, bar = b[-1]
    assert not np.isnan(hist.close).any() and len(hist) == 54
    assert bar.close == close[59, 1] and hist.close[-1] == close[58, 1]


class _Indicators(BaseStrategy):
    seen: list = []

    def generate_signal(self, window):
        _Indicators.seen.append(
            (
                window.symbol,
                window.index,
                window.ema(5),
                window.ema(5, ago=2),
                window.ema(5, "first"),
                window.sma(4),
                window.rsi(3),
                window.atr(3),
                window.indicator(ind.macd, 3, 6, 2),
                window.indicator(ind.highest, 4, inputs="high"),
            )
        )


def test_window_indicators_are_the_series_value_at_the_current_bar():
    bars = _panel()
    _Indicators.seen = []
    _signals(_Indicators, bars)
    j, first = 2, 7  # the late-listed symbol: indicators count from its own first bar
    c = bars.close[first:, j]
    h, lo = bars.high[first:, j], bars.low[first:, j]
    rows = [r for r in _Indicators.seen if r[0] == "C"]
    assert len(rows) == len(c)
    macd = ind.macd(c, 3, 6, 2)
    for _, i, e5, e5_2, e5f, s4, r3, a3, m, hh in rows:
        np.testing.assert_equal(e5, ind.ema(c, 5)[i])  # includes close[t]
        np.testing.assert_equal(e5_2, ind.ema(c, 5)[i - 2] if i >= 2 else np.nan)
        np.testing.assert_equal(e5f, ind.ema(c, 5, seed="first")[i])
        np.testing.assert_equal(s4, ind.sma(c, 4)[i])
        np.testing.assert_equal(r3, ind.rsi(c, 3)[i])
        np.testing.assert_equal(a3, ind.atr(h, lo, c, 3)[i])
        assert type(m).__name__ == "MACD"
        np.testing.assert_equal(tuple(m), (macd.macd[i], macd.signal[i], macd.hist[i]))
        np.testing.assert_equal(hh, ind.highest(h, 4)[i])
    assert np.isnan(rows[0][2]) and not np.isnan(rows[4][2])  # EMA(5) defined from bar 4
    assert rows[10][5] == pytest.approx(c[7:11].mean(), rel=1e-12)


def test_window_indicator_is_computed_once_per_series(monkeypatch, seed):
    calls = []

    def counting_ema(x, n, seed="sma"):
        calls.append(n)
        return ind.ema(x, n, seed)

    monkeypatch.setattr(bbb, "ema", counting_ema)
    bars = _panel(200)
    compute_signals(seed(fast_period=5, slow_period=10), bars)
    assert sorted(calls) == [5, 5, 5, 10, 10, 10]  # fast and slow, once per symbol

    generic = []

    def my_indicator(x, n):
        generic.append(n)
        return ind.sma(x, n)

    class _Generic(BaseStrategy):
        def generate_signal(self, window):
            window.indicator(my_indicator, 3)
            window.indicator(my_indicator, 3, ago=1)
            window.indicator(my_indicator, 4)

    _signals(_Generic, bars)
    assert sorted(generic) == [3, 3, 3, 4, 4, 4]


# -- actions, positions, signals ------------------------------------------------------------------


class _Script(BaseStrategy):
    """Emits the scripted action at each symbol index and records the window's position."""

    script: dict = {}
    positions: list = []
    direction = "long_short"

    def generate_signal(self, window):
        _Script.positions.append((window.index, window.position, window.entry_index))
        action = _Script.script.get(window.index)
        return None if action is None else Signal(action)


def test_actions_map_to_signal_arrays_and_the_signal_implied_position():
    bars = _panel(20, symbols=("A",))
    _Script.script = {2: "buy", 3: "buy", 5: "sell", 7: "short", 9: "buy", 11: "exit", 12: "hold"}
    _Script.script |= {13: "SHORT", 14: "cover", 16: "short", 17: "sell", 18: "exit"}
    _Script.positions = []
    s = _signals(_Script, bars)
    col = {name: np.flatnonzero(getattr(s, name)[:, 0]).tolist() for name in ARRAYS}
    assert col == {
        "long_entry": [2, 3, 9],
        "long_exit": [5, 11, 17, 18],
        "short_entry": [7, 13, 16],
        "short_exit": [11, 14, 18],
    }
    pos = {i: p for i, p, _ in _Script.positions}
    assert [pos[i] for i in (2, 3, 4, 6, 8, 10, 12, 14, 15, 17, 18, 19)] == [
        "flat",  # decided at 2: the window shows the position before this bar's signal
        "long",
        "long",
        "flat",
        "short",
        "long",  # buy from short reverses
        "flat",
        "short",
        "flat",
        "short",  # sell does not close a short
        "short",
        "flat",
    ]
    entry = {i: e for i, _, e in _Script.positions}
    assert entry[4] == 2 and entry[8] == 7 and entry[10] == 9 and entry[12] is None


def test_a_long_only_strategy_short_only_closes_its_long():
    class _LongOnly(_Script):
        direction = "long_only"

    bars = _panel(10, symbols=("A",))
    _Script.script = {1: "buy", 3: "short", 5: "short"}
    _Script.positions = []
    s = _signals(_LongOnly, bars)
    assert np.flatnonzero(s.short_entry[:, 0]).tolist() == [3, 5]  # passed on; the engine refuses
    assert [p for _, p, _ in _Script.positions][1:7] == [
        "flat",
        "long",
        "long",
        "flat",
        "flat",
        "flat",
    ]


def test_signal_validates_and_normalises_its_action():
    assert Signal("BUY").action == "buy"
    assert Signal("sell", 0.5, 0.8, None).metadata == {}
    s = Signal("exit", 1.0, 0.9, {"why": "stop"})
    assert (s.strength, s.confidence, s.metadata) == (1.0, 0.9, {"why": "stop"})
    with pytest.raises(ValueError, match="unknown signal action 'long'"):
        Signal("long")


def test_a_duck_typed_signal_from_the_users_own_class_is_accepted():
    class MySignal:
        def __init__(self, action):
            self.action = action

    class _Duck(BaseStrategy):
        def generate_signal(self, window):
            return MySignal("Buy") if window.index == 4 else None

    s = _signals(_Duck, _panel(10, symbols=("A",)))
    assert np.flatnonzero(s.long_entry[:, 0]).tolist() == [4]

    class _Bad(BaseStrategy):
        def generate_signal(self, window):
            return MySignal("moon")

    with pytest.raises(ValueError, match="moon"):
        _signals(_Bad, _panel(10, symbols=("A",)))


# -- registration and parameters ------------------------------------------------------------------


def test_register_puts_the_adapter_in_the_registry_and_returns_the_users_class():
    before = dict(registry._REGISTRY)
    try:

        @register
        class RSIDipBuyer2(BaseStrategy):
            """Buys dips.

            More text."""

            def __init__(self, period=14, level=30.0, use_filter=True, mode="fast"):
                super().__init__()
                self.period = period

            def generate_signal(self, window):
                return None

        assert RSIDipBuyer2.__name__ == "RSIDipBuyer2"  # the user's class is left as written
        cls = registry.get_strategy("rsi_dip_buyer2")
        assert cls.user_class is RSIDipBuyer2 and cls.style == "bar_by_bar"
        assert cls.description == "Buys dips."
        kinds = {k: (p.kind, p.default) for k, p in cls.parameters.items()}
        assert kinds == {
            "period": ("int", 14),
            "level": ("float", 30.0),
            "use_filter": ("bool", True),
            "mode": ("str", "fast"),
        }
        assert cls(mode="slow", period="20").params["period"] == 20
        with pytest.raises(ParameterError) as err:
            cls(mode=3)
        assert err.value.field == "params.mode"
    finally:
        registry._REGISTRY.clear()
        registry._REGISTRY.update(before)


def test_snake_case_names():
    assert snake_case("EMACrossover") == "ema_crossover"
    assert snake_case("RSIMeanReversion") == "rsi_mean_reversion"
    assert snake_case("MyStrategy2") == "my_strategy2"
    assert snake_case("simple") == "simple"


def test_parameter_schema_forms():
    p = params_from_schema(
        {
            "type": "object",
            "properties": {
                "n": {"type": "integer", "default": 10, "min": 2, "max": 50},
                "k": {"type": "number", "default": 1.5, "minimum": 0},
                "side": {"type": "string", "enum": ["long", "short"], "default": "long"},
                "x": 3,
            },
        }
    )
    assert (p["n"].kind, p["n"].minimum, p["n"].maximum) == ("int", 2, 50)
    assert (p["k"].kind, p["k"].minimum, p["k"].maximum) == ("float", 0, None)
    assert (p["side"].kind, p["side"].choices) == ("choice", ("long", "short"))
    assert (p["x"].kind, p["x"].default) == ("int", 3)
    with pytest.raises(TypeError, match="unknown type"):
        params_from_schema({"n": {"type": "matrix"}})

    class _ClassSchema(BaseStrategy):
        def __init__(self, n=5):
            super().__init__()
            self.n = n

        @classmethod
        def get_parameter_schema(cls):
            return {"n": {"type": "integer", "default": 5, "minimum": 1, "maximum": 9}}

        def generate_signal(self, window):
            return None

    adapter = as_strategy(_ClassSchema)
    assert adapter is as_strategy(_ClassSchema)  # made once per class
    with pytest.raises(ParameterError) as err:
        adapter(n=10)
    assert err.value.field == "params.n" and "maximum 9" in err.value.message


def test_the_adapter_pickles():
    s = as_strategy(_Spy)(lookback=4)
    back = pickle.loads(pickle.dumps(s))
    assert type(back) is type(s) and back.params == {"lookback": 4}
