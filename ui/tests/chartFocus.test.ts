import { describe, expect, it } from "vitest";
import { barIndex, focusRange, toDay } from "../src/lib/chartFocus";
import { toChartTime } from "../src/lib/time";
import { filterTrades, pageOf, NO_FILTER } from "../src/components/TradesTable";
import type { Trade } from "../src/api/types";

const days = Array.from({ length: 100 }, (_, i) => toChartTime(new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10)));

describe("focusRange", () => {
  it("shows the trade's life with as many bars again either side, at least 10", () => {
    expect(focusRange(days, "2020-01-21", "2020-02-10")).toEqual({ from: 0, to: 60 });
    expect(focusRange(days, "2020-01-21", "2020-01-23")).toEqual({ from: 10, to: 32 });
  });
  it("finds intraday stamps at or after a bar and clamps to the data", () => {
    expect(barIndex(days, toChartTime("2020-01-05T10:00:00Z"))).toBe(5);
    expect(focusRange(days, "2020-04-01", "2020-05-01")).toEqual({ from: 81, to: 109 }) // 2020-04-01 is bar 91; the exit clamps to the last bar, 99;
    expect(focusRange([], "2020-01-01", "2020-01-02")).toBeNull();
    expect(toDay(days[3])).toBe("2020-01-04");
  });
});

const t = (seq: number, symbol: string, pnl: number, direction = "long", exit_reason = "signal") =>
  ({ seq, symbol, direction, exit_reason, pnl_net: pnl, entry_time: `2020-01-${String(seq + 1).padStart(2, "0")}` }) as Trade;

describe("trades filter and client-side pages", () => {
  const all = [t(0, "A", 5), t(1, "B", -2, "short"), t(2, "A", 0, "long", "stop_loss"), t(3, "B", 7)];
  it("filters by symbol, side, exit reason and outcome (a zero P&L is not a win)", () => {
    expect(filterTrades(all, { ...NO_FILTER, symbol: "A" }).map((x) => x.seq)).toEqual([0, 2]);
    expect(filterTrades(all, { ...NO_FILTER, side: "short" }).map((x) => x.seq)).toEqual([1]);
    expect(filterTrades(all, { ...NO_FILTER, exitReason: "stop_loss" }).map((x) => x.seq)).toEqual([2]);
    expect(filterTrades(all, { ...NO_FILTER, outcome: "winner" }).map((x) => x.seq)).toEqual([0, 3]);
    expect(filterTrades(all, { ...NO_FILTER, outcome: "loser" }).map((x) => x.seq)).toEqual([1, 2]);
  });
  it("sorts like the API (ties by trade number) and pages with the true total", () => {
    const p = pageOf(all, { limit: 2, offset: 0, sort: "-pnl_net" });
    expect(p.items.map((x) => x.seq)).toEqual([3, 0]);
    expect(p.total).toBe(4);
    expect(pageOf(all, { limit: 2, offset: 2, sort: "-pnl_net" }).items.map((x) => x.seq)).toEqual([2, 1]);
    expect(pageOf(all, { limit: 10, offset: 0, sort: "symbol" }).items.map((x) => x.seq)).toEqual([0, 2, 1, 3]);
  });
});
