"""The strategy registry: ``@register`` adds a class under its ``name``. Built-ins load on first
use; user plugins (``AVA_STRATEGY_DIRS``) load then too, and again on ``reload_plugins()``."""

from __future__ import annotations

import importlib
import pkgutil
import threading
from typing import Any

from ava_backtest.domain.errors import NotFoundError
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.plugins import PluginReport, import_plugins

_REGISTRY: dict[str, type[Strategy]] = {}
_BUILTIN: dict[str, type[Strategy]] = {}
_loaded = False
_loading = False
_load_lock = threading.RLock()
_last_report = PluginReport()


def register(cls: Any) -> Any:
    """Class decorator. A later registration under the same name replaces the earlier one."""
    wrap = getattr(cls, "__ava_strategy__", None)
    strategy = wrap() if callable(wrap) else cls
    if not getattr(strategy, "name", None):
        raise TypeError(f"{cls.__qualname__} must define a `name` to be registered")
    _REGISTRY[strategy.name] = strategy
    return cls


def _load() -> None:
    """Import the built-ins and plugins once. Another thread asking meanwhile (the API serves
    requests in a thread pool) waits for the whole registry instead of seeing a partial one and
    answering "unknown strategy"; a lookup from inside those imports (same thread) goes on."""
    global _loaded, _loading, _last_report
    if _loaded:
        return
    with _load_lock:
        if _loaded or _loading:
            return
        _loading = True
        try:
            from ava_backtest.strategies import builtin

            for mod in pkgutil.walk_packages(builtin.__path__, builtin.__name__ + "."):
                importlib.import_module(mod.name)
            _BUILTIN.update(_REGISTRY)
            _last_report = _import_user_plugins()
        finally:
            _loaded = True
            _loading = False


def _import_user_plugins() -> PluginReport:
    from ava_backtest.settings import get_settings

    before = set(_REGISTRY)
    report = import_plugins(get_settings().strategy_paths())
    report.strategies = sorted(set(_REGISTRY) - before)
    return report


def reload_plugins() -> PluginReport:
    """Forget user strategies and import the plugin directories again (no restart needed)."""
    global _last_report
    _load()
    _REGISTRY.clear()
    _REGISTRY.update(_BUILTIN)  # a plugin may have shadowed a built-in; restore it first
    _last_report = _import_user_plugins()
    return _last_report


def plugin_report() -> PluginReport:
    _load()
    return _last_report


def get_strategy(name: str) -> type[Strategy]:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFoundError("strategy", name, _REGISTRY, field="strategy_name") from None


def all_strategies() -> dict[str, type[Strategy]]:
    _load()
    return dict(sorted(_REGISTRY.items()))
