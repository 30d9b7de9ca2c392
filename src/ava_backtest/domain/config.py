"""``RunConfig``: the one field table used by the API, the CLI and the library alike."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

SizingMode = Literal[
    "equal_slots",
    "fraction",
    "fixed_cash",
    "fixed_units",
    "risk",
    "target_weight",
    "kelly",
    "monte_carlo",
    "risk_parity",
]
OVERLAY_MODES = ("kelly", "monte_carlo", "risk_parity")
"""Sizing modes that take their options in a sub-object of the same name, never ``value``."""
DEFAULT_MC_FRACTIONS = (0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25)
FillTiming = Literal["next_open", "close"]
Adjustment = Literal["events", "adjusted", "none"]
PortfolioMode = Literal["shared", "independent"]

MIN_DATE = dt.date(1678, 1, 1)
MAX_DATE = dt.date(2262, 4, 10)
"""The dates a run may name: bar times are nanosecond timestamps, which cover 1677-09-21 ..
2262-04-11; a date outside is refused rather than wrapped around."""
MAX_CAPITAL = 1e12
"""The largest initial capital (a trillion in the market's currency): money stays exact to the
cent in float64 and no sum overflows."""
MAX_POSITIONS = 100_000
MAX_HOLD_BARS = 1_000_000_000
NO_BENCHMARK = "none"
"""``benchmark="none"``: run without one. Left out, the universe's or market's default is used
where it has data (and noted where it has none); a named symbol must cover the run."""


class KellySizing(BaseModel):
    """``sizing.mode = "kelly"``: each entry stakes ``multiplier`` x the Kelly fraction
    ``W - (1 - W) / R`` of the account's own trades closed before the entry's bar (W: share of
    winning trades, R: mean winning return / |mean losing return|, as the ``kelly`` metric),
    at most ``cap`` of equity; equal slots until ``min_trades`` trades have closed."""

    model_config = ConfigDict(extra="forbid")

    multiplier: float = Field(
        default=0.5,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="share of the full Kelly fraction staked (0.5: half-Kelly)",
    )
    cap: float = Field(
        default=0.25,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="largest fraction of equity one position may take",
    )
    min_trades: int = Field(
        default=20,
        ge=1,
        le=MAX_POSITIONS,
        description="closed trades needed before Kelly sizes; equal slots until then",
    )


class MonteCarloSizing(BaseModel):
    """``sizing.mode = "monte_carlo"``: each entry stakes the largest of ``fractions`` whose
    ``percentile`` drawdown over ``resamples`` seeded bootstrap paths of ``horizon`` trades,
    drawn from the account's own trade returns closed before the entry's bar, stays within
    ``max_drawdown``; recomputed when a trade closes, equal slots until ``min_trades``."""

    model_config = ConfigDict(extra="forbid")

    max_drawdown: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        allow_inf_nan=False,
        description="the drawdown budget (fraction of equity)",
    )
    percentile: float = Field(
        default=95.0,
        ge=50,
        lt=100,
        allow_inf_nan=False,
        description="which percentile of the resampled drawdowns must stay within the budget",
    )
    resamples: int = Field(default=1000, ge=10, le=100_000)
    horizon: int = Field(default=100, ge=1, le=10_000, description="trades in each resampled path")
    fractions: list[float] = Field(
        default_factory=lambda: list(DEFAULT_MC_FRACTIONS),
        min_length=1,
        max_length=50,
        description="candidate fractions of equity per position (the largest is the cap)",
    )
    min_trades: int = Field(
        default=20,
        ge=1,
        le=MAX_POSITIONS,
        description="closed trades needed before it sizes; equal slots until then",
    )

    @field_validator("fractions")
    @classmethod
    def _fractions(cls, v: list[float]) -> list[float]:
        for f in v:
            if not (math.isfinite(f) and 0 < f <= 1):
                raise ValueError(f"each fraction must be in (0, 1], got {f!r}")
        if len(set(v)) != len(v):
            raise ValueError("fractions contains duplicates")
        return sorted(v)


class RiskParitySizing(BaseModel):
    """``sizing.mode = "risk_parity"``: the strategy's entries and exits say which symbols are
    held (and on which side); the engine sets their weights from the covariance of the last
    ``window`` daily returns (``erc``: equal risk contribution; ``inverse_vol``: weights
    proportional to 1 / volatility), summing to 1, and rebalances every ``rebalance_bars`` bars
    and whenever the held set changes."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["erc", "inverse_vol"] = "erc"
    window: int = Field(default=63, ge=5, le=2520, description="bars of returns in the covariance")
    rebalance_bars: int = Field(
        default=21, ge=1, le=2520, description="bars between scheduled rebalances"
    )


class Sizing(BaseModel):
    """How many shares an entry buys. Quantity is set at the fill, from the fill price and the
    equity at that open after exits.

    - ``equal_slots``: equity / max_positions per entry (default; all-in with one symbol).
    - ``fraction``: ``value`` x equity (0.1 = 10%).
    - ``fixed_cash``: ``value`` currency units.
    - ``fixed_units``: ``value`` shares.
    - ``risk``: risk ``value`` x equity over the stop distance (needs a stop).
    - ``target_weight``: the strategy's target weights, rebalanced by the engine (any strategy
      that returns ``target_weight`` is rebalanced; this mode insists on it).
    - ``kelly``, ``monte_carlo``: a fraction of equity per entry learnt from the account's own
      closed trades (options in ``kelly`` / ``monte_carlo``; see KellySizing, MonteCarloSizing).
    - ``risk_parity``: the held symbols weighted by risk parity (options in ``risk_parity``).

    A strategy may declare the sizing its runs use when this is left at its default
    (``Strategy.default_sizing``); docs/sizing.md has the formulas.
    """

    model_config = ConfigDict(extra="forbid")

    mode: SizingMode = "equal_slots"
    value: float | None = Field(default=None, gt=0, le=MAX_CAPITAL, allow_inf_nan=False)
    kelly: KellySizing | None = None
    monte_carlo: MonteCarloSizing | None = None
    risk_parity: RiskParitySizing | None = None
    fractional: bool = False
    max_participation: float | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="cap on the fraction of the bar's volume one fill may take",
    )

    @field_validator("value")
    @classmethod
    def _value_unused(cls, v: float | None, info: ValidationInfo) -> float | None:
        mode = info.data.get("mode")
        if v is not None and mode in OVERLAY_MODES:
            raise ValueError(
                f"sizing mode {mode!r} takes no value; its options go in sizing.{mode}"
            )
        return v

    @field_validator("kelly", "monte_carlo", "risk_parity")
    @classmethod
    def _options_of_the_mode(cls, v: Any, info: ValidationInfo) -> Any:
        mode = info.data.get("mode")
        if v is not None and mode is not None and mode != info.field_name:
            raise ValueError(
                f"options for sizing mode {info.field_name!r}, but the mode is {mode!r}"
            )
        return v

    def options(self) -> KellySizing | MonteCarloSizing | RiskParitySizing | None:
        """The overlay mode's options, its defaults where left out; None for other modes."""
        if self.mode == "kelly":
            return self.kelly or KellySizing()
        if self.mode == "monte_carlo":
            return self.monte_carlo or MonteCarloSizing()
        if self.mode == "risk_parity":
            return self.risk_parity or RiskParitySizing()
        return None

    @model_validator(mode="after")
    def _value_needed(self) -> Sizing:
        if self.mode in ("fraction", "fixed_cash", "fixed_units", "risk") and self.value is None:
            raise ValueError(f"sizing mode {self.mode!r} needs a value")
        if self.mode in ("fraction", "risk") and self.value is not None and self.value > 1:
            raise ValueError(
                f"sizing value for {self.mode!r} is a fraction of equity (0 < value <= 1)"
            )
        return self


class Costs(BaseModel):
    """Which cost model applies. ``market`` uses the market's dated fee table."""

    model_config = ConfigDict(extra="forbid")

    model: Literal["market", "none"] = "market"
    product: Literal["delivery", "intraday"] = "delivery"
    exchange: str | None = Field(
        default=None, description="e.g. NSE or BSE; default the market's first"
    )


class RiskRules(BaseModel):
    """Rules on the portfolio's own equity that any run can switch on.

    The drawdown circuit breaker: once equity, marked at a close, is ``max_drawdown`` (a fraction)
    or more below its peak, no entry is opened (the entries decided at that close are cancelled)
    and, with ``flatten``, every position closes at the next open (exit reason
    ``circuit_breaker``). It resumes at the close ``resume_after_bars`` bars after the tripping
    close, or at a close whose equity has risen ``resume_on_recovery`` (a fraction) above its
    lowest close since the trip, whichever comes first; neither given, it stays tripped. Entries
    are read again from the next close, and the peak restarts at the resuming close's equity.
    Exits, stops and targets keep working while it is tripped.
    """

    model_config = ConfigDict(extra="forbid")

    max_drawdown: float = Field(gt=0, lt=1, allow_inf_nan=False)
    flatten: bool = False
    resume_after_bars: int | None = Field(default=None, ge=1, le=MAX_HOLD_BARS)
    resume_on_recovery: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)

    @field_validator("resume_on_recovery")
    @classmethod
    def _recovery_needs_positions(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is not None and info.data.get("flatten"):
            raise ValueError(
                "cannot work with flatten: a flattened account holds only cash, so its equity "
                "never recovers; use resume_after_bars"
            )
        return v


class RunConfig(BaseModel):
    """A backtest, fully described. Validated against the strategy's schema and the market when run."""

    model_config = ConfigDict(extra="forbid")

    strategy_name: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    market: Literal["US", "IN", "24x7"] = "US"
    universe: str | None = None
    symbols: list[str] | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    initial_capital: float = Field(default=100_000.0, gt=0, le=MAX_CAPITAL, allow_inf_nan=False)
    sizing: Sizing = Field(default_factory=Sizing)
    max_positions: int | None = Field(default=None, ge=1, le=MAX_POSITIONS)
    portfolio: PortfolioMode = "shared"
    costs: Costs = Field(default_factory=Costs)
    slippage_bps: float = Field(default=0.0, ge=0, le=1000, allow_inf_nan=False)
    fill: FillTiming = "next_open"
    adjustment: Adjustment = "events"
    leverage: float = Field(default=1.0, ge=1.0, le=10.0, allow_inf_nan=False)
    maintenance_margin: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        allow_inf_nan=False,
        description="equity to keep at every close, as a fraction of gross exposure; below it "
        "every position closes at the next open (margin_call). Default 25%, or half the initial "
        "margin (0.5 / leverage) when that is lower; 0 leaves only ruin (equity <= 0)",
    )
    borrow_rate: float = Field(
        default=0.0, ge=0, le=1, allow_inf_nan=False, description="annual borrow fee on shorts"
    )
    max_hold_bars: int | None = Field(default=None, ge=1, le=MAX_HOLD_BARS)
    rebalance_threshold: float = Field(
        default=0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="smallest rebalancing trade of a target-weight strategy, as a fraction of equity",
    )
    benchmark: str | None = Field(
        default=None,
        max_length=64,
        description="a symbol of the market, or \"none\"; default the universe's or market's",
    )
    risk_free_rate: float = Field(default=0.0, ge=-0.05, le=0.5, allow_inf_nan=False)
    risk_rules: RiskRules | None = Field(
        default=None,
        description="the drawdown circuit breaker (see RiskRules); left out, the strategy's own "
        "rule where it declares one (risk_rules()), else none",
    )
    seed: int = 0

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        cleaned = [s.strip().upper() for s in v if s.strip()]
        if not cleaned:
            raise ValueError("symbols is empty")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("symbols contains duplicates")
        return cleaned

    @field_validator("start_date", "end_date")
    @classmethod
    def _in_range(cls, v: dt.date | None) -> dt.date | None:
        if v is not None and not (MIN_DATE <= v <= MAX_DATE):
            raise ValueError(f"{v} is outside the supported dates {MIN_DATE} .. {MAX_DATE}")
        return v

    @field_validator("end_date")
    @classmethod
    def _ordered(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start_date")
        if v is not None and start is not None and start > v:
            raise ValueError(f"start_date {start} is after end_date {v}")
        return v

    @field_validator("maintenance_margin")
    @classmethod
    def _below_initial_margin(cls, v: float | None, info: ValidationInfo) -> float | None:
        leverage = info.data.get("leverage")
        if v is not None and leverage is not None and v >= 1.0 / leverage:
            raise ValueError(
                f"{v} is at or above the initial margin 1 / leverage = {1.0 / leverage:.4g}: a "
                "position opened at full leverage would be called at its first close"
            )
        return v

    @field_validator("benchmark")
    @classmethod
    def _benchmark(cls, v: str | None) -> str | None:
        if v is None:
            return v
        name = v.strip()
        if not name:
            raise ValueError('give a symbol, "none" for no benchmark, or leave it out')
        return NO_BENCHMARK if name.lower() == NO_BENCHMARK else name.upper()

    @model_validator(mode="after")
    def _consistent(self) -> RunConfig:
        if self.universe is None and self.symbols is None:
            raise ValueError("give a universe or symbols")
        if self.universe is not None and self.symbols is not None:
            raise ValueError("give a universe or symbols, not both")
        return self
