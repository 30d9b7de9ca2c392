/** Pure helpers of the compare page's correlation heatmap and combine view. */

/** A diverging colour for a correlation in [-1, 1]: blue (-1) through white (0) to red (+1). */
export function correlationColour(v: number | null, dark = false): string {
  if (v === null || !Number.isFinite(v)) return dark ? "#2a2f37" : "#eceff3";
  const x = Math.max(-1, Math.min(1, v));
  const mid: [number, number, number] = dark ? [40, 44, 52] : [250, 250, 250];
  const end: [number, number, number] = x >= 0 ? [207, 34, 46] : [31, 111, 235];
  const t = Math.abs(x);
  const c = mid.map((m, i) => Math.round(m + (end[i] - m) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Text readable on `correlationColour(v)`. */
export function correlationText(v: number | null, dark = false): string {
  if (v === null || !Number.isFinite(v)) return dark ? "#8b949e" : "#57606a";
  return Math.abs(v) > 0.55 ? "#ffffff" : dark ? "#e6edf3" : "#1f2328";
}

/** User weights from text fields: each a finite number >= 0, not all zero; else a message. */
export function parseWeights(values: string[]): { weights: number[] } | { error: string } {
  const weights = values.map((s) => Number(s.trim()));
  const bad = weights.findIndex((w, i) => values[i].trim() === "" || !Number.isFinite(w) || w < 0);
  if (bad >= 0) return { error: `weight ${bad + 1}: a number >= 0, got "${values[bad]}"` };
  if (weights.every((w) => w === 0)) return { error: "weights: not all 0" };
  return { weights };
}
