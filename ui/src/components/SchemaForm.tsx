// Forms generated from JSON Schemas, for the inspector's node forms and the blueprint's own panel:
// nested objects become sections, tagged unions (`on_error`) a choice plus the chosen variant's
// fields, template and expression fields (the catalogue's `script_fields`) and JavaScript
// (`contentMediaType`) CodeMirror editors, `model` fields the model picker. Text fields commit on
// blur or Enter, choices at once.
import { createContext, useContext, useEffect, useState } from "react";
import blueprintSchema from "../../../schemas/blueprint.v1.schema.json";
import type { ScriptField } from "../generated/catalog";
import type { TemplateScope } from "../model/scope";
import { useDocument } from "../store";
import { CodeEditor } from "./CodeEditor";
import { ModelPicker } from "./ModelPicker";

/** A node's model field: the picker, offering `default` as the blueprint resolves it. */
function NodeModelPicker(props: { id: string; value: string; invalid: boolean; onCommit: (value: string | undefined) => void }) {
  const blueprint = useDocument((s) => s.base?.default_model ?? null);
  return <ModelPicker {...props} offerDefault={{ blueprint }} />;
}

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  const?: unknown;
  $ref?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  items?: Schema;
  minimum?: number;
  contentMediaType?: string;
  /** A field with a picker of its own (`model`: the providers' models). */
  "x-floe-picker"?: string;
  $defs?: Record<string, Schema>;
};

/** Follows `$ref`s and unwraps optional (`anyOf [X, null]`) schemas. */
export function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hops = 0; hops < 16; hops += 1) {
    if (current.$ref) {
      const name = current.$ref.replace("#/$defs/", "");
      current = { ...root.$defs?.[name], description: current.description ?? root.$defs?.[name]?.description };
      continue;
    }
    const options = current.anyOf ?? current.oneOf;
    if (options && !options.every((o) => o.const !== undefined)) {
      const nonNull = options.filter((o) => o.type !== "null");
      if (nonNull.length === 1) {
        current = { ...nonNull[0], description: current.description ?? nonNull[0].description };
        continue;
      }
    }
    return current;
  }
  return current;
}

/** The choices of an enum-like schema, if it is one. */
function choices(schema: Schema): string[] | null {
  if (schema.enum) return schema.enum.map(String);
  const options = schema.oneOf ?? schema.anyOf;
  if (options?.length && options.every((o) => o.const !== undefined || o.enum)) {
    return options.flatMap((o) => (o.const !== undefined ? [String(o.const)] : (o.enum ?? []).map(String)));
  }
  return null;
}

/** A union of objects told apart by one property's constant (`{"action": "skip"}`…). */
function taggedUnion(schema: Schema, root: Schema): { tag: string; variants: Map<string, Schema> } | null {
  const options = (schema.oneOf ?? schema.anyOf)?.map((o) => resolve(o, root)).filter((o) => o.type !== "null");
  if (!options || options.length < 2 || !options.every((o) => o.properties)) return null;
  const tag = Object.keys(options[0].properties!).find((key) => options.every((o) => o.properties?.[key]?.const !== undefined));
  if (!tag) return null;
  return { tag, variants: new Map(options.map((o) => [String(o.properties![tag].const), o])) };
}

function typeOf(schema: Schema): string {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (!type && schema.properties) return "object";
  return type ?? "any";
}

/** A value to start a field from: its first example, its default, or the type's plainest value. */
export function seed(schema: Schema, root: Schema): unknown {
  const resolved = resolve(schema, root);
  if (resolved.examples?.length) return resolved.examples[0];
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.const !== undefined) return resolved.const;
  const union = taggedUnion(resolved, root);
  if (union) return seed([...union.variants.values()][0], root);
  switch (typeOf(resolved)) {
    case "object": {
      const value: Record<string, unknown> = {};
      for (const name of resolved.required ?? []) value[name] = seed(resolved.properties?.[name] ?? {}, root);
      return value;
    }
    case "integer":
    case "number":
      return resolved.minimum ?? 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "string":
      return "";
    default:
      return null;
  }
}

/** What every field of one form shares. */
export interface FormContextValue {
  root: Schema;
  scope: () => TemplateScope;
  /** Config pointers holding templates or expressions (a field under one is one too). */
  scripts: ScriptField[];
  /** Problems by field path, for the inline marks. */
  problems: Map<string, string[]>;
}
export const FormContext = createContext<FormContextValue | null>(null);

function scriptAt(pointer: string, scripts: ScriptField[]): ScriptField | undefined {
  return scripts.find((s) => pointer === s.pointer || pointer.startsWith(`${s.pointer}/`));
}

function toText(value: unknown, type: string): string {
  if (value === undefined || value === null) return "";
  if (type === "string" || type === "number" || type === "integer") return String(value);
  return JSON.stringify(value, null, 2);
}

/** A field's text read as its type; when it cannot be, why. */
function fromText(text: string, type: string): { ok: boolean; value?: unknown; why?: string } {
  if (text.trim() === "") return { ok: true, value: undefined };
  if (type === "string") return { ok: true, value: text };
  if (type === "number" || type === "integer") {
    const n = Number(text);
    return Number.isFinite(n) && (type === "number" || Number.isInteger(n)) ? { ok: true, value: n } : { ok: false };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Free text in an "any" field is a string.
    return type === "any" ? { ok: true, value: text } : { ok: false, why: `not valid JSON: ${(error as Error).message}` };
  }
  if (type === "array" && !Array.isArray(value)) return { ok: false, why: "this must be a JSON array, e.g. [1, 2]" };
  if (type === "object" && (value === null || typeof value !== "object" || Array.isArray(value))) return { ok: false, why: 'this must be a JSON object, e.g. {"key": "value"}' };
  return { ok: true, value };
}

/**
 * What leaving a field unset means: the schema's `default`, else the one its description states
 * ("(default 64)", "(default `\"500ms\"`)", "(default true)"); undefined when neither says.
 */
export function defaultOf(schema: Schema): string | undefined {
  if (schema.default !== undefined && schema.default !== null) return typeof schema.default === "string" ? schema.default : JSON.stringify(schema.default);
  const stated = /default:?\s+`?\\?"?([A-Za-z0-9_.\-]+(?:,\s*[A-Za-z0-9_.\-]+)*)/.exec(schema.description ?? "")?.[1];
  return stated && !["the", "none", "a", "an", "fail", "it"].includes(stated.split(",")[0]) ? stated : undefined;
}

const UNITS = ["ms", "s", "m", "h", "d"] as const;
/** A duration the picker shows: a number and one unit. */
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/** A duration as a number and a unit ("30s"); text it cannot split that way stays editable as text. */
function DurationField({ id, value, fallback, invalid, onCommit }: { id: string; value: string | undefined; fallback: string | undefined; invalid: boolean; onCommit: (value: unknown) => void }) {
  const split = DURATION.exec(value ?? "");
  const [amount, setAmount] = useState(split?.[1] ?? "");
  const [unit, setUnit] = useState<string>(split?.[2] ?? "s");
  useEffect(() => {
    const again = DURATION.exec(value ?? "");
    setAmount(again?.[1] ?? "");
    if (again) setUnit(again[2]);
  }, [value]);
  if (value !== undefined && !split) {
    // Written by hand in a form the picker does not show (e.g. "1h 30m"): kept as text.
    return <input id={id} defaultValue={value} className={invalid ? "invalid" : undefined} onBlur={(e) => e.target.value !== value && onCommit(e.target.value || undefined)} />;
  }
  const commit = (nextAmount: string, nextUnit: string) => {
    const next = nextAmount.trim() === "" ? undefined : `${Number(nextAmount)}${nextUnit}`;
    if (next !== value) onCommit(next);
  };
  return (
    <div className={`duration${invalid ? " invalid" : ""}`}>
      <input
        id={id}
        type="number"
        min={0}
        step="any"
        value={amount}
        placeholder={fallback ? `default ${fallback}` : "none"}
        onChange={(e) => setAmount(e.target.value)}
        onBlur={() => commit(amount, unit)}
        onKeyDown={(e) => e.key === "Enter" && commit(amount, unit)}
      />
      <select
        aria-label="unit"
        value={unit}
        onChange={(e) => {
          setUnit(e.target.value);
          if (amount.trim() !== "") commit(amount, e.target.value);
        }}
      >
        {UNITS.map((u) => (
          <option key={u} value={u}>
            {{ ms: "milliseconds", s: "seconds", m: "minutes", h: "hours", d: "days" }[u]}
          </option>
        ))}
      </select>
    </div>
  );
}

function Field({
  path,
  pointer,
  schema,
  value,
  required,
  onCommit,
}: {
  /** Where the field sits in the inspector: `prompt`, `policy.retry.attempts`. */
  path: string;
  /** Its JSON pointer inside the node's config (script fields are found by it). */
  pointer: string;
  schema: Schema;
  value: unknown;
  required: boolean;
  onCommit: (value: unknown) => void;
}) {
  const context = useContext(FormContext)!;
  const resolved = resolve(schema, context.root);
  const type = typeOf(resolved);
  const options = choices(resolved);
  const union = options ? null : taggedUnion(resolved, context.root);
  const id = `field-${path}`;
  const name = path.split(".").at(-1)!;
  const problems = context.problems.get(path) ?? [];
  const [draft, setDraft] = useState(() => toText(value, type));
  useEffect(() => setDraft(toText(value, type)), [value, type]);
  const label = (
    <label htmlFor={id} title={resolved.description}>
      {name}
      {required ? " *" : ""}
    </label>
  );
  const hint = resolved.description && <div className="hint">{resolved.description}</div>;
  const marks = problems.map((message, i) => (
    <div key={i} className="field-problem">
      {message}
    </div>
  ));
  const wrap = (control: React.ReactNode, className = "field") => (
    <div className={`${className}${problems.length ? " has-problem" : ""}`} data-field={path}>
      {label}
      {control}
      {marks}
      {hint}
    </div>
  );

  const fallback = defaultOf(resolved);
  const defaultLabel = fallback === undefined ? "(default)" : `default (${fallback})`;
  if (options) {
    return wrap(
      <select id={id} value={value === undefined ? "" : String(value)} onChange={(e) => onCommit(e.target.value === "" ? undefined : e.target.value)}>
        {!required && <option value="">{defaultLabel}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>,
    );
  }
  // A list of choices: chips to toggle, none chosen is the default.
  const itemChoices = type === "array" && resolved.items ? choices(resolve(resolved.items, context.root)) : null;
  if (itemChoices) {
    const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
    return wrap(
      <div className="chips" role="group" aria-label={name} id={id}>
        {itemChoices.map((option) => (
          <button
            key={option}
            type="button"
            className="chip"
            aria-pressed={chosen.has(option)}
            onClick={() => {
              const next = itemChoices.filter((o) => (o === option ? !chosen.has(o) : chosen.has(o)));
              onCommit(next.length > 0 ? next : undefined);
            }}
          >
            {option}
          </button>
        ))}
        {chosen.size === 0 && <span className="chips-default">{fallback ? `default: ${fallback}` : "none chosen: the default"}</span>}
      </div>,
    );
  }
  if (resolved["x-floe-picker"] === "duration" && type === "string") {
    return wrap(<DurationField id={id} value={typeof value === "string" ? value : undefined} fallback={fallback} invalid={problems.length > 0} onCommit={onCommit} />);
  }
  // An optional yes/no shows what leaving it unset means.
  if (type === "boolean" && !required && (fallback !== undefined || value === undefined)) {
    return wrap(
      <select id={id} value={value === undefined ? "" : String(value)} onChange={(e) => onCommit(e.target.value === "" ? undefined : e.target.value === "true")}>
        <option value="">{fallback === undefined ? "(default)" : `default (${fallback === "true" ? "yes" : "no"})`}</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>,
    );
  }
  if (type === "boolean") {
    return (
      <div className="field checkbox" data-field={path}>
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onCommit(e.target.checked)} />
        {label}
        {marks}
      </div>
    );
  }
  if (union) {
    const current = (value ?? undefined) as Record<string, unknown> | undefined;
    const chosen = current ? String(current[union.tag]) : "";
    const variant = union.variants.get(chosen);
    const rest = variant ? { ...variant, properties: { ...variant.properties }, required: variant.required?.filter((r) => r !== union.tag) } : null;
    if (rest) delete rest.properties![union.tag];
    return (
      <fieldset className={`field group${problems.length ? " has-problem" : ""}`} data-field={path}>
        <legend title={resolved.description}>{name}</legend>
        <select
          id={id}
          aria-label={name}
          value={chosen}
          onChange={(e) => {
            const next = union.variants.get(e.target.value);
            onCommit(next ? seed(next, context.root) : undefined);
          }}
        >
          {!required && <option value="">(default)</option>}
          {[...union.variants.keys()].map((key) => (
            <option key={key} value={key} title={union.variants.get(key)?.description}>
              {key}
            </option>
          ))}
        </select>
        {variant?.description && <div className="hint">{variant.description}</div>}
        {rest && current && Object.keys(rest.properties!).length > 0 && (
          <SchemaForm path={path} pointer={pointer} schema={rest} value={current} onChange={onCommit} />
        )}
        {marks}
        {hint}
      </fieldset>
    );
  }
  if (type === "object" && resolved.properties) {
    const current = value as Record<string, unknown> | undefined;
    return (
      <fieldset className={`field group${problems.length ? " has-problem" : ""}`} data-field={path}>
        <legend title={resolved.description}>
          {name}
          {current !== undefined && !required && (
            <button type="button" className="link" onClick={() => onCommit(undefined)} title={`Remove ${name} (use the default)`}>
              clear
            </button>
          )}
        </legend>
        {current === undefined ? (
          <button type="button" id={id} onClick={() => onCommit(seed(resolved, context.root))}>
            Set {name}
          </button>
        ) : (
          <SchemaForm path={path} pointer={pointer} schema={resolved} value={current} onChange={onCommit} />
        )}
        {marks}
        {hint}
      </fieldset>
    );
  }
  if (resolved["x-floe-picker"] === "model" && type === "string") {
    return wrap(<NodeModelPicker id={id} value={typeof value === "string" ? value : ""} invalid={problems.length > 0} onCommit={onCommit} />);
  }
  const script = type === "string" || type === "any" ? scriptAt(pointer, context.scripts) : undefined;
  if (script || resolved.contentMediaType === "text/javascript") {
    const language = script ? (script.role === "expression" ? "expression" : "template") : "javascript";
    const vars = (script?.vars ?? []).map((v) => ({ label: v, detail: "this field" }));
    const scope = vars.length === 0 ? context.scope : () => {
      const outer = context.scope();
      return { ...outer, variables: [...outer.variables, ...vars] };
    };
    return wrap(
      <CodeEditor
        id={id}
        value={typeof value === "string" ? value : toText(value, type)}
        language={language}
        scope={scope}
        invalid={problems.length > 0}
        placeholder={language === "template" ? "text with {{ run.name }} or {{ nodes.id.port }}" : undefined}
        onCommit={(text) => onCommit(text === "" ? undefined : text)}
      />,
    );
  }
  const multiline = type === "object" || type === "array" || type === "any";
  const parsed = fromText(draft, type);
  const invalid = !parsed.ok;
  const commit = () => {
    const parsed = fromText(draft, type);
    if (parsed.ok && JSON.stringify(parsed.value) !== JSON.stringify(value)) onCommit(parsed.value);
  };
  const props = {
    id,
    value: draft,
    className: invalid || problems.length ? "invalid" : undefined,
    placeholder: fallback !== undefined ? `default ${fallback}` : undefined,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: commit,
  };
  return wrap(
    <>
      {multiline ? (
        <textarea {...props} rows={3} spellCheck={false} />
      ) : (
        <input {...props} type={type === "number" || type === "integer" ? "number" : "text"} onKeyDown={(e) => e.key === "Enter" && commit()} />
      )}
      {invalid && <div className="field-problem">{parsed.why ?? `this is not ${type === "integer" ? "a whole number" : `a valid ${type}`}`}</div>}
    </>,
  );
}

/** A form over an object schema: one field per property, required ones first. */
export function SchemaForm({
  path,
  pointer,
  schema,
  value,
  onChange,
}: {
  path: string;
  pointer: string;
  schema: Schema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
}) {
  const { root } = useContext(FormContext)!;
  const resolved = resolve(schema, root);
  const required = new Set(resolved.required ?? []);
  const names = Object.keys(resolved.properties ?? {}).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  return (
    <>
      {names.map((name) => (
        <Field
          key={name}
          path={path ? `${path}.${name}` : name}
          pointer={`${pointer}/${name}`}
          schema={resolved.properties![name]}
          value={value[name]}
          required={required.has(name)}
          onCommit={(next) => {
            const copy = { ...value };
            if (next === undefined) delete copy[name];
            else copy[name] = next;
            onChange(copy);
          }}
        />
      ))}
    </>
  );
}

/** The blueprint schema: the root for forms over its `$defs` (`Policy`, `RunPolicy`). */
export const blueprintRoot = blueprintSchema as unknown as Schema;

