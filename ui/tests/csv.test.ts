import { describe, expect, it } from "vitest";
import { csvCell, toCsv, TRADE_COLUMNS } from "../src/lib/csv";
import { checkBarsCsv } from "../src/lib/csvCheck";

describe("CSV export", () => {
  it("quotes commas, quotes and newlines", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("x\ny")).toBe('"x\ny"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(1.5)).toBe("1.5");
  });
  it("writes trades with a header in column order", () => {
    const t = {
      seq: 0, symbol: "AAPL", direction: "long", entry_time: "2020-01-02T00:00:00", entry_price: 10, exit_time: "2020-02-03T00:00:00",
      exit_price: 12, qty: 100, pnl_gross: 200, fees: 1.25, dividends: 0, pnl_net: 198.75, return_pct: 0.19875, bars_held: 21, exit_reason: "stop, trailing",
    };
    const csv = toCsv([t], [...TRADE_COLUMNS]);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(TRADE_COLUMNS.join(","));
    expect(lines[1]).toBe('0,AAPL,long,2020-01-02T00:00:00,10,2020-02-03T00:00:00,12,100,200,1.25,0,198.75,0.19875,21,"stop, trailing"');
    expect(lines.length).toBe(2);
  });
});

describe("bars CSV check", () => {
  it("accepts a good file", () => {
    const r = checkBarsCsv("date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,1000\n2020-01-03,10.5,12,10,11,900\n");
    expect(r.ok).toBe(true);
    expect(r.rows).toBe(2);
    expect([r.first, r.last]).toEqual(["2020-01-02", "2020-01-03"]);
  });
  it("reports missing columns and bad rows with line numbers", () => {
    expect(checkBarsCsv("date,open,high,close\n").problems).toContain('missing column "low"');
    const r = checkBarsCsv("date,open,high,low,close\n2020-01-03,1,2,0.5,1\n2020-01-02,1,2,0.5,1\nxx,1,2,1,1\n2020-01-05,1,0.5,2,1\n");
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      "line 3: 2020-01-02 is not after the previous row",
      'line 4: cannot read the date "xx"',
      "line 5: high 0.5 is below low 2",
    ]);
  });
});
