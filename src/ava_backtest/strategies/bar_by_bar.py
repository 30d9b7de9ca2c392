"""The original platform's bar-by-bar interface, kept so users' own strategies run unchanged.

A strategy written for the original platform subclasses :class:`BaseStrategy`, takes its
parameters in ``__init__``, and answers ``generate_signal(window)`` once per bar with a
:class:`Signal` (or ``None``)::

    from ava_backtest.strategies import BaseStrategy, Signal, register

    @register
    class EMACrossover(BaseStrategy):
        name = "my_ema_crossover"

        def __init__(self, fast_period=12, slow_period=26):
            super().__init__()
            self.fast_period, self.slow_period = fast_period, slow_period

        def get_warmup_periods(self):
            return self.slow_period + 1

        def get_parameter_schema(self):
            return {"fast_period": {"type": "integer", "default": 12, "minimum": 5, "maximum": 50},
                    "slow_period": {"type": "integer", "default": 26, "minimum": 10}}

        def generate_signal(self, window):
            fast, slow = window.ema(self.fast_period), window.ema(self.slow_period)
            prev_fast, prev_slow = window.ema(self.fast_period, ago=1), window.ema(self.slow_period, ago=1)
            if prev_fast <= prev_slow and fast > slow:
                return Signal("buy", 1.0, 0.8)
            if prev_fast >= prev_slow and fast < slow:
                return Signal("sell", 1.0, 0.8)
            return None

``@register`` puts an adapter in the registry (:func:`as_strategy`): a normal vectorised
:class:`~ava_backtest.strategies.base.Strategy` with ``style = "bar_by_bar"`` whose parameters come
from ``get_parameter_schema()`` (validated and bounded like any other strategy's), whose warm-up is
``get_warmup_periods()``, and whose ``signals(bars)`` calls ``generate_signal`` on every bar of every
symbol, with a fresh instance of the user's class per symbol so no state leaks between symbols.

What ``generate_signal`` sees, through the :class:`Window`:

* ``window.current_bar()``: the bar being closed (open, high, low, close, volume, timestamp,
  index). Signals are decided at this bar's close and fill at the next open, as for every strategy.
* ``window.historical()``: the symbol's bars *before* the current one, as a :class:`History` whose
  columns (``hist["close"]``, ``hist.close``) are zero-copy numpy views of the run's arrays.
* ``window.ema(n)``, ``sma(n)``, ``rsi(n)``, ``atr(n)`` and ``indicator(fn, ...)``: the indicator's
  value at the current bar (computed with bars <= t, so the current close is included), ``ago=k``
  for the value k bars earlier. Each is computed over the whole series once, on first use, and
  cached on the window: per-bar cost is a dictionary look-up, so a run is linear in bars.
* ``window.position``: ``"long"``, ``"short"`` or ``"flat"``, the position the strategy's own
  signals so far imply (see :class:`Window`).

``generate_signal`` is first called on the symbol's bar number ``get_warmup_periods()`` (0-based,
counted from the symbol's first bar), as the original engine's loop started there.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import ParameterError
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import atr, ema, rsi, sma
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Param

__all__ = [
    "ACTIONS",
    "Bar",
    "BarByBarStrategy",
    "BaseStrategy",
    "History",
    "Signal",
    "Window",
    "as_strategy",
    "snake_case",
]

ACTIONS = ("buy", "sell", "short", "cover", "exit", "hold")
"""``buy`` opens a long (from a short it reverses), ``sell`` closes the long (as in the original
platform, where sell meant close-long), ``short`` opens a short (from a long it reverses), ``cover``
closes the short, ``exit`` closes whatever is open, ``hold`` (or returning ``None``) does nothing."""

_BUY, _SELL, _SHORT, _COVER, _EXIT, _HOLD = range(6)
_CODE: dict[Any, int] = {name: code for code, name in enumerate(ACTIONS)}
_FLAT, _LONG, _SHORT_POS = "flat", "long", "short"
_OHLCV = ("open", "high", "low", "close", "volume")
_NAN = float("nan")


def _action_name(action: Any) -> str:
    """``action`` as one of :data:`ACTIONS`: case-insensitive, enums by their value."""
    if action is None:
        return "hold"
    value = getattr(action, "value", action)  # an Enum member from the user's own code
    if isinstance(value, str):
        name = value.strip().lower()
        if name in _CODE:
            return name
    raise ValueError(f"unknown signal action {action!r}; expected one of {', '.join(ACTIONS)}")


@dataclass(slots=True)
class Signal:
    """What ``generate_signal`` returns: ``Signal(action, strength, confidence, metadata)``.

    ``strength`` and ``confidence`` are kept for the strategy's own use and for reading back; the
    engine sizes orders by the run's sizing (the original engine ignored them too).
    """

    action: str
    strength: float = 1.0
    confidence: float = 1.0
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.action = _action_name(self.action)
        if self.metadata is None:
            self.metadata = {}


class Bar:
    """One bar: ``open``, ``high``, ``low``, ``close``, ``volume`` (floats), ``index`` (the bar's
    0-based position in the symbol's history) and ``timestamp``. ``bar["close"]`` works too, as do
    the run's extra series (``bar["vix"]``) when the strategy declared them in ``requires``."""

    __slots__ = ("_cols", "_dates", "_row", "close", "high", "index", "low", "open", "volume")

    def __init__(
        self,
        open_: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        index: int,
        row: int,
        dates: np.ndarray,
        cols: dict[str, np.ndarray],
    ) -> None:
        self.open = open_
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.index = index
        self._row = row
        self._dates = dates
        self._cols = cols

    @property
    def timestamp(self) -> dt.datetime:
        return self._dates[self._row].astype("datetime64[us]").item()

    @property
    def datetime64(self) -> np.datetime64:
        return self._dates[self._row]

    def __getitem__(self, key: str) -> Any:
        if key in _OHLCV or key == "index" or key == "timestamp":
            return getattr(self, key)
        if key == "date":
            return self.timestamp
        try:
            col = self._cols[key]
        except KeyError:
            raise KeyError(f"no column {key!r}; bars have {', '.join(self.keys())}") from None
        return float(col[self._row])

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> list[str]:
        return [
            "timestamp",
            *_OHLCV,
            *(k for k in self._cols if k not in _OHLCV and k != "timestamp"),
        ]

    def __repr__(self) -> str:
        return (
            f"Bar(index={self.index}, timestamp={str(self.datetime64)[:19]}, open={self.open}, "
            f"high={self.high}, low={self.low}, close={self.close}, volume={self.volume})"
        )


class History:
    """The bars before the current one: zero-copy views, no frame is built.

    ``hist["close"]`` / ``hist.close`` is a numpy view of the run's close array (likewise ``open``,
    ``high``, ``low``, ``volume``, ``timestamp``, and any extra series of the run); ``len(hist)``
    is the number of bars; ``hist[-1]`` is the previous :class:`Bar`; ``hist[-20:]`` the last 20
    bars as another History. ``to_polars()`` builds a DataFrame (a copy) for code ported from the
    original, where historical() was a polars frame.
    """

    __slots__ = ("_cols", "_dates", "_first", "_start", "_stop")

    def __init__(
        self, cols: dict[str, np.ndarray], dates: np.ndarray, first: int, start: int, stop: int
    ) -> None:
        self._cols = cols
        self._dates = dates
        self._first = first  # the symbol's first row, where bar indices count from
        self._start = start
        self._stop = stop

    def __len__(self) -> int:
        return self._stop - self._start

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return self._cols["timestamp" if key == "date" else key][self._start : self._stop]
            except KeyError:
                raise KeyError(
                    f"no column {key!r}; columns are {', '.join(self.columns)}"
                ) from None
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                raise ValueError("History slices take no step")
            return History(
                self._cols,
                self._dates,
                self._first,
                self._start + start,
                self._start + max(start, stop),
            )
        i = int(key)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"bar {key} out of range for a history of {n} bars")
        row = self._start + i
        c = self._cols
        return Bar(
            float(c["open"][row]),
            float(c["high"][row]),
            float(c["low"][row]),
            float(c["close"][row]),
            float(c["volume"][row]),
            row - self._first,
            row,
            self._dates,
            c,
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __contains__(self, key: object) -> bool:
        return key in self.columns

    @property
    def columns(self) -> list[str]:
        return list(self._cols)

    @property
    def open(self) -> np.ndarray:
        return self._cols["open"][self._start : self._stop]

    @property
    def high(self) -> np.ndarray:
        return self._cols["high"][self._start : self._stop]

    @property
    def low(self) -> np.ndarray:
        return self._cols["low"][self._start : self._stop]

    @property
    def close(self) -> np.ndarray:
        return self._cols["close"][self._start : self._stop]

    @property
    def volume(self) -> np.ndarray:
        return self._cols["volume"][self._start : self._stop]

    @property
    def timestamp(self) -> np.ndarray:
        return self._dates[self._start : self._stop]

    def to_polars(self) -> Any:
        import polars as pl

        return pl.DataFrame({k: np.array(self[k]) for k in self.columns})

    def __repr__(self) -> str:
        return f"History({len(self)} bars)"


class Window:
    """What ``generate_signal`` sees at bar t of one symbol. One window per symbol is advanced bar
    by bar; its indicator cache lives as long as the symbol's pass.

    ``position`` is the position the strategy's own signals so far imply (``"long"``, ``"short"``
    or ``"flat"``), following the engine's rules: an entry opens or reverses, ``sell``/``cover``
    close their side, ``exit`` closes either, a ``short`` in a long-only strategy only closes the
    long. It is signal-implied, not filled: entries skipped for cash or ``max_positions``, stops,
    take-profits and ``max_hold_bars`` exits are not reflected, because bar-by-bar signals are
    computed (like every strategy's) before the engine runs, and the engine's fills are not known
    yet. ``entry_index`` is the index of the bar whose signal opened that position (None if flat).
    """

    __slots__ = (
        "_bar",
        "_cache",
        "_cols",
        "_dates",
        "_lists",
        "_start",
        "entry_index",
        "position",
        "symbol",
        "t",
    )

    def __init__(self, bars: Bars, column: int, start: int) -> None:
        cols: dict[str, Any] = {name: getattr(bars, name)[:, column] for name in _OHLCV}
        for name, arr in bars.extra.items():
            cols.setdefault(name, arr if arr.ndim == 1 else arr[:, column])
        cols["timestamp"] = bars.dates
        self._cols = cols
        self._dates = bars.dates
        self._start = start
        self._cache: dict[Any, Any] = {}
        self._lists: tuple[list[float], ...] | None = None
        self._bar: Bar | None = None
        self.symbol = bars.symbols[column]
        self.t = start
        self.position = _FLAT
        self.entry_index: int | None = None

    @property
    def index(self) -> int:
        """The current bar's 0-based position in the symbol's history (= ``len(historical())``)."""
        return self.t - self._start

    def historical(self, lookback: int | None = None) -> History:
        """The bars before the current one (the last ``lookback`` of them if given)."""
        t = self.t
        start = self._start if lookback is None else max(self._start, t - lookback)
        return History(self._cols, self._dates, self._start, start, t)

    def current_bar(self) -> Bar:
        """The bar being closed now."""
        t = self.t
        bar = self._bar
        if bar is not None and bar._row == t:
            return bar
        lists = self._lists
        if lists is None:
            lists = self._lists = tuple(self._cols[n].tolist() for n in _OHLCV)
        o, h, lo, c, v = lists
        bar = Bar(o[t], h[t], lo[t], c[t], v[t], t - self._start, t, self._dates, self._cols)
        self._bar = bar
        return bar

    # -- indicators: the full series once per (indicator, args), then a look-up per bar ---------

    def _series(self, key: Any, compute: Callable[[], np.ndarray]) -> list[float]:
        values = self._cache.get(key)
        if values is None:
            values = self._cache[key] = np.asarray(compute(), dtype=np.float64).tolist()
        return values

    def _at(self, values: list[Any], ago: int) -> Any:
        i = self.t - ago
        if ago < 0:
            raise ValueError(f"ago must be >= 0 (a future bar is not known yet), got {ago}")
        return values[i] if i >= self._start else _NAN

    def ema(self, n: int, seed: str = "sma", *, source: str = "close", ago: int = 0) -> float:
        """EMA(n) of ``source`` at the current bar (``ago`` bars back). ``seed="sma"``: the first
        value is the mean of the first n (TA-Lib, TradingView); ``"first"``: starts at the first
        value (pandas ``ewm(adjust=False)``). NaN during the warm-up."""
        values = self._cache.get(("ema", n, seed, source))
        if values is None:
            col = self._cols[source]
            values = self._series(("ema", n, seed, source), lambda: ema(col, n, seed))
        i = self.t - ago
        if i >= self._start and ago >= 0:
            return values[i]
        return self._at(values, ago)

    def sma(self, n: int, *, source: str = "close", ago: int = 0) -> float:
        """Simple moving average of the last n values of ``source``, the current bar included."""
        values = self._cache.get(("sma", n, source))
        if values is None:
            col = self._cols[source]
            values = self._series(("sma", n, source), lambda: sma(col, n))
        i = self.t - ago
        if i >= self._start and ago >= 0:
            return values[i]
        return self._at(values, ago)

    def rsi(self, n: int = 14, *, source: str = "close", ago: int = 0) -> float:
        """Wilder's RSI(n) at the current bar."""
        values = self._cache.get(("rsi", n, source))
        if values is None:
            col = self._cols[source]
            values = self._series(("rsi", n, source), lambda: rsi(col, n))
        i = self.t - ago
        if i >= self._start and ago >= 0:
            return values[i]
        return self._at(values, ago)

    def atr(self, n: int = 14, convention: str = "tradingview", *, ago: int = 0) -> float:
        """Average true range (Wilder) at the current bar; see :func:`ava_backtest.indicators.atr`."""
        values = self._cache.get(("atr", n, convention))
        if values is None:
            c = self._cols
            values = self._series(
                ("atr", n, convention),
                lambda: atr(c["high"], c["low"], c["close"], n, convention),  # type: ignore[arg-type]
            )
        i = self.t - ago
        if i >= self._start and ago >= 0:
            return values[i]
        return self._at(values, ago)

    def indicator(
        self,
        fn: Callable[..., Any],
        *args: Any,
        inputs: tuple[str, ...] | str = ("close",),
        ago: int = 0,
        **kwargs: Any,
    ) -> Any:
        """Any indicator function, ``fn(*series, *args, **kwargs)`` with ``series`` the symbol's
        full columns named by ``inputs`` (default the close), evaluated at the current bar.

        ``fn`` sees the whole series once, so it must be causal (its value at t may use values <= t
        only), as every function in :mod:`ava_backtest.indicators` is; the look-ahead proof of
        the test suite catches one that is not. A result with several outputs (e.g. ``macd``)
        comes back as the same named tuple of floats.
        """
        if isinstance(inputs, str):
            inputs = (inputs,)
        key: Any = ("fn", fn, inputs, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            key = ("fn", fn, inputs, repr(args), repr(sorted(kwargs.items())))
        entry = self._cache.get(key)
        if entry is None:
            out = fn(*(self._cols[name] for name in inputs), *args, **kwargs)
            if isinstance(out, tuple):
                entry = (out, [np.asarray(o, dtype=np.float64).tolist() for o in out])
            else:
                entry = (None, np.asarray(out, dtype=np.float64).tolist())
            self._cache[key] = entry
        proto, values = entry
        if proto is None:
            return self._at(values, ago)
        at = [self._at(v, ago) for v in values]
        return proto._make(at) if hasattr(proto, "_make") else tuple(at)

    def __repr__(self) -> str:
        return f"Window({self.symbol}, index={self.index}, position={self.position})"


class BaseStrategy:
    """The original platform's strategy base: parameters in ``__init__``, one decision per bar.

    Override ``generate_signal``; ``get_warmup_periods`` (default 0) and ``get_parameter_schema``
    (default: read from ``__init__``'s keyword defaults) as needed. Optional class attributes
    (``name``, ``version``, ``category``, ``description``, ``tags``, ``direction``,
    ``timeframe``, ``requires``) are copied to the registered strategy; without ``name`` the class
    name in snake_case is used (``EMACrossover`` -> ``ema_crossover``). Set
    ``direction = "long_short"`` for ``short``/``cover`` signals to trade.
    """

    version: ClassVar[str] = "1.0.0"
    category: ClassVar[str] = "custom"
    description: ClassVar[str] = ""
    tags: ClassVar[tuple[str, ...]] = ()
    direction: ClassVar[str] = "long_only"
    timeframe: ClassVar[str] = "daily"
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **params: Any) -> None:
        self.params = dict(params)

    def generate_signal(self, window: Window) -> Signal | None:
        raise NotImplementedError(f"{type(self).__name__} must implement generate_signal(window)")

    def get_warmup_periods(self) -> int:
        return 0

    def get_parameter_schema(self) -> dict[str, Any]:
        return signature_schema(type(self))

    @classmethod
    def __ava_strategy__(cls) -> type[Strategy]:
        """What ``@register`` puts in the registry for this class."""
        return as_strategy(cls)


# -- the adapter ------------------------------------------------------------------------------


class BarByBarStrategy(Strategy):
    """A registry strategy that runs a :class:`BaseStrategy` subclass bar by bar. Made by
    :func:`as_strategy`; ``user_class`` is the wrapped class."""

    style = "bar_by_bar"
    user_class: ClassVar[type[BaseStrategy]]

    def check_params(self) -> None:
        self._proto = self._instance()

    def _instance(self) -> BaseStrategy:
        try:
            return self.user_class(**self.params)
        except ParameterError:
            raise
        except (ValueError, TypeError, AssertionError) as e:
            message = str(e) or type(e).__name__
            named = [p for p in self.params if re.search(rf"\b{re.escape(p)}\b", message)]
            where = f"params.{named[0]}" if named else "params"
            raise ParameterError(message, field=where) from e

    def warmup(self) -> int:
        return int(self._proto.get_warmup_periods() or 0)

    def signals(self, bars: Bars) -> Signals:
        shape = bars.close.shape
        sig = Signals.empty(shape)
        long_entry, long_exit = sig.long_entry, sig.long_exit
        short_entry, short_exit = sig.short_entry, sig.short_exit
        warm = max(self.warmup(), 0)
        shorts = self.direction != "long_only"
        code_of = _CODE
        for j in range(shape[1]):
            rows = np.flatnonzero(~np.isnan(bars.close[:, j]))
            if rows.size <= warm:
                continue
            user = self._instance()  # fresh per symbol: no state leaks from one to the next
            generate = user.generate_signal
            win = Window(bars, j, int(rows[0]))
            pos = _FLAT
            for t in rows[warm:].tolist():
                win.t = t
                s = generate(win)
                if s is None:
                    continue
                try:
                    code = code_of[s.action]
                except (KeyError, AttributeError, TypeError):
                    code = code_of[_action_name(getattr(s, "action", s))]
                if code == _HOLD:
                    continue
                new = pos
                if code == _BUY:
                    long_entry[t, j] = True
                    new = _LONG
                elif code == _SELL:
                    long_exit[t, j] = True
                    if pos == _LONG:
                        new = _FLAT
                elif code == _SHORT:
                    short_entry[t, j] = True
                    if shorts:
                        new = _SHORT_POS
                    elif pos == _LONG:
                        new = _FLAT  # the reversal's exit fills, its short entry is refused
                elif code == _COVER:
                    short_exit[t, j] = True
                    if pos == _SHORT_POS:
                        new = _FLAT
                else:  # exit
                    long_exit[t, j] = True
                    short_exit[t, j] = True
                    new = _FLAT
                if new != pos:
                    pos = win.position = new
                    win.entry_index = None if new == _FLAT else t - win._start
        return sig

    def __reduce__(self) -> Any:
        return (_rebuild, (self.user_class, dict(self.params)))


def _rebuild(user_class: type[BaseStrategy], params: dict[str, Any]) -> BarByBarStrategy:
    return as_strategy(user_class)(**params)


def snake_case(name: str) -> str:
    """``EMACrossover`` -> ``ema_crossover``, ``RSIMeanReversion2`` -> ``rsi_mean_reversion2``."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"_+", "_", s).strip("_").lower()


def as_strategy(cls: type[BaseStrategy]) -> type[BarByBarStrategy]:
    """The registry strategy for a :class:`BaseStrategy` subclass (made once per class).

    Its ``name`` is the class's own ``name`` attribute (one set in the class body, not inherited,
    so a subclass of a registered strategy does not replace its parent) or else the class name in
    snake_case. Parameters come from ``get_parameter_schema()``.
    """
    made = cls.__dict__.get("_ava_adapter")
    if made is not None:
        return made
    if not (isinstance(cls, type) and issubclass(cls, BaseStrategy)):
        raise TypeError(f"{cls!r} is not a BaseStrategy subclass")
    own = cls.__dict__.get("name")
    name = own if isinstance(own, str) and own else snake_case(cls.__name__)
    description = cls.description or _first_paragraph(cls.__doc__)
    direction = cls.direction
    if direction not in ("long_only", "long_short", "short_only"):
        raise TypeError(
            f"{cls.__qualname__}.direction must be long_only, long_short or short_only, "
            f"got {direction!r}"
        )
    attrs: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}Strategy",
        "__doc__": cls.__doc__,
        "name": name,
        "version": str(cls.version),
        "category": str(cls.category),
        "description": description,
        "tags": tuple(cls.tags),
        "direction": direction,
        "timeframe": str(cls.timeframe),
        "requires": tuple(cls.requires),
        "parameters": params_from_schema(_read_schema(cls), name),
        "user_class": cls,
    }
    # Made on registration, so it must not register itself on creation.
    adapter = types.new_class(
        f"{cls.__name__}Strategy",
        (BarByBarStrategy,),
        {"register": False},
        lambda ns: ns.update(attrs),
    )
    cls._ava_adapter = adapter  # type: ignore[attr-defined]
    return adapter


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


def _read_schema(cls: type[BaseStrategy]) -> dict[str, Any]:
    """``get_parameter_schema()``, whether written as an instance, class or static method."""
    raw = inspect.getattr_static(cls, "get_parameter_schema")
    if isinstance(raw, classmethod | staticmethod):
        return cls.get_parameter_schema()  # type: ignore[call-arg]
    try:
        instance = cls()
    except Exception as e:
        raise TypeError(
            f"{cls.__qualname__}() must be constructible with its default parameters so that "
            f"get_parameter_schema() can be read: {e}"
        ) from e
    return instance.get_parameter_schema()


def signature_schema(cls: type) -> dict[str, Any]:
    """A parameter schema from ``__init__``'s keyword defaults (type inferred from the default)."""
    out: dict[str, Any] = {}
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            continue
        out[p.name] = {"default": p.default}
    return out


_TYPES = {
    "integer": "int",
    "int": "int",
    int: "int",
    "number": "float",
    "float": "float",
    float: "float",
    "boolean": "bool",
    "bool": "bool",
    bool: "bool",
    "string": "str",
    "str": "str",
    str: "str",
}


def params_from_schema(schema: dict[str, Any], strategy: str = "") -> dict[str, Param]:
    """Typed parameters from a JSON-schema-like dict: ``{name: {type, default, minimum, maximum,
    description}}`` (``min``/``max`` and ``enum``/``choices`` accepted too), or a full object
    schema with ``properties``. A missing type is taken from the default."""
    if not isinstance(schema, dict):
        raise TypeError(f"get_parameter_schema() of {strategy!r} must return a dict")
    if isinstance(schema.get("properties"), dict):
        schema = schema["properties"]
    out: dict[str, Param] = {}
    for name, spec in schema.items():
        if not isinstance(spec, dict):
            spec = {"default": spec}
        default = spec.get("default")
        lo = spec.get("minimum", spec.get("min"))
        hi = spec.get("maximum", spec.get("max"))
        desc = str(spec.get("description", spec.get("meaning", "")) or "")
        choices = spec.get("enum", spec.get("choices"))
        if choices is not None:
            out[name] = Param("choice", default, description=desc, choices=tuple(choices))
            continue
        typ = spec.get("type")
        if isinstance(typ, list):  # ["integer", "null"]
            typ = next((t for t in typ if t != "null"), None)
        kind = _TYPES.get(typ) if typ is not None else None
        if typ is not None and kind is None:
            raise TypeError(f"parameter {name!r} of {strategy!r} has an unknown type {typ!r}")
        if kind is None:
            kind = (
                "bool"
                if isinstance(default, bool)
                else "int"
                if isinstance(default, int)
                else "float"
                if isinstance(default, float)
                else "str"
            )
        if kind == "str":
            out[name] = Param("str", default, description=desc)
        elif kind == "bool":
            out[name] = Param("bool", default, description=desc)
        else:
            out[name] = Param(kind, default, lo, hi, desc)
    return out
