"""A scope in which indicator calls on the same input and window are computed once.

A parameter sweep asks for sma(close, 10) in many combinations; inside ``indicator_cache()`` the
second request is a dictionary hit. Every public indicator is ``@memoized``. Inputs are held by the
cache, so an ``id`` is never reused by another array while the scope is open; callers get copies,
so a strategy that edits an indicator's output in place cannot change what the next one sees.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class IndicatorCache:
    """The results of one scope, and how often they were computed (misses) or reused (hits)."""

    entries: dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def computed(self, name: str) -> int:
        """How many distinct calls of the indicator ``name`` were computed in this scope."""
        return sum(1 for key in self.entries if key[0] == name)


_scope: ContextVar[IndicatorCache | None] = ContextVar("indicator_cache", default=None)


@contextmanager
def indicator_cache() -> Iterator[IndicatorCache]:
    """Open a scope (or join the one already open, so an outer caller sees the inner work)."""
    current = _scope.get()
    if current is not None:
        yield current
        return
    token = _scope.set(IndicatorCache())
    try:
        yield _scope.get()  # type: ignore[misc]
    finally:
        _scope.reset(token)


def _key_part(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return ("array", id(v), v.shape, v.dtype.str)
    hash(v)  # an unhashable argument raises TypeError: the call is then not cached
    return v


def _copy(result: Any) -> Any:
    if isinstance(result, np.ndarray):
        return result.copy()
    if isinstance(result, tuple):
        parts = [_copy(r) for r in result]
        return type(result)(*parts) if hasattr(result, "_fields") else tuple(parts)
    return result


def memoized(fn: F, *, counted: bool = True) -> F:
    """Memoise ``fn`` inside an open ``indicator_cache()`` scope; a plain call outside one.
    ``counted=False``: kept out of the scope's hit and miss counts (a helper, not an indicator)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cache = _scope.get()
        if cache is None:
            return fn(*args, **kwargs)
        try:
            key = (
                fn.__name__,
                *map(_key_part, args),
                *sorted((k, _key_part(v)) for k, v in kwargs.items()),
            )
        except TypeError:
            return fn(*args, **kwargs)
        hit = cache.entries.get(key)
        if hit is None:
            cache.misses += counted
            hit = (fn(*args, **kwargs), args)  # keep the inputs alive with the result
            cache.entries[key] = hit
        else:
            cache.hits += counted
        return _copy(hit[0])

    return wrapper  # type: ignore[return-value]
