import { describe, expect, it } from "vitest";
import { monthlyReturns } from "../src/lib/monthly";

describe("monthlyReturns", () => {
  it("chains month-end equity, the first month from the first point", () => {
    const pts = [
      { date: "2020-01-02", equity: 100 },
      { date: "2020-01-31", equity: 110 },
      { date: "2020-02-03", equity: 100 },
      { date: "2020-02-28", equity: 99 },
      { date: "2020-03-31", equity: 108.9 },
      { date: "2021-01-29", equity: 119.79 },
    ];
    const t = monthlyReturns(pts);
    expect(t.years).toEqual([2020, 2021]);
    expect(t.months[2020][0]).toBeCloseTo(0.1);
    expect(t.months[2020][1]).toBeCloseTo(-0.1);
    expect(t.months[2020][2]).toBeCloseTo(0.1);
    expect(t.months[2020][3]).toBeNull();
    expect(t.months[2021][0]).toBeCloseTo(0.1);
    expect(t.yearly[2020]).toBeCloseTo(0.089);
    expect(t.yearly[2021]).toBeCloseTo(0.1);
  });
  it("works for intraday stamps and empty curves", () => {
    expect(monthlyReturns([]).years).toEqual([]);
    const t = monthlyReturns([
      { date: "2021-10-01 00:15:00", equity: 100 },
      { date: "2021-10-31 23:45:00", equity: 105 },
      { date: "2021-11-30 23:45:00", equity: 94.5 },
    ]);
    expect(t.months[2021][9]).toBeCloseTo(0.05);
    expect(t.months[2021][10]).toBeCloseTo(-0.1);
  });
});

describe("monthlyReturns with a warm-up", () => {
  it("leaves the months wholly before the effective start blank and measures from the last warm-up close", () => {
    const pts = [
      { date: "2020-01-02", equity: 100 },
      { date: "2020-01-31", equity: 100 },
      { date: "2020-02-28", equity: 100 },
      { date: "2020-03-10", equity: 100 },
      { date: "2020-03-31", equity: 110 },
      { date: "2020-04-30", equity: 121 },
    ];
    const t = monthlyReturns(pts, "2020-03-10");
    expect(t.months[2020][0]).toBeNull();
    expect(t.months[2020][1]).toBeNull();
    expect([...t.warmup].sort()).toEqual(["2020-01", "2020-02"]);
    expect(t.months[2020][2]).toBeCloseTo(0.1);
    expect(t.months[2020][3]).toBeCloseTo(0.1);
    expect(t.yearly[2020]).toBeCloseTo(0.21);
    // a warm-up longer than a calendar year keeps its year's row, blank
    const u = monthlyReturns([{ date: "2019-12-31", equity: 100 }, ...pts.slice(2)], "2020-03-10");
    expect(u.years).toEqual([2019, 2020]);
    expect(u.months[2019].every((x) => x === null)).toBe(true);
    expect(2019 in u.yearly).toBe(false);
  });
});
