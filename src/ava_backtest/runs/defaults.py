"""The defaults a run gets from its market and universe when the user leaves them out.

One place for the API (``POST /backtests``) and the CLI (``ava backtest``), so both answer the
same question the same way: capital is the market's ``default_capital`` (US $100,000, IN
₹10,00,000), and a universe of more than 10 symbols sized in equal slots holds 10 positions
instead of one slot per symbol (50 slots of ₹1,00,000 bought 1-7 shares where fees ate ~0.9%).
"""

from __future__ import annotations

from ava_backtest.data.universes import Universe
from ava_backtest.domain.config import RunConfig, Sizing
from ava_backtest.markets.registry import MARKETS, default_max_positions
from ava_backtest.strategies.registry import get_strategy


def default_capital(market: str) -> float | None:
    """The market's default capital; None for a market the registry does not know (the run's
    validation names it)."""
    known = MARKETS.get(market.strip().upper()) or MARKETS.get(market)
    return known.default_capital if known else None


def uses_equal_slots(config: RunConfig) -> bool:
    """Whether entries are sized as equal slots (the run's sizing, or the strategy's own default
    when the run leaves it at the default): only then is max_positions the slot count."""
    if config.sizing.mode != "equal_slots":
        return False
    if config.sizing != Sizing():
        return True
    try:
        own = get_strategy(config.strategy_name)().default_sizing()
    except Exception:  # an unknown strategy is refused by the run's validation, naming it
        return False
    return own is None or own.get("mode", "equal_slots") == "equal_slots"


def with_default_positions(config: RunConfig, universe: Universe | None) -> RunConfig:
    """``config`` with its universe's default ``max_positions`` when it names none (a run over
    listed symbols keeps one slot per symbol)."""
    if config.max_positions is not None or config.universe is None or universe is None:
        return config
    default = default_max_positions(len(universe.symbols))
    if default is None or not uses_equal_slots(config):
        return config
    return config.model_copy(update={"max_positions": default})
