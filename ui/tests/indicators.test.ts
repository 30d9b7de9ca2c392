import { describe, expect, it } from "vitest";
import type { IndicatorsResponse } from "../src/api/types";
import { factorByDate, fillPriceInView, seriesInView } from "../src/lib/indicators";
import { toChartTime } from "../src/lib/time";

// A 2:1 split between the 2nd and 3rd day: adjusted prices are half the traded ones before it.
const IND: IndicatorsResponse = {
  run_id: "r",
  symbol: "AAPL",
  strategy: "sma_crossover",
  prices: "adjusted",
  dates: ["2005-02-24", "2005-02-25", "2005-02-28"],
  factor: [0.5, 0.5, 1],
  series: [
    { name: "fast", label: "SMA 10", kind: "overlay", pane: "", levels: [], style: "line", values: [35, 35.5, 36] },
    { name: "rsi", label: "RSI 14", kind: "pane", pane: "rsi", levels: [30, 70], style: "line", values: [40, 50, null] },
  ],
  notes: [],
};

describe("indicator series from the API", () => {
  it("draws overlays as served on the adjusted view and moves them with the candles as traded", () => {
    expect(seriesInView(IND.series[0], IND, "adjusted")).toEqual([35, 35.5, 36]);
    // as traded: 70 and 71 before the split, 36 after: no jump, since the candles jump the same
    expect(seriesInView(IND.series[0], IND, "as_traded")).toEqual([70, 71, 36]);
  });
  it("never rescales a pane (RSI is not a price)", () => {
    expect(seriesInView(IND.series[1], IND, "as_traded")).toEqual([40, 50, null]);
  });
  it("puts a fill at its own price as traded and on the adjusted scale of its day", () => {
    const f = factorByDate(IND);
    expect(fillPriceInView(69.9, "2005-02-25", f, "as_traded")).toBe(69.9);
    expect(fillPriceInView(69.9, "2005-02-25", f, "adjusted")).toBeCloseTo(34.95);
    expect(fillPriceInView(36, "2005-02-28T00:00:00", f, "adjusted")).toBe(36);
  });
  it("converts dates and datetimes to UTC seconds", () => {
    expect(toChartTime("1970-01-02")).toBe(86400);
    expect(toChartTime("1970-01-02T00:00:00")).toBe(86400);
    expect(toChartTime("1970-01-02 01:00:00")).toBe(90000);
  });
});
