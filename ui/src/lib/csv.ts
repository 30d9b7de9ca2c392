/** CSV export (RFC 4180 quoting) and a browser download helper. */

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<T extends object>(rows: T[], columns: (keyof T & string)[]): string {
  const lines = [columns.join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvCell((r as Record<string, unknown>)[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}

export const TRADE_COLUMNS = [
  "seq",
  "symbol",
  "direction",
  "entry_time",
  "entry_price",
  "exit_time",
  "exit_price",
  "qty",
  "pnl_gross",
  "fees",
  "dividends",
  "pnl_net",
  "return_pct",
  "bars_held",
  "exit_reason",
] as const;

export function download(filename: string, content: string, type: string): void {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
