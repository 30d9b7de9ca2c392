"""Candle transforms, pivots and fractals against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

SYMBOL = "AAPL"  # the package's shipped copy of the real sample


@pytest.fixture(scope="module")
def bars() -> dict[str, np.ndarray]:
    df = read_sample("US", SYMBOL)
    f = (df["adj_close"] / df["close"]).to_numpy()
    return {k: df[k].to_numpy() * f for k in ("open", "high", "low", "close")}


def test_heikin_ashi_is_pines(bars: dict[str, np.ndarray]) -> None:
    o, h, lo, c = bars["open"], bars["high"], bars["low"], bars["close"]
    ha_c = (o + h + lo + c) / 4
    ha_o = np.empty(len(c))
    ha_o[0] = (o[0] + c[0]) / 2
    for t in range(1, len(c)):
        ha_o[t] = (ha_o[t - 1] + ha_c[t - 1]) / 2
    ha = ind.heikin_ashi(o, h, lo, c)
    np.testing.assert_array_equal(ha.close, ha_c)
    np.testing.assert_allclose(ha.open, ha_o, rtol=1e-14)
    np.testing.assert_allclose(ha.high, np.maximum(h, np.maximum(ha_o, ha_c)), rtol=1e-14)
    np.testing.assert_allclose(ha.low, np.minimum(lo, np.minimum(ha_o, ha_c)), rtol=1e-14)


def test_fractal_is_reported_on_its_confirming_bar_only() -> None:
    high = np.array([1.0, 2.0, 5.0, 3.0, 2.0, 4.0, 4.0, 1.0, 0.0])
    low = np.array([0.5, 1.0, 4.0, 2.0, 1.0, 3.0, 3.5, 0.2, -1.0])
    f = ind.fractals(high, low, 2)
    # the high of bar 2 (5) beats bars 0, 1, 3, 4: known only once bar 4 has printed
    expected_high = np.full(9, np.nan)
    expected_high[4] = 5.0
    # bars 5 and 6 tie at 4: neither is strictly above the other, so no fractal
    np.testing.assert_array_equal(f.high, expected_high)
    # the low of bar 4 (1) is below bars 2, 3, 5, 6: reported on bar 6
    expected_low = np.full(9, np.nan)
    expected_low[6] = 1.0
    np.testing.assert_array_equal(f.low, expected_low)
    np.testing.assert_array_equal(ind.pivot_high(high, 2, 2), f.high)
    # asymmetric: one bar on the left, three on the right -> bar 2 confirmed on bar 5
    ph = ind.pivot_high(high, 1, 3)
    assert np.flatnonzero(~np.isnan(ph)).tolist() == [5] and ph[5] == 5.0


def test_pivots_never_appear_before_confirmation(bars: dict[str, np.ndarray]) -> None:
    h = bars["high"]
    for left, right in ((2, 2), (5, 1), (1, 5)):
        ph = ind.pivot_high(h, left, right)
        for t in np.flatnonzero(~np.isnan(ph)):
            centre = t - right
            assert ph[t] == h[centre]
            assert (h[centre] > h[centre - left : centre]).all()
            assert (h[centre] > h[centre + 1 : t + 1]).all()


def test_pivot_points_use_the_previous_bar() -> None:
    h = np.array([12.0, 20.0])
    lo = np.array([8.0, 10.0])
    c = np.array([10.0, 15.0])
    p = ind.pivot_points(h, lo, c)
    # from bar 0: P = 10, R1 = 12, S1 = 8, R2 = 14, S2 = 6, R3 = 16, S3 = 4
    assert np.isnan(p.pivot[0])
    got = [p.pivot[1], p.r1[1], p.s1[1], p.r2[1], p.s2[1], p.r3[1], p.s3[1]]
    assert got == [10.0, 12.0, 8.0, 14.0, 6.0, 16.0, 4.0]


def test_price_transforms() -> None:
    h, lo, c = np.array([3.0]), np.array([1.0]), np.array([2.6])
    assert ind.typical_price(h, lo, c)[0] == (3.0 + 1.0 + 2.6) / 3
    assert ind.median_price(h, lo)[0] == 2.0
