/** Number formatting by market currency. INR uses Indian grouping (12,34,56,789.00) and lakh/crore
 * compact forms; everything else uses western grouping (123,456,789.00). */

export const CURRENCY_SYMBOL: Record<string, string> = { USD: "$", INR: "₹", EUR: "€", GBP: "£" };

/** Insert thousands separators into a string of digits: Indian (3 then 2s) or western (3s). */
export function groupDigits(digits: string, indian: boolean): string {
  if (digits.length <= 3) return digits;
  const last3 = digits.slice(-3);
  let rest = digits.slice(0, -3);
  const size = indian ? 2 : 3;
  const parts: string[] = [];
  while (rest.length > size) {
    parts.unshift(rest.slice(-size));
    rest = rest.slice(0, -size);
  }
  if (rest) parts.unshift(rest);
  return [...parts, last3].join(",");
}

/** Format a number with grouping and a fixed number of decimals; "—" for null/NaN/inf. */
export function formatNumber(
  value: number | null | undefined,
  decimals = 2,
  currency: string | null = "USD",
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const negative = value < 0;
  const fixed = Math.abs(value).toFixed(decimals);
  const [int, frac] = fixed.split(".");
  const isZero = Number(fixed) === 0;
  const grouped = groupDigits(int, currency === "INR");
  return (negative && !isZero ? "-" : "") + grouped + (frac !== undefined ? "." + frac : "");
}

/** "$1,234.50", "-₹12,34,567.00". */
export function formatCurrency(
  value: number | null | undefined,
  currency: string | null | undefined = "USD",
  decimals = 2,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const cur = currency || "USD";
  const sym = CURRENCY_SYMBOL[cur] ?? cur + " ";
  const body = formatNumber(Math.abs(value), decimals, cur);
  return (value < 0 && Number(Math.abs(value).toFixed(decimals)) !== 0 ? "-" : "") + sym + body;
}

/** Short form for axes and cards: "$1.96M", "₹1.23 Cr", "₹4.50 L", "$950". */
export function formatCompact(value: number | null | undefined, currency = "USD"): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const sym = CURRENCY_SYMBOL[currency] ?? currency + " ";
  const a = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  let body: string;
  if (currency === "INR") {
    if (a >= 1e7) body = (a / 1e7).toFixed(2) + " Cr";
    else if (a >= 1e5) body = (a / 1e5).toFixed(2) + " L";
    else body = formatNumber(a, 0, "INR");
  } else if (a >= 1e9) body = (a / 1e9).toFixed(2) + "B";
  else if (a >= 1e6) body = (a / 1e6).toFixed(2) + "M";
  else if (a >= 1e4) body = (a / 1e3).toFixed(1) + "K";
  else body = formatNumber(a, 0, currency);
  return sign + sym + body;
}

/** Fraction to percent: 0.1234 -> "12.34%". */
export function formatPct(value: number | null | undefined, decimals = 2, signed = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const s = formatNumber(value * 100, decimals, null) + "%";
  return signed && value > 0 ? "+" + s : s;
}

export type MetricUnit = "pct" | "ratio" | "currency" | "bars" | "days" | "count";

/** Units of the known metrics, used only when /api/v2/meta/metrics cannot be reached. */
export const FALLBACK_UNITS: Record<string, MetricUnit> = {
  ...Object.fromEntries(
    "total_return cagr annual_volatility max_drawdown ulcer_index value_at_risk cvar win_rate avg_trade kelly exposure best_trade worst_trade alpha benchmark_return"
      .split(" ")
      .map((k) => [k, "pct"]),
  ),
  max_drawdown_duration: "bars",
  avg_hold_bars: "bars",
  max_hold_bars: "bars",
  max_drawdown_days: "days",
  expectancy: "currency",
  total_fees: "currency",
  final_equity: "currency",
  trade_count: "count",
};

/** Format a metric value by its unit (see /api/v2/meta/metrics). */
export function formatMetric(
  value: number | null | undefined,
  unit: MetricUnit | string | undefined,
  currency = "USD",
  key?: string,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  switch (unit ?? FALLBACK_UNITS[key ?? ""]) {
    case "pct":
      return formatPct(value);
    case "currency":
      return formatCurrency(value, currency);
    case "bars":
      return formatNumber(value, value % 1 === 0 ? 0 : 1, currency) + " bars";
    case "days":
      return formatNumber(value, 0, currency) + " days";
    case "count":
      return formatNumber(value, 0, currency);
    default:
      return formatNumber(value, 2, currency);
  }
}

/** "2024-01-05T00:00:00" -> "2024-01-05"; keeps the time for intraday stamps. */
export function formatDate(s: string | null | undefined): string {
  if (!s) return "—";
  const t = s.replace("T", " ");
  return t.endsWith(" 00:00:00") ? t.slice(0, 10) : t.slice(0, 16);
}

export function formatDateTime(s: string | null | undefined): string {
  if (!s) return "—";
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Price with sensible decimals (tiny FX quotes get more). */
export function formatPrice(value: number | null | undefined, currency = "USD"): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const a = Math.abs(value);
  const d = a >= 1 || a === 0 ? 2 : 5;
  return formatNumber(value, d, currency);
}

/** The currency of a market, when a run has not recorded its own yet (queued, failed). */
export const MARKET_CURRENCY: Record<string, string> = { US: "USD", IN: "INR", "24x7": "USD" };

/** A run's currency: the one it recorded, else its market's. */
export function runCurrency(run: { currency?: string | null; market?: string | null }): string {
  return run.currency || MARKET_CURRENCY[run.market ?? ""] || "USD";
}

/** Which of `values` is best by `higherIsBetter`, comparing only values whose group (currency)
 * matches: money in different currencies is never ranked against each other. With `groups`
 * null every value competes. A group needs two or more values to have a best. Returns the set
 * of winning indices (at most one per group). */
export function bestIndices(
  values: (number | null | undefined)[],
  higherIsBetter: boolean,
  groups: string[] | null = null,
): Set<number> {
  const byGroup = new Map<string, number[]>();
  values.forEach((v, i) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return;
    const g = groups ? groups[i] : "";
    byGroup.set(g, [...(byGroup.get(g) ?? []), i]);
  });
  const out = new Set<number>();
  for (const idx of byGroup.values()) {
    if (idx.length < 2) continue;
    let bi = idx[0];
    for (const i of idx.slice(1)) {
      const v = values[i] as number;
      const b = values[bi] as number;
      if (higherIsBetter ? v > b : v < b) bi = i;
    }
    // a tie is no win
    if (idx.filter((i) => values[i] === values[bi]).length === 1) out.add(bi);
  }
  return out;
}
