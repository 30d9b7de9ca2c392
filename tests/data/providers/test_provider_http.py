"""The shared HTTP layer: token bucket, Retry-After, back-off, truncated and malformed bodies."""

from __future__ import annotations

import datetime as dt

import pytest

from ava_backtest.data.providers.base import ProviderError, RateLimitedError
from ava_backtest.data.providers.http import (
    Context,
    FakeClock,
    HttpOptions,
    TokenBucket,
    VendorHttp,
    parse_json,
    retry_after_seconds,
)

CTX = Context("AAPL", dt.date(2024, 1, 2), dt.date(2024, 1, 31))
DAILY = "/api/v3/historical-price-full/AAPL"
PARAMS = {"from": "2024-01-02", "to": "2024-01-31", "apikey": "fake-fmp-key"}


def _http(fake, opts: HttpOptions, rpm: float = 600_000) -> VendorHttp:
    return VendorHttp("fmp", f"{fake.url}/fmp", requests_per_minute=rpm, options=opts)


def test_token_bucket_waits_only_when_empty() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, burst=3, clock=clock)  # one a second, three in hand
    waits = [bucket.acquire() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0) and waits[4] == pytest.approx(1.0)
    assert bucket.acquired == 5 and bucket.waited == pytest.approx(2.0)
    clock.now += 10  # idle: refills to the burst, not beyond
    assert [bucket.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(1.0)]


def test_rate_limiter_paces_a_vendor_at_its_requests_per_minute(fake, clock, opts) -> None:
    http = _http(fake, opts, rpm=120)  # 2 a second, burst 2
    for _ in range(6):
        http.get(DAILY, PARAMS, CTX)
    assert fake.count("fmp") == 6
    assert clock.sleeps == [pytest.approx(0.5)] * 4  # 6 requests: 2 from the burst, 4 paced
    assert http.bucket.acquired == 6


def test_retry_after_header_forms() -> None:
    now = dt.datetime(2024, 1, 2, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Tue, 02 Jan 2024 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None


def test_429_waits_retry_after_then_succeeds(fake, clock, opts) -> None:
    fake.fail("fmp", "AAPL", [429])
    response = _http(fake, opts).get(DAILY, PARAMS, CTX)
    assert response.status_code == 200
    assert [r.status for r in fake.requests] == [429, 200]
    assert clock.sleeps == [7.0]  # the fake's Retry-After, not the tiny back-off


def test_5xx_backs_off_exponentially_then_succeeds(fake, clock, opts) -> None:
    fake.fail("fmp", "AAPL", [500, 503, 502])
    _http(fake, opts).get(DAILY, PARAMS, CTX)
    assert [r.status for r in fake.requests] == [500, 503, 502, 200]
    assert clock.sleeps == [0.01, 0.02, 0.04]


def test_5xx_exhausted_names_vendor_symbol_and_range(fake, opts) -> None:
    fake.fail("fmp", "AAPL", [500] * 4)
    with pytest.raises(ProviderError) as err:
        _http(fake, opts).get(DAILY, PARAMS, CTX)
    assert str(err.value).startswith("fmp AAPL 2024-01-02..2024-01-31: HTTP 500")
    assert "after 4 attempts" in str(err.value)
    assert fake.count("fmp") == 4


def test_429_exhausted_is_rate_limited_error(fake, opts) -> None:
    fake.fail("fmp", "AAPL", [429] * 4)
    with pytest.raises(RateLimitedError, match=r"fmp AAPL 2024-01-02\.\.2024-01-31: rate limited"):
        _http(fake, opts).get(DAILY, PARAMS, CTX)


def test_connection_cut_mid_body_is_retried_then_reported(fake, opts) -> None:
    fake.fail("fmp", "AAPL", ["truncated"])
    assert _http(fake, opts).get(DAILY, PARAMS, CTX).status_code == 200
    fake.fail("fmp", "AAPL", ["truncated"] * 4)
    with pytest.raises(
        ProviderError, match=r"fmp AAPL 2024-01-02\.\.2024-01-31: truncated response"
    ):
        _http(fake, opts).get(DAILY, PARAMS, CTX)


def test_json_cut_half_way_and_html_bodies_are_errors_not_empty_data(fake, opts) -> None:
    http = _http(fake, opts)
    fake.fail("fmp", "AAPL", ["cut"])
    with pytest.raises(
        ProviderError, match=r"fmp AAPL 2024-01-02\.\.2024-01-31: truncated JSON body"
    ):
        http.get_json(DAILY, PARAMS, CTX)
    fake.fail("fmp", "AAPL", ["malformed"])
    with pytest.raises(ProviderError, match=r"malformed JSON body .*DOCTYPE html"):
        http.get_json(DAILY, PARAMS, CTX)


def test_parse_json_tells_truncated_from_malformed() -> None:
    with pytest.raises(ProviderError, match="truncated JSON"):
        parse_json("x", b'{"historical": [{"date": "2024-01-0', CTX)
    with pytest.raises(ProviderError, match="malformed JSON"):
        parse_json("x", b'{"a": 1,, }', CTX)


def test_options_defaults_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("AVA_PROVIDER_RETRIES", "2")
    monkeypatch.setenv("AVA_PROVIDER_BACKOFF_BASE", "0.5")
    options = HttpOptions()
    assert (options.retries, options.backoff_base) == (2, 0.5)
    monkeypatch.setenv("AVA_PROVIDER_RETRIES", "many")
    with pytest.raises(ValueError, match="AVA_PROVIDER_RETRIES='many' is not a number"):
        HttpOptions()
