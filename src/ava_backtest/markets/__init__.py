"""Markets: calendars, sessions, currency, lot/tick sizes and cost models (US, IN, 24x7)."""

from ava_backtest.markets.registry import MARKETS, Market, get_market

__all__ = ["MARKETS", "Market", "get_market"]

from ava_backtest.markets.costs import CostModel, cost_model, fill_fees, zero_cost_model

__all__ += ["CostModel", "cost_model", "fill_fees", "zero_cost_model"]
