import type { StrategySummary } from "../api/types";

/** The words of a text: runs of letters and digits ("rsi_mean-reversion 2" → rsi, mean, reversion, 2). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/**
 * The strategy search rule: every word typed must begin a word of the strategy's name, category,
 * tags or description ("rsi" finds rsi_mean_reversion and "RSI(14) filter", never "mean-reversion",
 * whose "rsi" is inside "reversion"). An empty search matches everything.
 */
export function matchesStrategy(s: Pick<StrategySummary, "name" | "category" | "tags" | "description">, query: string): boolean {
  const wanted = words(query);
  if (!wanted.length) return true;
  const have = words([s.name, s.category, ...(s.tags ?? []), s.description ?? ""].join(" "));
  return wanted.every((w) => have.some((h) => h.startsWith(w)));
}
