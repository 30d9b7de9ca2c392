/** The strategy's own display series on the price chart. The series come from the API
 * (GET /backtests/{id}/indicators), computed on the prices the strategy traded on (adjusted);
 * nothing is recomputed here. For the as-traded view a price overlay is divided by the day's
 * adjustment factor, which moves it with the candles and never changes where it crosses. */

import type { IndicatorsResponse, IndicatorSeries, Trade } from "../api/types";

export type PriceView = "adjusted" | "as_traded";

/** date (YYYY-MM-DD or full stamp) -> adjusted / as-traded factor. */
export function factorByDate(ind: IndicatorsResponse | null | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!ind) return out;
  ind.dates.forEach((d, i) => {
    const f = ind.factor[i];
    if (f !== null && Number.isFinite(f) && f > 0) out.set(d, f);
  });
  return out;
}

/** An overlay's values on the chosen price view (panes are not prices: unchanged). */
export function seriesInView(s: IndicatorSeries, ind: IndicatorsResponse, view: PriceView): (number | null)[] {
  if (s.kind !== "overlay" || view === ind.prices) return s.values;
  return s.values.map((v, i) => {
    const f = ind.factor[i];
    if (v === null || f === null || !(f > 0)) return v;
    return ind.prices === "adjusted" ? v / f : v * f;
  });
}

/** Where a fill sits on the chosen view: the as-traded fill price, or that price times the day's
 * adjustment factor on the adjusted view (the same scale the strategy's signals used). */
export function fillPriceInView(price: number, time: string, factors: Map<string, number>, view: PriceView): number {
  if (view === "as_traded") return price;
  const f = factors.get(time.slice(0, 10)) ?? factors.get(time);
  return f === undefined ? price : price * f;
}

/** Trades of one symbol. */
export function tradesOf(trades: Trade[] | undefined, symbol: string): Trade[] {
  return (trades ?? []).filter((t) => t.symbol === symbol);
}
