import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError } from "../lib/apiErrors";
import { withAuth } from "../lib/auth";

/** POST /api/v2/builder/parse, /ocr, /image, /check and /strategies (docs/builder.md). */
interface BuiltParameter {
  name: string;
  kind: string;
  default: number | string | boolean;
  minimum: number | null;
  maximum: number | null;
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
  verification?: Check[];
  rule?: unknown;
  source?: string;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface CheckReport {
  ok: boolean;
  checks: Check[];
  line: number | null;
}

interface Ocr {
  text: string;
  confidence: number;
  kind: string;
  llm_available: boolean;
}

interface Unread {
  message: string;
  checks?: Check[];
  line?: number;
  phrase?: string;
  column?: number;
  expected?: string[];
  problems?: PineProblem[];
}

/** One construct the Pine transpiler refused (POST /builder/pine's 422 details). */
interface PineProblem {
  line: number;
  column: number;
  construct: string;
  message: string;
}

/** Text with a //@version line is a Pine Script strategy (POST /builder/pine). */
const isPineScript = (text: string) => /\/\/\s*@version\s*=\s*\d/.test(text);

async function post<T = Built>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit =
    body instanceof FormData
      ? { method: "POST", body, signal }
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal };
  const res = await fetch(`/api/v2/builder${path}`, withAuth(init));
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
  return doc as T;
}

function unread(e: unknown): Unread {
  if (e instanceof ApiError) {
    const d = (e.details ?? {}) as Record<string, unknown>;
    return {
      checks: Array.isArray(d.checks) ? (d.checks as Check[]) : undefined,
      line: typeof d.line === "number" ? d.line : undefined,
      message: e.message.replace(/^(input|code|rule|llm|image|pine): /, ""),
      phrase: typeof d.phrase === "string" ? d.phrase : undefined,
      column: typeof d.column === "number" ? d.column : undefined,
      expected: Array.isArray(d.expected) ? (d.expected as string[]) : undefined,
      problems: Array.isArray(d.problems) ? (d.problems as PineProblem[]) : undefined,
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
  const [useLlm, setUseLlm] = useState(false);
  const [code, setCode] = useState("");
  const [ocr, setOcr] = useState<Ocr | null>(null);
  const [reading, setReading] = useState<string | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const [report, setReport] = useState<CheckReport | null>(null);
  const [checking, setChecking] = useState(false);
  const [starting, setStarting] = useState(false);
  const [image, setImage] = useState<File | null>(null);
  const navigate = useNavigate();

  const show = (b: Built | null) => {
    setPreview(b);
    setCode(b ? b.code : "");
    setReport(null);
  };

  // Live parse: 300 ms after the last keystroke (the LLM is asked only on the button).
  useEffect(() => {
    setSaved(null);
    setSaveError(null);
    if (useLlm) return;
    const ac = new AbortController();
    const t = setTimeout(() => {
      const read = isPineScript(input)
        ? post("/pine", { pine: input, name, category }, ac.signal)
        : post("/parse", { input, name, category }, ac.signal);
      read.then(
        (b) => !ac.signal.aborted && (show(b), setError(null)),
        (e) => !ac.signal.aborted && (e as Error).name !== "AbortError" && (setError(unread(e)), show(null)),
      );
    }, 300);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [input, name, category, useLlm]);

  const readWithLlm = () => {
    setReading("Asking the LLM…");
    setError(null);
    post("/parse", { input, name, category, llm: true }).then(
      (b) => (show(b), setReading(null)),
      (e) => (setError(unread(e)), show(null), setReading(null)),
    );
  };

  const readImage = (file: File | null, llm = false) => {
    setImage(file);
    setImageError(null);
    if (!file) return;
    const form = new FormData();
    form.append("image", file);
    if (llm) {
      form.append("name", name);
      form.append("category", category);
      form.append("llm", "true");
      setReading("The LLM is reading the image…");
      post("/image", form).then(
        (b) => (show(b), setUseLlm(true), setReading(null)),
        (e) => (setImageError(unread(e).message), setReading(null)),
      );
      return;
    }
    setReading("Reading the image (OCR)…");
    post<Ocr>("/ocr", form).then(
      (o) => {
        setOcr(o);
        setReading(null);
        if (o.kind === "none") {
          setImageError(
            o.llm_available
              ? "No rules or Pine code could be read in the image (a chart?): read it with the LLM."
              : "No rules or Pine code could be read in the image (a chart?): reading a chart needs an LLM endpoint (set AVA_LLM_BASE_URL or OPENROUTER_API_KEY).",
          );
        } else {
          setUseLlm(false);
          setInput(o.text); // shown for correction: the live parse reads it
        }
      },
      (e) => (setImageError(unread(e).message), setReading(null)),
    );
  };

  const edited = preview !== null && code !== preview.code;

  const check = () => {
    setChecking(true);
    setReport(null);
    post<CheckReport>("/check", { code, name }).then(
      (r) => (setReport(r), setChecking(false)),
      (e) => (setReport({ ok: false, checks: [{ name: "request", ok: false, detail: unread(e).message }], line: null }), setChecking(false)),
    );
  };

  const save = () => {
    setSaving(true);
    setSaveError(null);
    const body = edited
      ? { code, name, category, overwrite }
      : preview?.source === "llm" || useLlm
        ? { rule: preview?.rule, name, category, overwrite }
        : isPineScript(input)
          ? { pine: input, name, category, overwrite }
          : { input, name, category, overwrite };
    post(isPineScript(input) && !edited ? "/pine/strategies" : "/strategies", body).then(
      (b) => (setSaved(b), setSaving(false)),
      (e) => (setSaveError(unread(e)), setSaving(false)),
    );
  };

  const backtest = () => {
    if (!saved) return;
    setStarting(true);
    fetch(
      "/api/v2/backtests",
      withAuth({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ strategy_name: saved.name, universe: "us_sample" }),
      }),
    )
      .then(async (res) => {
        const doc = await res.json();
        if (!res.ok) throw new Error(doc?.error?.message ?? `${res.status}`);
        navigate(`/runs/${doc.id}`);
      })
      .catch((e) => (setSaveError({ message: `backtest: ${(e as Error).message}` }), setStarting(false)));
  };

  const col = error?.column && error.phrase ? error.column - 1 : -1;
  return (
    <div className="page build-page">
      <h1>Build a strategy</h1>
      <p className="muted">
        Write the rules in plain English, or upload a screenshot of rules or Pine code (the recognised text is
        shown below for correction); numbers become parameters. Phrases the builder reads are listed in{" "}
        <code>docs/builder.md</code>. Every strategy is verified before it is registered.
      </p>
      <div className="build-grid" style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", gap: "1rem" }}>
        <section>
          <div style={{ display: "flex", gap: "1rem", flexWrap: "wrap", alignItems: "center" }}>
            <label>
              Screenshot{" "}
              <input
                type="file"
                accept="image/png,image/jpeg,image/webp,image/gif"
                data-testid="build-image"
                onChange={(e) => readImage(e.target.files?.[0] ?? null)}
              />
            </label>
            <label>
              <input type="checkbox" data-testid="build-llm" checked={useLlm} onChange={(e) => setUseLlm(e.target.checked)} /> read
              with the LLM
            </label>
          </div>
          {reading && (
            <p className="muted" data-testid="build-reading">
              {reading}
            </p>
          )}
          {imageError && (
            <div role="alert" className="error" data-testid="build-image-error">
              <p>{imageError}</p>
              {ocr?.kind === "none" && ocr.llm_available && image && (
                <button type="button" data-testid="build-image-llm" onClick={() => readImage(image, true)}>
                  Read the image with the LLM
                </button>
              )}
            </div>
          )}
          {ocr && ocr.kind !== "none" && (
            <p className="muted" data-testid="build-ocr">
              Recognised text ({ocr.kind}, confidence {Math.round(ocr.confidence)}%): correct it below if needed.
            </p>
          )}
          <label htmlFor="build-input">Rules, or a Pine Script v4/v5 strategy (starting with //@version=5)</label>
          <textarea
            id="build-input"
            data-testid="build-input"
            rows={6}
            style={{ width: "100%", minHeight: "8rem" }}
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
          {useLlm && (
            <button type="button" data-testid="build-llm-read" disabled={!input.trim() || reading !== null} onClick={readWithLlm}>
              Read with the LLM
            </button>
          )}
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
          <div style={{ display: "flex", gap: "0.5rem", flexWrap: "wrap" }}>
            <button type="button" data-testid="build-check" disabled={!preview || checking || saving} onClick={check}>
              {checking ? "Checking…" : "Check"}
            </button>
            <button type="button" data-testid="build-save" disabled={!preview || saving} onClick={save}>
              {saving ? "Verifying and saving…" : edited ? "Save edited code and register" : "Save and register"}
            </button>
            <button type="button" data-testid="build-backtest" disabled={!saved || starting} onClick={backtest}>
              {starting ? "Starting…" : "Backtest"}
            </button>
          </div>
          {report && <Report report={report} testid="build-report" />}
          {saveError && (
            <div role="alert" className="error" data-testid="build-save-error">
              <p>{saveError.message}</p>
              {saveError.checks && (
                <Report report={{ ok: false, checks: saveError.checks, line: saveError.line ?? null }} testid="build-save-report" />
              )}
            </div>
          )}
          {saved && (
            <div data-testid="build-saved" className="notice">
              <p>
                Saved <code>{saved.path}</code> and registered <strong>{saved.name}</strong>.
              </p>
              {saved.verification && saved.verification.length > 0 ? (
                <Report report={{ ok: true, checks: saved.verification, line: null }} testid="build-saved-report" />
              ) : (
                <ul>
                  {saved.checks.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              )}
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
              {error.problems && (
                <ul data-testid="build-pine-problems">
                  {error.problems.map((p, i) => (
                    <li key={i}>
                      line {p.line}:{p.column} <code>{p.construct}</code>: {p.message}
                      <pre className="error-marker">
                        {input.split("\n")[p.line - 1] ?? ""}
                        {"\n" + " ".repeat(Math.max(p.column - 1, 0)) + "^"}
                      </pre>
                    </li>
                  ))}
                </ul>
              )}
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
                      <td>{String(p.default)}</td>
                      <td>{p.minimum}</td>
                      <td>{p.maximum}</td>
                      <td>{p.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>
                Code {edited && <small className="muted">(edited: saved as written, after verification)</small>}
              </h2>
              <textarea
                data-testid="build-code"
                aria-label="generated code (editable)"
                spellCheck={false}
                rows={24}
                style={{ width: "100%", minHeight: "28rem", fontFamily: "monospace", whiteSpace: "pre", overflowX: "auto" }}
                value={code}
                onChange={(e) => (setCode(e.target.value), setReport(null), setSaved(null))}
              />
              {edited && (
                <button type="button" data-testid="build-code-reset" onClick={() => setCode(preview.code)}>
                  Back to the generated code
                </button>
              )}
            </div>
          )}
        </section>
      </div>
    </div>
  );
}

function Report({ report, testid }: { report: CheckReport; testid: string }) {
  return (
    <div data-testid={testid} className={report.ok ? "notice" : "error"}>
      <p>
        <strong>{report.ok ? "All checks passed" : "Refused"}</strong>
        {report.line ? ` (line ${report.line} of the code)` : ""}
      </p>
      <ul>
        {report.checks.map((c) => (
          <li key={c.name} data-testid={`${testid}-${c.name.replace(/\W+/g, "-")}`}>
            {c.ok ? "ok" : "failed"} {c.name}: {c.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
