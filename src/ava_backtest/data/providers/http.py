"""The HTTP plumbing every vendor shares: rate limiting, retries, and body checks.

- :class:`TokenBucket` — one per vendor per process (:func:`bucket_for`), ``requests_per_minute``
  tokens refilled continuously; :meth:`TokenBucket.acquire` sleeps on the injected clock when the
  bucket is empty, so a test drives it with a fake clock and never sleeps.
- :class:`VendorHttp` — an ``httpx`` client bound to one vendor: each request first takes a
  token, then retries on 429 and 5xx (and on a connection cut mid-body) with exponential backoff
  (``backoff_base * 2**attempt``, capped at ``backoff_max``; also on connection failures and
  timeouts), honouring ``Retry-After`` when the
  vendor sends one. When the retries are spent it raises :class:`RateLimitedError` (429) or
  :class:`ProviderError` naming the vendor, the symbol and the range. A body that is not the JSON
  it claims to be (truncated, malformed) is a :class:`ProviderError` too, never an empty result.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .base import ProviderError, RateLimitedError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "ava-backtest/1 (+https://github.com/ava-backtest)"


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class FakeClock:
    """A clock for tests: ``sleep`` advances time instantly and records the pause."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)


class TokenBucket:
    """``requests_per_minute`` tokens, ``burst`` at most in hand (default: a second's worth, >= 1)."""

    def __init__(
        self, requests_per_minute: float, *, burst: float | None = None, clock: Clock | None = None
    ) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.rate = requests_per_minute / 60.0  # tokens per second
        self.capacity = float(burst) if burst is not None else max(1.0, self.rate)
        self.clock: Clock = clock or SystemClock()
        self.tokens = self.capacity
        self.updated = self.clock.monotonic()
        self.acquired = 0
        self.waited = 0.0  # seconds slept in total
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def acquire(self) -> float:
        """Take one token, sleeping until one is there; returns the seconds slept."""
        with self._lock:
            self._refill()
            pause = 0.0
            if self.tokens < 1.0:
                pause = (1.0 - self.tokens) / self.rate
                self.clock.sleep(pause)
                self.waited += pause
                self._refill()
            self.tokens = max(self.tokens - 1.0, 0.0)
            self.acquired += 1
            return pause


_BUCKETS: dict[str, TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def bucket_for(vendor: str, requests_per_minute: float, clock: Clock | None = None) -> TokenBucket:
    """The process-wide bucket of ``vendor`` (a vendor's limit is per key, not per object).

    A caller passing its own ``clock`` gets a private bucket (tests).
    """
    if clock is not None:
        return TokenBucket(requests_per_minute, clock=clock)
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(vendor)
        if bucket is None or abs(bucket.rate * 60.0 - requests_per_minute) > 1e-9:
            bucket = _BUCKETS[vendor] = TokenBucket(requests_per_minute)
        return bucket


def _env_number(name: str, default: float, *, integer: bool = False) -> Any:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a number") from exc
    if value < 0:
        raise ValueError(f"{name}={raw!r} must not be negative")
    return value


@dataclass(frozen=True)
class HttpOptions:
    """Retry and timing knobs; tests pass a tiny ``backoff_base`` and a :class:`FakeClock`.

    Defaults come from ``AVA_PROVIDER_RETRIES`` (4), ``AVA_PROVIDER_BACKOFF_BASE`` (1 s) and
    ``AVA_PROVIDER_BACKOFF_MAX`` (60 s) when set.
    """

    retries: int = field(
        default_factory=lambda: _env_number("AVA_PROVIDER_RETRIES", 4, integer=True)
    )
    # seconds; attempt n waits backoff_base * 2**n
    backoff_base: float = field(
        default_factory=lambda: _env_number("AVA_PROVIDER_BACKOFF_BASE", 1.0)
    )
    backoff_max: float = field(
        default_factory=lambda: _env_number("AVA_PROVIDER_BACKOFF_MAX", 60.0)
    )
    # a longer Retry-After is waited only this long (AVA_PROVIDER_RETRY_AFTER_MAX)
    retry_after_max: float = field(
        default_factory=lambda: _env_number("AVA_PROVIDER_RETRY_AFTER_MAX", 300.0)
    )
    timeout: float = 30.0
    clock: Clock | None = None
    requests_per_minute: float | None = None  # None: the vendor's documented figure


@dataclass(frozen=True)
class Context:
    """What a request is for, so an error can say so."""

    symbol: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def _attempts(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent/unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max((when - now).total_seconds(), 0.0)


_CLIENTS: dict[tuple[str, tuple[tuple[str, str], ...], float], httpx.Client] = {}
_CLIENTS_LOCK = threading.Lock()
_SSL: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client (loading the CA bundle costs ~100 ms each time)."""
    global _SSL
    if _SSL is None:
        import certifi

        _SSL = ssl.create_default_context(cafile=certifi.where())
    return _SSL


def shared_client(base_url: str, headers: Mapping[str, str], timeout: float) -> httpx.Client:
    """A pooled client per (base URL, headers, timeout), reused by every provider instance."""
    key = (base_url, tuple(sorted(headers.items())), timeout)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = httpx.Client(
                base_url=base_url,
                timeout=timeout,
                headers=dict(headers),
                verify=_ssl_context(),
                follow_redirects=True,
            )
        return client


class VendorHttp:
    """An ``httpx`` client for one vendor with its limiter and retry policy."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        requests_per_minute: float,
        options: HttpOptions | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.vendor = vendor
        self.options = options or HttpOptions()
        self.clock: Clock = self.options.clock or SystemClock()
        rpm = self.options.requests_per_minute or requests_per_minute
        self.bucket = bucket_for(vendor, rpm, self.options.clock)
        self.base_url = base_url.rstrip("/")
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if transport is not None:
            self.client = httpx.Client(
                base_url=self.base_url,
                timeout=self.options.timeout,
                headers=all_headers,
                transport=transport,
                follow_redirects=True,
            )
        else:
            self.client = shared_client(self.base_url, all_headers, self.options.timeout)
        self.requests = 0  # HTTP requests sent, retries included

    def close(self) -> None:
        """Nothing to do for a shared client (kept for the process, connections pooled)."""

    def _fail(self, ctx: Context, message: str, cls: type[ProviderError] = ProviderError) -> Any:
        raise cls(self.vendor, message, symbol=ctx.symbol, start=ctx.start, end=ctx.end)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        wait = min(self.options.backoff_base * (2**attempt), self.options.backoff_max)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.options.retry_after_max))
        return wait

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        ctx: Context | None = None,
        *,
        ok: frozenset[int] = frozenset({200}),
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """GET with limiter and retries; returns a response whose status is in ``ok``.

        Any other final status raises :class:`ProviderError` quoting the status and the start of
        the body (the caller maps vendor-specific statuses, e.g. 404, by listing them in ``ok``).
        """
        ctx = ctx or Context()
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        last = ""
        for attempt in range(self.options.retries + 1):
            self.bucket.acquire()
            self.requests += 1
            try:
                response = self.client.get(path, params=clean, headers=headers)
                response.read()
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # The connection ended before the body did (a truncated response).
                last = f"truncated response ({type(exc).__name__}: {exc})"
                if attempt < self.options.retries:
                    self.clock.sleep(self._backoff(attempt, None))
                    continue
                return self._fail(ctx, f"{last} after {_attempts(attempt + 1)}")
            except (httpx.TimeoutException, httpx.NetworkError) as exc:
                kind = (
                    "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
                )
                last = f"{kind} ({type(exc).__name__}: {exc})"
                if attempt < self.options.retries:
                    self.clock.sleep(self._backoff(attempt, None))
                    continue
                return self._fail(ctx, f"{last} after {_attempts(attempt + 1)}")
            except httpx.HTTPError as exc:
                return self._fail(ctx, f"request failed: {type(exc).__name__}: {exc}")
            status = response.status_code
            if status in ok:
                return response
            snippet = response.text[:200].strip().replace("\n", " ")
            last = f"HTTP {status}" + (f": {snippet}" if snippet else "")
            if status in RETRY_STATUSES and attempt < self.options.retries:
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                self.clock.sleep(self._backoff(attempt, retry_after))
                continue
            if status == 429:
                return self._fail(
                    ctx, f"rate limited: {last} after {_attempts(attempt + 1)}", RateLimitedError
                )
            if status in RETRY_STATUSES:
                return self._fail(ctx, f"{last} after {_attempts(attempt + 1)}")
            return self._fail(ctx, last)
        return self._fail(ctx, last)  # pragma: no cover - the loop always returns or raises

    def get_json(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        ctx: Context | None = None,
        *,
        ok: frozenset[int] = frozenset({200}),
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """:meth:`get`, then the body parsed as JSON (a malformed body is a ProviderError)."""
        ctx = ctx or Context()
        response = self.get(path, params, ctx, ok=ok, headers=headers)
        return response.status_code, parse_json(self.vendor, response.content, ctx)


def parse_json(vendor: str, body: bytes, ctx: Context) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        head = body[:80].decode("utf-8", "replace")
        stripped = body.rstrip()
        cut = isinstance(exc, json.JSONDecodeError) and (
            exc.pos >= len(stripped) or exc.msg.startswith("Unterminated")
        )
        kind = "truncated" if cut and stripped[:1] in (b"{", b"[") else "malformed"
        raise ProviderError(
            vendor,
            f"{kind} JSON body ({len(body)} bytes, {exc.msg} at {exc.pos}): {head!r}"
            if isinstance(exc, json.JSONDecodeError)
            else f"malformed body ({len(body)} bytes, not UTF-8)",
            symbol=ctx.symbol,
            start=ctx.start,
            end=ctx.end,
        ) from exc


def require_keys(vendor: str, row: Mapping[str, Any], keys: tuple[str, ...], ctx: Context) -> None:
    """A record missing fields the vendor documents is a malformed body, named as such."""
    missing = [k for k in keys if k not in row]
    if missing:
        raise ProviderError(
            vendor,
            f"malformed record: missing {', '.join(missing)} in {dict(row)!r}"[:300],
            symbol=ctx.symbol,
            start=ctx.start,
            end=ctx.end,
        )
