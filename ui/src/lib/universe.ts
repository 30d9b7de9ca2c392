/** Symbols typed or pasted as text (commas, spaces, semicolons or lines): upper-cased, each once, in order. */
export function parseSymbols(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const s = raw.trim().toUpperCase();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/** A universe name the API takes: letters, digits, _ and -, 1–64 characters. */
export function universeNameProblem(name: string): string | null {
  if (!name.trim()) return "enter a name";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name.trim())) return "letters, digits, _ and - only (at most 64)";
  return null;
}
