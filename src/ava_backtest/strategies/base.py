"""The vectorised strategy base class: declared metadata, typed parameters, a warm-up, and a pure
function from bars to signals."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.params import Param, schema_json, validate_params

Direction = Literal["long_only", "long_short", "short_only"]
Timing = Literal["close", "open"]
ExitAt = Literal["next_open", "close"]


class Strategy:
    """Subclass, declare the class attributes and ``parameters``, implement ``signals``.

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
    """Data beyond OHLCV, supplied in ``bars.extra`` under the same names: ``benchmark``, ``vix``."""
    style: ClassVar[str] = "vectorised"
    cross_sectional: ClassVar[bool] = False
    """True when a symbol's signal depends on the other symbols (ranking, rotation): ``signals``
    then always sees the whole universe at once."""
    timing: ClassVar[Timing] = "close"
    """``close``: signals are decided at bar t's close and fill at the next open. ``open``: decided
    at bar t's open from ``open[t]`` and earlier bars only, and filled at ``open[t]``."""
    exit_at: ClassVar[ExitAt] = "next_open"
    """``close``: exit signals fill at the close of the bar that raises them."""
    parameters: ClassVar[dict[str, Param]] = {}

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = validate_params(self.parameters, params, self.name)
        self.check_params()

    def check_params(self) -> None:
        """Cross-parameter rules (e.g. fast < slow); raise ParameterError naming the field."""

    def __getattr__(self, item: str) -> Any:
        params = self.__dict__.get("params")
        if params is not None and item in params:
            return params[item]
        raise AttributeError(item)

    def warmup(self) -> int:
        """Bars of history the indicators need before the first signal can exist."""
        return 0

    def signals(self, bars: Bars) -> Signals:
        raise NotImplementedError

    @classmethod
    def schema(cls) -> dict[str, Any]:
        return schema_json(cls.parameters)

    @classmethod
    def describe(cls) -> dict[str, Any]:
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
        }
