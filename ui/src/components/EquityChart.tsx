import { memo, useEffect, useRef, useState } from "react";
import { AreaSeries, LineSeries, PriceScaleMode, type IChartApi, type ISeriesApi, type MouseEventParams, type SeriesType, type Time, type UTCTimestamp } from "lightweight-charts";
import type { EquityPoint } from "../api/types";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { formatCompact, formatCurrency, formatDate, formatPct } from "../lib/format";
import { toDay } from "../lib/chartFocus";
import { whenIdle } from "../lib/hooks";
import { baseOptions, fitWhenSized, makeChart } from "./charts";

/** Equity with the benchmark on the top pane, drawdown (%) on a second pane. Memoized: the run
 * page re-renders as its other parts arrive, none of which changes the curve. */
export default memo(EquityChart);

function EquityChart({ points, currency, height = 420 }: { points: EquityPoint[]; currency: string; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<SeriesType>[]>([]);
  const { theme } = useTheme();
  const [log, setLog] = useState(false);
  const [at, setAt] = useState<{ date: string; equity: number | null; benchmark: number | null; drawdown: number | null } | null>(null);
  const hasBenchmark = points.some((p) => p.benchmark !== null && p.benchmark !== undefined);

  useEffect(() => {
    if (!el.current) return;
    performance.mark("ava:equity-chart-build");
    const c = chartColors(theme);
    const focused = document.activeElement === el.current; // a rebuild keeps a focused chart's wheel
    const ch = makeChart(el.current, theme, { handleScroll: { mouseWheel: focused }, handleScale: { mouseWheel: focused } });
    const money = { type: "custom" as const, formatter: (v: number) => formatCompact(v, currency), minMove: 0.01 };
    chart.current = ch;
    const intraday = points.length > 0 && points[0].date.length > 10;
    ch.applyOptions({ timeScale: { timeVisible: intraday } });
    const eq = ch.addSeries(LineSeries, { color: c.equity, lineWidth: 2, title: "Equity", priceLineVisible: false, priceFormat: money });
    eq.setData(points.map((p) => ({ time: toChartTime(p.date), value: p.equity })));
    const list: ISeriesApi<SeriesType>[] = [eq];
    // The benchmark's and the drawdown's data go in at the first idle moment after the chart's
    // first paint (their series and pane are there from the start, so nothing moves): the first
    // paint draws the equity curve alone, a third of the points, while the run page's other
    // chart paints too (the first load).
    const later: (() => void)[] = [];
    if (hasBenchmark) {
      const bm = ch.addSeries(LineSeries, { color: c.benchmark, lineWidth: 1, title: "Benchmark", priceLineVisible: false, lastValueVisible: false, priceFormat: money });
      later.push(() => bm.setData(points.filter((p) => p.benchmark !== null && p.benchmark !== undefined).map((p) => ({ time: toChartTime(p.date), value: p.benchmark as number }))));
      list.push(bm);
    }
    const dd = ch.addSeries(
      AreaSeries,
      {
        lineColor: c.drawdownLine,
        topColor: c.drawdown,
        bottomColor: c.drawdown,
        invertFilledArea: true,
        lineWidth: 1,
        title: "Drawdown",
        priceLineVisible: false,
        priceFormat: { type: "custom", formatter: (v: number) => formatPct(v, 1), minMove: 0.0001 },
      },
      1,
    );
    later.push(() => dd.setData(points.map((p) => ({ time: toChartTime(p.date), value: p.drawdown ?? 0 }))));
    list.push(dd);
    series.current = list;
    const val = (p: MouseEventParams<Time>, s: ISeriesApi<SeriesType> | undefined) => {
      const v = s ? (p.seriesData.get(s) as { value?: number } | undefined)?.value : undefined;
      return typeof v === "number" ? v : null;
    };
    ch.subscribeCrosshairMove((p) =>
      setAt(p.time === undefined ? null : { date: toDay(p.time as UTCTimestamp), equity: val(p, eq), benchmark: hasBenchmark ? val(p, list[1]) : null, drawdown: val(p, dd) }),
    );
    const panes = ch.panes();
    if (panes[1]) panes[1].setHeight(Math.round(height * 0.25));
    const unfit = fitWhenSized(ch, el.current);
    let cancelLater = () => {};
    let raf = requestAnimationFrame(() => {
      raf = requestAnimationFrame(() => {
        cancelLater = whenIdle(() => later.forEach((f) => f()));
      });
    });
    performance.mark("ava:equity-chart-built");
    return () => {
      cancelAnimationFrame(raf);
      cancelLater();
      unfit();
      ch.remove();
      chart.current = null;
    };
    // theme recolouring is done below without a rebuild
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [points, currency, hasBenchmark, height]);

  useEffect(() => {
    const ch = chart.current;
    if (!ch) return;
    const o = baseOptions(theme);
    ch.applyOptions({ layout: o.layout, grid: o.grid, rightPriceScale: o.rightPriceScale });
    const c = chartColors(theme);
    const [eq, bm] = series.current;
    eq?.applyOptions({ color: c.equity } as never);
    if (hasBenchmark) bm?.applyOptions({ color: c.benchmark } as never);
  }, [theme, hasBenchmark]);

  useEffect(() => {
    chart.current?.priceScale("right", 0).applyOptions({ mode: log ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
  }, [log, points]);

  return (
    <div>
      <div className="chart-legend">
        <span className="swatch" style={{ background: chartColors(theme).equity }} /> Equity
        {hasBenchmark && (
          <>
            <span className="swatch" style={{ background: chartColors(theme).benchmark }} /> Benchmark (rebased to the equity where both start)
          </>
        )}
        <span className="swatch" style={{ background: chartColors(theme).drawdownLine }} /> Drawdown
        <span className="spacer" />
        <label className="check small">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="equity-log" /> log scale
        </label>
      </div>
      <div className="chart-readout small mono" data-testid="equity-readout" data-date={at?.date ?? ""}>
        {at ? (
          <>
            <span>{formatDate(at.date)}</span>
            <span>Equity {formatCurrency(at.equity, currency)}</span>
            {at.benchmark !== null ? <span>Benchmark {formatCurrency(at.benchmark, currency)}</span> : null}
            <span>Drawdown {formatPct(at.drawdown, 2)}</span>
          </>
        ) : (
          <span className="muted">Point at the curve for its values · click the chart to zoom it with the mouse wheel</span>
        )}
      </div>
      <div
        ref={el}
        tabIndex={0}
        onFocus={() => chart.current?.applyOptions({ handleScroll: { mouseWheel: true }, handleScale: { mouseWheel: true } })}
        onBlur={() => chart.current?.applyOptions({ handleScroll: { mouseWheel: false }, handleScale: { mouseWheel: false } })}
        className="chart"
        data-testid="equity-chart" style={{ height }} role="img" aria-label="Equity curve with benchmark and drawdown" />
    </div>
  );
}
