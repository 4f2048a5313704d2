// The blueprint's own panel, shown in the inspector when no node is selected: its name and
// description, its default model, its run inputs (name, type, default, description) and outputs
// (which node port each reads), the defaults every node inherits (retry, timeout, errors, join),
// and the run's limits and budget. The two policy sections are forms over the blueprint schema's
// `Policy` and `RunPolicy`, like the node forms; every commit is one undoable step.
import { FileCog, Plus, X } from "lucide-react";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Blueprint, RunInput, RunOutput } from "../generated/blueprint";
import { portsOf } from "../model/ports";
import { useCatalog, useDocument, useNodeContents } from "../store";
import { ModelPicker } from "./ModelPicker";
import { blueprintRoot, FormContext, type FormContextValue, SchemaForm } from "./SchemaForm";

type InputType = NonNullable<RunInput["type"]>;
const TYPES: InputType[] = ["string", "number", "integer", "boolean", "object", "array", "any"];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A default written as text, read as the input's type: what is wrong with it, or its value. */
export function parseDefault(text: string, type: InputType): { value?: unknown; error?: string } {
  if (text.trim() === "") return {};
  switch (type) {
    case "string":
      return { value: text };
    case "number":
    case "integer": {
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: `${JSON.stringify(text)} is not a number` };
      if (type === "integer" && !Number.isInteger(n)) return { error: `${text} is not a whole number` };
      return { value: n };
    }
    case "boolean":
      return text === "true" || text === "false" ? { value: text === "true" } : { error: "write true or false" };
    default: {
      try {
        const value: unknown = JSON.parse(text);
        if (type === "array" && !Array.isArray(value)) return { error: "write a JSON array, e.g. [1, 2]" };
        if (type === "object" && (value === null || typeof value !== "object" || Array.isArray(value))) return { error: 'write a JSON object, e.g. {"key": "value"}' };
        return { value };
      } catch {
        return type === "any" ? { value: text } : { error: "this is not valid JSON" };
      }
    }
  }
}

function defaultText(value: unknown, type: InputType): string {
  if (value === undefined) return "";
  return type === "string" && typeof value === "string" ? value : JSON.stringify(value);
}

/** A text field that commits on blur or Enter, and shows why a value is refused. */
function TextField({
  id,
  label,
  value,
  placeholder,
  multiline,
  check,
  onCommit,
}: {
  id: string;
  label: string;
  value: string;
  placeholder?: string;
  multiline?: boolean;
  /** Why a text is refused, or null. */
  check?: (text: string) => string | null;
  onCommit: (text: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const problem = check && draft !== value ? check(draft) : null;
  const commit = () => {
    if (draft !== value && !(check && check(draft))) onCommit(draft);
  };
  const props = {
    id,
    value: draft,
    placeholder,
    "aria-label": label,
    "aria-invalid": problem ? true : undefined,
    className: problem ? "invalid" : undefined,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: commit,
  };
  return (
    <>
      {multiline ? <textarea {...props} rows={2} /> : <input {...props} onKeyDown={(e) => e.key === "Enter" && commit()} />}
      {problem && <div className="field-problem">{problem}</div>}
    </>
  );
}

/** An input's or output's first line: its name (renamed on commit, checked), a control, and Remove. */
function EntryHead({
  what,
  name,
  taken,
  onRename,
  onRemove,
  children,
}: {
  what: "input" | "output";
  name: string;
  taken: Set<string>;
  onRename: (name: string) => void;
  onRemove: () => void;
  children: ReactNode;
}) {
  const label = `${what[0].toUpperCase()}${what.slice(1)} ${name}`;
  return (
    <div className="entry-row">
      <TextField
        id={`${what}-${name}-name`}
        label={`${label}: name`}
        value={name}
        check={(text) => (!IDENTIFIER.test(text) ? "letters, digits and _, not starting with a digit" : taken.has(text) ? `there is an ${what} ${text} already` : null)}
        onCommit={onRename}
      />
      {children}
      <button type="button" className="icon-only" aria-label={`Remove ${what} ${name}`} title={`Remove this ${what}`} onClick={onRemove}>
        <X size={14} aria-hidden />
      </button>
    </div>
  );
}

function InputRow({ name, input, taken, onChange }: { name: string; input: RunInput; taken: Set<string>; onChange: (name: string | null, input: RunInput) => void }) {
  const type: InputType = input.type ?? "any";
  return (
    <li className="entry" data-input={name}>
      <EntryHead what="input" name={name} taken={taken} onRename={(text) => onChange(text, input)} onRemove={() => onChange(null, input)}>
        <select aria-label={`Input ${name}: type`} value={type} onChange={(e) => onChange(name, { ...input, type: e.target.value as InputType })}>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </EntryHead>
      <TextField
        id={`input-${name}-default`}
        label={`Input ${name}: default`}
        value={defaultText(input.default, type)}
        placeholder={type === "string" ? "default (none: the run must give it)" : `default ${type} (none: the run must give it)`}
        check={(text) => parseDefault(text, type).error ?? null}
        onCommit={(text) => {
          const { value } = parseDefault(text, type);
          const next: Record<string, unknown> = { ...input };
          if (value === undefined) delete next.default;
          else next.default = value;
          onChange(name, next as RunInput);
        }}
      />
      <TextField
        id={`input-${name}-description`}
        label={`Input ${name}: description`}
        value={input.description ?? ""}
        placeholder="description, shown in the run form"
        onCommit={(text) => onChange(name, { ...input, description: text || undefined })}
      />
    </li>
  );
}

function OutputRow({ name, output, sources, taken, onChange }: { name: string; output: RunOutput; sources: string[]; taken: Set<string>; onChange: (name: string | null, output: RunOutput) => void }) {
  return (
    <li className="entry" data-output={name}>
      <EntryHead what="output" name={name} taken={taken} onRename={(text) => onChange(text, output)} onRemove={() => onChange(null, output)}>
        <select aria-label={`Output ${name}: from`} value={output.from} onChange={(e) => onChange(name, { ...output, from: e.target.value })}>
          {!sources.includes(output.from) && <option value={output.from}>{output.from || "(choose a node port)"}</option>}
          {sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </EntryHead>
      <TextField
        id={`output-${name}-description`}
        label={`Output ${name}: description`}
        value={output.description ?? ""}
        placeholder="what it holds"
        onCommit={(text) => onChange(name, { ...output, description: text || undefined })}
      />
    </li>
  );
}

/** `entries` with the one named `name` replaced (renamed in place, keeping the order) or removed. */
function replaced<T>(entries: Record<string, T>, name: string, next: string | null, value: T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, old] of Object.entries(entries)) {
    if (key !== name) out[key] = old;
    else if (next !== null) out[next] = value;
  }
  return out;
}

/** A name not taken yet: `stem`, `stem_2`… */
function fresh(stem: string, taken: Record<string, unknown>): string {
  let name = stem;
  for (let n = 2; name in taken; n += 1) name = `${stem}_${n}`;
  return name;
}

export function BlueprintPanel() {
  const base = useDocument((s) => s.base);
  const update = useDocument((s) => s.updateBlueprint);
  const catalog = useCatalog((s) => s.catalog);
  // The blueprint's own problems (not its nodes'), as a list that stays the same array while
  // they do: a check after every drag step must not render these forms again.
  const own = useDocument(useShallow((s) => (s.check?.diagnostics ?? []).filter((d) => !d.node).map((d) => `${d.pointer}\n${d.message}`)));
  // Every top-level node's output ports, for the outputs' "from" (rebuilt when nodes or edges
  // change, not while nodes are dragged).
  const contents = useNodeContents();
  const edges = useDocument((s) => s.canvas.edges);
  const sources = useMemo(
    () => contents.filter((n) => n.scope === null).flatMap((n) => portsOf(n.node, catalog, { edges }).outputs.map((port) => `${n.node.id}.${port}`)),
    [contents, edges, catalog],
  );
  const context = useMemo<FormContextValue>(() => {
    const problems = new Map<string, string[]>();
    for (const entry of own) {
      const [pointer, message] = entry.split("\n");
      const field = pointer.replace(/^\//, "").split("/").slice(0, 1).join(".");
      problems.set(field, [...(problems.get(field) ?? []), message]);
    }
    return { root: blueprintRoot, scope: () => ({ variables: [], properties: () => [] }), scripts: [], problems };
  }, [own]);
  if (!base) return null;
  const inputs = base.inputs ?? {};
  const outputs = base.outputs ?? {};
  const set = (fields: Partial<Blueprint>) => update(fields);
  const emptyToUndefined = <T extends object>(value: T) => (Object.keys(value).length > 0 ? value : undefined);
  return (
    <aside className="inspector blueprint-panel" aria-label="Inspector">
      <div className="inspector-head">
        <span className="kind-icon blueprint-icon" aria-hidden>
          <FileCog size={16} color="white" />
        </span>
        <div>
          <h2>Blueprint</h2>
          <div className="hint">{base.id} · select a node to configure it</div>
        </div>
      </div>
      <div className="field">
        <label htmlFor="blueprint-name">name</label>
        <TextField id="blueprint-name" label="name" value={base.name} check={(t) => (t.trim() ? null : "a blueprint needs a name")} onCommit={(name) => set({ name })} />
      </div>
      <div className="field">
        <label htmlFor="blueprint-description">description</label>
        <TextField id="blueprint-description" label="description" value={base.description ?? ""} multiline placeholder="What the workflow does" onCommit={(text) => set({ description: text || undefined })} />
      </div>
      <div className="field">
        <label htmlFor="blueprint-model">default model</label>
        <ModelPicker id="blueprint-model" value={base.default_model ?? ""} invalid={false} onCommit={(model) => set({ default_model: model || undefined })} />
        <div className="hint">What nodes whose model is “default” call; empty: the default model in Settings.</div>
      </div>
      <section className="entries" aria-label="Run inputs">
        <div className="entries-head">
          <h3>Run inputs</h3>
          <button type="button" className="add" onClick={() => set({ inputs: { ...inputs, [fresh("input", inputs)]: { type: "string" } } })}>
            <Plus size={14} aria-hidden /> Add input
          </button>
        </div>
        {Object.keys(inputs).length === 0 && <p className="hint">None: runs start without asking. Templates read an input as {"{{ run.name }}"}.</p>}
        <ul>
          {Object.entries(inputs).map(([name, input]) => (
            <InputRow
              key={name}
              name={name}
              input={input}
              taken={new Set(Object.keys(inputs).filter((n) => n !== name))}
              onChange={(next, value) => set({ inputs: emptyToUndefined(replaced(inputs, name, next, value)) })}
            />
          ))}
        </ul>
      </section>
      <section className="entries" aria-label="Run outputs">
        <div className="entries-head">
          <h3>Run outputs</h3>
          <button type="button" className="add" onClick={() => set({ outputs: { ...outputs, [fresh("result", outputs)]: { from: sources[sources.length - 1] ?? "" } } })}>
            <Plus size={14} aria-hidden /> Add output
          </button>
        </div>
        {Object.keys(outputs).length === 0 && <p className="hint">None: a run's result is in its nodes' outputs.</p>}
        <ul>
          {Object.entries(outputs).map(([name, output]) => (
            <OutputRow
              key={name}
              name={name}
              output={output}
              sources={sources}
              taken={new Set(Object.keys(outputs).filter((n) => n !== name))}
              onChange={(next, value) => set({ outputs: emptyToUndefined(replaced(outputs, name, next, value)) })}
            />
          ))}
        </ul>
      </section>
      <FormContext.Provider value={context}>
        <details className="policy" open={!!base.defaults}>
          <summary>Defaults for every node: retry, timeout, errors, join</summary>
          <SchemaForm
            path="defaults"
            pointer="/defaults"
            schema={{ $ref: "#/$defs/Policy" }}
            value={(base.defaults ?? {}) as Record<string, unknown>}
            onChange={(next) => set({ defaults: emptyToUndefined(next) })}
          />
        </details>
        <details className="policy" open={!!base.run}>
          <summary>Run limits and budget</summary>
          <SchemaForm path="run" pointer="/run" schema={{ $ref: "#/$defs/RunPolicy" }} value={(base.run ?? {}) as Record<string, unknown>} onChange={(next) => set({ run: emptyToUndefined(next) })} />
        </details>
      </FormContext.Provider>
    </aside>
  );
}
