import type { UTCTimestamp } from "lightweight-charts";

/** "2024-01-05", "2024-01-05T09:15:00", "2024-01-05 09:15:00" -> UTC seconds (the chart's time). */
export function toChartTime(s: string): UTCTimestamp {
  const iso = s.length <= 10 ? s + "T00:00:00Z" : s.replace(" ", "T").replace(/(Z|[+-]\d\d:\d\d)?$/, (m) => m || "Z");
  return Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;
}
