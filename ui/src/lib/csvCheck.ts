/** Client-side checks of a bars CSV before upload: a header with a date/time column and OHLC
 * (volume optional), numeric prices, high >= low, dates parseable and increasing. Returns the
 * problems found (at most `maxProblems`) and a summary. */

export interface CsvCheck {
  ok: boolean;
  rows: number;
  columns: string[];
  first: string | null;
  last: string | null;
  problems: string[];
}

const TIME_COLS = ["date", "time", "datetime", "timestamp"];

export function checkBarsCsv(text: string, maxProblems = 8): CsvCheck {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const problems: string[] = [];
  const out: CsvCheck = { ok: false, rows: 0, columns: [], first: null, last: null, problems };
  if (!lines.length) {
    problems.push("the file is empty");
    return out;
  }
  const cols = lines[0].split(",").map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ""));
  out.columns = cols;
  const ti = cols.findIndex((c) => TIME_COLS.includes(c));
  const idx = (n: string) => cols.indexOf(n);
  const need = ["open", "high", "low", "close"];
  if (ti < 0) problems.push(`no date column (expected one of: ${TIME_COLS.join(", ")})`);
  for (const n of need) if (idx(n) < 0) problems.push(`missing column "${n}"`);
  if (problems.length) return out;
  const vi = idx("volume");
  let prev: number | null = null;
  for (let i = 1; i < lines.length && problems.length < maxProblems; i++) {
    const cells = lines[i].split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    const lineNo = i + 1;
    const t = cells[ti];
    const ms = Date.parse(t && t.length === 10 ? t + "T00:00:00Z" : t);
    if (!t || Number.isNaN(ms)) {
      problems.push(`line ${lineNo}: cannot read the date "${t ?? ""}"`);
      continue;
    }
    if (prev !== null && ms <= prev) problems.push(`line ${lineNo}: ${t} is not after the previous row`);
    prev = ms;
    const [o, h, l, c] = need.map((n) => Number(cells[idx(n)]));
    if ([o, h, l, c].some((x) => !Number.isFinite(x))) {
      problems.push(`line ${lineNo}: a price is not a number`);
      continue;
    }
    if (h < l) problems.push(`line ${lineNo}: high ${h} is below low ${l}`);
    else if (h < Math.max(o, c) || l > Math.min(o, c)) problems.push(`line ${lineNo}: open/close outside the high–low range`);
    if ([o, h, l, c].some((x) => x <= 0)) problems.push(`line ${lineNo}: prices must be positive`);
    if (vi >= 0 && cells[vi] !== "" && !(Number(cells[vi]) >= 0)) problems.push(`line ${lineNo}: volume must be a number ≥ 0`);
    out.rows++;
    if (out.first === null) out.first = t;
    out.last = t;
  }
  if (lines.length < 2) problems.push("no data rows");
  out.ok = problems.length === 0;
  return out;
}
