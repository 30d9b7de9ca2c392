"""Every indicator TA-Lib also has agrees with TA-Lib after its warm-up, to 1e-9 relative (1e-9
absolute near zero), on real adjusted AAPL and MSFT bars and on a 2-D block whose columns start
on different rows. Where TA-Lib's initialisation differs from the common one we ask for
``convention="talib"``; the other convention is pinned by hand in the family tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from oracles import oracle

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

talib = oracle("talib")

LEAD = (0, 300, 1111)  # leading NaN rows of the block's columns


def _load(symbol: str) -> dict[str, np.ndarray]:
    df = read_sample("US", symbol)
    factor = (df["adj_close"] / df["close"]).to_numpy()
    bars = {k: df[k].to_numpy() * factor for k in ("open", "high", "low", "close")}
    bars["volume"] = df["volume"].to_numpy().astype(np.float64)
    return bars


AAPL = _load("AAPL")
MSFT = _load("MSFT")


def _block() -> dict[str, np.ndarray]:
    """Columns: AAPL from row 0, MSFT from row 300, AAPL's second half from row 1111."""
    out = {}
    for k in AAPL:
        cols = [AAPL[k], MSFT[k], AAPL[k]]
        block = np.column_stack(cols)
        for j, lead in enumerate(LEAD):
            block[:lead, j] = np.nan
        out[k] = block
    return out


BLOCK = _block()

Fn = Callable[[dict[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class Case:
    name: str
    ours: Fn
    theirs: Fn
    warmup: int  # our first valid bar, counted from a column's first value


def _c(name: str, ours: Fn, theirs: Fn, warmup: int) -> Case:
    return Case(name, ours, theirs, warmup)


CASES: list[Case] = []
for n in (2, 20, 200):
    CASES += [
        _c(
            f"sma{n}",
            lambda d, n=n: ind.sma(d["close"], n),
            lambda d, n=n: talib.SMA(d["close"], n),
            n - 1,
        ),
        _c(
            f"ema{n}",
            lambda d, n=n: ind.ema(d["close"], n),
            lambda d, n=n: talib.EMA(d["close"], n),
            n - 1,
        ),
        _c(
            f"wma{n}",
            lambda d, n=n: ind.wma(d["close"], n),
            lambda d, n=n: talib.WMA(d["close"], n),
            n - 1,
        ),
        _c(
            f"sum{n}",
            lambda d, n=n: ind.rolling_sum(d["close"], n),
            lambda d, n=n: talib.SUM(d["close"], n),
            n - 1,
        ),
        _c(
            f"max{n}",
            lambda d, n=n: ind.highest(d["high"], n),
            lambda d, n=n: talib.MAX(d["high"], n),
            n - 1,
        ),
        _c(
            f"min{n}",
            lambda d, n=n: ind.lowest(d["low"], n),
            lambda d, n=n: talib.MIN(d["low"], n),
            n - 1,
        ),
    ]
for n in (2, 5, 20, 200):
    CASES.append(
        _c(
            f"stddev{n}",
            lambda d, n=n: ind.stddev(d["close"], n),
            lambda d, n=n: talib.STDDEV(d["close"], n),
            n - 1,
        )
    )
for n in (14, 2, 50):
    CASES += [
        _c(
            f"atr{n}",
            lambda d, n=n: ind.atr(d["high"], d["low"], d["close"], n, "talib"),
            lambda d, n=n: talib.ATR(d["high"], d["low"], d["close"], n),
            n,
        ),
        _c(
            f"natr{n}",
            lambda d, n=n: ind.natr(d["high"], d["low"], d["close"], n, "talib"),
            lambda d, n=n: talib.NATR(d["high"], d["low"], d["close"], n),
            n,
        ),
        _c(
            f"rsi{n}",
            lambda d, n=n: ind.rsi(d["close"], n),
            lambda d, n=n: talib.RSI(d["close"], n),
            n,
        ),
        _c(
            f"cci{n}",
            lambda d, n=n: ind.cci(d["high"], d["low"], d["close"], n),
            lambda d, n=n: talib.CCI(d["high"], d["low"], d["close"], n),
            n - 1,
        ),
        _c(
            f"willr{n}",
            lambda d, n=n: ind.williams_r(d["high"], d["low"], d["close"], n),
            lambda d, n=n: talib.WILLR(d["high"], d["low"], d["close"], n),
            n - 1,
        ),
        _c(
            f"mfi{n}",
            lambda d, n=n: ind.mfi(d["high"], d["low"], d["close"], d["volume"], n),
            lambda d, n=n: talib.MFI(d["high"], d["low"], d["close"], d["volume"], n),
            n,
        ),
        _c(
            f"roc{n}",
            lambda d, n=n: ind.roc(d["close"], n),
            lambda d, n=n: talib.ROC(d["close"], n),
            n,
        ),
        _c(
            f"mom{n}",
            lambda d, n=n: ind.momentum(d["close"], n),
            lambda d, n=n: talib.MOM(d["close"], n),
            n,
        ),
        _c(
            f"aroon_up{n}",
            lambda d, n=n: ind.aroon(d["high"], d["low"], n).up,
            lambda d, n=n: talib.AROON(d["high"], d["low"], n)[1],
            n,
        ),
        _c(
            f"aroon_down{n}",
            lambda d, n=n: ind.aroon(d["high"], d["low"], n).down,
            lambda d, n=n: talib.AROON(d["high"], d["low"], n)[0],
            n,
        ),
        _c(
            f"aroonosc{n}",
            lambda d, n=n: ind.aroon(d["high"], d["low"], n).oscillator,
            lambda d, n=n: talib.AROONOSC(d["high"], d["low"], n),
            n,
        ),
        _c(
            f"plus_di{n}",
            lambda d, n=n: ind.adx(d["high"], d["low"], d["close"], n, convention="talib").plus_di,
            lambda d, n=n: talib.PLUS_DI(d["high"], d["low"], d["close"], n),
            n,
        ),
        _c(
            f"minus_di{n}",
            lambda d, n=n: ind.adx(d["high"], d["low"], d["close"], n, convention="talib").minus_di,
            lambda d, n=n: talib.MINUS_DI(d["high"], d["low"], d["close"], n),
            n,
        ),
        _c(
            f"dx{n}",
            lambda d, n=n: ind.adx(d["high"], d["low"], d["close"], n, convention="talib").dx,
            lambda d, n=n: talib.DX(d["high"], d["low"], d["close"], n),
            n,
        ),
        _c(
            f"adx{n}",
            lambda d, n=n: ind.adx(d["high"], d["low"], d["close"], n, convention="talib").adx,
            lambda d, n=n: talib.ADX(d["high"], d["low"], d["close"], n),
            2 * n - 1,
        ),
        _c(
            f"linreg{n}",
            lambda d, n=n: ind.linreg_value(d["close"], n),
            lambda d, n=n: talib.LINEARREG(d["close"], n),
            n - 1,
        ),
        _c(
            f"linreg_slope{n}",
            lambda d, n=n: ind.linreg_slope(d["close"], n),
            lambda d, n=n: talib.LINEARREG_SLOPE(d["close"], n),
            n - 1,
        ),
        _c(
            f"linreg_intercept{n}",
            lambda d, n=n: ind.linreg(d["close"], n).intercept,
            lambda d, n=n: talib.LINEARREG_INTERCEPT(d["close"], n),
            n - 1,
        ),
    ]
for n in (10, 30):
    CASES += [
        _c(
            f"dema{n}",
            lambda d, n=n: ind.dema(d["close"], n),
            lambda d, n=n: talib.DEMA(d["close"], n),
            2 * (n - 1),
        ),
        _c(
            f"tema{n}",
            lambda d, n=n: ind.tema(d["close"], n),
            lambda d, n=n: talib.TEMA(d["close"], n),
            3 * (n - 1),
        ),
    ]
for fast, slow, sig in ((12, 26, 9), (5, 35, 5), (3, 10, 16)):
    for field, idx, warm in (
        ("macd", 0, slow - 1),
        ("signal", 1, slow + sig - 2),
        ("hist", 2, slow + sig - 2),
    ):
        CASES.append(
            _c(
                f"macd_{field}_{fast}_{slow}_{sig}",
                lambda d, f=fast, s=slow, g=sig, fld=field: getattr(
                    ind.macd(d["close"], f, s, g, "talib"), fld
                ),
                lambda d, f=fast, s=slow, g=sig, i=idx: talib.MACD(d["close"], f, s, g)[i],
                warm,
            )
        )
for n, mult in ((20, 2.0), (10, 1.5), (5, 3.0)):
    for field, idx in (("upper", 0), ("middle", 1), ("lower", 2)):
        CASES.append(
            _c(
                f"bbands_{field}_{n}_{mult}",
                lambda d, n=n, m=mult, fld=field: getattr(ind.bollinger(d["close"], n, m), fld),
                lambda d, n=n, m=mult, i=idx: talib.BBANDS(d["close"], n, m, m)[i],
                n - 1,
            )
        )
for k, smooth, dp in ((5, 3, 3), (14, 3, 3), (9, 5, 4)):
    CASES += [
        _c(
            f"stoch_k_{k}_{smooth}_{dp}",
            lambda d, k=k, s=smooth, p=dp: (
                ind.stochastic(d["high"], d["low"], d["close"], k, s, p).k
            ),
            lambda d, k=k, s=smooth, p=dp: talib.STOCH(
                d["high"], d["low"], d["close"], k, s, 0, p, 0
            )[0],
            k + smooth - 2,
        ),
        _c(
            f"stoch_d_{k}_{smooth}_{dp}",
            lambda d, k=k, s=smooth, p=dp: (
                ind.stochastic(d["high"], d["low"], d["close"], k, s, p).d
            ),
            lambda d, k=k, s=smooth, p=dp: talib.STOCH(
                d["high"], d["low"], d["close"], k, s, 0, p, 0
            )[1],
            k + smooth + dp - 3,
        ),
        _c(
            f"stochf_k_{k}_{dp}",
            lambda d, k=k, p=dp: ind.stochastic(d["high"], d["low"], d["close"], k, 1, p).k,
            lambda d, k=k, p=dp: talib.STOCHF(d["high"], d["low"], d["close"], k, p, 0)[0],
            k - 1,
        ),
        _c(
            f"stochf_d_{k}_{dp}",
            lambda d, k=k, p=dp: ind.stochastic(d["high"], d["low"], d["close"], k, 1, p).d,
            lambda d, k=k, p=dp: talib.STOCHF(d["high"], d["low"], d["close"], k, p, 0)[1],
            k + dp - 2,
        ),
    ]
for acc, mx in ((0.02, 0.2), (0.01, 0.1), (0.05, 0.5)):
    CASES.append(
        _c(
            f"sar_{acc}_{mx}",
            lambda d, a=acc, m=mx: ind.parabolic_sar(d["high"], d["low"], a, m),
            lambda d, a=acc, m=mx: talib.SAR(d["high"], d["low"], a, m),
            1,
        )
    )
CASES += [
    _c(
        "plus_dm1",
        lambda d: ind.directional_movement(d["high"], d["low"]).plus,
        lambda d: talib.PLUS_DM(d["high"], d["low"], 1),
        1,
    ),
    _c(
        "minus_dm1",
        lambda d: ind.directional_movement(d["high"], d["low"]).minus,
        lambda d: talib.MINUS_DM(d["high"], d["low"], 1),
        1,
    ),
    _c(
        "trange",
        lambda d: ind.true_range(d["high"], d["low"], d["close"]),
        lambda d: talib.TRANGE(d["high"], d["low"], d["close"]),
        1,
    ),
    _c(
        "obv",
        lambda d: ind.obv(d["close"], d["volume"], "talib"),
        lambda d: talib.OBV(d["close"], d["volume"]),
        0,
    ),
    _c(
        "typprice",
        lambda d: ind.typical_price(d["high"], d["low"], d["close"]),
        lambda d: talib.TYPPRICE(d["high"], d["low"], d["close"]),
        0,
    ),
    _c(
        "medprice",
        lambda d: ind.median_price(d["high"], d["low"]),
        lambda d: talib.MEDPRICE(d["high"], d["low"]),
        0,
    ),
    _c(
        "donchian_upper",
        lambda d: ind.donchian(d["high"], d["low"], 20).upper,
        lambda d: talib.MAX(d["high"], 20),
        19,
    ),
    _c(
        "donchian_lower",
        lambda d: ind.donchian(d["high"], d["low"], 20).lower,
        lambda d: talib.MIN(d["low"], 20),
        19,
    ),
]


def _talib_on_block(case: Case) -> np.ndarray:
    """TA-Lib is 1-D: run it on each column's valid rows and put the result back in place."""
    out = np.full(BLOCK["close"].shape, np.nan)
    for j, lead in enumerate(LEAD):
        out[lead:, j] = case.theirs({k: v[lead:, j].copy() for k, v in BLOCK.items()})
    return out


def _assert_agrees(ours: np.ndarray, theirs: np.ndarray, name: str) -> None:
    known = ~np.isnan(theirs)
    assert known.any(), name
    assert not np.isnan(ours[known]).any(), f"{name}: NaN where TA-Lib has a value"
    err = np.abs(ours[known] - theirs[known])
    tol = 1e-9 * np.maximum(np.abs(theirs[known]), 1.0)
    worst = int(np.argmax(err - tol))
    assert (err <= tol).all(), (
        f"{name}: off by {err[worst]:.3g} at {worst} (talib {theirs[known][worst]})"
    )


def _assert_warmup(ours: np.ndarray, lead: int, warmup: int, name: str) -> None:
    assert np.isnan(ours[: lead + warmup]).all(), f"{name}: value before bar {warmup}"
    assert not np.isnan(ours[lead + warmup :]).any(), f"{name}: NaN after bar {warmup}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("bars", [AAPL, MSFT], ids=["AAPL", "MSFT"])
def test_agrees_with_talib_1d(case: Case, bars: dict[str, np.ndarray]) -> None:
    ours = case.ours(bars)
    theirs = case.theirs(bars)
    assert ours.shape == theirs.shape
    _assert_agrees(ours, theirs, case.name)
    _assert_warmup(ours, 0, case.warmup, case.name)
    # TA-Lib never reports a value we do not: its warm-up is at least ours.
    assert np.isnan(theirs[: case.warmup]).all()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_agrees_with_talib_on_block_with_late_columns(case: Case) -> None:
    ours = case.ours(BLOCK)
    assert ours.shape == BLOCK["close"].shape
    _assert_agrees(ours, _talib_on_block(case), case.name)
    for j, lead in enumerate(LEAD):
        _assert_warmup(ours[:, j], lead, case.warmup, f"{case.name}[:, {j}]")


def test_mfi_ignores_adjustment_noise_like_talib() -> None:
    """Adjusted AAPL has unchanged prices that differ by ~1e-14 after the split factor; they carry
    no money flow. An exact sign test would count them as whole-bar flows."""
    tp = ind.typical_price(AAPL["high"], AAPL["low"], AAPL["close"])
    change = np.diff(tp)
    noise = (change != 0) & (np.abs(change) <= 1e-14 * (np.abs(tp[1:]) + np.abs(tp[:-1])))
    assert noise.any()  # the data really has such bars
    _assert_agrees(
        ind.mfi(AAPL["high"], AAPL["low"], AAPL["close"], AAPL["volume"], 14),
        talib.MFI(AAPL["high"], AAPL["low"], AAPL["close"], AAPL["volume"], 14),
        "mfi",
    )
