/** Client-side indicators for the price chart, computed on the bars shown. The API does not expose
 * a strategy's indicator series, so the UI draws the moving averages it can infer from the
 * parameters: SMA (or EMA for EMA strategies) of fast_period / slow_period, the exit SMA of
 * momentum_breakout (exit_ma_period) and the Bollinger middle band (bb_period). */

export function sma(values: number[], n: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length).fill(null);
  if (n <= 0) return out;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= n) sum -= values[i - n];
    if (i >= n - 1) out[i] = sum / n;
  }
  return out;
}

/** EMA with alpha = 2 / (n + 1), seeded with the SMA of the first n values. */
export function ema(values: number[], n: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length).fill(null);
  if (n <= 0 || values.length < n) return out;
  const a = 2 / (n + 1);
  let prev = values.slice(0, n).reduce((x, y) => x + y, 0) / n;
  out[n - 1] = prev;
  for (let i = n; i < values.length; i++) {
    prev = a * values[i] + (1 - a) * prev;
    out[i] = prev;
  }
  return out;
}

export interface Overlay {
  label: string;
  period: number;
  kind: "sma" | "ema";
  role: "fast" | "slow";
}

export function overlaysFor(params: Record<string, unknown> | null | undefined, strategy = ""): Overlay[] {
  if (!params) return [];
  const num = (k: string) => (typeof params[k] === "number" && Number.isInteger(params[k]) && (params[k] as number) > 0 ? (params[k] as number) : null);
  const kind: "sma" | "ema" = /(^|_)ema(_|$)/.test(strategy) ? "ema" : "sma";
  const K = kind.toUpperCase();
  const out: Overlay[] = [];
  const fast = num("fast_period");
  const slow = num("slow_period");
  if (fast) out.push({ label: `${K} ${fast}`, period: fast, kind, role: "fast" });
  if (slow) out.push({ label: `${K} ${slow}`, period: slow, kind, role: "slow" });
  const exitMa = num("exit_ma_period");
  if (exitMa) out.push({ label: `SMA ${exitMa} (exit)`, period: exitMa, kind: "sma", role: "slow" });
  const bb = num("bb_period");
  if (bb) out.push({ label: `SMA ${bb} (middle band)`, period: bb, kind: "sma", role: "slow" });
  return out;
}
