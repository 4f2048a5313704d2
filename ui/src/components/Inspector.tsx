// The inspector: a form generated from the selected node's config schema (the kind's, and for
// `tool` nodes the tool's args schema) — never a hand-written form per kind. Text fields commit
// on blur or Enter, choices at once; each commit is one undoable step.
import { useEffect, useState } from "react";
import type { Node as BlueprintNode } from "../generated/blueprint";
import { useCatalog, useDocument } from "../store";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  const?: unknown;
  $ref?: string;
  description?: string;
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

function typeOf(schema: Schema): string {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  return type ?? "any";
}

function Field({
  name,
  schema,
  root,
  value,
  required,
  onCommit,
}: {
  name: string;
  schema: Schema;
  root: Schema;
  value: unknown;
  required: boolean;
  onCommit: (value: unknown) => void;
}) {
  const resolved = resolve(schema, root);
  const type = typeOf(resolved);
  const options = choices(resolved);
  const label = (
    <label htmlFor={`field-${name}`} title={resolved.description}>
      {name}
      {required ? " *" : ""}
    </label>
  );
  const [draft, setDraft] = useState(() => toText(value, type));
  useEffect(() => setDraft(toText(value, type)), [value, type]);
  const commit = () => {
    const parsed = fromText(draft, type);
    if (parsed.ok && JSON.stringify(parsed.value) !== JSON.stringify(value)) onCommit(parsed.value);
  };
  if (options) {
    return (
      <div className="field">
        {label}
        <select id={`field-${name}`} value={value === undefined ? "" : String(value)} onChange={(e) => onCommit(e.target.value === "" ? undefined : e.target.value)}>
          {!required && <option value="">(default)</option>}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
    );
  }
  if (type === "boolean") {
    return (
      <div className="field checkbox">
        <input id={`field-${name}`} type="checkbox" checked={value === true} onChange={(e) => onCommit(e.target.checked)} />
        {label}
      </div>
    );
  }
  const multiline = type === "object" || type === "array" || type === "any" || (type === "string" && (name.includes("prompt") || name.includes("template") || name === "source" || name === "system"));
  const invalid = !fromText(draft, type).ok;
  const props = {
    id: `field-${name}`,
    value: draft,
    className: invalid ? "invalid" : undefined,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: commit,
  };
  return (
    <div className="field">
      {label}
      {multiline ? (
        <textarea {...props} rows={type === "string" ? 4 : 3} spellCheck={false} />
      ) : (
        <input {...props} type={type === "number" || type === "integer" ? "number" : "text"} onKeyDown={(e) => e.key === "Enter" && commit()} />
      )}
      {resolved.description && <div className="hint">{resolved.description}</div>}
    </div>
  );
}

function toText(value: unknown, type: string): string {
  if (value === undefined || value === null) return "";
  if (type === "string") return String(value);
  if (type === "number" || type === "integer") return String(value);
  return JSON.stringify(value, null, 2);
}

function fromText(text: string, type: string): { ok: boolean; value?: unknown } {
  if (text.trim() === "") return { ok: true, value: undefined };
  if (type === "string") return { ok: true, value: text };
  if (type === "number" || type === "integer") {
    const n = Number(text);
    return Number.isFinite(n) && (type === "number" || Number.isInteger(n)) ? { ok: true, value: n } : { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Free text in an "any" field is a string.
    return type === "any" ? { ok: true, value: text } : { ok: false };
  }
}

/** A form over an object schema: one field per property, required ones first. */
function SchemaForm({
  schema,
  root,
  value,
  onChange,
}: {
  schema: Schema;
  root: Schema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
}) {
  const resolved = resolve(schema, root);
  const required = new Set(resolved.required ?? []);
  const names = Object.keys(resolved.properties ?? {}).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  return (
    <>
      {names.map((name) => (
        <Field
          key={name}
          name={name}
          schema={resolved.properties![name]}
          root={root}
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

export function Inspector() {
  const catalog = useCatalog((s) => s.catalog);
  const canvas = useDocument((s) => s.canvas);
  const updateNode = useDocument((s) => s.updateNode);
  const check = useDocument((s) => s.check);
  const selected = canvas.nodes.filter((n) => n.selected);
  if (selected.length !== 1) {
    return (
      <aside className="inspector">
        <p className="hint">{selected.length > 1 ? `${selected.length} nodes selected` : "Select a node to configure it."}</p>
      </aside>
    );
  }
  const { node } = selected[0].data;
  const config = (node.config ?? {}) as Record<string, unknown>;
  const kind = catalog?.kinds.find((k) => k.kind === node.kind);
  const tool = node.kind === "tool" ? catalog?.tools.find((t) => t.tool === config.tool) : undefined;
  const problems = check?.diagnostics.filter((d) => d.node === node.id) ?? [];
  const update = (fields: Partial<BlueprintNode>) => updateNode(node.id, fields);
  return (
    <aside className="inspector" aria-label="Inspector">
      <h2>
        {node.id} <span className="hint">{tool ? tool.title : (kind?.title ?? node.kind)}</span>
      </h2>
      <div className="field">
        <label htmlFor="field-title">title</label>
        <input
          id="field-title"
          defaultValue={node.title ?? ""}
          key={`${node.id}-title-${node.title ?? ""}`}
          onBlur={(e) => e.target.value !== (node.title ?? "") && update({ title: e.target.value || undefined })}
        />
      </div>
      {problems.map((p, i) => (
        <div key={i} className={`inline-problem ${p.severity}`}>
          {p.code} {p.message}
        </div>
      ))}
      {tool ? (
        <SchemaForm
          schema={tool.args_schema as Schema}
          root={tool.args_schema as Schema}
          value={(config.args ?? {}) as Record<string, unknown>}
          onChange={(args) => update({ config: { ...config, args } })}
        />
      ) : kind ? (
        <SchemaForm schema={kind.config_schema as Schema} root={kind.config_schema as Schema} value={config} onChange={(next) => update({ config: next })} />
      ) : null}
    </aside>
  );
}
