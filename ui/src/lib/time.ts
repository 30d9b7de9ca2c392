import type { UTCTimestamp } from "lightweight-charts";

/** "2024-01-05", "2024-01-05T09:15:00", "2024-01-05 09:15:00" -> UTC seconds (the chart's time). */
export function toChartTime(s: string): UTCTimestamp {
  if (s.length === 10 && s[4] === "-" && s[7] === "-") {
    // a day (most bars): no string building and parsing per point
    const y = +s.slice(0, 4);
    const m = +s.slice(5, 7);
    const d = +s.slice(8, 10);
    if (y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= 31) return (Date.UTC(y, m - 1, d) / 1000) as UTCTimestamp;
  }
  const iso = s.length <= 10 ? s + "T00:00:00Z" : s.replace(" ", "T").replace(/(Z|[+-]\d\d:\d\d)?$/, (m) => m || "Z");
  return Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;
}
