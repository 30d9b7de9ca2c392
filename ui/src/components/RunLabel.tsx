import { useState } from "react";
import { runLabelApi } from "../api/client";
import type { Run } from "../api/types";
import { mapApiError } from "../lib/apiErrors";
import { parseTags, tagProblems } from "../lib/runLabel";

/** The run page header's name, tags and notes, edited in place (PATCH /backtests/{id}). */
export default function RunLabel({ run, onChange }: { run: Run; onChange: (run: Run) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState("");
  const [tags, setTags] = useState("");
  const [notes, setNotes] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  function open() {
    setName(run.name ?? "");
    setTags((run.tags ?? []).join(", "));
    setNotes(run.label_notes ?? "");
    setErrors([]);
    setEditing(true);
  }

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const list = parseTags(tags);
    const problems = tagProblems(list).map((p) => `tags: ${p}`);
    if (name.length > 200) problems.push("name: at most 200 characters");
    setErrors(problems);
    if (problems.length) return;
    setSaving(true);
    try {
      onChange(await runLabelApi.patch(run.id, { name: name.trim() || null, tags: list, notes: notes.trim() || null }));
      setEditing(false);
    } catch (err) {
      const m = mapApiError(err);
      setErrors([...Object.entries(m.fields).map(([f, msg]) => `${f}: ${msg}`), ...(m.form ? [m.form] : [])]);
    } finally {
      setSaving(false);
    }
  }

  if (editing) {
    return (
      <form className="form run-label-form" onSubmit={save} aria-label="Name, tags and notes" data-testid="run-label-form">
        <div className="field-row">
          <div className="field">
            <label htmlFor="run-label-name">Name</label>
            <input id="run-label-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="run-label-name" placeholder="e.g. SMA 10/30, costs on" />
          </div>
          <div className="field">
            <label htmlFor="run-label-tags">Tags (comma-separated)</label>
            <input id="run-label-tags" value={tags} onChange={(e) => setTags(e.target.value)} data-testid="run-label-tags" placeholder="trend, baseline" />
          </div>
        </div>
        <div className="field">
          <label htmlFor="run-label-notes">Notes</label>
          <textarea id="run-label-notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="run-label-notes" />
        </div>
        {errors.length > 0 && (
          <div className="form-error" role="alert" data-testid="run-label-error">
            <ul>
              {errors.map((x) => (
                <li key={x}>{x}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary btn-small" disabled={saving} data-testid="run-label-save">
            {saving ? "Saving…" : "Save"}
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="run-label" data-testid="run-label">
      {run.name ? (
        <strong className="run-label-name" data-testid="run-label-shown-name">
          {run.name}
        </strong>
      ) : (
        <span className="muted small">Unnamed run</span>
      )}{" "}
      {(run.tags ?? []).map((t) => (
        <span key={t} className="tag" data-testid="run-label-tag">
          {t}
        </span>
      ))}
      <button type="button" className="btn btn-ghost btn-small" onClick={open} data-testid="run-label-edit">
        {run.name || (run.tags ?? []).length || run.label_notes ? "Edit name, tags, notes" : "Name this run"}
      </button>
      {run.label_notes && (
        <p className="muted small run-label-notes" data-testid="run-label-shown-notes">
          {run.label_notes}
        </p>
      )}
    </div>
  );
}
