/** Monthly (and yearly) returns from an equity curve: each month's last equity over the previous
 * month's last equity (the first month is measured from the curve's first point). */

export interface MonthlyTable {
  years: number[];
  /** year -> 12 entries (Jan..Dec), null where the curve has no data */
  months: Record<number, (number | null)[]>;
  /** year -> that year's compounded return */
  yearly: Record<number, number>;
}

export function monthlyReturns(points: { date: string; equity: number }[]): MonthlyTable {
  const months: Record<number, (number | null)[]> = {};
  const yearly: Record<number, number> = {};
  if (!points.length) return { years: [], months, yearly };
  // last equity of each (year, month), in order
  const closes: { y: number; m: number; eq: number }[] = [];
  for (const p of points) {
    const y = Number(p.date.slice(0, 4));
    const m = Number(p.date.slice(5, 7)) - 1;
    const last = closes[closes.length - 1];
    if (last && last.y === y && last.m === m) last.eq = p.equity;
    else closes.push({ y, m, eq: p.equity });
  }
  let prev = points[0].equity;
  const yearStart: Record<number, number> = {};
  for (const c of closes) {
    if (!months[c.y]) {
      months[c.y] = Array(12).fill(null);
      yearStart[c.y] = prev;
    }
    months[c.y][c.m] = prev > 0 ? c.eq / prev - 1 : null;
    prev = c.eq;
    yearly[c.y] = yearStart[c.y] > 0 ? c.eq / yearStart[c.y] - 1 : 0;
  }
  const years = Object.keys(months)
    .map(Number)
    .sort((a, b) => a - b);
  return { years, months, yearly };
}
