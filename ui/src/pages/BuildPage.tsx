import { useEffect, useState } from "react";
import { Link } from "react-router";
import { ApiError } from "../lib/apiErrors";
import { withAuth } from "../lib/auth";

/** POST /api/v2/builder/parse and /builder/strategies (docs/builder.md). */
interface BuiltParameter {
  name: string;
  kind: string;
  default: number;
  minimum: number;
  maximum: number;
  description: string;
  below?: string | null;
}

interface Built {
  name: string;
  category: string;
  direction: string;
  explained: string[];
  parameters: BuiltParameter[];
  code: string;
  path: string | null;
  checks: string[];
}

interface Unread {
  message: string;
  phrase?: string;
  column?: number;
  expected?: string[];
}

async function post(path: string, body: unknown, signal?: AbortSignal): Promise<Built> {
  const res = await fetch(
    `/api/v2/builder${path}`,
    withAuth({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal }),
  );
  const text = await res.text();
  let doc: unknown = null;
  try {
    doc = text ? JSON.parse(text) : null;
  } catch {
    doc = null;
  }
  if (!res.ok) {
    const err = (doc as { error?: { code: string; message: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ApiError(res.status, {
      code: err?.code ?? "http_error",
      message: err?.message ?? `${res.status} ${res.statusText}`,
      details: (err?.details as never) ?? null,
    });
  }
  return doc as Built;
}

function unread(e: unknown): Unread {
  if (e instanceof ApiError) {
    const d = (e.details ?? {}) as Record<string, unknown>;
    return {
      message: e.message.replace(/^input: /, ""),
      phrase: typeof d.phrase === "string" ? d.phrase : undefined,
      column: typeof d.column === "number" ? d.column : undefined,
      expected: Array.isArray(d.expected) ? (d.expected as string[]) : undefined,
    };
  }
  return { message: (e as Error)?.message ?? String(e) };
}

const EXAMPLE = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under";

export default function BuildPage() {
  const [input, setInput] = useState(EXAMPLE);
  const [name, setName] = useState("my_strategy");
  const [category, setCategory] = useState("custom");
  const [preview, setPreview] = useState<Built | null>(null);
  const [error, setError] = useState<Unread | null>(null);
  const [saved, setSaved] = useState<Built | null>(null);
  const [saveError, setSaveError] = useState<Unread | null>(null);
  const [saving, setSaving] = useState(false);
  const [overwrite, setOverwrite] = useState(false);

  // Live parse: 300 ms after the last keystroke.
  useEffect(() => {
    const ac = new AbortController();
    const t = setTimeout(() => {
      post("/parse", { input, name, category }, ac.signal).then(
        (b) => !ac.signal.aborted && (setPreview(b), setError(null)),
        (e) => !ac.signal.aborted && (e as Error).name !== "AbortError" && (setError(unread(e)), setPreview(null)),
      );
    }, 300);
    setSaved(null);
    setSaveError(null);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [input, name, category]);

  const save = () => {
    setSaving(true);
    setSaveError(null);
    post("/strategies", { input, name, category, overwrite }).then(
      (b) => (setSaved(b), setSaving(false)),
      (e) => (setSaveError(unread(e)), setSaving(false)),
    );
  };

  const col = error?.column && error.phrase ? error.column - 1 : -1;
  return (
    <div className="page build-page">
      <h1>Build a strategy</h1>
      <p className="muted">
        Write the rules in plain English; numbers become parameters. Phrases the builder reads are listed in{" "}
        <code>docs/builder.md</code>.
      </p>
      <div className="build-grid" style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", gap: "1rem" }}>
        <section>
          <label htmlFor="build-input">Rules</label>
          <textarea
            id="build-input"
            data-testid="build-input"
            rows={6}
            style={{ width: "100%", minHeight: "8rem" }}
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
          {error && col >= 0 && (
            <pre data-testid="build-error-marker" className="error-marker">
              {input.slice(0, col)}
              <mark>{input.slice(col, col + (error.phrase?.length ?? 1))}</mark>
              {input.slice(col + (error.phrase?.length ?? 1))}
            </pre>
          )}
          <div style={{ display: "flex", gap: "1rem", flexWrap: "wrap" }}>
            <label>
              Name{" "}
              <input data-testid="build-name" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label>
              Category{" "}
              <input data-testid="build-category" value={category} onChange={(e) => setCategory(e.target.value)} />
            </label>
            <label>
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> replace an existing file
            </label>
          </div>
          <button type="button" data-testid="build-save" disabled={!preview || saving} onClick={save}>
            {saving ? "Saving and checking…" : "Save and register"}
          </button>
          {saveError && (
            <div role="alert" className="error" data-testid="build-save-error">
              {saveError.message}
            </div>
          )}
          {saved && (
            <div data-testid="build-saved" className="notice">
              <p>
                Saved <code>{saved.path}</code> and registered <strong>{saved.name}</strong>.
              </p>
              <ul>
                {saved.checks.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
              <Link data-testid="build-backtest-link" to={`/backtests/new?strategy=${encodeURIComponent(saved.name)}`}>
                Backtest it
              </Link>
            </div>
          )}
        </section>
        <section>
          {error && (
            <div role="alert" className="error" data-testid="build-error">
              <p>{error.message}</p>
              {error.expected && error.expected.length > 0 && !error.message.includes("expected") && (
                <p className="muted">Expected: {error.expected.join(", ")}</p>
              )}
            </div>
          )}
          {preview && (
            <div data-testid="build-preview">
              <h2>
                Rules as read <small className="muted">({preview.direction})</small>
              </h2>
              <ul data-testid="build-explained">
                {preview.explained.map((line) => (
                  <li key={line}>
                    <code>{line}</code>
                  </li>
                ))}
              </ul>
              <h2>Parameters</h2>
              <table data-testid="build-params">
                <thead>
                  <tr>
                    <th>parameter</th>
                    <th>default</th>
                    <th>min</th>
                    <th>max</th>
                    <th>meaning</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.parameters.map((p) => (
                    <tr key={p.name} data-testid={`build-param-${p.name}`}>
                      <td>
                        <code>{p.name}</code>
                        {p.below ? <small className="muted"> &lt; {p.below}</small> : null}
                      </td>
                      <td>{p.default}</td>
                      <td>{p.minimum}</td>
                      <td>{p.maximum}</td>
                      <td>{p.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>Code</h2>
              <pre data-testid="build-code" style={{ overflowX: "auto", maxHeight: "28rem" }}>
                {preview.code}
              </pre>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
