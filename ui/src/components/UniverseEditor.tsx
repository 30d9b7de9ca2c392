import { useState, type FormEvent } from "react";
import { universesApi } from "../api/client";
import type { Universe } from "../api/types";
import { mapApiError } from "../lib/apiErrors";
import { parseSymbols, universeNameProblem } from "../lib/universe";

/** Create a custom universe from symbols, or edit one (its symbols and description; the name and market stay). */
export default function UniverseEditor({
  markets,
  editing,
  onDone,
  onCancel,
}: {
  markets: string[];
  editing?: Universe | null;
  onDone: (u: Universe) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(editing?.name ?? "");
  const [market, setMarket] = useState(editing?.market ?? "US");
  const [symbols, setSymbols] = useState(editing ? editing.symbols.join(", ") : "");
  const [description, setDescription] = useState(editing?.description ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [form, setForm] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const list = parseSymbols(symbols);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!editing) {
      const p = universeNameProblem(name);
      if (p) errs.name = p;
    }
    if (!list.length) errs.symbols = "enter at least one symbol";
    setErrors(errs);
    setForm(null);
    if (Object.keys(errs).length) return;
    setSaving(true);
    try {
      const u = editing
        ? await universesApi.patch(editing.name, { symbols: list, description })
        : await universesApi.create({ name: name.trim(), market, symbols: list, description });
      onDone(u);
    } catch (err) {
      const m = mapApiError(err);
      const det = (err as { details?: { missing?: string[] } }).details;
      if (det?.missing?.length) m.fields.symbols = `no data on ${editing?.market ?? market} for ${det.missing.join(", ")}`;
      setErrors(m.fields);
      setForm(m.form ?? (Object.keys(m.fields).length ? null : "the server refused the universe"));
    } finally {
      setSaving(false);
    }
  }

  const prefix = editing ? "universe-edit" : "universe-new";
  return (
    <form className="form universe-editor" onSubmit={submit} noValidate aria-label={editing ? `Edit ${editing.name}` : "New custom universe"} data-testid={`${prefix}-form`}>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input id={`${prefix}-name`} value={name} onChange={(e) => setName(e.target.value)} disabled={Boolean(editing)} data-testid={`${prefix}-name`} placeholder="e.g. my_tech" autoComplete="off" />
          {errors.name && <div className="field-error" role="alert" data-testid={`${prefix}-error-name`}>{errors.name}</div>}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-market`}>Market</label>
          <select id={`${prefix}-market`} value={market} onChange={(e) => setMarket(e.target.value)} disabled={Boolean(editing)} data-testid={`${prefix}-market`}>
            {(markets.length ? markets : ["US", "IN", "24x7"]).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-symbols`}>
          Symbols <span className="muted small">(commas, spaces or one per line · {list.length} symbol{list.length === 1 ? "" : "s"})</span>
        </label>
        <textarea id={`${prefix}-symbols`} rows={3} value={symbols} onChange={(e) => setSymbols(e.target.value)} data-testid={`${prefix}-symbols`} placeholder="AAPL, MSFT, IBM" />
        {errors.symbols && <div className="field-error" role="alert" data-testid={`${prefix}-error-symbols`}>{errors.symbols}</div>}
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-description`}>Description</label>
        <input id={`${prefix}-description`} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} data-testid={`${prefix}-description`} />
        {errors.description && <div className="field-error" role="alert">{errors.description}</div>}
      </div>
      {form && (
        <div className="form-error" role="alert" data-testid={`${prefix}-error`}>
          {form}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={saving} data-testid={`${prefix}-save`}>
          {saving ? "Saving…" : editing ? "Save changes" : "Create universe"}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
