/** Pure helpers of the optimisation pages: the objective history with its best so far, a
 * variance-based parameter importance, slice points, a heatmap over two parameters, and the
 * new-study form's parameter ranges (pre-filled from the strategy's own bounds). */

import type { RangeSpec, Trial } from "../api/types";
import type { ParamField } from "./schemaForm";

export type Direction = "maximize" | "minimize";

/** The first objective value of a complete trial; null for any other trial. */
export function trialValue(t: Trial, objective = 0): number | null {
  if (t.state !== "complete") return null;
  const v = t.values[objective];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export interface HistoryPoint {
  number: number;
  value: number;
  best: number;
}

/** Objective per complete trial (by trial number) and the best value so far. */
export function history(trials: Trial[], direction: Direction, objective = 0): HistoryPoint[] {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const out: HistoryPoint[] = [];
  let best: number | null = null;
  for (const t of sorted) {
    const v = trialValue(t, objective);
    if (v === null) continue;
    if (best === null || (direction === "maximize" ? v > best : v < best)) best = v;
    out.push({ number: t.number, value: v, best });
  }
  return out;
}

/** A parameter value as a number for binning/plotting (booleans 0/1; strings: null). */
export function numeric(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

/** The group key of a value: its bin when numeric with many distinct values, else itself. */
function groupKeys(values: unknown[], maxBins: number): string[] {
  const nums = values.map(numeric);
  const distinct = new Set(values.map((v) => String(v)));
  if (distinct.size <= maxBins || nums.some((n) => n === null)) return values.map((v) => String(v));
  const ns = nums as number[];
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return ns.map((n) => String(binIndex(n, lo, hi, maxBins)));
}

/** The bin (0..n-1) of x in [lo, hi] split into n equal bins; hi falls in the last one. */
export function binIndex(x: number, lo: number, hi: number, n: number): number {
  if (!(hi > lo)) return 0;
  const i = Math.floor(((x - lo) / (hi - lo)) * n);
  return Math.min(n - 1, Math.max(0, i));
}

export const IMPORTANCE_HELP =
  "Share of the objective's variance explained by each parameter alone: the complete trials are " +
  "grouped by the parameter's value (numeric values with many levels in 10 equal-width bins), and " +
  "the between-group variance of the group means is divided by the total variance (the correlation " +
  "ratio η²); the shares are then scaled to sum to 1. A first-order measure: interactions are not counted.";

/** Variance-based importance (η² per parameter, normalised to sum 1; all zero when flat). */
export function importance(trials: Trial[], params: string[], objective = 0, maxBins = 10): Record<string, number> {
  const rows = trials.map((t) => ({ t, v: trialValue(t, objective) })).filter((r): r is { t: Trial; v: number } => r.v !== null);
  const out: Record<string, number> = {};
  for (const p of params) out[p] = 0;
  if (rows.length < 2) return out;
  const mean = rows.reduce((s, r) => s + r.v, 0) / rows.length;
  const total = rows.reduce((s, r) => s + (r.v - mean) ** 2, 0);
  if (!(total > 0)) return out;
  for (const p of params) {
    const keys = groupKeys(
      rows.map((r) => r.t.params[p]),
      maxBins,
    );
    const groups = new Map<string, { sum: number; n: number }>();
    keys.forEach((k, i) => {
      const g = groups.get(k) ?? { sum: 0, n: 0 };
      g.sum += rows[i].v;
      g.n += 1;
      groups.set(k, g);
    });
    let between = 0;
    for (const g of groups.values()) between += g.n * (g.sum / g.n - mean) ** 2;
    out[p] = between / total;
  }
  const sum = Object.values(out).reduce((a, b) => a + b, 0);
  if (sum > 0) for (const p of params) out[p] /= sum;
  return out;
}

export interface SlicePoint {
  x: number | string;
  value: number;
  number: number;
}

/** Objective against one parameter's value, one point per complete trial. */
export function slice(trials: Trial[], param: string, objective = 0): SlicePoint[] {
  const out: SlicePoint[] = [];
  for (const t of trials) {
    const v = trialValue(t, objective);
    const x = t.params[param];
    if (v === null || x === undefined) continue;
    out.push({ x: typeof x === "boolean" ? String(x) : x, value: v, number: t.number });
  }
  return out;
}

export interface Axis {
  /** bin labels (the distinct values, or "lo–hi" ranges) */
  labels: string[];
  /** the value → bin index */
  index: (v: unknown) => number;
}

/** An axis over a parameter's observed values: each distinct value its own cell when there are at
 * most `maxBins`, else `maxBins` equal-width numeric bins. */
export function axis(values: unknown[], maxBins: number): Axis {
  const distinct = [...new Set(values.map((v) => String(v)))];
  const nums = values.map(numeric);
  if (distinct.length <= maxBins || nums.some((n) => n === null)) {
    const allNumeric = distinct.every((d) => Number.isFinite(Number(d)));
    const labels = allNumeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    const pos = new Map(labels.map((l, i) => [l, i]));
    return { labels, index: (v) => pos.get(String(v)) ?? -1 };
  }
  const ns = nums as number[];
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  const w = (hi - lo) / maxBins;
  const fmt = (x: number) => String(Number(x.toPrecision(4)));
  const labels = Array.from({ length: maxBins }, (_, i) => `${fmt(lo + i * w)}–${fmt(lo + (i + 1) * w)}`);
  return {
    labels,
    index: (v) => {
      const n = numeric(v);
      return n === null ? -1 : binIndex(n, lo, hi, maxBins);
    },
  };
}

export interface Heatmap {
  x: Axis;
  y: Axis;
  /** cells[yi][xi]: the best objective among the trials in that cell, null when empty */
  cells: (number | null)[][];
  counts: number[][];
  min: number | null;
  max: number | null;
}

/** The best objective per (x, y) cell over two parameters. */
export function heatmap(trials: Trial[], px: string, py: string, direction: Direction, objective = 0, maxBins = 12): Heatmap {
  const rows = trials
    .map((t) => ({ t, v: trialValue(t, objective) }))
    .filter((r): r is { t: Trial; v: number } => r.v !== null && r.t.params[px] !== undefined && r.t.params[py] !== undefined);
  const x = axis(
    rows.map((r) => r.t.params[px]),
    maxBins,
  );
  const y = axis(
    rows.map((r) => r.t.params[py]),
    maxBins,
  );
  const cells: (number | null)[][] = y.labels.map(() => x.labels.map(() => null));
  const counts: number[][] = y.labels.map(() => x.labels.map(() => 0));
  let min: number | null = null;
  let max: number | null = null;
  for (const { t, v } of rows) {
    const xi = x.index(t.params[px]);
    const yi = y.index(t.params[py]);
    if (xi < 0 || yi < 0) continue;
    const cur = cells[yi][xi];
    if (cur === null || (direction === "maximize" ? v > cur : v < cur)) cells[yi][xi] = v;
    counts[yi][xi] += 1;
  }
  for (const row of cells)
    for (const c of row) {
      if (c === null) continue;
      min = min === null ? c : Math.min(min, c);
      max = max === null ? c : Math.max(max, c);
    }
  return { x, y, cells, counts, min, max };
}

/** The new-study form's raw range of one parameter. */
export interface RangeRow {
  name: string;
  kind: ParamField["kind"];
  /** varied in the study (false: fixed at its default) */
  enabled: boolean;
  low: string;
  high: string;
  step: string;
  log: boolean;
  /** comma-separated choices for enum/boolean parameters */
  choices: string;
  /** the strategy's own bounds, for checks and hints */
  min?: number;
  max?: number;
  options?: (string | number | boolean)[];
}

/** Ranges pre-filled from the strategy's bounds (numbers), or all its choices (enums, booleans). */
export function rangesFromFields(fields: ParamField[]): RangeRow[] {
  const out: RangeRow[] = [];
  for (const f of fields) {
    if (f.kind === "string") continue;
    const min = f.minimum ?? f.exclusiveMinimum;
    const max = f.maximum ?? f.exclusiveMaximum;
    const options = f.kind === "boolean" ? [true, false] : f.kind === "enum" ? f.options : undefined;
    const numericKind = f.kind === "integer" || f.kind === "number";
    out.push({
      name: f.name,
      kind: f.kind,
      enabled: numericKind ? min !== undefined && max !== undefined : true,
      low: min !== undefined ? String(min) : "",
      high: max !== undefined ? String(max) : "",
      step: f.kind === "integer" ? "1" : "",
      log: false,
      choices: options ? options.map(String).join(", ") : "",
      min,
      max,
      options,
    });
  }
  return out;
}

/** Validated `param_ranges` (error keys `param_ranges.<name>`), checked against the bounds. */
export function buildRanges(rows: RangeRow[], sampler: string): { ranges: Record<string, RangeSpec>; errors: Record<string, string> } {
  const ranges: Record<string, RangeSpec> = {};
  const errors: Record<string, string> = {};
  for (const r of rows) {
    if (!r.enabled) continue;
    const key = `param_ranges.${r.name}`;
    if (r.kind === "enum" || r.kind === "boolean") {
      const picked = r.choices
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const opts = r.options ?? [];
      const values = picked.map((p) => opts.find((o) => String(o) === p));
      const bad = picked.filter((_, i) => values[i] === undefined);
      if (!picked.length) errors[key] = `${r.name}: choose at least one value`;
      else if (bad.length) errors[key] = `${r.name}: ${bad.join(", ")} not among ${opts.join(", ")}`;
      else ranges[r.name] = { choices: values as (string | number | boolean)[] };
      continue;
    }
    const low = Number(r.low);
    const high = Number(r.high);
    if (r.low.trim() === "" || r.high.trim() === "" || !Number.isFinite(low) || !Number.isFinite(high)) {
      errors[key] = `${r.name}: enter low and high`;
      continue;
    }
    if (low > high) {
      errors[key] = `${r.name}: low ${low} is above high ${high}`;
      continue;
    }
    if (r.kind === "integer" && (!Number.isInteger(low) || !Number.isInteger(high))) {
      errors[key] = `${r.name}: whole numbers`;
      continue;
    }
    if (r.min !== undefined && low < r.min) {
      errors[key] = `${r.name}: low ${low} is below the strategy's minimum ${r.min}`;
      continue;
    }
    if (r.max !== undefined && high > r.max) {
      errors[key] = `${r.name}: high ${high} is above the strategy's maximum ${r.max}`;
      continue;
    }
    const spec: RangeSpec = { low, high };
    if (r.step.trim() !== "") {
      const step = Number(r.step);
      if (!Number.isFinite(step) || step <= 0) {
        errors[key] = `${r.name}: step must be above 0`;
        continue;
      }
      spec.step = step;
    } else if (sampler === "grid") {
      errors[key] = `${r.name}: a grid needs a step`;
      continue;
    }
    if (r.log) spec.log = true;
    ranges[r.name] = spec;
  }
  if (!Object.keys(ranges).length && !Object.keys(errors).length) errors.param_ranges = "vary at least one parameter";
  return { ranges, errors };
}

/** How many points a grid over `ranges` has (null when a range has no step). */
export function gridSize(ranges: Record<string, RangeSpec>): number | null {
  let n = 1;
  for (const r of Object.values(ranges)) {
    if (r.choices) n *= r.choices.length;
    else if (r.step && r.low !== undefined && r.high !== undefined) n *= Math.floor((r.high - r.low) / r.step + 1e-9) + 1;
    else return null;
  }
  return n;
}
