"""The strategy registry: ``@register`` adds a class under its ``name``; built-ins load on first use."""

from __future__ import annotations

import importlib
import pkgutil

from ava_backtest.domain.errors import NotFoundError
from ava_backtest.strategies.base import Strategy

_REGISTRY: dict[str, type[Strategy]] = {}
_builtins_loaded = False


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator. A later registration under the same name replaces the earlier one (reload)."""
    if not getattr(cls, "name", None):
        raise TypeError(f"{cls.__qualname__} must define a `name` to be registered")
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    from ava_backtest.strategies import builtin

    for mod in pkgutil.walk_packages(builtin.__path__, builtin.__name__ + "."):
        importlib.import_module(mod.name)


def get_strategy(name: str) -> type[Strategy]:
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFoundError("strategy", name, _REGISTRY, field="strategy_name") from None


def all_strategies() -> dict[str, type[Strategy]]:
    _load_builtins()
    return dict(sorted(_REGISTRY.items()))
