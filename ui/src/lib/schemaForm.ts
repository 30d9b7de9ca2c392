/** A form generated from a strategy's JSON Schema (`parameters`): integers and numbers with
 * bounds, booleans, and enums ("choices"). Values are kept as the input's raw value (strings for
 * number/enum inputs, booleans for checkboxes) and converted + validated here, mirroring the API. */

export interface JsonSchemaProperty {
  type?: "integer" | "number" | "boolean" | "string" | string | string[];
  enum?: (string | number | boolean)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  title?: string;
  multipleOf?: number;
}

export interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, JsonSchemaProperty>;
  required?: string[];
  additionalProperties?: boolean;
}

export type FieldKind = "integer" | "number" | "boolean" | "enum" | "string";

export interface ParamField {
  name: string;
  kind: FieldKind;
  label: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  step?: number | "any";
  options?: (string | number | boolean)[];
  required: boolean;
}

export type ParamValue = string | boolean;
export type ParamValues = Record<string, ParamValue>;

function baseType(p: JsonSchemaProperty): string | undefined {
  if (Array.isArray(p.type)) return p.type.find((t) => t !== "null");
  return p.type;
}

/** Indicator and finance abbreviations written in capitals in labels ("Rsi period" → "RSI period"). */
export const ACRONYMS = [
  "ADX", "ATR", "BB", "CAGR", "CCI", "CMF", "DEMA", "DMI", "EMA", "HMA", "ID", "IV", "KAMA", "MA", "MACD", "MFI",
  "OBV", "P&L", "PPO", "PSAR", "ROC", "RMI", "RSI", "SAR", "SMA", "SQN", "TEMA", "TRIX", "TSI", "VIX", "VWAP", "WMA",
  "ZLEMA", "OHLC",
];
const ACRONYM_OF = new Map(ACRONYMS.map((a) => [a.toLowerCase(), a]));

/** Known abbreviations among the words of a label in capitals; other words unchanged. */
export function fixAcronyms(label: string): string {
  return label.replace(/[A-Za-z&]+/g, (w) => ACRONYM_OF.get(w.toLowerCase()) ?? w);
}

export function humanize(name: string): string {
  const s = name.replace(/_/g, " ");
  return fixAcronyms(s.charAt(0).toUpperCase() + s.slice(1));
}

/** The fields of a schema, in declaration order. */
export function fieldsFromSchema(schema: JsonSchemaObject | null | undefined): ParamField[] {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  return Object.entries(props).map(([name, p]) => {
    const t = baseType(p);
    const kind: FieldKind = p.enum
      ? "enum"
      : t === "integer"
        ? "integer"
        : t === "number"
          ? "number"
          : t === "boolean"
            ? "boolean"
            : "string";
    return {
      name,
      kind,
      label: p.title ? fixAcronyms(p.title) : humanize(name),
      description: p.description,
      default: p.default,
      minimum: p.minimum,
      maximum: p.maximum,
      exclusiveMinimum: p.exclusiveMinimum,
      exclusiveMaximum: p.exclusiveMaximum,
      step: kind === "integer" ? 1 : kind === "number" ? (p.multipleOf ?? "any") : undefined,
      options: p.enum,
      required: required.has(name) && p.default === undefined,
    };
  });
}

/** Initial raw values: each field's default (empty when it has none). */
export function defaultValues(fields: ParamField[]): ParamValues {
  const out: ParamValues = {};
  for (const f of fields) {
    if (f.kind === "boolean") out[f.name] = Boolean(f.default);
    else out[f.name] = f.default === undefined || f.default === null ? "" : String(f.default);
  }
  return out;
}

/** "5 ≤ x ≤ 100", "> 0", "" */
export function boundsText(f: ParamField): string {
  const lo =
    f.minimum !== undefined ? `${f.minimum} ≤ ` : f.exclusiveMinimum !== undefined ? `${f.exclusiveMinimum} < ` : "";
  const hi =
    f.maximum !== undefined ? ` ≤ ${f.maximum}` : f.exclusiveMaximum !== undefined ? ` < ${f.exclusiveMaximum}` : "";
  if (!lo && !hi) return "";
  return `${lo}x${hi}`;
}

export interface ParamResult {
  params: Record<string, unknown>;
  /** keyed by the API's field name: "params.fast_period" */
  errors: Record<string, string>;
}

/** Convert raw values to typed params and validate them like the API does. Empty optional fields
 * are left out (the API then uses the default). */
export function validateParams(fields: ParamField[], values: ParamValues): ParamResult {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const key = `params.${f.name}`;
    const raw = values[f.name];
    if (f.kind === "boolean") {
      params[f.name] = Boolean(raw);
      continue;
    }
    const text = typeof raw === "string" ? raw.trim() : raw === undefined ? "" : String(raw);
    if (text === "") {
      if (f.required) errors[key] = `${f.name} is required`;
      continue;
    }
    if (f.kind === "enum") {
      const opt = (f.options ?? []).find((o) => String(o) === text);
      if (opt === undefined) errors[key] = `${f.name} must be one of ${(f.options ?? []).join(", ")}`;
      else params[f.name] = opt;
      continue;
    }
    if (f.kind === "string") {
      params[f.name] = text;
      continue;
    }
    const n = Number(text);
    if (!Number.isFinite(n)) {
      errors[key] = `${f.name} must be a number`;
      continue;
    }
    if (f.kind === "integer" && !Number.isInteger(n)) {
      errors[key] = `${f.name} must be a whole number`;
      continue;
    }
    const allowed = boundsText(f);
    if (f.minimum !== undefined && n < f.minimum) {
      errors[key] = `${n} is below the minimum ${f.minimum}` + (allowed ? ` (allowed ${allowed})` : "");
    } else if (f.maximum !== undefined && n > f.maximum) {
      errors[key] = `${n} is above the maximum ${f.maximum}` + (allowed ? ` (allowed ${allowed})` : "");
    } else if (f.exclusiveMinimum !== undefined && n <= f.exclusiveMinimum) {
      errors[key] = `${n} must be greater than ${f.exclusiveMinimum}`;
    } else if (f.exclusiveMaximum !== undefined && n >= f.exclusiveMaximum) {
      errors[key] = `${n} must be less than ${f.exclusiveMaximum}`;
    } else {
      params[f.name] = n;
    }
  }
  return { params, errors };
}
