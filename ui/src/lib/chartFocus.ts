/** Pure helpers of the run page's price chart: the range a clicked trade zooms to, and the
 * crosshair readout (the bar's prices and the strategy's series values at that bar). */

import type { ISeriesApi, MouseEventParams, SeriesType, Time, UTCTimestamp } from "lightweight-charts";
import { toChartTime } from "./time";

/** Chart time (UTC seconds) -> "YYYY-MM-DD" (or the full UTC stamp for intraday times). */
export function toDay(t: UTCTimestamp): string {
  const iso = new Date(t * 1000).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19);
}

/** Index of the first bar at or after ``t`` in sorted ``times`` (times.length when none). */
export function barIndex(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The logical (bar-index) range that shows a trade's life with room either side: as many bars
 * again as the trade lasted, at least 10 bars each side. Null when the bars do not reach it. */
export function focusRange(times: readonly number[], entry: string, exit: string): { from: number; to: number } | null {
  if (!times.length) return null;
  const i0 = Math.min(barIndex(times, toChartTime(entry)), times.length - 1);
  const i1 = Math.max(i0, Math.min(barIndex(times, toChartTime(exit)), times.length - 1));
  const pad = Math.max(10, i1 - i0);
  return { from: i0 - pad, to: i1 + pad };
}

export interface Readout {
  date: string;
  ohlc: { open: number; high: number; low: number; close: number } | null;
  volume: number | null;
  values: { name: string; label: string; value: number | null }[];
}

type Named = { name: string; label: string; series: ISeriesApi<SeriesType> };

function valueOf(d: unknown): number | null {
  const v = (d as { value?: number } | undefined)?.value;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** What the crosshair points at: the candle, the volume and each named series at that time. */
export function readoutAt(p: MouseEventParams<Time>, candles: ISeriesApi<SeriesType>, volume: ISeriesApi<SeriesType> | null, named: Named[]): Readout {
  const bar = p.seriesData.get(candles) as { open?: number; high?: number; low?: number; close?: number } | undefined;
  return {
    date: toDay(p.time as UTCTimestamp),
    ohlc: bar && bar.open !== undefined ? { open: bar.open, high: bar.high!, low: bar.low!, close: bar.close! } : null,
    volume: volume ? valueOf(p.seriesData.get(volume)) : null,
    values: named.map((n) => ({ name: n.name, label: n.label, value: valueOf(p.seriesData.get(n.series)) })),
  };
}
