"""Momentum strategies: breakouts, strong closes and return-ranked rotation."""
