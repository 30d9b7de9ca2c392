"""Trend-following strategies."""
