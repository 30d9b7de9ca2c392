"""A scope in which indicator calls on the same input and window are computed once.

A parameter sweep asks for sma(close, 10) in many combinations; inside ``indicator_cache()`` the
second request is a dictionary hit. Inputs are held by the cache, so an ``id`` is never reused by
another array while the scope is open.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])
_scope: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("indicator_cache", default=None)


@contextmanager
def indicator_cache() -> Iterator[dict[tuple[Any, ...], Any]]:
    token = _scope.set({})
    try:
        yield _scope.get()  # type: ignore[misc]
    finally:
        _scope.reset(token)


def _key_part(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return ("array", id(v), v.shape)
    return v


def memoized(fn: F) -> F:
    """Memoise ``fn`` inside an open ``indicator_cache()`` scope; a plain call outside one."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cache = _scope.get()
        if cache is None:
            return fn(*args, **kwargs)
        key = (
            fn.__qualname__,
            *map(_key_part, args),
            *sorted((k, _key_part(v)) for k, v in kwargs.items()),
        )
        hit = cache.get(key)
        if hit is None:
            hit = (fn(*args, **kwargs), args)  # keep the inputs alive with the result
            cache[key] = hit
        return hit[0]

    return wrapper  # type: ignore[return-value]
