import { useEffect, useMemo, useRef, useState } from "react";
import { CandlestickSeries, HistogramSeries, LineSeries, createSeriesMarkers, type IChartApi, type SeriesMarker, type UTCTimestamp } from "lightweight-charts";
import { api } from "../api/client";
import type { BarsResponse, Run, Trade } from "../api/types";
import { useAsync } from "../lib/hooks";
import { ema, overlaysFor, sma } from "../lib/indicators";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { formatCompact, formatPrice, runCurrency } from "../lib/format";
import { ErrorBox, Loading } from "./ui";
import { baseOptions, fitWhenSized, makeChart } from "./charts";

/** Candlesticks of one symbol over the run, entry/exit markers from its trades, and the SMA
 * overlays for fast/slow-period strategies. Bars are as-traded (what fills see) unless the run
 * used adjusted prices, so the markers sit on the bars. */
export default function PriceChart({ run, trades }: { run: Run; trades: Trade[] | undefined }) {
  const symbols = run.symbols ?? [];
  const [symbol, setSymbol] = useState(symbols[0] ?? "");
  const prices: "adjusted" | "as_traded" = run.config.adjustment === "adjusted" ? "adjusted" : "as_traded";
  const start = (run.config.start_date as string | null) ?? undefined;
  const end = (run.config.end_date as string | null) ?? undefined;
  const bars = useAsync<BarsResponse | null>(
    (s) => (symbol ? api.bars(run.market, symbol, { start, end, prices }, s) : Promise.resolve(null)),
    [run.market, symbol, start, end, prices],
  );
  const symTrades = useMemo(() => (trades ?? []).filter((t) => t.symbol === symbol), [trades, symbol]);
  const overlays = useMemo(() => overlaysFor(run.params, run.strategy_name), [run.params, run.strategy_name]);
  const el = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const { theme } = useTheme();
  const currency = runCurrency(run);

  useEffect(() => {
    const data = bars.data?.bars;
    if (!el.current || !data || !data.length) return;
    const c = chartColors(theme);
    const intraday = data[0].time.length > 10;
    const ch = makeChart(el.current, theme, {
      timeScale: { ...baseOptions(theme).timeScale, timeVisible: intraday },
      localization: { priceFormatter: (v: number) => formatPrice(v, currency) },
    });
    chartRef.current = ch;
    const candles = ch.addSeries(CandlestickSeries, {
      upColor: c.up,
      downColor: c.down,
      borderUpColor: c.up,
      borderDownColor: c.down,
      wickUpColor: c.up,
      wickDownColor: c.down,
      priceLineVisible: false,
    });
    const clean = data.filter((b) => b.open !== null && b.high !== null && b.low !== null && b.close !== null);
    const times = clean.map((b) => toChartTime(b.time));
    candles.setData(clean.map((b, i) => ({ time: times[i], open: b.open!, high: b.high!, low: b.low!, close: b.close! })));
    const closes = clean.map((b) => b.close!);
    for (const o of overlays) {
      const line = ch.addSeries(LineSeries, {
        color: o.role === "fast" ? c.fast : c.slow,
        lineWidth: 1,
        title: o.label,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
      });
      const v = o.kind === "ema" ? ema(closes, o.period) : sma(closes, o.period);
      line.setData(times.map((t, i) => (v[i] === null ? { time: t } : { time: t, value: v[i] as number })));
    }
    const vol = ch.addSeries(HistogramSeries, { color: c.benchmark, priceFormat: { type: "custom", formatter: (v: number) => formatCompact(v, "USD").replace("$", ""), minMove: 1 }, priceLineVisible: false, lastValueVisible: false, title: "Volume" }, 1);
    vol.setData(clean.map((b, i) => ({ time: times[i], value: b.volume ?? 0, color: b.close! >= b.open! ? c.up + "88" : c.down + "88" })));
    const panes = ch.panes();
    if (panes[1]) panes[1].setHeight(70);

    const markers: SeriesMarker<UTCTimestamp>[] = [];
    for (const t of symTrades) {
      const long = t.direction !== "short";
      markers.push({
        time: toChartTime(t.entry_time),
        position: long ? "belowBar" : "aboveBar",
        shape: long ? "arrowUp" : "arrowDown",
        color: long ? c.up : c.down,
        text: long ? "B" : "S",
      });
      markers.push({
        time: toChartTime(t.exit_time),
        position: long ? "aboveBar" : "belowBar",
        shape: long ? "arrowDown" : "arrowUp",
        color: t.pnl_net >= 0 ? c.equity : c.down,
        text: "X",
      });
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    createSeriesMarkers(candles, markers);
    const unfit = fitWhenSized(ch, el.current);
    return () => {
      unfit();
      ch.remove();
      chartRef.current = null;
    };
  }, [bars.data, symTrades, overlays, theme, currency]);

  return (
    <div>
      <div className="toolbar">
        <label>
          Symbol{" "}
          <select value={symbol} onChange={(e) => setSymbol(e.target.value)} data-testid="price-symbol" aria-label="Symbol">
            {symbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          {prices === "as_traded" ? "as-traded prices (what fills saw)" : "adjusted prices"} · {symTrades.length} trades
          {trades === undefined ? " (loading trades…)" : " · ▲B entry, ▼X exit (blue: won, red: lost)"}
          {overlays.length > 0 && ` · ${overlays.map((o) => o.label).join(", ")} computed in the browser on these prices`}
        </span>
      </div>
      {bars.error ? <ErrorBox error={bars.error} onRetry={bars.reload} /> : null}
      {bars.loading && !bars.data ? <Loading label={`Loading ${symbol} bars…`} /> : null}
      {bars.data && bars.data.bars.length === 0 ? <p className="muted">No bars for {symbol} in this range.</p> : null}
      <div ref={el} className="chart" data-testid="price-chart-canvas" style={{ height: 420, display: bars.data?.bars.length ? "block" : "none" }} role="img" aria-label={`${symbol} candlesticks with trade markers`} />
    </div>
  );
}
