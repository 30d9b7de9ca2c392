import { describe, expect, it } from "vitest";
import { TickMarkType, type UTCTimestamp } from "lightweight-charts";
import { tickMark } from "../src/components/charts";

const at = (iso: string) => (Date.parse(iso) / 1000) as UTCTimestamp;

describe("time axis labels", () => {
  it("read as the library's English defaults, in UTC", () => {
    const t = at("2005-03-14T09:05:07Z");
    const local = new Date(2005, 2, 14, 9, 5, 7); // what the library formats (UTC fields, local date)
    expect(tickMark(t, TickMarkType.Year)).toBe(local.toLocaleString("en-US", { year: "numeric" }));
    expect(tickMark(t, TickMarkType.Month)).toBe(local.toLocaleString("en-US", { month: "short" }));
    expect(tickMark(t, TickMarkType.DayOfMonth)).toBe(local.toLocaleString("en-US", { day: "numeric" }));
    expect(tickMark(t, TickMarkType.Time)).toBe("09:05");
    expect(tickMark(t, TickMarkType.TimeWithSeconds)).toBe("09:05:07");
  });
  it("takes business days and day strings too", () => {
    expect(tickMark({ year: 2013, month: 12, day: 31 }, TickMarkType.Month)).toBe("Dec");
    expect(tickMark("2000-02-29", TickMarkType.DayOfMonth)).toBe("29");
    expect(tickMark(at("1999-12-31T23:59:00Z"), TickMarkType.Year)).toBe("1999");
  });
});
