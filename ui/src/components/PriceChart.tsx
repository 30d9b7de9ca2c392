import { useEffect, useMemo, useRef, useState } from "react";
import {
  CandlestickSeries,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type SeriesMarker,
  type UTCTimestamp,
} from "lightweight-charts";
import { api } from "../api/client";
import type { BarsResponse, IndicatorsResponse, Run, Trade } from "../api/types";
import { useAsync } from "../lib/hooks";
import { factorByDate, fillPriceInView, seriesInView, tradesOf, type PriceView } from "../lib/indicators";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { formatCompact, formatPrice, runCurrency } from "../lib/format";
import { ErrorBox, Loading } from "./ui";
import { baseOptions, fitWhenSized, makeChart } from "./charts";

const PALETTE = ["#d29922", "#8250df", "#1f6feb", "#2da44e", "#cf222e", "#bf8700"];

/** Candlesticks of one symbol over the run with its trades at their fill prices and the
 * strategy's own display series (from the API, on the prices it traded on). With split/dividend
 * events the chart offers both views: as traded (the fills' own prices) and adjusted (the prices
 * the signals used); markers and overlays are placed consistently in each. */
export default function PriceChart({ run, trades }: { run: Run; trades: Trade[] | undefined }) {
  const symbols = run.symbols ?? [];
  const [symbol, setSymbol] = useState(symbols[0] ?? "");
  const adjustment = (run.config.adjustment as string | undefined) ?? "events";
  const views: PriceView[] = adjustment === "events" ? ["adjusted", "as_traded"] : adjustment === "adjusted" ? ["adjusted"] : ["as_traded"];
  const [view, setView] = useState<PriceView>(views[0]);
  const start = (run.config.start_date as string | null) ?? undefined;
  const end = (run.config.end_date as string | null) ?? undefined;
  const bars = useAsync<BarsResponse | null>(
    (s) => (symbol ? api.bars(run.market, symbol, { start, end, prices: view }, s) : Promise.resolve(null)),
    [run.market, symbol, start, end, view],
  );
  const ind = useAsync<IndicatorsResponse | null>(
    (s) => (symbol && run.status === "completed" ? api.indicators(run.id, symbol, s) : Promise.resolve(null)),
    [run.id, run.status, symbol],
  );
  const symTrades = useMemo(() => tradesOf(trades, symbol), [trades, symbol]);
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
    const vol = ch.addSeries(HistogramSeries, { color: c.benchmark, priceFormat: { type: "custom", formatter: (v: number) => formatCompact(v, "USD").replace("$", ""), minMove: 1 }, priceLineVisible: false, lastValueVisible: false, title: "Volume" }, 1);
    vol.setData(clean.map((b, i) => ({ time: times[i], value: b.volume ?? 0, color: b.close! >= b.open! ? c.up + "88" : c.down + "88" })));

    // The strategy's own series: overlays on the price pane, each pane group below the volume.
    const data2 = ind.data;
    let heights = [70];
    if (data2) {
      const stamps = data2.dates.map((d) => toChartTime(d));
      const paneOf = new Map<string, number>();
      data2.series.forEach((s, k) => {
        const values = seriesInView(s, data2, view);
        let index = 0;
        if (s.kind === "pane") {
          if (!paneOf.has(s.pane)) paneOf.set(s.pane, 2 + paneOf.size);
          index = paneOf.get(s.pane)!;
        }
        const color = PALETTE[k % PALETTE.length];
        const points = stamps.map((t, i) => (values[i] === null ? { time: t } : { time: t, value: values[i] as number }));
        let line: ISeriesApi<"Line"> | ISeriesApi<"Histogram">;
        if (s.style === "histogram") {
          line = ch.addSeries(HistogramSeries, { color, title: s.label, priceLineVisible: false, lastValueVisible: false }, index);
        } else {
          line = ch.addSeries(
            LineSeries,
            {
              color,
              lineWidth: 1,
              lineVisible: s.style !== "dots",
              pointMarkersVisible: s.style === "dots",
              pointMarkersRadius: 1,
              title: s.label,
              priceLineVisible: false,
              lastValueVisible: false,
              crosshairMarkerVisible: false,
            },
            index,
          );
        }
        line.setData(points);
        for (const level of s.levels) {
          line.createPriceLine({ price: level, color: c.benchmark, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: "" });
        }
      });
      heights = [70, ...Array.from(paneOf.keys()).map(() => 110)];
    }
    const panes = ch.panes();
    heights.forEach((h, i) => panes[i + 1]?.setHeight(h));

    // Markers at the fill prices, on this view's scale.
    const factors = factorByDate(data2);
    const markers: SeriesMarker<UTCTimestamp>[] = [];
    for (const t of symTrades) {
      const long = t.direction !== "short";
      markers.push({
        time: toChartTime(t.entry_time),
        position: "atPriceMiddle",
        price: fillPriceInView(t.entry_price, t.entry_time, factors, view),
        shape: long ? "arrowUp" : "arrowDown",
        color: long ? c.up : c.down,
        text: long ? "B" : "S",
      });
      markers.push({
        time: toChartTime(t.exit_time),
        position: "atPriceMiddle",
        price: fillPriceInView(t.exit_price, t.exit_time, factors, view),
        shape: "circle",
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
  }, [bars.data, ind.data, symTrades, view, theme, currency]);

  const shown = ind.data?.series.map((s) => s.label) ?? [];
  const paneCount = new Set((ind.data?.series ?? []).filter((s) => s.kind === "pane").map((s) => s.pane)).size;
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
        {views.length > 1 ? (
          <div className="segmented" role="group" aria-label="Price view">
            {views.map((v) => (
              <button key={v} type="button" className={v === view ? "active" : ""} aria-pressed={v === view} data-testid={`price-view-${v}`} onClick={() => setView(v)}>
                {v === "adjusted" ? "Adjusted" : "As traded"}
              </button>
            ))}
          </div>
        ) : null}
        <span className="muted small" data-testid="price-chart-caption">
          {view === "as_traded" ? "as-traded prices (the fills' own)" : "split- and dividend-adjusted prices (what the signals used)"} · {symTrades.length} trades
          {trades === undefined ? " (loading trades…)" : " · ▲B/▼S entry, ● exit at the fill price (blue: won, red: lost)"}
          {shown.length > 0 && ` · the strategy's own ${shown.join(", ")}`}
        </span>
      </div>
      {bars.error ? <ErrorBox error={bars.error} onRetry={bars.reload} /> : null}
      {ind.error ? <ErrorBox error={ind.error} onRetry={ind.reload} /> : null}
      {ind.data?.notes.map((n) => (
        <p key={n} className="muted small">
          {n}
        </p>
      ))}
      {bars.loading && !bars.data ? <Loading label={`Loading ${symbol} bars…`} /> : null}
      {bars.data && bars.data.bars.length === 0 ? <p className="muted">No bars for {symbol} in this range.</p> : null}
      <div
        ref={el}
        className="chart"
        data-testid="price-chart-canvas"
        data-series={shown.join("|")}
        style={{ height: 420 + paneCount * 110, display: bars.data?.bars.length ? "block" : "none" }}
        role="img"
        aria-label={`${symbol} candlesticks with trade markers`}
      />
    </div>
  );
}
