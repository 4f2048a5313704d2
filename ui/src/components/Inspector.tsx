// The inspector: the selected node's forms, generated from JSON Schemas (SchemaForm.tsx) — the
// kind's config schema (for `tool` nodes the tool's args schema) and the blueprint schema's
// `Policy` — never a hand-written form per kind; with no node selected, the blueprint's own panel
// (BlueprintPanel.tsx). Each commit is one undoable step.
import { memo, useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Node as BlueprintNode } from "../generated/blueprint";
import { templateScope } from "../model/scope";
import type { Backend } from "../backend/backend";
import { fieldOf, useCatalog, useDocument } from "../store";
import { BlueprintPanel } from "./BlueprintPanel";
import { KindIcon, lookOf, toolOf } from "./look";
import { blueprintRoot, type FormContextValue, FormContext, type Schema, SchemaForm } from "./SchemaForm";

/** Puts the cursor in the field a problem named (opening its section), once per request. */
function useFocusRequest(nodeId: string) {
  const focus = useDocument((s) => s.focus);
  useEffect(() => {
    if (!focus || focus.node !== nodeId) return;
    // After this render: the field exists once the inspector shows the node.
    const timer = setTimeout(() => {
      const parts = focus.field?.split(".") ?? [];
      for (let n = parts.length; n > 0; n -= 1) {
        const element = document.getElementById(`field-${parts.slice(0, n).join(".")}`);
        if (element) {
          element.scrollIntoView({ block: "center" });
          element.focus();
          return;
        }
      }
      document.querySelector<HTMLElement>(".inspector h2")?.scrollIntoView({ block: "start" });
    }, 0);
    return () => clearTimeout(timer);
  }, [focus, nodeId]);
}

/** Whether a pointer is pressed anywhere (read by `useAfterPress`). */
let pressed = false;
if (typeof window !== "undefined") {
  window.addEventListener("pointerdown", () => (pressed = true), true);
  for (const end of ["pointerup", "pointercancel"]) window.addEventListener(end, () => (pressed = false), true);
}

/**
 * `value`, but while a pointer is pressed, what it was before the press until the release: a node
 * picked up to be dragged builds its forms (editors take tens of ms) when it is dropped, not in
 * the drag's first frames. A click updates on release, as before.
 */
function useAfterPress<T>(value: T): T {
  const [, released] = useReducer((n: number) => n + 1, 0);
  const shown = useRef(value);
  if (!pressed) shown.current = value;
  const waiting = shown.current !== value;
  useEffect(() => {
    if (!waiting) return;
    window.addEventListener("pointerup", released, { once: true });
    return () => window.removeEventListener("pointerup", released);
  }, [waiting]);
  return shown.current;
}

/** A value in a line. */
function brief(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** The fields a node's config, title and policy hold, by name (`args.url` for a tool's arguments). */
function fieldsOf(node: BlueprintNode | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!node) return out;
  const config = (node.config ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    if (key === "args" && value && typeof value === "object" && !Array.isArray(value)) {
      for (const [arg, v] of Object.entries(value as Record<string, unknown>)) out.set(`args.${arg}`, v);
    } else out.set(key, value);
  }
  if (node.title) out.set("title", node.title);
  for (const [key, value] of Object.entries((node.policy ?? {}) as Record<string, unknown>)) out.set(`policy.${key}`, value);
  return out;
}

/** What a pending draft does to the selected node, field by field. */
function ProposalDiff({ node, mark }: { node: BlueprintNode; mark: "added" | "changed" | "removed" }) {
  const before = useDocument((s) => s.proposal?.before.base ?? null);
  if (mark !== "changed") {
    return <p className={`proposal-note ${mark}`}>{mark === "added" ? "Added by the draft." : "Removed by the draft (not in the document once accepted)."}</p>;
  }
  const queue = [...(before?.nodes ?? [])] as (BlueprintNode & { body?: { nodes?: BlueprintNode[] } })[];
  let old: BlueprintNode | undefined;
  while (queue.length > 0 && !old) {
    const next = queue.shift()!;
    if (next.id === node.id) old = next;
    queue.push(...((next.body?.nodes ?? []) as typeof queue));
  }
  const was = fieldsOf(old);
  const now = fieldsOf(node);
  const names = [...new Set([...was.keys(), ...now.keys()])].filter((k) => JSON.stringify(was.get(k)) !== JSON.stringify(now.get(k)));
  return (
    <div className="proposal-note changed" role="region" aria-label="Changed by the draft">
      <p>Changed by the draft:</p>
      <ul>
        {names.map((name) => (
          <li key={name}>
            <code>{name}</code>: <del>{brief(was.get(name))}</del> → <ins>{brief(now.get(name))}</ins>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A node's id: renaming it renames every reference (edges, run outputs, templates) too. */
function NodeIdField({ id, backend }: { id: string; backend: Backend }) {
  const [draft, setDraft] = useState(id);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setDraft(id);
    setProblem(null);
  }, [id]);
  const commit = () => {
    if (draft === id) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(draft)) {
      setProblem("an id is letters, digits and _, not starting with a digit");
      return;
    }
    useDocument
      .getState()
      .renameNode(backend, id, draft)
      .then(() => setProblem(null))
      .catch((error: Error) => setProblem(error.message));
  };
  return (
    <div className={`field${problem ? " has-problem" : ""}`} data-field="id">
      <label htmlFor="field-id">id</label>
      <input
        id="field-id"
        value={draft}
        spellCheck={false}
        className={problem ? "invalid" : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
          if (e.key === "Escape") setDraft(id);
        }}
      />
      {problem && <div className="field-problem">{problem}</div>}
      <div className="hint">Templates read it as {`{{ nodes.${id}.<port> }}`}; renaming updates every reference.</div>
    </div>
  );
}

function InspectorView({ backend }: { backend: Backend }) {
  const catalog = useCatalog((s) => s.catalog);
  const base = useDocument((s) => s.base);
  const updateNode = useDocument((s) => s.updateNode);
  const check = useDocument((s) => s.check);
  // The selected nodes' contents, compared item by item: dragging a node (a new position on
  // every frame) does not re-render the forms.
  const selected = useAfterPress(useDocument(useShallow((s) => s.canvas.nodes.filter((n) => n.selected).map((n) => n.data))));
  const nodeId = selected.length === 1 ? selected[0].node.id : "";
  useFocusRequest(nodeId);
  // Completions are computed when asked for, from the graph as it is then.
  const scope = useCallback(() => {
    const { canvas, base } = useDocument.getState();
    return templateScope(nodeId, canvas, base, useCatalog.getState().catalog);
  }, [nodeId]);
  if (selected.length === 0) return <BlueprintPanel />;
  if (selected.length > 1) {
    return (
      <aside className="inspector" aria-label="Inspector">
        <p className="hint">{selected.length} nodes selected: select one to configure it, or click the canvas for the blueprint.</p>
      </aside>
    );
  }
  const { node } = selected[0];
  const config = (node.config ?? {}) as Record<string, unknown>;
  const kind = catalog?.kinds.find((k) => k.kind === node.kind);
  const tool = node.kind === "tool" ? catalog?.tools.find((t) => t.tool === config.tool) : undefined;
  const nodeProblems = check?.diagnostics.filter((d) => d.node === node.id) ?? [];
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  for (const problem of nodeProblems) {
    const field = fieldOf(problem.pointer);
    if (field) byField.set(field, [...(byField.get(field) ?? []), problem.message]);
    else general.push(`${problem.code} ${problem.message}`);
  }
  const update = (fields: Partial<BlueprintNode>) => updateNode(node.id, fields);
  const scripts = kind?.script_fields ?? [];
  const context: FormContextValue = { root: {}, scope, scripts, problems: byField };
  const policy = (node.policy ?? {}) as Record<string, unknown>;
  return (
    <aside className="inspector" aria-label="Inspector">
      <div className="inspector-head">
        <KindIcon look={lookOf(node.kind, toolOf(node))} />
        <div>
          <h2>{node.title || node.id}</h2>
          <div className="hint">{tool ? tool.title : (kind?.title ?? node.kind)}</div>
        </div>
      </div>
      {(tool ?? kind) && <p className="hint summary">{tool ? tool.summary : kind?.summary}</p>}
      <NodeIdField id={node.id} backend={backend} />
      {selected[0].proposal && <ProposalDiff node={node} mark={selected[0].proposal} />}
      <div className="field">
        <label htmlFor="field-title">title</label>
        <input
          id="field-title"
          defaultValue={node.title ?? ""}
          placeholder={node.id}
          key={`${node.id}-title-${node.title ?? ""}`}
          onBlur={(e) => e.target.value !== (node.title ?? "") && update({ title: e.target.value || undefined })}
        />
      </div>
      {general.map((message, i) => (
        <div key={i} className="inline-problem error">
          {message}
        </div>
      ))}
      {node.kind === "tool" && catalog && (
        <div className="field">
          <label htmlFor="field-tool">tool</label>
          <select
            id="field-tool"
            value={String(config.tool ?? "")}
            onChange={(e) => {
              const next = catalog.tools.find((t) => t.tool === e.target.value);
              update({ config: { ...config, tool: e.target.value, args: structuredClone(next?.example ?? {}) } });
            }}
          >
            {!tool && <option value="">{String(config.tool ?? "(choose a tool)")}</option>}
            {catalog.tools.map((t) => (
              <option key={t.tool} value={t.tool}>
                {t.tool} — {t.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <section className="config" aria-label="Configuration">
        {tool ? (
          <FormContext.Provider value={{ ...context, root: tool.args_schema as Schema }}>
            <SchemaForm
              path=""
              pointer="/args"
              schema={tool.args_schema as Schema}
              value={(config.args ?? {}) as Record<string, unknown>}
              onChange={(args) => update({ config: { ...config, args } })}
            />
          </FormContext.Provider>
        ) : kind ? (
          <FormContext.Provider value={{ ...context, root: kind.config_schema as Schema }}>
            <SchemaForm path="" pointer="" schema={kind.config_schema as Schema} value={config} onChange={(next) => update({ config: next })} />
          </FormContext.Provider>
        ) : null}
      </section>
      <details className="policy" open={Object.keys(policy).length > 0 || [...byField.keys()].some((k) => k.startsWith("policy"))}>
        <summary>Policy: retry, timeout, errors, join</summary>
        {base?.defaults && <div className="hint">Unset fields come from the blueprint defaults: {JSON.stringify(base.defaults)}</div>}
        <FormContext.Provider value={{ ...context, root: blueprintRoot, scripts: [] }}>
          <SchemaForm
            path="policy"
            pointer="/policy"
            schema={{ $ref: "#/$defs/Policy" }}
            value={policy}
            onChange={(next) => update({ policy: Object.keys(next).length > 0 ? next : undefined })}
          />
        </FormContext.Provider>
      </details>
    </aside>
  );
}

/** The inspector re-renders for its own subscriptions only (not with the shell around it). */
export const Inspector = memo(InspectorView);
