"""The vectorised strategy base class: declared metadata, typed parameters, display series, a
warm-up, and a pure function from bars to signals.

Subclassing registers: a class that sets its own ``name`` is in the registry as soon as its module
is imported (pass ``register=False`` in the class statement for a strategy that must stay out,
e.g. in a test).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.display import Display
from ava_backtest.strategies.params import Param, check_declaration, schema_json, validate_params

Direction = Literal["long_only", "long_short", "short_only"]
Timing = Literal["close", "open"]
ExitAt = Literal["next_open", "close"]


class Strategy:
    """Subclass, declare the class attributes and parameters, implement ``signals``.

    ``signals`` sees every symbol of the run at once as (bars x symbols) arrays and must be causal:
    the signal at bar t may depend on bars <= t only (the test suite proves it per strategy).
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1.0.0"
    category: ClassVar[str] = "custom"
    description: ClassVar[str] = ""
    tags: ClassVar[tuple[str, ...]] = ()
    direction: ClassVar[Direction] = "long_only"
    timeframe: ClassVar[str] = "daily"
    requires: ClassVar[tuple[str, ...]] = ()
    """Data beyond OHLCV, supplied in ``bars.extra`` (docs/data.md): ``benchmark``, ``vix``,
    ``earnings`` (a (bars, symbols) block), ``market_holidays``, ``intraday:15m`` (intraday bars of
    15 minutes or finer, with the session clock ``session``, ``session_minute``...),
    ``options_chain`` (``call_gamma``, ``put_gamma``, ``call_oi``, ``put_oi`` blocks) and
    ``implied_volatility`` (a block), from the user's uploads (data.options), ``put_call_ratio``
    (a block) and ``open_interest`` (``max_pain``, ``days_to_expiry`` blocks) likewise
    (data.positioning), and ``benchmark_symbol`` (the closes of the symbol the strategy's own
    ``benchmark_symbol`` parameter names)."""
    style: ClassVar[str] = "vectorised"
    cross_sectional: ClassVar[bool] = False
    """True when a symbol's signal depends on the other symbols (ranking, rotation): ``signals``
    then always sees the whole universe at once."""
    timing: ClassVar[Timing] = "close"
    """``close``: signals are decided at bar t's close and fill at the next open. ``open``: decided
    at bar t's open from ``open[t]`` and earlier bars only, and filled at ``open[t]``."""
    exit_at: ClassVar[ExitAt] = "next_open"
    """``close``: exit signals fill at the close of the bar that raises them."""
    display: ClassVar[tuple[Display, ...] | None] = None
    """The series a researcher should see, returned in ``Signals.series``; ``()`` for none."""
    benchmark_parameter: ClassVar[str] = "benchmark_symbol"
    """For ``requires = ("benchmark_symbol",)``: the parameter naming the symbol whose closes the
    run supplies as ``bars.extra["benchmark_symbol"]`` (a missing symbol is an error naming it)."""
    rare_exits: ClassVar[dict[str, str]] = {}
    """Exit reasons the strategy declares (a stop, a time stop) that do not end any trade on the
    sample data with its defaults, each with the reason why; the strategy's rule test shows them."""
    warmup_extra: ClassVar[int] = 1
    """Bars the default warm-up adds to the longest ``window`` parameter."""
    parameters: ClassVar[dict[str, Param[Any]]] = {}
    """Built from the ``Param`` attributes of the class (in declaration order); a plain dict
    assigned here instead works too."""

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {k: v for k, v in cls.__dict__.items() if isinstance(v, Param)}
        if "parameters" in cls.__dict__:
            declared = dict(cls.__dict__["parameters"])
            for pname, param in declared.items():
                param.__set_name__(cls, pname)
                # A name the class already uses (``name``, ``period`` as a method...) stays
                # reachable as self.params[...] only.
                if pname not in _RESERVED and pname not in cls.__dict__:
                    setattr(cls, pname, param)
        else:
            clash = sorted(set(declared) & _RESERVED)
            if clash:
                raise TypeError(f"{cls.__qualname__}: parameter name {clash[0]!r} is reserved")
            declared = {**cls.parameters, **declared}
        cls.parameters = declared
        check_declaration(declared, cls.__qualname__)
        if register and isinstance(cls.__dict__.get("name"), str):
            from ava_backtest.strategies.registry import register as add

            add(cls)

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = validate_params(self.parameters, params, self.name)
        self.check_params()

    def check_params(self) -> None:
        """Rules the declarations cannot say; raise ParameterError naming the field."""

    def warmup(self) -> int:
        """Bars of history the indicators need before the first signal can exist: by default the
        longest ``window`` parameter plus ``warmup_extra`` (0 without window parameters)."""
        windows = [self.params[n] for n, p in self.parameters.items() if p.window]
        return max(windows) + self.warmup_extra if windows else 0

    def signals(self, bars: Bars) -> Signals:
        raise NotImplementedError

    @classmethod
    def sweep_signals(cls, bars: Bars, strategies: Sequence[Strategy]) -> Signals | None:
        """Optional, for parameter studies: the signals of every instance in ``strategies`` (all
        of this class) on ``bars`` of one symbol without gaps, side by side as (bars,
        len(strategies)) columns, column j equal to what ``strategies[j].signals(bars)`` gives
        (display series left out). A grid of crossover lengths computes each moving average
        once and every pair's crosses in one pass, instead of one ``signals`` call per point.

        None (the default): not offered, and a study calls ``signals`` per instance. The test
        suite checks the equality, column for column, for every strategy that offers it."""
        return None

    def risk_rules(self) -> dict[str, Any] | None:
        """The portfolio risk rule a run of this strategy switches on when its
        ``RunConfig.risk_rules`` is left out, in that field's shape (``{"max_drawdown": 0.15,
        "flatten": True, ...}``, domain.config.RiskRules); None: none. A risk-overlay strategy
        (tv_drawdown_circuit_breaker) builds it from its parameters."""
        return None

    def default_sizing(self) -> dict[str, Any] | None:
        """The sizing a run of this strategy uses when its ``RunConfig.sizing`` is left at the
        default (equal slots), in that field's shape (``{"mode": "kelly", "kelly": {...}}``,
        domain.config.Sizing); None: the default. A sizing-overlay strategy
        (tv_kelly_criterion_position_sizing) builds it from its parameters; the run says so in
        its notes."""
        return None

    @classmethod
    def schema(cls) -> dict[str, Any]:
        return schema_json(cls.parameters)

    @classmethod
    def describe(cls, params: dict[str, Any] | None = None) -> dict[str, Any]:
        values = params or {n: p.default for n, p in cls.parameters.items()}
        return {
            "name": cls.name,
            "version": cls.version,
            "category": cls.category,
            "description": cls.description,
            "tags": list(cls.tags),
            "direction": cls.direction,
            "timeframe": cls.timeframe,
            "requires": list(cls.requires),
            "style": cls.style,
            "cross_sectional": cls.cross_sectional,
            "timing": cls.timing,
            "exit_at": cls.exit_at,
            "parameters": cls.schema(),
            "display": [d.describe(values) for d in cls.display or ()],
        }


_RESERVED = frozenset(dir(Strategy)) | {"name", "params"}
