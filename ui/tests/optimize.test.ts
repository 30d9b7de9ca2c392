import { describe, expect, it } from "vitest";
import type { Trial } from "../src/api/types";
import { axis, binIndex, buildRanges, gridSize, heatmap, history, importance, rangesFromFields, slice } from "../src/lib/optimize";
import { fieldsFromSchema } from "../src/lib/schemaForm";

function trial(number: number, params: Trial["params"], value: number | null, state = "complete"): Trial {
  return { number, params, state, values: [value], metrics: {}, duration_ms: 1, error: "", finished_at: null };
}

describe("history", () => {
  const trials = [trial(2, {}, 0.5), trial(0, {}, 1), trial(1, {}, null, "too_few_trades"), trial(3, {}, 2), trial(4, {}, -1)];
  it("orders by trial number, skips incomplete trials, and keeps the best so far (maximise)", () => {
    expect(history(trials, "maximize")).toEqual([
      { number: 0, value: 1, best: 1 },
      { number: 2, value: 0.5, best: 1 },
      { number: 3, value: 2, best: 2 },
      { number: 4, value: -1, best: 2 },
    ]);
  });
  it("keeps the smallest when minimising", () => {
    expect(history(trials, "minimize").map((p) => p.best)).toEqual([1, 0.5, 0.5, -1]);
  });
  it("ignores a complete trial without a finite value", () => {
    expect(history([trial(0, {}, Number.NaN), trial(1, {}, 3)], "maximize")).toEqual([{ number: 1, value: 3, best: 3 }]);
  });
});

describe("importance", () => {
  it("gives all the variance to the parameter the objective depends on", () => {
    const ts: Trial[] = [];
    let n = 0;
    for (const a of [1, 2, 3]) for (const b of [10, 20, 30]) ts.push(trial(n++, { a, b }, a * 2));
    const imp = importance(ts, ["a", "b"]);
    expect(imp.a).toBeCloseTo(1, 12);
    expect(imp.b).toBeCloseTo(0, 12);
  });
  it("splits by the correlation ratio of each parameter and sums to 1", () => {
    // value = a + 2b on a full 2x2 grid: between-group variances 0.25 and 1 → shares 0.2 and 0.8
    const ts = [trial(0, { a: 0, b: 0 }, 0), trial(1, { a: 1, b: 0 }, 1), trial(2, { a: 0, b: 1 }, 2), trial(3, { a: 1, b: 1 }, 3)];
    const imp = importance(ts, ["a", "b"]);
    expect(imp.a).toBeCloseTo(0.2, 12);
    expect(imp.b).toBeCloseTo(0.8, 12);
  });
  it("is all zero on a flat objective or fewer than two trials", () => {
    expect(importance([trial(0, { a: 1 }, 1), trial(1, { a: 2 }, 1)], ["a"])).toEqual({ a: 0 });
    expect(importance([trial(0, { a: 1 }, 1)], ["a"])).toEqual({ a: 0 });
  });
  it("bins a continuous parameter instead of one group per value", () => {
    // 40 distinct values of x; the objective is a step at x = 20: binned, x explains it all
    const ts = Array.from({ length: 40 }, (_, i) => trial(i, { x: i + 0.5, noise: i % 2 }, i < 20 ? 0 : 1));
    const imp = importance(ts, ["x", "noise"], 0, 10);
    expect(imp.x).toBeCloseTo(1, 12);
    expect(imp.noise).toBeCloseTo(0, 12);
  });
});

describe("heatmap binning", () => {
  it("binIndex splits [lo, hi] in equal bins, hi in the last", () => {
    expect([0, 2.49, 2.5, 9.99, 10].map((x) => binIndex(x, 0, 10, 4))).toEqual([0, 0, 1, 3, 3]);
    expect(binIndex(5, 5, 5, 4)).toBe(0);
  });
  it("one cell per distinct value, sorted numerically, with the best value per cell", () => {
    const ts = [
      trial(0, { f: 10, s: 100 }, 1),
      trial(1, { f: 5, s: 100 }, 2),
      trial(2, { f: 10, s: 50 }, 3),
      trial(3, { f: 10, s: 50 }, 4),
      trial(4, { f: 5, s: 50 }, null, "infeasible"),
    ];
    const hm = heatmap(ts, "f", "s", "maximize");
    expect(hm.x.labels).toEqual(["5", "10"]);
    expect(hm.y.labels).toEqual(["50", "100"]);
    expect(hm.cells).toEqual([
      [null, 4],
      [2, 1],
    ]);
    expect(hm.counts).toEqual([
      [0, 2],
      [1, 1],
    ]);
    expect([hm.min, hm.max]).toEqual([1, 4]);
    expect(heatmap(ts, "f", "s", "minimize").cells[0][1]).toBe(3);
  });
  it("many distinct values fall into equal-width bins", () => {
    const ax = axis(
      Array.from({ length: 100 }, (_, i) => i),
      4,
    );
    expect(ax.labels).toHaveLength(4);
    expect([0, 24, 25, 99].map(ax.index)).toEqual([0, 0, 1, 3]);
  });
});

describe("slice", () => {
  it("one point per complete trial with the parameter", () => {
    const ts = [trial(0, { a: 1, m: true }, 2), trial(1, { a: 3, m: false }, null, "failed")];
    expect(slice(ts, "a")).toEqual([{ x: 1, value: 2, number: 0 }]);
    expect(slice(ts, "m")).toEqual([{ x: "true", value: 2, number: 0 }]);
  });
});

describe("ranges from the strategy's bounds", () => {
  const fields = fieldsFromSchema({
    properties: {
      fast: { type: "integer", minimum: 2, maximum: 50, default: 10 },
      kind: { enum: ["ema", "sma"], default: "sma" },
      label: { type: "string" },
    },
  });
  it("pre-fills low/high from the bounds, step 1 for integers, all choices for enums", () => {
    const rows = rangesFromFields(fields);
    expect(rows.map((r) => [r.name, r.low, r.high, r.step, r.choices, r.enabled])).toEqual([
      ["fast", "2", "50", "1", "", true],
      ["kind", "", "", "", "ema, sma", true],
    ]);
  });
  it("builds param_ranges, refusing ranges outside the bounds with the field named", () => {
    const rows = rangesFromFields(fields);
    rows[0] = { ...rows[0], low: "5", high: "20", step: "5" };
    expect(buildRanges(rows, "grid")).toEqual({ ranges: { fast: { low: 5, high: 20, step: 5 }, kind: { choices: ["ema", "sma"] } }, errors: {} });
    expect(gridSize(buildRanges(rows, "grid").ranges)).toBe(8);
    rows[0] = { ...rows[0], low: "1" };
    expect(buildRanges(rows, "grid").errors).toEqual({ "param_ranges.fast": "fast: low 1 is below the strategy's minimum 2" });
    rows[0] = { ...rows[0], low: "5", step: "" };
    expect(buildRanges(rows, "grid").errors["param_ranges.fast"]).toMatch(/grid needs a step/);
    expect(buildRanges(rows, "tpe").ranges.fast).toEqual({ low: 5, high: 20 });
  });
  it("needs at least one varied parameter", () => {
    const rows = rangesFromFields(fields).map((r) => ({ ...r, enabled: false }));
    expect(buildRanges(rows, "tpe").errors).toEqual({ param_ranges: "vary at least one parameter" });
  });
});
