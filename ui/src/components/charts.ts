import { ColorType, CrosshairMode, TickMarkType, createChart, type DeepPartial, type ChartOptions, type IChartApi, type Time } from "lightweight-charts";
import { chartColors, type Theme } from "../lib/theme";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** The time axis' labels as the library's default draws them in English (2005, Mar, 14, 09:30),
 * without a locale formatter per label: creating those (and the locale data behind the first one)
 * was a visible part of a chart's first paint. */
export function tickMark(time: Time, type: TickMarkType): string {
  const d =
    typeof time === "number" ? new Date(time * 1000) : typeof time === "string" ? new Date(time + "T00:00:00Z") : new Date(Date.UTC(time.year, time.month - 1, time.day));
  switch (type) {
    case TickMarkType.Year:
      return String(d.getUTCFullYear());
    case TickMarkType.Month:
      return MONTHS[d.getUTCMonth()];
    case TickMarkType.DayOfMonth:
      return String(d.getUTCDate());
    case TickMarkType.Time:
      return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
    default:
      return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  }
}

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
    // conflation: bars narrower than half a pixel (a decade of daily bars) are drawn merged, as
    // they would show anyway; drawing each of them was most of a long run's first paint
    timeScale: { borderColor: c.border, timeVisible: false, secondsVisible: false, minBarSpacing: 0.01, enableConflation: true, tickMarkFormatter: tickMark },
    crosshair: { mode: CrosshairMode.Normal },
  };
}

/** The width each chart was made at (autoSize measures the element then). */
const madeAt = new WeakMap<IChartApi, number>();

export function makeChart(el: HTMLElement, theme: Theme, extra: DeepPartial<ChartOptions> = {}): IChartApi {
  const width = el.getBoundingClientRect().width;
  const chart = createChart(el, { ...baseOptions(theme), ...extra });
  madeAt.set(chart, width);
  return chart;
}

/** Fit the time scale once the chart has its real size (autoSize measures asynchronously); `frame`
 * sets the opening view instead of fitting all the data (e.g. a recent window). */
export function fitWhenSized(chart: IChartApi, el: HTMLElement, frame: () => void = () => chart.timeScale().fitContent()): () => void {
  frame();
  if (typeof ResizeObserver === "undefined") return () => {};
  let done = false;
  const ro = new ResizeObserver((entries) => {
    if (done) return;
    const seen = entries.find((e) => e.contentRect.width > 0);
    if (seen) {
      done = true;
      // the observer's first report: fit again only when the width is not the one the chart was
      // made and fitted at (a second fit repaints the whole chart)
      const made = madeAt.get(chart);
      if (made === undefined || Math.abs(seen.contentRect.width - made) > 0.5) requestAnimationFrame(frame);
      ro.disconnect();
    }
  });
  ro.observe(el);
  return () => ro.disconnect();
}
