"""Volatility strategies."""
