import { afterEach, describe, expect, it, vi } from "vitest";
import type { BarColumns, PriceChartResponse, Run } from "../src/api/types";
import { RECENT_BARS, candlesOf, loadPriceChart, openingRange, prefetchPriceChart, takeArrivedPriceChart, viewsOf } from "../src/lib/priceChartData";
import { toChartTime } from "../src/lib/time";

const BARS: BarColumns = {
  market: "US",
  symbol: "AAPL",
  adjustment: "adjusted",
  synthetic: false,
  notes: [],
  time: ["2005-02-24", "2005-02-25", "2005-02-28"],
  open: [10, null, 12],
  high: [11, 12, 13],
  low: [9, 10, 11],
  close: [10.5, 11, 12.5],
  volume: [100, 200, null],
  total: 3,
};

function answer(symbol = "AAPL", prices: "adjusted" | "as_traded" = "adjusted"): PriceChartResponse {
  return {
    run_id: "r1",
    symbol,
    prices,
    bars: { ...BARS, symbol, adjustment: prices },
    indicators: { run_id: "r1", symbol, strategy: "rsi_mean_reversion", prices: "adjusted", dates: BARS.time, factor: [1, 1, 1], series: [], notes: [] },
  };
}

function run(id: string, adjustment = "events"): Run {
  return { id, status: "completed", symbols: ["AAPL", "MSFT"], market: "US", config: { adjustment } } as unknown as Run;
}

function mockFetch(body: (url: string) => unknown) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      calls.push(url);
      return new Response(JSON.stringify(body(url)), { status: 200 });
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  delete (window as unknown as { __avaPrefetch?: unknown }).__avaPrefetch;
});

describe("the price chart's data", () => {
  it("offers the views of the run's adjustment, the one it opens with first", () => {
    expect(viewsOf(undefined)).toEqual(["adjusted", "as_traded"]);
    expect(viewsOf("events")).toEqual(["adjusted", "as_traded"]);
    expect(viewsOf("adjusted")).toEqual(["adjusted"]);
    expect(viewsOf("none")).toEqual(["as_traded"]);
  });

  it("reads candles from the columns, leaving out a bar without all four prices", () => {
    const k = candlesOf(BARS);
    expect(k.times).toEqual([toChartTime("2005-02-24"), toChartTime("2005-02-28")]);
    expect([k.open, k.high, k.low, k.close]).toEqual([
      [10, 12],
      [11, 13],
      [9, 11],
      [10.5, 12.5],
    ]);
    expect(k.volume).toEqual([100, 0]);
  });

  it("turns days into the chart's time as Date.parse does", () => {
    for (const d of ["1970-01-02", "2000-02-29", "2013-03-01", "1999-12-31"]) {
      expect(toChartTime(d)).toBe(Date.parse(d + "T00:00:00Z") / 1000);
    }
    expect(toChartTime("2024-01-05T09:15:00")).toBe(Date.parse("2024-01-05T09:15:00Z") / 1000);
  });

  it("uses the answer index.html prefetched for the first symbol and view, once", async () => {
    const calls = mockFetch((url) => (url.includes("MSFT") ? answer("MSFT") : answer()));
    const raw = { ok: true, status: 200, text: JSON.stringify(answer()) };
    (window as unknown as { __avaPrefetch: unknown }).__avaPrefetch = { id: "r1", chart: Promise.resolve(raw) };
    const r = run("r1");
    prefetchPriceChart(r);
    expect(calls).toEqual([]); // index.html's request, not a second one
    await new Promise((ok) => setTimeout(ok, 0));
    // arrived: the chart draws it in its first render, and it is not handed out twice
    expect(takeArrivedPriceChart(r, "AAPL", "adjusted")?.bars.close).toEqual(BARS.close);
    expect(takeArrivedPriceChart(r, "AAPL", "adjusted")).toBeUndefined();
    // another symbol or view: its own request
    const other = await loadPriceChart(r, "MSFT", "adjusted");
    expect(other.symbol).toBe("MSFT");
    expect(calls).toEqual(["/api/v2/backtests/r1/price-chart?symbol=MSFT&prices=adjusted"]);
  });

  it("asks again when the prefetched answer failed or is of another view", async () => {
    const calls = mockFetch(() => answer("AAPL", "as_traded"));
    const raw = { ok: false, status: 409, text: JSON.stringify({ error: { code: "conflict", message: "queued" } }) };
    (window as unknown as { __avaPrefetch: unknown }).__avaPrefetch = { id: "r2", chart: Promise.resolve(raw) };
    const r = run("r2", "none");
    const got = await loadPriceChart(r, "AAPL", "as_traded");
    expect(got.prices).toBe("as_traded");
    expect(calls).toEqual(["/api/v2/backtests/r2/price-chart?symbol=AAPL&prices=as_traded"]);
  });
});

describe("openingRange", () => {
  it("opens a long run on its last two years of bars, with room for the last bar", () => {
    expect(RECENT_BARS).toBe(504);
    expect(openingRange(3270)).toEqual({ from: 3270 - 504, to: 3271 });
  });
  it("shows a run not much longer than that whole", () => {
    expect(openingRange(0)).toBeNull();
    expect(openingRange(530)).toBeNull();
    expect(openingRange(756)).toBeNull();
    expect(openingRange(757)).toEqual({ from: 253, to: 758 });
  });
});
