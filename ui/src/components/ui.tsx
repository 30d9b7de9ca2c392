import type { ReactNode } from "react";
import { ApiError } from "../lib/apiErrors";
import type { RunStatus } from "../api/types";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function ErrorBox({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const notFound = error instanceof ApiError && error.status === 404;
  const noToken = error instanceof ApiError && error.status === 401;
  return (
    <div className="state state-error" role="alert" data-testid={notFound ? "not-found" : "error-box"}>
      <strong>{title ?? (notFound ? "Not found" : noToken ? "API token needed" : "Something went wrong")}</strong>
      <p>{noToken ? "This server needs its API token (AVA_API_TOKEN): enter it with the token button at the top right." : errorText(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function StatusBadge({ status, testId }: { status: RunStatus | string; testId?: string }) {
  return (
    <span className={`badge status-${status}`} data-testid={testId}>
      {status}
    </span>
  );
}

export function SyntheticBadge({ show = true }: { show?: boolean | null }) {
  if (!show) return null;
  return (
    <span className="badge badge-warn" title="Generated prices, not real market data">
      synthetic data
    </span>
  );
}

export function FieldError({ name, errors }: { name: string; errors: Record<string, string> }) {
  const msg = errors[name];
  if (!msg) return null;
  return (
    <div className="field-error" data-testid={`error-${name}`} id={`error-${name}`} role="alert">
      {msg}
    </div>
  );
}

export function Section({
  title,
  actions,
  children,
  testId,
  id,
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  id?: string;
}) {
  return (
    <section className="panel" data-testid={testId} id={id}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function Pager({
  offset,
  limit,
  total,
  onChange,
  prefix,
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  prefix: string;
}) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <div className="pager">
      <button
        type="button"
        className="btn btn-small"
        data-testid={`${prefix}-prev`}
        disabled={offset <= 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        ← Prev
      </button>
      <span className="muted">
        Page {page} of {pages}
      </span>
      <button
        type="button"
        className="btn btn-small"
        data-testid={`${prefix}-next`}
        disabled={offset + limit >= total}
        onClick={() => onChange(offset + limit)}
      >
        Next →
      </button>
    </div>
  );
}
