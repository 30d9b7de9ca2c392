import { useEffect, useRef, useState } from "react";
import { AreaSeries, LineSeries, LineStyle } from "lightweight-charts";
import { workbenchApi } from "../api/client";
import type { EquityViews as Views } from "../api/types";
import { useAsync } from "../lib/hooks";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { formatDate, formatNumber, formatPct } from "../lib/format";
import { ErrorBox, Loading } from "./ui";
import { fitWhenSized, makeChart } from "./charts";

const WINDOWS = [21, 63, 126, 252];

/** Rolling Sharpe / volatility / beta over a chosen window, exposure over time, the worst
 * drawdowns and the distribution of bar returns — all computed by the API from the run's curve. */
export default function EquityViews({ runId }: { runId: string }) {
  const [window, setWindow] = useState(63);
  const data = useAsync<Views>((s) => workbenchApi.equityViews(runId, window, s), [runId, window]);
  const v = data.data;
  return (
    <div data-testid="equity-views">
      <div className="toolbar">
        <label className="small">
          Rolling window{" "}
          <select value={window} onChange={(e) => setWindow(Number(e.target.value))} data-testid="rolling-window">
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w} bars
              </option>
            ))}
          </select>
        </label>
        {v ? (
          <span className="muted small">
            annualised with {v.periods_per_year} bars a year · Sharpe over the risk-free rate · beta against the run's benchmark
          </span>
        ) : null}
      </div>
      {data.error ? <ErrorBox error={data.error} onRetry={data.reload} /> : null}
      {!v ? <Loading label="Computing the equity views…" /> : <RollingChart v={v} />}
      {v ? (
        <div className="views-grid">
          <div>
            <h3 className="small strong">Worst drawdowns</h3>
            <div className="table-wrap">
              <table className="table" data-testid="drawdowns-table">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Start (peak)</th>
                    <th>Trough</th>
                    <th>Recovery</th>
                    <th className="num">Depth</th>
                    <th className="num" title="bars from the peak to the recovery (or to the end)">Length</th>
                  </tr>
                </thead>
                <tbody>
                  {v.drawdowns.map((d, i) => (
                    <tr key={d.start} data-testid="drawdown-row" data-depth={d.depth}>
                      <td className="muted">{i + 1}</td>
                      <td className="mono">{formatDate(d.start)}</td>
                      <td className="mono">{formatDate(d.trough)}</td>
                      <td className="mono">{d.recovery ? formatDate(d.recovery) : <span className="muted">not recovered</span>}</td>
                      <td className="num neg">{formatPct(d.depth, 2)}</td>
                      <td className="num">
                        {formatNumber(d.length, 0, null)} bars{!d.recovery ? "+" : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <div>
            <h3 className="small strong">Distribution of bar returns</h3>
            <Histogram h={v.histogram} />
          </div>
        </div>
      ) : null}
    </div>
  );
}

function RollingChart({ v }: { v: Views }) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  useEffect(() => {
    if (!el.current) return;
    const c = chartColors(theme);
    const ch = makeChart(el.current, theme, { handleScroll: { mouseWheel: false }, handleScale: { mouseWheel: false } });
    const t = v.dates.map((d) => toChartTime(d));
    const line = (values: (number | null)[]) => t.map((time, i) => (values[i] === null ? { time } : { time, value: values[i] as number }));
    const pct = { type: "custom" as const, formatter: (x: number) => formatPct(x, 1), minMove: 0.0001 };
    const sharpe = ch.addSeries(LineSeries, { color: c.equity, lineWidth: 2, title: `Sharpe (${v.window})`, priceLineVisible: false }, 0);
    sharpe.setData(line(v.rolling.sharpe));
    sharpe.createPriceLine({ price: 0, color: c.benchmark, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: "" });
    const vol = ch.addSeries(LineSeries, { color: "#d29922", lineWidth: 1, title: `Volatility (${v.window})`, priceLineVisible: false, priceFormat: pct }, 1);
    vol.setData(line(v.rolling.volatility));
    let pane = 2;
    if (v.rolling.beta) {
      const beta = ch.addSeries(LineSeries, { color: "#8250df", lineWidth: 1, title: `Beta (${v.window})`, priceLineVisible: false }, pane++);
      beta.setData(line(v.rolling.beta));
      beta.createPriceLine({ price: 1, color: c.benchmark, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: "" });
    }
    const expo = ch.addSeries(AreaSeries, { lineColor: c.benchmark, topColor: c.benchmark + "66", bottomColor: c.benchmark + "11", lineWidth: 1, title: "Exposure", priceLineVisible: false, priceFormat: pct }, pane);
    expo.setData(line(v.exposure));
    // the Sharpe pane twice the height of each of the others, whatever the chart's size
    ch.panes().forEach((p, i) => p.setStretchFactor(i === 0 ? 2 : 1));
    const unfit = fitWhenSized(ch, el.current);
    return () => {
      unfit();
      ch.remove();
    };
  }, [v, theme]);
  const panes = v.rolling.beta ? 4 : 3;
  return <div ref={el} className="chart" data-testid="rolling-chart" style={{ height: 200 + (panes - 1) * 100 }} role="img" aria-label="Rolling Sharpe, volatility, beta and exposure" />;
}

function Histogram({ h }: { h: Views["histogram"] }) {
  if (!h.n) return <p className="muted">No returns.</p>;
  const max = Math.max(...h.counts);
  const W = 480;
  const H = 160;
  const bw = W / h.counts.length;
  const zero = h.edges[0] < 0 && h.edges[h.edges.length - 1] > 0 ? ((0 - h.edges[0]) / (h.edges[h.edges.length - 1] - h.edges[0])) * W : null;
  return (
    <figure className="histogram" data-testid="return-histogram" data-n={h.n}>
      <svg viewBox={`0 0 ${W} ${H + 18}`} width="100%" role="img" aria-label={`Histogram of ${h.n} bar returns`}>
        {h.counts.map((n, i) => {
          const hh = max ? (n / max) * H : 0;
          const mid = (h.edges[i] + h.edges[i + 1]) / 2;
          return (
            <rect key={i} x={i * bw + 0.5} y={H - hh} width={Math.max(bw - 1, 1)} height={hh} className={mid >= 0 ? "bar-pos" : "bar-neg"}>
              <title>
                {formatPct(h.edges[i], 2)} to {formatPct(h.edges[i + 1], 2)}: {n} bars
              </title>
            </rect>
          );
        })}
        {zero !== null ? <line x1={zero} x2={zero} y1={0} y2={H} className="zero-line" /> : null}
        <text x={0} y={H + 14} className="axis-text">
          {formatPct(h.edges[0], 1)}
        </text>
        <text x={W} y={H + 14} textAnchor="end" className="axis-text">
          {formatPct(h.edges[h.edges.length - 1], 1)}
        </text>
      </svg>
      <figcaption className="muted small">{formatNumber(h.n, 0, null)} bar returns in {h.counts.length} bins</figcaption>
    </figure>
  );
}
