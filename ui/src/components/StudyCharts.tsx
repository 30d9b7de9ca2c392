import { useEffect, useRef } from "react";
import { LineSeries, type UTCTimestamp } from "lightweight-charts";
import { chartColors, useTheme, type Theme } from "../lib/theme";
import type { Heatmap, HistoryPoint, SlicePoint } from "../lib/optimize";
import { formatNumber } from "../lib/format";
import { makeChart } from "./charts";

/** Objective per trial (dots) and the best so far (line); the x axis is the trial number. */
export function HistoryChart({ points, height = 260 }: { points: HistoryPoint[]; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  useEffect(() => {
    if (!el.current) return;
    const c = chartColors(theme);
    // lightweight-charts needs a time axis: trial n is drawn at "time" n+1 seconds, labelled n.
    const label = (t: unknown) => `#${Number(t) - 1}`;
    const ch = makeChart(el.current, theme, {
      localization: { timeFormatter: label },
      timeScale: { tickMarkFormatter: label, borderColor: c.border, minBarSpacing: 0.01 },
    });
    const fmt = { type: "custom" as const, formatter: (v: number) => formatNumber(v, 3, null), minMove: 0.0001 };
    const dots = ch.addSeries(LineSeries, {
      color: c.benchmark,
      lineVisible: false,
      pointMarkersVisible: true,
      pointMarkersRadius: 2,
      title: "trial",
      priceLineVisible: false,
      lastValueVisible: false,
      priceFormat: fmt,
    });
    const best = ch.addSeries(LineSeries, { color: c.equity, lineWidth: 2, title: "best so far", priceLineVisible: false, priceFormat: fmt, lineType: 1 });
    dots.setData(points.map((p) => ({ time: (p.number + 1) as UTCTimestamp, value: p.value })));
    best.setData(points.map((p) => ({ time: (p.number + 1) as UTCTimestamp, value: p.best })));
    ch.timeScale().fitContent();
    const ro = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => ch.timeScale().fitContent());
    ro?.observe(el.current);
    return () => {
      ro?.disconnect();
      ch.remove();
    };
  }, [points, theme]);
  return <div ref={el} className="chart" data-testid="history-chart" style={{ height }} role="img" aria-label="Objective per trial and best so far" />;
}

/** A canvas sized to its element's width (device pixels), redrawn on resize and theme change. */
function useCanvas(draw: (ctx: CanvasRenderingContext2D, w: number, h: number, theme: Theme) => void, height: number, deps: unknown[]) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { theme } = useTheme();
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const paint = () => {
      const w = canvas.parentElement?.clientWidth || 600;
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${height}px`;
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = chartColors(theme).bg;
      ctx.fillRect(0, 0, w, height);
      draw(ctx, w, height, theme);
    };
    paint();
    const ro = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(paint);
    if (canvas.parentElement) ro?.observe(canvas.parentElement);
    return () => ro?.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, height, ...deps]);
  return ref;
}

const PAD = { left: 64, right: 16, top: 12, bottom: 40 };

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** Objective against one parameter's value: one dot per trial; categorical values spread evenly. */
export function SlicePlot({ points, param, height = 260 }: { points: SlicePoint[]; param: string; height?: number }) {
  const ref = useCanvas(
    (ctx, w, h, theme) => {
      const c = chartColors(theme);
      if (!points.length) return;
      const categorical = points.some((p) => typeof p.x === "string");
      const cats = categorical ? [...new Set(points.map((p) => String(p.x)))].sort() : [];
      const xs = points.map((p) => (categorical ? cats.indexOf(String(p.x)) : (p.x as number)));
      const ys = points.map((p) => p.value);
      let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
      let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
      if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
      if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
      const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (w - PAD.left - PAD.right);
      const py = (y: number) => h - PAD.bottom - ((y - y0) / (y1 - y0)) * (h - PAD.top - PAD.bottom);
      ctx.strokeStyle = c.grid;
      ctx.fillStyle = c.text;
      ctx.font = "11px Inter, system-ui, sans-serif";
      ctx.lineWidth = 1;
      for (const t of ticks(y0, y1)) {
        ctx.beginPath();
        ctx.moveTo(PAD.left, py(t));
        ctx.lineTo(w - PAD.right, py(t));
        ctx.stroke();
        ctx.textAlign = "right";
        ctx.fillText(formatNumber(t, 2, null), PAD.left - 6, py(t) + 4);
      }
      ctx.textAlign = "center";
      const xt = categorical ? cats.map((_, i) => i) : ticks(x0, x1);
      for (const t of xt) ctx.fillText(categorical ? cats[t] : formatNumber(t, Math.abs(x1 - x0) < 10 ? 2 : 0, null), px(t), h - PAD.bottom + 16);
      ctx.fillText(param, (PAD.left + w - PAD.right) / 2, h - 6);
      ctx.fillStyle = c.equity;
      ctx.globalAlpha = 0.75;
      xs.forEach((x, i) => {
        ctx.beginPath();
        ctx.arc(px(x), py(ys[i]), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      });
      ctx.globalAlpha = 1;
    },
    height,
    [points, param],
  );
  return (
    <div className="chart" data-testid="slice-plot">
      <canvas ref={ref} role="img" aria-label={`Objective against ${param}`} />
    </div>
  );
}

/** A diverging colour for t in [0, 1]: red (worst) through pale to green (best). */
export function heatColour(t: number): string {
  const x = Math.min(1, Math.max(0, t));
  const lerp = (a: number, b: number, u: number) => Math.round(a + (b - a) * u);
  const [r0, g0, b0] = [207, 34, 46];
  const [rm, gm, bm] = [245, 240, 200];
  const [r1, g1, b1] = [26, 127, 55];
  return x < 0.5
    ? `rgb(${lerp(r0, rm, x * 2)},${lerp(g0, gm, x * 2)},${lerp(b0, bm, x * 2)})`
    : `rgb(${lerp(rm, r1, (x - 0.5) * 2)},${lerp(gm, g1, (x - 0.5) * 2)},${lerp(bm, b1, (x - 0.5) * 2)})`;
}

/** The best objective per cell of two parameters; green is better (whatever the direction). */
export function HeatmapPlot({ map, px, py, direction, height = 320 }: { map: Heatmap; px: string; py: string; direction: "maximize" | "minimize"; height?: number }) {
  const ref = useCanvas(
    (ctx, w, h, theme) => {
      const c = chartColors(theme);
      const nx = map.x.labels.length;
      const ny = map.y.labels.length;
      if (!nx || !ny || map.min === null || map.max === null) return;
      const cw = (w - PAD.left - PAD.right) / nx;
      const chh = (h - PAD.top - PAD.bottom) / ny;
      const span = map.max - map.min || 1;
      ctx.font = "11px Inter, system-ui, sans-serif";
      for (let yi = 0; yi < ny; yi++)
        for (let xi = 0; xi < nx; xi++) {
          const v = map.cells[yi][xi];
          const x = PAD.left + xi * cw;
          const y = h - PAD.bottom - (yi + 1) * chh; // low values at the bottom
          if (v === null) {
            ctx.strokeStyle = c.grid;
            ctx.strokeRect(x + 0.5, y + 0.5, cw - 1, chh - 1);
            continue;
          }
          const t = (v - map.min) / span;
          ctx.fillStyle = heatColour(direction === "maximize" ? t : 1 - t);
          ctx.fillRect(x, y, cw - 1, chh - 1);
          if (cw > 36 && chh > 16) {
            ctx.fillStyle = "#111";
            ctx.textAlign = "center";
            ctx.fillText(formatNumber(v, 2, null), x + cw / 2, y + chh / 2 + 4);
          }
        }
      ctx.fillStyle = c.text;
      ctx.textAlign = "center";
      const every = Math.max(1, Math.ceil(nx / 10));
      map.x.labels.forEach((l, i) => i % every === 0 && ctx.fillText(l, PAD.left + (i + 0.5) * cw, h - PAD.bottom + 16));
      ctx.fillText(px, (PAD.left + w - PAD.right) / 2, h - 6);
      ctx.textAlign = "right";
      const everyY = Math.max(1, Math.ceil(ny / 12));
      map.y.labels.forEach((l, i) => i % everyY === 0 && ctx.fillText(l, PAD.left - 6, h - PAD.bottom - (i + 0.5) * chh + 4));
      ctx.save();
      ctx.translate(12, (PAD.top + h - PAD.bottom) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "center";
      ctx.fillText(py, 0, 0);
      ctx.restore();
    },
    height,
    [map, px, py, direction],
  );
  return (
    <div className="chart" data-testid="heatmap">
      <canvas ref={ref} role="img" aria-label={`Best objective over ${px} and ${py}`} />
    </div>
  );
}
