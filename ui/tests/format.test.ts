import { describe, expect, it } from "vitest";
import { bestIndices, formatCompact, formatCurrency, formatMetric, formatNumber, formatPct, groupDigits, runCurrency } from "../src/lib/format";

describe("groupDigits", () => {
  it("groups western style in threes", () => {
    expect(groupDigits("123456789", false)).toBe("123,456,789");
    expect(groupDigits("1000", false)).toBe("1,000");
    expect(groupDigits("999", false)).toBe("999");
  });
  it("groups Indian style: three, then twos (lakh/crore)", () => {
    expect(groupDigits("123456789", true)).toBe("12,34,56,789");
    expect(groupDigits("100000", true)).toBe("1,00,000");
    expect(groupDigits("10000000", true)).toBe("1,00,00,000");
    expect(groupDigits("1000", true)).toBe("1,000");
    expect(groupDigits("12", true)).toBe("12");
  });
});

describe("formatCurrency", () => {
  it("formats INR with lakh/crore grouping", () => {
    expect(formatCurrency(123456789, "INR")).toBe("₹12,34,56,789.00");
    expect(formatNumber(123456789, 2, "INR")).toBe("12,34,56,789.00");
    expect(formatCurrency(150000.5, "INR")).toBe("₹1,50,000.50");
  });
  it("formats USD with western grouping", () => {
    expect(formatCurrency(123456789, "USD")).toBe("$123,456,789.00");
    expect(formatCurrency(1957042.4818, "USD")).toBe("$1,957,042.48");
  });
  it("puts the sign before the symbol and never shows -0", () => {
    expect(formatCurrency(-1234.5, "USD")).toBe("-$1,234.50");
    expect(formatCurrency(-1234567, "INR")).toBe("-₹12,34,567.00");
    expect(formatCurrency(-0.001, "USD")).toBe("$0.00");
  });
  it("shows a dash for missing values", () => {
    expect(formatCurrency(null, "USD")).toBe("—");
    expect(formatCurrency(Number.NaN, "INR")).toBe("—");
  });
  it("rounds carry into the grouping", () => {
    expect(formatNumber(99999.999, 2, "INR")).toBe("1,00,000.00");
  });
});

describe("compact and metric formats", () => {
  it("uses lakh and crore for INR", () => {
    expect(formatCompact(12_345_678, "INR")).toBe("₹1.23 Cr");
    expect(formatCompact(450_000, "INR")).toBe("₹4.50 L");
    expect(formatCompact(1_960_000, "USD")).toBe("$1.96M");
  });
  it("formats by unit", () => {
    expect(formatPct(0.1234)).toBe("12.34%");
    expect(formatMetric(-0.5249, "pct")).toBe("-52.49%");
    expect(formatMetric(0.7283, "ratio")).toBe("0.73");
    expect(formatMetric(7340.09, "currency", "INR")).toBe("₹7,340.09");
    expect(formatMetric(253, "count")).toBe("253");
    expect(formatMetric(1420, "bars")).toBe("1,420 bars");
    expect(formatMetric(null, "ratio")).toBe("—");
  });
});

describe("runCurrency", () => {
  it("uses the run's own currency, else its market's", () => {
    expect(runCurrency({ currency: "INR", market: "IN" })).toBe("INR");
    expect(runCurrency({ currency: null, market: "IN" })).toBe("INR");
    expect(runCurrency({ currency: null, market: "US" })).toBe("USD");
  });
});

describe("bestIndices", () => {
  it("ranks every value when there are no groups", () => {
    expect([...bestIndices([1, 3, 2], true)]).toEqual([1]);
    expect([...bestIndices([1, 3, 2], false)]).toEqual([0]);
  });
  it("never ranks money of different currencies against each other", () => {
    // fees: ₹46,958 is not "better" than $59,621
    expect([...bestIndices([46958, 59621], false, ["INR", "USD"])]).toEqual([]);
    // within one currency it still does
    const best = bestIndices([46958, 59621, 12000], false, ["INR", "USD", "USD"]);
    expect([...best]).toEqual([2]);
  });
  it("skips missing values and marks no winner on a tie", () => {
    expect([...bestIndices([null, 2, undefined], true)]).toEqual([]);
    expect([...bestIndices([2, 2], true)]).toEqual([]);
  });
});
