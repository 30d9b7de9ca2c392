import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../api/client";
import { useAsync, useDebounced } from "../lib/hooks";
import { boundsText, fieldsFromSchema, humanize } from "../lib/schemaForm";
import { Empty, ErrorBox, Loading } from "../components/ui";
import { matchesStrategy } from "../lib/strategySearch";
import { formatNumber } from "../lib/format";
import type { StrategySummary } from "../api/types";

const withItems = (items: StrategySummary[]) => ({ items, total: items.length });

export default function StrategiesPage() {
  const { name } = useParams();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [category, setCategory] = useState("");
  const [direction, setDirection] = useState("");
  const q = useDebounced(search, 150);

  // all strategies once (for the filter choices), the category/direction list from the API, then
  // the search here: whole-word prefixes (lib/strategySearch), not letters inside words
  const all = useAsync((s) => api.strategies({}, s), []);
  const filtered = useAsync((s) => api.strategies({ category: category || undefined, direction: direction || undefined }, s), [category, direction]);
  const list = useMemo(
    () => ({
      error: filtered.error,
      reload: filtered.reload,
      data: filtered.data ? withItems(filtered.data.items.filter((x) => matchesStrategy(x, q))) : undefined,
    }),
    [filtered.data, filtered.error, filtered.reload, q],
  );
  const categories = useMemo(() => [...new Set((all.data?.items ?? []).map((x) => x.category))].sort(), [all.data]);
  const directions = useMemo(() => [...new Set((all.data?.items ?? []).map((x) => x.direction))].sort(), [all.data]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Strategies</h1>
        <p className="muted">Every registered strategy, its parameters and the data it needs.</p>
      </div>
      <div className="split">
        <div className="split-list">
          <div className="toolbar">
            <label className="grow">
              <span className="sr-only">Search strategies</span>
              <input
                type="search"
                placeholder="Search name, description, tags…"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                data-testid="strategy-search"
                aria-label="Search strategies"
              />
            </label>
            <label>
              <span className="sr-only">Category</span>
              <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="filter-category" aria-label="Category">
                <option value="">All categories</option>
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {humanize(c)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="sr-only">Direction</span>
              <select value={direction} onChange={(e) => setDirection(e.target.value)} data-testid="filter-direction" aria-label="Direction">
                <option value="">All directions</option>
                {(directions.length ? directions : ["long_only", "short_only", "long_short"]).map((d) => (
                  <option key={d} value={d}>
                    {humanize(d)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {list.error ? (
            <ErrorBox error={list.error} onRetry={list.reload} />
          ) : !list.data ? (
            <Loading />
          ) : list.data.items.length === 0 ? (
            <Empty>No strategy matches these filters.</Empty>
          ) : (
            <ul className="strategy-list" aria-label="Strategies">
              {list.data.items.map((s) => (
                <li key={s.name}>
                  <Link
                    to={`/strategies/${s.name}`}
                    className={"strategy-row" + (s.name === name ? " selected" : "")}
                    data-testid={`strategy-row-${s.name}`}
                    aria-current={s.name === name ? "true" : undefined}
                  >
                    <div className="row-title">
                      <strong className="mono">{s.name}</strong>
                      <span className="badge">{humanize(s.category)}</span>
                      <span className="badge badge-soft">{humanize(s.direction)}</span>
                    </div>
                    <p className="muted small clamp">{s.description}</p>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {list.data && <p className="muted small" data-testid="strategies-count">{formatNumber(list.data.total, 0, null)} strategies</p>}
        </div>
        <div className="split-detail">
          {name ? <StrategyDetailView name={name} onRun={() => navigate(`/backtests/new?strategy=${encodeURIComponent(name)}`)} /> : <Empty>Select a strategy to see its parameters and data needs.</Empty>}
        </div>
      </div>
    </div>
  );
}

function StrategyDetailView({ name, onRun }: { name: string; onRun: () => void }) {
  const d = useAsync((s) => api.strategy(name, s), [name]);
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <Loading />;
  const s = d.data;
  const fields = fieldsFromSchema(s.parameters);
  return (
    <article className="panel" data-testid="strategy-detail">
      <header className="panel-head">
        <h2 className="mono">{s.name}</h2>
        <div className="panel-actions">
          <Link className="btn" data-testid="optimise-strategy" to={`/optimizations/new?strategy=${encodeURIComponent(s.name)}`} title="Search this strategy's parameters in an optimisation study">
            Optimise
          </Link>
          <button type="button" className="btn btn-primary" data-testid="run-strategy" onClick={onRun}>
            Run this →
          </button>
        </div>
      </header>
      <div className="panel-body">
        <p>{s.description}</p>
        <dl className="kv">
          <dt>Category</dt>
          <dd>{humanize(s.category)}</dd>
          <dt>Direction</dt>
          <dd>{humanize(s.direction)}</dd>
          <dt>Timeframe</dt>
          <dd>{s.timeframe}</dd>
          <dt>Version</dt>
          <dd>{s.version}</dd>
          {s.style && (
            <>
              <dt>Style</dt>
              <dd>{s.style}{s.cross_sectional ? ", cross-sectional" : ""}</dd>
            </>
          )}
          {s.timing && (
            <>
              <dt>Signal timing</dt>
              <dd>
                signals at {s.timing}
                {s.exit_at ? `, exits at ${s.exit_at.replace("_", " ")}` : ""}
              </dd>
            </>
          )}
          <dt>Warm-up</dt>
          <dd>{formatNumber(s.warmup, 0, null)} bars</dd>
          <dt>Data needs</dt>
          <dd>
            Daily OHLCV ({s.timeframe}) for every symbol
            {s.requires.length ? (
              <>
                {" "}plus{" "}
                {s.requires.map((r) => (
                  <span key={r} className="badge badge-soft">
                    {r}
                  </span>
                ))}
              </>
            ) : null}
            ; at least {formatNumber(s.warmup, 0, null)} bars of history before the first signal.
          </dd>
          {s.tags.length > 0 && (
            <>
              <dt>Tags</dt>
              <dd>
                {s.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </dd>
            </>
          )}
        </dl>
        <h3>Parameters</h3>
        {fields.length === 0 ? (
          <p className="muted">This strategy takes no parameters.</p>
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Default</th>
                <th>Bounds / choices</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f.name}>
                  <td className="mono">{f.name}</td>
                  <td>{f.kind}</td>
                  <td className="mono">{f.default === undefined ? "—" : String(f.default)}</td>
                  <td className="mono">{f.kind === "enum" ? (f.options ?? []).join(" | ") : boundsText(f) || "—"}</td>
                  <td className="muted">{f.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </article>
  );
}
