import { memo, useEffect, useMemo, useRef, useState } from "react";
import {
  CandlestickSeries,
  HistogramSeries,
  LineSeries,
  LineStyle,
  PriceScaleMode,
  createSeriesMarkers,
  type MouseEventParams,
  type Time,
  type IChartApi,
  type ISeriesApi,
  type SeriesMarker,
  type UTCTimestamp,
} from "lightweight-charts";
import { marketDataApi } from "../api/client";
import type { TradeLevels } from "../api/marketData";
import type { PriceChartResponse, Run, Trade } from "../api/types";
import { useAsync } from "../lib/hooks";
import { factorByDate, fillPriceInView, seriesInView, tradesOf, type PriceView } from "../lib/indicators";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { formatCompact, formatDate, formatNumber, formatPrice, runCurrency } from "../lib/format";
import { focusRange, readoutAt, toDay, type Readout } from "../lib/chartFocus";
import { RECENT_BARS, candlesOf, loadPriceChart, openingRange, takeArrivedPriceChart, viewsOf } from "../lib/priceChartData";
import { ErrorBox, Loading } from "./ui";
import { baseOptions, fitWhenSized, makeChart } from "./charts";

const PALETTE = ["#d29922", "#8250df", "#1f6feb", "#2da44e", "#cf222e", "#bf8700"];


/** Candlesticks of one symbol over the run with its trades at their fill prices and the
 * strategy's own display series (from the API, on the prices it traded on). With split/dividend
 * events the chart offers both views: as traded (the fills' own prices) and adjusted (the prices
 * the signals used); markers and overlays are placed consistently in each. */
export interface TradeFocus {
  trade: Trade;
  /** changes on every click, so clicking the same trade again re-zooms to it */
  nonce: number;
}

/** Memoized: the run page re-renders as its other parts arrive (metric descriptions, the deferred
 * sections, trade pages), none of which changes the chart. */
export default memo(PriceChart);

function PriceChart({
  run,
  trades,
  focus,
  symbol: wanted,
  onPainted,
}: {
  run: Run;
  trades: Trade[] | undefined;
  focus?: TradeFocus | null;
  symbol?: { symbol: string } | null;
  /** called once the chart has painted its data (each time it is rebuilt) */
  onPainted?: () => void;
}) {
  const painted = useRef(onPainted);
  painted.current = onPainted;
  const symbols = run.symbols ?? [];
  const [symbol, setSymbol] = useState(symbols[0] ?? "");
  const [logScale, setLogScale] = useState(false);
  const [readout, setReadout] = useState<Readout | null>(null);
  const [built, setBuilt] = useState(0);
  // the chart shows every bar (after "Show all") rather than its opening recent window
  const [whole, setWhole] = useState(false);
  const [barCount, setBarCount] = useState(0);
  const timesRef = useRef<UTCTimestamp[]>([]);
  const candlesRef = useRef<ISeriesApi<"Candlestick"> | null>(null);
  useEffect(() => {
    if (focus && focus.trade.symbol !== symbol && symbols.includes(focus.trade.symbol)) setSymbol(focus.trade.symbol);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus]);
  useEffect(() => {
    if (wanted && symbols.includes(wanted.symbol)) setSymbol(wanted.symbol);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted]);
  const views: PriceView[] = viewsOf(run.config.adjustment);
  const [view, setView] = useState<PriceView>(views[0]);
  // one request: the bars (as columns) and the strategy's series
  const chart = useAsync<PriceChartResponse | null>(
    (s) => (symbol && run.status === "completed" ? loadPriceChart(run, symbol, view, s) : Promise.resolve(null)),
    [run.id, run.status, symbol, view],
    () => (symbol && run.status === "completed" ? takeArrivedPriceChart(run, symbol, view) : undefined),
  );
  const bars = { data: chart.data?.bars, error: chart.error, loading: chart.loading, reload: chart.reload };
  const ind = { data: chart.data?.indicators };
  const symTrades = useMemo(() => tradesOf(trades, symbol), [trades, symbol]);
  // The clicked trade's stop/target per bar of its life, as the engine tested them.
  const focusSeq = focus?.trade.seq ?? null;
  const levels = useAsync<TradeLevels | null>(
    (s) => (focusSeq !== null && run.status === "completed" ? marketDataApi.tradeLevels(run.id, focusSeq, s) : Promise.resolve(null)),
    [run.id, run.status, focusSeq],
  );
  const el = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const { theme } = useTheme();
  const currency = runCurrency(run);

  useEffect(() => {
    const data = bars.data;
    if (!el.current || !data || !data.time.length) return;
    performance.mark("ava:price-chart-build");
    const c = chartColors(theme);
    const intraday = data.time[0].length > 10;
    const ch = makeChart(el.current, theme, {
      timeScale: { ...baseOptions(theme).timeScale, timeVisible: intraday },
      // the mouse wheel scrolls the page; it zooms the chart only once the chart has focus
      handleScroll: { mouseWheel: document.activeElement === el.current, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
      handleScale: { mouseWheel: document.activeElement === el.current, pinch: true, axisPressedMouseMove: true },
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
      // per series, not the chart's localization (which would format the volume axis as prices too)
      priceFormat: { type: "custom", formatter: (v: number) => formatPrice(v, currency), minMove: 0.01 },
    });
    const k = candlesOf(data);
    const times = k.times;
    candles.setData(times.map((time, i) => ({ time, open: k.open[i], high: k.high[i], low: k.low[i], close: k.close[i] })));
    timesRef.current = times;
    candlesRef.current = candles;
    const named: { label: string; name: string; series: ISeriesApi<"Line"> | ISeriesApi<"Histogram"> }[] = [];
    const vol = ch.addSeries(HistogramSeries, { color: c.benchmark, priceFormat: { type: "custom", formatter: (v: number) => formatCompact(v, "USD").replace("$", ""), minMove: 1 }, priceLineVisible: false, lastValueVisible: false, title: "Volume" }, 1);
    vol.setData(times.map((time, i) => ({ time, value: k.volume[i], color: k.close[i] >= k.open[i] ? c.up + "88" : c.down + "88" })));

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
        named.push({ label: s.label, name: s.name, series: line });
        for (const level of s.levels) {
          line.createPriceLine({ price: level, color: c.benchmark, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: "" });
        }
      });
      heights = [70, ...Array.from(paneOf.keys()).map(() => 110)];
    }
    const panes = ch.panes();
    heights.forEach((h, i) => panes[i + 1]?.setHeight(h));

    const opening = whole ? null : openingRange(times.length);
    const unfit = fitWhenSized(ch, el.current, () => (opening ? ch.timeScale().setVisibleLogicalRange(opening) : ch.timeScale().fitContent()));
    setBarCount(times.length);

    // The crosshair readout: the bar's OHLC and volume and each series' value at that bar.
    const onMove = (p: MouseEventParams<Time>) => setReadout(p.time === undefined ? null : readoutAt(p, candles, vol, named));
    ch.subscribeCrosshairMove(onMove);
    // The visible dates, on the element, for tests and for the caption.
    const box = el.current;
    const onRange = () => {
      const r = ch.timeScale().getVisibleRange();
      if (!r) return;
      box.dataset.visibleFrom = toDay(r.from as UTCTimestamp);
      box.dataset.visibleTo = toDay(r.to as UTCTimestamp);
    };
    ch.timeScale().subscribeVisibleTimeRangeChange(onRange);
    setBuilt((n) => n + 1);
    performance.mark("ava:price-chart-built");
    // Once the chart has painted (a frame after its data): "indicators" when the strategy's own
    // series are in it, for tests and the first-load benchmark.
    let paintRaf = requestAnimationFrame(() => {
      paintRaf = requestAnimationFrame(() => {
        box.dataset.paint = data2 ? "indicators" : "prices";
        box.dataset.panes = String(heights.length - 1);
        performance.mark("ava:price-chart-painted");
        painted.current?.();
      });
    });
    return () => {
      cancelAnimationFrame(paintRaf);
      delete box.dataset.paint;
      unfit();
      ch.unsubscribeCrosshairMove(onMove);
      ch.timeScale().unsubscribeVisibleTimeRangeChange(onRange);
      ch.remove();
      chartRef.current = null;
      candlesRef.current = null;
    };
    // the view comes with its data (a new view is drawn once its bars arrive)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chart.data, theme, currency]);

  // Markers at the fill prices, on this view's scale: their own effect, so the trades arriving
  // (after the bars) add markers instead of rebuilding the chart.
  useEffect(() => {
    const candles = candlesRef.current;
    if (!candles || !symTrades.length) return;
    const c = chartColors(theme);
    const data2 = ind.data;
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
    const plugin = createSeriesMarkers(candles, markers);
    return () => {
      if (candlesRef.current === candles) plugin.detach();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [symTrades, built]);

  // "Show all" / "Last 2 years" after the chart is drawn (a new chart opens as `whole` says)
  const showWhole = (all: boolean) => {
    setWhole(all);
    const ch = chartRef.current;
    const opening = openingRange(timesRef.current.length);
    if (!ch) return;
    const frame = () => (all || !opening ? ch.timeScale().fitContent() : ch.timeScale().setVisibleLogicalRange(opening));
    frame();
    // again once the price axis has its new width (the other window's prices have other labels)
    requestAnimationFrame(() => requestAnimationFrame(() => chartRef.current === ch && frame()));
  };
  const recentOnly = !whole && openingRange(barCount) !== null;

  useEffect(() => {
    chartRef.current?.priceScale("right", 0).applyOptions({ mode: logScale ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
  }, [logScale, built]);

  // A clicked trade: zoom to its life (with room either side), its entry and exit prices drawn
  // as dashed lines from the entry to the exit.
  useEffect(() => {
    const ch = chartRef.current;
    const t = focus?.trade;
    if (!ch || !t || t.symbol !== symbol || !bars.data) return;
    const range = focusRange(timesRef.current, t.entry_time, t.exit_time);
    if (!range) return;
    const c = chartColors(theme);
    const factors = factorByDate(ind.data);
    const from = toChartTime(t.entry_time);
    const to = toChartTime(t.exit_time);
    const lines = [
      { price: fillPriceInView(t.entry_price, t.entry_time, factors, view), color: c.benchmark, title: `#${t.seq + 1} entry` },
      { price: fillPriceInView(t.exit_price, t.exit_time, factors, view), color: t.pnl_net >= 0 ? c.equity : c.down, title: "exit" },
    ].map((l) => {
      const s = ch.addSeries(LineSeries, { color: l.color, lineWidth: 2, lineStyle: LineStyle.Dashed, priceLineVisible: false, lastValueVisible: true, crosshairMarkerVisible: false, title: l.title }, 0);
      s.setData(from === to ? [{ time: from, value: l.price }] : [{ time: from, value: l.price }, { time: to, value: l.price }]);
      return s;
    });
    // after the chart's own first fit (which waits for the element's size)
    const zoom = () => ch.timeScale().setVisibleLogicalRange(range);
    const raf = requestAnimationFrame(() => requestAnimationFrame(zoom));
    const later = window.setTimeout(zoom, 200);
    el.current?.setAttribute("data-focused-trade", String(t.seq + 1));
    return () => {
      cancelAnimationFrame(raf);
      window.clearTimeout(later);
      if (chartRef.current === ch) lines.forEach((s) => ch.removeSeries(s));
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus, built]);

  // The clicked trade's stop (red dashed) and target (green dashed) over its life, on this view.
  useEffect(() => {
    const ch = chartRef.current;
    const lv = levels.data;
    if (!ch || !lv || lv.symbol !== symbol || focus?.trade.seq !== lv.seq) return;
    const c = chartColors(theme);
    const factors = factorByDate(ind.data);
    const drawn = (
      [
        ["stop", lv.stop, c.down],
        ["target", lv.target, c.up],
      ] as const
    )
      .filter(([, pts]) => pts !== null && pts.some((p) => p.value !== null))
      .map(([name, pts, color]) => {
        const s = ch.addSeries(
          LineSeries,
          { color, lineWidth: 2, lineStyle: LineStyle.Dashed, priceLineVisible: false, lastValueVisible: true, crosshairMarkerVisible: false, title: name === "stop" ? (lv.trailing ? "trailing stop" : "stop") : "target" },
          0,
        );
        s.setData(pts!.map((p) => (p.value === null ? { time: toChartTime(p.time) } : { time: toChartTime(p.time), value: fillPriceInView(p.value, p.time, factors, view) })));
        return s;
      });
    return () => {
      if (chartRef.current === ch) drawn.forEach((s) => ch.removeSeries(s));
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [levels.data, built]);

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
        {openingRange(barCount) !== null ? (
          <button type="button" className="btn btn-small" data-testid="price-show-all" aria-pressed={!recentOnly} onClick={() => showWhole(recentOnly)}>
            {recentOnly ? "Show all" : "Last 2 years"}
          </button>
        ) : null}
        <label className="check small">
          <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="price-log" /> log scale
        </label>
        <span className="muted small" data-testid="price-chart-caption">
          {recentOnly ? `the last ${RECENT_BARS} of ${formatNumber(barCount, 0)} bars (scroll or zoom, or show all) · ` : ""}
          {view === "as_traded" ? "as-traded prices (the fills' own)" : "split- and dividend-adjusted prices (what the signals used)"} · {symTrades.length} trades
          {trades === undefined ? " (loading trades…)" : " · ▲B/▼S entry, ● exit at the fill price (blue: won, red: lost)"}
          {shown.length > 0 && ` · the strategy's own ${shown.join(", ")}`}
        </span>
      </div>
      {bars.error ? <ErrorBox error={bars.error} onRetry={bars.reload} /> : null}
      {ind.data?.notes.map((n) => (
        <p key={n} className="muted small">
          {n}
        </p>
      ))}
      {bars.loading && !bars.data ? <Loading label={`Loading ${symbol} bars…`} /> : null}
      {bars.data && bars.data.time.length === 0 ? <p className="muted">No bars for {symbol} in this range.</p> : null}
      {focus && levels.data && levels.data.seq === focus.trade.seq ? <LevelsLegend levels={levels.data} currency={currency} shown={(v, time) => fillPriceInView(v, time, factorByDate(ind.data), view)} view={view} /> : null}
      {focus && levels.error ? <ErrorBox error={levels.error} onRetry={levels.reload} /> : null}
      <div className="chart-readout small mono" data-testid="price-readout" data-date={readout?.date ?? ""}>
        {readout ? (
          <>
            <span>{formatDate(readout.date)}</span>
            {readout.ohlc ? (
              <span>
                O {formatPrice(readout.ohlc.open, currency)} H {formatPrice(readout.ohlc.high, currency)} L {formatPrice(readout.ohlc.low, currency)} C {formatPrice(readout.ohlc.close, currency)}
              </span>
            ) : null}
            {readout.volume !== null ? <span>Vol {formatCompact(readout.volume, "USD").replace("$", "")}</span> : null}
            {readout.values.map((v) => (
              <span key={v.name} data-testid="readout-value" data-series={v.name} data-value={v.value === null ? "" : String(v.value)}>
                {v.label} {v.value === null ? "—" : formatValue(v.value)}
              </span>
            ))}
          </>
        ) : (
          <span className="muted">Point at a bar for its prices and the strategy's values · click the chart to zoom it with the mouse wheel</span>
        )}
      </div>
      <div
        ref={el}
        tabIndex={0}
        onFocus={() => chartRef.current?.applyOptions({ handleScroll: { mouseWheel: true }, handleScale: { mouseWheel: true } })}
        onBlur={() => chartRef.current?.applyOptions({ handleScroll: { mouseWheel: false }, handleScale: { mouseWheel: false } })}
        className="chart"
        data-testid="price-chart-canvas"
        data-series={shown.join("|")}
        style={{ height: 420 + paneCount * 110, display: bars.data?.time.length ? "block" : "none" }}
        role="img"
        aria-label={`${symbol} candlesticks with trade markers`}
      />
    </div>
  );
}

function formatValue(v: number): string {
  const a = Math.abs(v);
  return v.toLocaleString("en-US", { maximumFractionDigits: a >= 1000 ? 0 : a >= 1 ? 2 : 4 });
}

/** What the dashed lines of the clicked trade are: its stop and target at entry and at exit. */
function LevelsLegend({ levels, currency, shown, view }: { levels: TradeLevels; currency: string; shown: (v: number, time: string) => number; view: PriceView }) {
  // data-first/data-last: the API's as-traded values; the text: on the chart's price view
  const ends = (pts: TradeLevels["stop"]) => {
    const v = (pts ?? []).filter((p) => p.value !== null);
    if (!v.length) return null;
    const a = v[0];
    const b = v[v.length - 1];
    return { first: a.value as number, last: b.value as number, firstShown: shown(a.value as number, a.time), lastShown: shown(b.value as number, b.time) };
  };
  const stop = ends(levels.stop);
  const target = ends(levels.target);
  return (
    <div className="chart-legend small" data-testid="trade-levels" data-seq={levels.seq}>
      <strong>Trade #{levels.seq + 1}</strong>
      {stop ? (
        <span className="neg" data-testid="trade-level-stop" data-first={stop.first} data-last={stop.last}>
          ┄ {levels.trailing ? "trailing stop" : "stop"} {formatPrice(stop.firstShown, currency)}
          {stop.last !== stop.first ? ` → ${formatPrice(stop.lastShown, currency)}` : ""}
        </span>
      ) : (
        <span className="muted" data-testid="trade-level-stop">no stop</span>
      )}
      {target ? (
        <span className="pos" data-testid="trade-level-target" data-first={target.first} data-last={target.last}>
          ┄ target {formatPrice(target.firstShown, currency)}
          {target.last !== target.first ? ` → ${formatPrice(target.lastShown, currency)}` : ""}
        </span>
      ) : (
        <span className="muted" data-testid="trade-level-target">no target</span>
      )}
      <span className="muted">
        {view === "adjusted" ? "levels on the adjusted scale" : "as-traded levels"}; exit: {levels.exit_reason.replace(/_/g, " ")}
      </span>
    </div>
  );
}
