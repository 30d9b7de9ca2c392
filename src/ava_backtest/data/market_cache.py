"""Hot synced series shared across API processes and workers through Redis (``AVA_REDIS_URL``).

A synced series read from the store (bars and actions of one market/timeframe/symbol) is put in
Redis as Arrow IPC bytes under a key that carries the store's generation token, so a process that
misses its own memory cache gets the frame from Redis instead of Parquet. Every sync that wrote
something calls :func:`invalidate`, which deletes every key of the namespace: no process reads a
frame cached before the sync. Without ``AVA_REDIS_URL`` every call is a no-op (``enabled()`` is
False) and readers go to the store.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import polars as pl

NAMESPACE = "ava:market-data:"
TTL_SECONDS = 24 * 3600

_clients: dict[str, Any] = {}


def redis_url() -> str | None:
    """``AVA_REDIS_URL``, or the original platform's ``REDIS_URL`` (the settings' names)."""
    from ava_backtest.settings import env_value

    return env_value("redis_url")


def enabled() -> bool:
    return redis_url() is not None


def _client() -> Any:
    url = redis_url()
    if url is None:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5.0)
        _clients[url] = client
    return client


def _prefix() -> str:
    """Namespaced by AVA_HOME: two stores sharing one Redis never see each other's frames."""
    from ava_backtest.data.market_store import store_root

    return NAMESPACE + hashlib.sha1(str(store_root()).encode()).hexdigest()[:12] + ":"


def key(*parts: str) -> str:
    from ava_backtest.data.market_store import generation

    gen = hashlib.sha1(generation().encode()).hexdigest()[:12]
    return _prefix() + gen + ":" + ":".join(parts)


def get_frame(*parts: str) -> pl.DataFrame | None:
    client = _client()
    if client is None:
        return None
    raw = client.get(key(*parts))
    return None if raw is None else pl.read_ipc(io.BytesIO(raw))


def put_frame(frame: pl.DataFrame, *parts: str) -> None:
    client = _client()
    if client is None:
        return
    buf = io.BytesIO()
    frame.write_ipc(buf)
    client.set(key(*parts), buf.getvalue(), ex=TTL_SECONDS)


def invalidate() -> int:
    """Delete every cached frame of this store; returns how many keys went."""
    client = _client()
    if client is None:
        return 0
    gone = 0
    batch: list[bytes] = []
    for k in client.scan_iter(match=_prefix() + "*", count=500):
        batch.append(k)
        if len(batch) >= 500:
            gone += client.delete(*batch)
            batch.clear()
    if batch:
        gone += client.delete(*batch)
    return gone
