import { ColorType, CrosshairMode, createChart, type DeepPartial, type ChartOptions, type IChartApi } from "lightweight-charts";
import { chartColors, type Theme } from "../lib/theme";

export function baseOptions(theme: Theme): DeepPartial<ChartOptions> {
  const c = chartColors(theme);
  return {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: c.bg },
      textColor: c.text,
      fontFamily: "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
      fontSize: 11,
      attributionLogo: false,
      panes: { separatorColor: c.border, enableResize: true },
    },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    rightPriceScale: { borderColor: c.border },
    timeScale: { borderColor: c.border, timeVisible: false, secondsVisible: false, minBarSpacing: 0.01 },
    crosshair: { mode: CrosshairMode.Normal },
  };
}

export function makeChart(el: HTMLElement, theme: Theme, extra: DeepPartial<ChartOptions> = {}): IChartApi {
  return createChart(el, { ...baseOptions(theme), ...extra });
}

/** Fit the time scale once the chart has its real size (autoSize measures asynchronously). */
export function fitWhenSized(chart: IChartApi, el: HTMLElement): () => void {
  chart.timeScale().fitContent();
  if (typeof ResizeObserver === "undefined") return () => {};
  let done = false;
  const ro = new ResizeObserver((entries) => {
    if (done) return;
    if (entries.some((e) => e.contentRect.width > 0)) {
      done = true;
      requestAnimationFrame(() => chart.timeScale().fitContent());
      ro.disconnect();
    }
  });
  ro.observe(el);
  return () => ro.disconnect();
}
