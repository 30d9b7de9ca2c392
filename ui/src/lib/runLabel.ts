/** Tags typed as one line ("trend, us large-cap") into the list the API takes. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(",")) {
    const t = raw.trim();
    if (!t || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out;
}

/** What the API refuses, said before asking it (the API says the same, naming the field). */
export function tagProblems(tags: string[]): string[] {
  const bad = tags.filter((t) => !/^[A-Za-z0-9][A-Za-z0-9 _.:/+#-]{0,31}$/.test(t));
  const out = bad.map((t) => `"${t}": 1–32 characters, letters, digits, space and _ . : / + # - only`);
  if (tags.length > 20) out.push(`at most 20 tags (got ${tags.length})`);
  return out;
}
