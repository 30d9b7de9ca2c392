import { describe, expect, it } from "vitest";
import { ema, overlaysFor, sma } from "../src/lib/indicators";
import { toChartTime } from "../src/lib/time";

describe("indicators", () => {
  it("computes a simple moving average", () => {
    expect(sma([1, 2, 3, 4, 5], 3)).toEqual([null, null, 2, 3, 4]);
  });
  it("computes an EMA seeded with the SMA", () => {
    const v = ema([1, 2, 3, 4], 3);
    expect(v.slice(0, 2)).toEqual([null, null]);
    expect(v[2]).toBeCloseTo(2);
    expect(v[3]).toBeCloseTo(3);
  });
  it("draws moving averages only for strategies whose parameters name them", () => {
    expect(overlaysFor({ fast_period: 20, slow_period: 50 }, "sma_crossover").map((o) => o.label)).toEqual(["SMA 20", "SMA 50"]);
    expect(overlaysFor({ fast_period: 12, slow_period: 26 }, "ema_crossover").map((o) => o.label)).toEqual(["EMA 12", "EMA 26"]);
    expect(overlaysFor({ bb_period: 20, bb_std_dev: 2 }, "bollinger_bands").map((o) => o.label)).toEqual(["SMA 20 (middle band)"]);
    expect(overlaysFor({ period: 20 })).toEqual([]);
    expect(overlaysFor(null)).toEqual([]);
  });
  it("converts dates and datetimes to UTC seconds", () => {
    expect(toChartTime("1970-01-02")).toBe(86400);
    expect(toChartTime("1970-01-02T00:00:00")).toBe(86400);
    expect(toChartTime("1970-01-02 01:00:00")).toBe(90000);
  });
});
