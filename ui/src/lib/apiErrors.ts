/** The API's one error shape, {"error": {code, message, details}}, mapped onto form fields. */

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: {
    fields?: { field: string; message: string }[];
    field?: string;
    [k: string]: unknown;
  } | null;
}

export class ApiError extends Error {
  status: number;
  code: string;
  details: ApiErrorBody["details"];
  constructor(status: number, body: ApiErrorBody) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? null;
  }
}

export interface MappedErrors {
  /** keyed by the API field name, dots kept: "params.fast_period", "initial_capital" */
  fields: Record<string, string>;
  /** what does not belong to one field */
  form: string | null;
}

/** Strip a leading "field: " that the API puts in front of the message. */
function clean(field: string, message: string): string {
  const prefix = field + ": ";
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Which field a model-level ("body") message is about, when it names one. */
function guessField(message: string): string | null {
  if (/start_date .* after end_date/.test(message)) return "start_date";
  if (/universe or symbols/.test(message)) return "universe";
  return null;
}

const FORM_LEVEL = new Set(["body", "", "__root__"]);

export function mapApiError(err: unknown): MappedErrors {
  if (!(err instanceof ApiError)) {
    const msg = err instanceof Error ? err.message : String(err);
    return { fields: {}, form: msg || "request failed" };
  }
  const fields: Record<string, string> = {};
  const loose: string[] = [];
  const put = (field: string, message: string) => {
    const f = field.replace(/^body\./, "");
    if (FORM_LEVEL.has(f)) {
      const g = guessField(message);
      if (g) fields[g] = fields[g] ?? message;
      else loose.push(message);
      return;
    }
    fields[f] = fields[f] ? `${fields[f]}; ${clean(f, message)}` : clean(f, message);
  };
  const d = err.details;
  if (d && Array.isArray(d.fields) && d.fields.length) {
    for (const x of d.fields) put(String(x.field ?? ""), String(x.message ?? err.message));
  } else if (d && typeof d.field === "string") {
    put(d.field, err.message);
  } else {
    loose.push(err.message);
  }
  const form = loose.length ? loose.join("; ") : Object.keys(fields).length ? null : err.message;
  return { fields, form };
}
