import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api, universesApi } from "../api/client";
import type { MarketDetail, SymbolInfo, Universe, UploadResponse } from "../api/types";
import UniverseEditor from "../components/UniverseEditor";
import CandleViewer from "../components/data/CandleViewer";
import ProviderStatus from "../components/data/ProviderStatus";
import SyncPanel from "../components/data/SyncPanel";
import type { ProviderInfo, SyncState } from "../api/marketData";
import { ApiError } from "../lib/apiErrors";
import { checkBarsCsv, type CsvCheck } from "../lib/csvCheck";
import { useAsync } from "../lib/hooks";
import { formatNumber } from "../lib/format";
import { Empty, ErrorBox, Loading, Section, SyntheticBadge, errorText } from "../components/ui";

export default function DataPage() {
  const markets = useAsync(() => api.markets(), []);
  const universes = useAsync(() => api.universes(), []);
  const [market, setMarket] = useState("US");
  const symbols = useAsync(() => api.symbols(market), [market]);
  const [openMarket, setOpenMarket] = useState<string | null>(null);
  const [editor, setEditor] = useState<Universe | "new" | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const marketCodes = (markets.data ?? []).map((m) => m.code);
  const [providers, setProviders] = useState<ProviderInfo[]>([]);
  const [pick, setPick] = useState<{ symbol: string; market: string; timeframe?: string; start?: string; end?: string; nonce: number } | null>(null);

  // A finished sync shows its first symbol that synced in the candle viewer.
  function synced(s: SyncState) {
    universes.reload();
    symbols.reload();
    const u = universes.data?.items.find((x) => x.name === s.universe);
    const failed = new Set(s.errors.map((e) => e.symbol));
    const first = (u?.symbols ?? []).find((x) => !failed.has(x));
    if (s.status === "completed" && first) {
      setPick({ symbol: first, market: u?.market ?? s.market ?? "US", timeframe: s.timeframe ?? undefined, start: s.start ?? undefined, end: s.end ?? undefined, nonce: Date.now() });
    }
  }

  // a delete asks once more (the second click within 5 s deletes)
  useEffect(() => {
    if (!confirming) return;
    const t = setTimeout(() => setConfirming(null), 5000);
    return () => clearTimeout(t);
  }, [confirming]);

  async function removeUniverse(name: string) {
    if (confirming !== `u:${name}`) return setConfirming(`u:${name}`);
    setConfirming(null);
    try {
      await universesApi.remove(name);
      setMessage(`Deleted universe ${name}.`);
      if (editor !== "new" && editor?.name === name) setEditor(null);
      universes.reload();
    } catch (e) {
      setMessage(errorText(e));
    }
  }
  async function removeUpload(m: string, symbol: string) {
    if (confirming !== `s:${m}:${symbol}`) return setConfirming(`s:${m}:${symbol}`);
    setConfirming(null);
    try {
      await universesApi.removeUpload(m, symbol);
      setMessage(`Deleted uploaded symbol ${symbol} (${m}).`);
      symbols.reload();
      universes.reload();
    } catch (e) {
      setMessage(errorText(e));
    }
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>Data</h1>
        <p className="muted">Market-data vendors, syncs from them, candles, markets, universes and the bars on disk, with their coverage. Upload your own CSV bars.</p>
      </div>
      <Section title="Market-data providers" testId="providers-section">
        <ProviderStatus onLoaded={setProviders} />
      </Section>
      <Section title="Sync" testId="sync-section">
        <SyncPanel universes={universes.data?.items ?? []} providers={providers} onFinished={synced} />
      </Section>
      <Section title="Candles" testId="candles-section">
        <CandleViewer markets={marketCodes} pick={pick} />
      </Section>
      <Section title="Markets">
        {markets.error ? <ErrorBox error={markets.error} /> : !markets.data ? <Loading /> : (
          <div className="cards" data-testid="markets-list">
            {markets.data.map((m) => (
              <div key={m.code} className="card" data-testid={`market-${m.code}`}>
                <div className="row-title">
                  <strong>{m.code}</strong> <span className="muted">{m.name}</span>
                </div>
                <dl className="kv small">
                  <dt>Currency</dt>
                  <dd>{m.currency}</dd>
                  <dt>Exchanges</dt>
                  <dd>{m.exchanges.join(", ")}</dd>
                  <dt>Session</dt>
                  <dd>
                    {m.session_open.slice(0, 5)}–{m.session_close.slice(0, 5)} {m.timezone}
                  </dd>
                  <dt>Calendar</dt>
                  <dd>
                    {m.calendar}, {m.trading_days_per_year} days/yr
                  </dd>
                  <dt>Settlement</dt>
                  <dd>{m.settlement}</dd>
                  <dt>Benchmark</dt>
                  <dd>{m.default_benchmark || "—"}</dd>
                  <dt>Shorts overnight</dt>
                  <dd>{m.overnight_short_allowed ? "allowed" : "not allowed"}</dd>
                </dl>
                <button type="button" className="btn btn-small btn-ghost" onClick={() => setOpenMarket(openMarket === m.code ? null : m.code)} aria-expanded={openMarket === m.code}>
                  {openMarket === m.code ? "Hide" : "Show"} cost models
                </button>
                {openMarket === m.code && <CostModels code={m.code} />}
              </div>
            ))}
          </div>
        )}
      </Section>

      {message && (
        <div className="notice" role="status" data-testid="data-message">
          {message}
        </div>
      )}
      <Section
        title="Universes"
        actions={
          <button type="button" className="btn btn-small" onClick={() => setEditor(editor === "new" ? null : "new")} data-testid="universe-new">
            New custom universe
          </button>
        }
      >
        {editor && (
          <UniverseEditor
            key={editor === "new" ? "new" : editor.name}
            markets={marketCodes}
            editing={editor === "new" ? null : editor}
            onCancel={() => setEditor(null)}
            onDone={(u) => {
              setMessage(`${editor === "new" ? "Created" : "Saved"} universe ${u.name} (${formatNumber(u.size, 0, null)} symbols).`);
              setEditor(null);
              universes.reload();
            }}
          />
        )}
        {universes.error ? <ErrorBox error={universes.error} /> : !universes.data ? <Loading /> : universes.data.items.length === 0 ? <Empty>No universes.</Empty> : (
          <div className="table-wrap">
            <table className="table" data-testid="universes-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Market</th>
                  <th className="num">Size</th>
                  <th>Benchmark</th>
                  <th>Flags</th>
                  <th>Description</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {universes.data.items.map((u) => (
                  <tr key={u.name} data-testid={`universe-${u.name}`}>
                    <td className="mono">{u.name}</td>
                    <td>{u.market}</td>
                    <td className="num" title={u.symbols.join(", ")}>
                      {formatNumber(u.size, 0, null)}
                    </td>
                    <td className="mono">{u.benchmark ?? "—"}</td>
                    <td>
                      <SyntheticBadge show={u.synthetic} />
                      {u.survivorship_biased && <span className="badge badge-soft">survivorship-biased</span>}
                      {u.custom && <span className="badge badge-soft">custom</span>}
                      {u.data_present ? <span className="badge badge-ok">data present</span> : <span className="badge badge-warn">missing {(u.missing ?? []).length}</span>}
                    </td>
                    <td className="muted small">{u.description}</td>
                    <td className="row-actions">
                      {u.custom && (
                        <>
                          <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditor(u)} data-testid={`universe-edit-${u.name}`}>
                            Edit
                          </button>
                          <button
                            type="button"
                            className={"btn btn-small " + (confirming === `u:${u.name}` ? "btn-danger" : "btn-ghost")}
                            onClick={() => removeUniverse(u.name)}
                            data-testid={`universe-delete-${u.name}`}
                          >
                            {confirming === `u:${u.name}` ? "Confirm delete" : "Delete"}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section
        title="Symbols"
        actions={
          <label className="small">
            Market{" "}
            <select value={market} onChange={(e) => setMarket(e.target.value)} data-testid="symbols-market">
              {(markets.data ?? [{ code: "US" }]).map((m) => (
                <option key={m.code} value={m.code}>
                  {m.code}
                </option>
              ))}
            </select>
          </label>
        }
      >
        {symbols.error ? <ErrorBox error={symbols.error} /> : !symbols.data ? <Loading /> : <SymbolsTable items={symbols.data.items} market={market} confirming={confirming} onDeleteUpload={removeUpload} />}
      </Section>

      <Section title="Upload bars (CSV)">
        <UploadForm markets={(markets.data ?? []).map((m) => m.code)} onUploaded={() => symbols.reload()} />
      </Section>
    </div>
  );
}

function CostModels({ code }: { code: string }) {
  const d = useAsync<MarketDetail>(() => api.market(code), [code]);
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <Loading />;
  return (
    <div className="cost-models">
      {d.data.cost_models.map((cm) => (
        <div key={cm.product + cm.exchange}>
          <h4>
            {cm.product} · {cm.exchange} <span className="muted small">as of {cm.as_of}</span>
          </h4>
          <table className="table compact">
            <thead>
              <tr>
                <th>Fee</th>
                <th>Basis</th>
                <th className="num">Rate</th>
                <th>Side</th>
              </tr>
            </thead>
            <tbody>
              {cm.lines.map((l) => (
                <tr key={l.name}>
                  <td>{l.name}</td>
                  <td className="small">{l.basis.replace(/_/g, " ")}</td>
                  <td className="num mono">{l.basis === "per_share" ? l.rate : `${formatNumber(l.rate * 100, 4, null)}%`}</td>
                  <td className="small">{l.on_buy && l.on_sell ? "both" : l.on_buy ? "buy" : "sell"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

function SymbolsTable({
  items,
  market,
  confirming,
  onDeleteUpload,
}: {
  items: SymbolInfo[];
  market: string;
  confirming: string | null;
  onDeleteUpload: (market: string, symbol: string) => void;
}) {
  const [min, max] = useMemo(() => {
    const f = items.map((s) => Date.parse(s.first)).filter(Number.isFinite);
    const l = items.map((s) => Date.parse(s.last)).filter(Number.isFinite);
    return [Math.min(...f), Math.max(...l)];
  }, [items]);
  if (!items.length) return <Empty>No symbols for this market.</Empty>;
  const span = Math.max(1, max - min);
  return (
    <div className="table-wrap">
      <table className="table" data-testid="symbols-table">
        <thead>
          <tr>
            <th>Symbol</th>
            <th>Name</th>
            <th>Kind</th>
            <th>Timeframe</th>
            <th>From</th>
            <th>To</th>
            <th style={{ width: "28%" }}>
              Coverage <span className="muted small">({new Date(min).getUTCFullYear()}–{new Date(max).getUTCFullYear()})</span>
            </th>
            <th>Prices</th>
            <th>Source</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => {
            const a = (Date.parse(s.first) - min) / span;
            const b = (Date.parse(s.last) - min) / span;
            return (
              <tr key={s.symbol} data-testid={`symbol-${s.symbol}`}>
                <td className="mono strong">{s.symbol}</td>
                <td>
                  {s.name} <SyntheticBadge show={s.synthetic} />
                </td>
                <td>{s.kind}</td>
                <td>{s.timeframe}</td>
                <td className="mono">{s.first}</td>
                <td className="mono">{s.last}</td>
                <td>
                  <div className="coverage-bar" title={`${s.first} – ${s.last}`}>
                    <div style={{ left: `${a * 100}%`, width: `${Math.max(0.5, (b - a) * 100)}%` }} />
                  </div>
                </td>
                <td className="small muted">{s.price_basis.replace(/_/g, " ")}</td>
                <td className="small muted">
                  {s.source ?? ""}
                  {s.licence ? ` (${s.licence})` : ""}
                </td>
                <td className="row-actions">
                  {s.licence === "user-supplied" && (
                    <button
                      type="button"
                      className={"btn btn-small " + (confirming === `s:${s.market ?? market}:${s.symbol}` ? "btn-danger" : "btn-ghost")}
                      onClick={() => onDeleteUpload(s.market ?? market, s.symbol)}
                      data-testid={`symbol-delete-${s.symbol}`}
                      aria-label={`Delete uploaded symbol ${s.symbol}`}
                    >
                      {confirming === `s:${s.market ?? market}:${s.symbol}` ? "Confirm delete" : "Delete"}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function UploadForm({ markets, onUploaded }: { markets: string[]; onUploaded: () => void }) {
  const [market, setMarket] = useState("US");
  const [symbol, setSymbol] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<CsvCheck | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [result, setResult] = useState<UploadResponse | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setCheck(null);
    if (!file) return;
    let cancelled = false;
    file.text().then((t) => !cancelled && setCheck(checkBarsCsv(t)));
    if (!symbol) setSymbol(file.name.replace(/\.[^.]+$/, "").toUpperCase().replace(/[^A-Z0-9._-]/g, ""));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [file]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setResult(null);
    const errs: string[] = [];
    if (!symbol.trim()) errs.push("symbol: enter a symbol");
    else if (!/^[A-Za-z0-9._&-]{1,32}$/.test(symbol.trim())) errs.push("symbol: letters, digits and . _ - & only");
    if (!file) errs.push("file: choose a CSV file");
    else if (check && !check.ok) errs.push(...check.problems.map((p) => `file: ${p}`));
    setErrors(errs);
    if (errs.length) return;
    const fd = new FormData();
    fd.set("market", market);
    fd.set("symbol", symbol.trim().toUpperCase());
    fd.set("file", file!);
    setBusy(true);
    try {
      setResult(await api.upload(fd));
      onUploaded();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 405 || (err.status === 404 && /upload|^(404 )?not found$/i.test(err.message)))) {
        setErrors(["This server does not accept uploads yet (POST /api/v2/data/upload is missing). Your file passed the checks here."]);
      } else if (err instanceof ApiError) {
        const fields = err.details?.fields;
        const list = Array.isArray(fields) && fields.length ? fields.map((f) => `${f.field}: ${f.message}`) : [err.details?.field ? `${err.details.field}: ${err.message}` : err.message];
        setErrors(list);
      } else setErrors([errorText(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form upload" onSubmit={submit} noValidate aria-label="Upload bars">
      <p className="muted small">
        A header row with <code>date</code> (or <code>time</code>/<code>datetime</code>), <code>open</code>, <code>high</code>, <code>low</code>, <code>close</code> and optionally{" "}
        <code>volume</code>; one row per bar, oldest first.
      </p>
      <div className="field-row">
        <div className="field">
          <label htmlFor="up-market">Market</label>
          <select id="up-market" value={market} onChange={(e) => setMarket(e.target.value)} data-testid="upload-market">
            {(markets.length ? markets : ["US", "IN", "24x7"]).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="up-symbol">Symbol</label>
          <input id="up-symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} data-testid="upload-symbol" placeholder="e.g. TCS" autoComplete="off" />
        </div>
        <div className="field grow">
          <label htmlFor="up-file">CSV file</label>
          <input id="up-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="upload-file" />
        </div>
      </div>
      {check && (
        <p className={"small " + (check.ok ? "pos" : "neg")} data-testid="upload-check">
          {check.ok
            ? `✓ ${check.rows} rows, ${check.first} – ${check.last}; columns ${check.columns.join(", ")}`
            : `✗ ${check.problems.length} problem${check.problems.length > 1 ? "s" : ""} found in the file`}
        </p>
      )}
      {errors.length > 0 && (
        <div className="form-error" data-testid="upload-error" role="alert">
          <ul>
            {errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      {result && <UploadReport result={result} checkedRows={check?.ok ? check.rows : null} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="upload-submit" disabled={busy}>
          {busy ? "Uploading…" : "Upload"}
        </button>
      </div>
    </form>
  );
}

/** What the server stored and why it differs from the file: rows read, bars stored, rows
 * dropped, and every kind of finding (e.g. "14 rows: not a US session; dropped"). */
export function UploadReport({ result, checkedRows }: { result: UploadResponse; checkedRows: number | null }) {
  const inFile = result.rows_in_file ?? checkedRows ?? result.rows;
  const dropped = result.rows_dropped ?? Math.max(0, inFile - result.rows);
  const groups = result.validation?.summary ?? [];
  const warned = dropped > 0 || groups.length > 0;
  return (
    <div className={"notice " + (warned ? "warn" : "ok")} data-testid="upload-result" role="status">
      <p data-testid="upload-counts">
        Uploaded <strong>{result.symbol}</strong> to {result.market}: {formatNumber(result.rows, 0, null)} bars stored ({result.first} – {result.last}) from{" "}
        {formatNumber(inFile, 0, null)} rows in the file
        {dropped > 0 ? `; ${formatNumber(dropped, 0, null)} row${dropped === 1 ? "" : "s"} dropped` : "; none dropped"}.
      </p>
      {groups.length > 0 && (
        <>
          <p className="small">The server's checks found:</p>
          <ul className="upload-summary small" data-testid="upload-warnings">
            {groups.map((g) => (
              <li key={`${g.kind}|${g.detail}`} data-testid={`upload-warning-${g.kind}`}>
                <strong>
                  {formatNumber(g.count, 0, null)} row{g.count === 1 ? "" : "s"}
                </strong>
                : {g.detail}
                {g.first ? <span className="muted"> ({g.first === g.last || !g.last ? g.first : `${g.first} – ${g.last}`})</span> : null}
                {g.severity !== "warning" ? <span className="muted"> [{g.severity}]</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
