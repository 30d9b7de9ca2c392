"""The vectorised strategy base class: declared metadata, typed parameters, a warm-up, and a pure
function from bars to signals."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.params import Param, schema_json, validate_params

Direction = Literal["long_only", "long_short", "short_only"]


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
    style: ClassVar[str] = "vectorised"
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
            "parameters": cls.schema(),
        }
