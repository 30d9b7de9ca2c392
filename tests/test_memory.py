"""The allocator tuning applies on Linux with glibc and can be switched off."""

from __future__ import annotations

from ava_backtest.memory import tune_allocator


def test_tuning_takes_effect_on_debian():  # Linux with glibc, as the project's machines are
    assert tune_allocator() is True


def test_tuning_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("AVA_MALLOC_TUNING", "0")
    assert tune_allocator() is False
