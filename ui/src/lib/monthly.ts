/** Monthly (and yearly) returns from an equity curve: each month's last equity over the previous
 * month's last equity (the first month is measured from the curve's first point). */

export interface MonthlyTable {
  years: number[];
  /** year -> 12 entries (Jan..Dec), null where the curve has no data */
  months: Record<number, (number | null)[]>;
  /** year -> that year's compounded return */
  yearly: Record<number, number>;
  /** "YYYY-MM" of the months that lie wholly in the warm-up (before the effective start) */
  warmup: Set<string>;
}

/** ``effectiveStart`` (YYYY-MM-DD): the first bar with the strategy's full warm-up behind it;
 * the months wholly before it are warm-up, shown blank (the strategy could not trade), and the
 * first month after is measured from the last warm-up close. */
export function monthlyReturns(all: { date: string; equity: number }[], effectiveStart?: string | null): MonthlyTable {
  const months: Record<number, (number | null)[]> = {};
  const yearly: Record<number, number> = {};
  const warmup = new Set<string>();
  const from = effectiveStart ? all.findIndex((p) => p.date.slice(0, 10) >= effectiveStart) : 0;
  if (from < 0) return { years: [], months, yearly, warmup };
  for (const p of all.slice(0, from)) warmup.add(p.date.slice(0, 7));
  const points = all.slice(from);
  if (!points.length) return { years: [], months, yearly, warmup };
  warmup.delete(points[0].date.slice(0, 7)); // the month the effective start falls in is traded
  // last equity of each (year, month), in order
  const closes: { y: number; m: number; eq: number }[] = [];
  for (const p of points) {
    const y = Number(p.date.slice(0, 4));
    const m = Number(p.date.slice(5, 7)) - 1;
    const last = closes[closes.length - 1];
    if (last && last.y === y && last.m === m) last.eq = p.equity;
    else closes.push({ y, m, eq: p.equity });
  }
  let prev = from > 0 ? all[from - 1].equity : points[0].equity;
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
  for (const ym of warmup) {
    const y = Number(ym.slice(0, 4));
    if (!months[y]) months[y] = Array(12).fill(null);
  }
  const years = Object.keys(months)
    .map(Number)
    .sort((a, b) => a - b);
  return { years, months, yearly, warmup };
}
