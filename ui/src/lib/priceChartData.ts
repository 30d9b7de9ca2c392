/** The run page's price chart data: which price views a run offers, the candles of a bar-column
 * answer, and its loading (one request per symbol and view; the first one index.html started). */
import type { UTCTimestamp } from "lightweight-charts";
import { api, takePrefetch } from "../api/client";
import type { BarColumns, PriceChartResponse, Run } from "../api/types";
import type { PriceView } from "./indicators";
import { toChartTime } from "./time";

/** The views of a run's adjustment, the one the chart opens with first. */
export function viewsOf(adjustment: string | undefined): PriceView[] {
  const a = adjustment ?? "events";
  return a === "events" ? ["adjusted", "as_traded"] : a === "adjusted" ? ["adjusted"] : ["as_traded"];
}

/** The chart opens on its last this many bars (about two years of daily bars) when the run has
 * many more, so its first paint draws two years of candles, overlays and panes rather than a
 * decade of them (the run page's first load). Every bar is loaded; the chart scrolls and zooms over all of them, and "Show all" fits
 * the whole run. */
export const RECENT_BARS = 504;

/** The logical range the chart opens on: the last RECENT_BARS bars, or null for all of them
 * (a run not much longer than that). */
export function openingRange(n: number): { from: number; to: number } | null {
  return n > RECENT_BARS * 1.5 ? { from: n - RECENT_BARS, to: n - 1 + 2 } : null;
}

export interface Candles {
  times: UTCTimestamp[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** The bars with all four prices, in chart time (a bar missing one is left out). */
export function candlesOf(b: BarColumns): Candles {
  const out: Candles = { times: [], open: [], high: [], low: [], close: [], volume: [] };
  for (let i = 0; i < b.time.length; i++) {
    const o = b.open[i];
    const h = b.high[i];
    const l = b.low[i];
    const c = b.close[i];
    if (o === null || h === null || l === null || c === null) continue;
    out.times.push(toChartTime(b.time[i]));
    out.open.push(o);
    out.high.push(h);
    out.low.push(l);
    out.close.push(c);
    out.volume.push(b.volume[i] ?? 0);
  }
  return out;
}

/** Started by the run page once the run is known (when index.html did not start it): used once. */
const started = new Map<string, Promise<PriceChartResponse>>();
/** ... and those of them that have arrived (the chart then draws in its first render). */
const arrived = new Map<string, PriceChartResponse>();
const key = (runId: string, symbol: string, view: PriceView) => `${runId}|${symbol}|${view}`;

function fresh(run: Run, symbol: string, view: PriceView, signal?: AbortSignal): Promise<PriceChartResponse> {
  return api.priceChart(run.id, { symbol, prices: view }, signal);
}

/** Start loading the chart the run page opens with (its first symbol, first view), unless
 * index.html already did: the request runs alongside the equity curve's. */
export function prefetchPriceChart(run: Run): void {
  const symbol = run.symbols?.[0];
  if (!symbol || run.status !== "completed") return;
  const k = key(run.id, symbol, viewsOf(run.config.adjustment)[0]);
  if (started.has(k)) return;
  const early = takePrefetch<PriceChartResponse>(run.id, "chart");
  const p = early ?? fresh(run, symbol, viewsOf(run.config.adjustment)[0]);
  p.then(
    (d) => started.get(k) === p && arrived.set(k, d),
    () => {}, // its user sees the error (or asks again)
  );
  started.set(k, p);
  // a prefetch nobody used (the page was left) is not kept
  window.setTimeout(() => {
    if (started.get(k) === p) {
      started.delete(k);
      arrived.delete(k);
    }
  }, 60_000);
}

/** The prefetched chart of this symbol and view if it has arrived (and is that one): taken. */
export function takeArrivedPriceChart(run: Run, symbol: string, view: PriceView): PriceChartResponse | undefined {
  const k = key(run.id, symbol, view);
  const d = arrived.get(k);
  if (!d) return undefined;
  arrived.delete(k);
  started.delete(k);
  return d.symbol === symbol && d.prices === view ? d : undefined;
}

/** The chart of one symbol in one view: the prefetched answer when it is that one (and arrived
 * well), else a request of its own. */
export function loadPriceChart(run: Run, symbol: string, view: PriceView, signal?: AbortSignal): Promise<PriceChartResponse> {
  const k = key(run.id, symbol, view);
  const early = started.get(k) ?? (symbol === run.symbols?.[0] && view === viewsOf(run.config.adjustment)[0] ? takePrefetch<PriceChartResponse>(run.id, "chart") : null);
  started.delete(k);
  arrived.delete(k);
  if (!early) return fresh(run, symbol, view, signal);
  return early.then(
    (d) => (d.symbol === symbol && d.prices === view ? d : fresh(run, symbol, view, signal)),
    () => fresh(run, symbol, view, signal),
  );
}
