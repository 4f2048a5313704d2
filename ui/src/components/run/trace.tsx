// A node's trace in the dock: inputs and outputs as JSON trees, the streamed text, an agent's transcript, attempts and their errors, approvals.
import { type ReactNode, useMemo, useState } from "react";
import type { Backend } from "../../backend/backend";
import { type NodeRun, statusLabel } from "../../model/run";
import { useRun } from "../../runStore";
import { cost } from "./controls";

/** A JSON value as a collapsible tree, with a copy button. */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  const [copied, setCopied] = useState(false);
  const text = useMemo(() => JSON.stringify(value, null, 2) ?? "null", [value]);
  return (
    <div className="json-view">
      <div className="json-head">
        {label && <span className="json-label">{label}</span>}
        <button
          className="small"
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
          title="Copy as JSON"
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <JsonNode value={value} depth={0} />
    </div>
  );
}

function JsonNode({ value, depth, name }: { value: unknown; depth: number; name?: string }): ReactNode {
  const [open, setOpen] = useState(depth < 2);
  const key = name !== undefined ? <span className="json-key">{name}: </span> : null;
  if (value === null || typeof value !== "object") {
    const text = typeof value === "string" ? JSON.stringify(value.length > 2000 ? `${value.slice(0, 2000)}…` : value) : String(value);
    return (
      <div className="json-leaf">
        {key}
        <span className={`json-${value === null ? "null" : typeof value}`}>{text}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return (
    <div className="json-branch">
      <button className="json-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? "▾" : "▸"} {key}
        {brackets[0]}
        {!open && `… ${entries.length} ${Array.isArray(value) ? "items" : "keys"}${brackets[1]}`}
      </button>
      {open && (
        <div className="json-children">
          {entries.slice(0, 500).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > 500 && <div className="json-more">… {entries.length - 500} more</div>}
          <div>{brackets[1]}</div>
        </div>
      )}
    </div>
  );
}

/** An approval waiting on this node: what it asks, and Approve / Reject / Edit and approve. */
function ApprovalBox({ backend, node }: { backend: Backend; node: NodeRun }) {
  const approval = useRun((s) => s.approvals.find((a) => a.node === node.path));
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const decide = (decision: Parameters<Backend["decide"]>[2]) =>
    useRun
      .getState()
      .decide(backend, node.path, decision)
      .catch((e: Error) => setError(e.message));
  return (
    <div className="approval" role="group" aria-label={`Approval of ${node.path}`}>
      <div className="approval-prompt">{node.prompt}</div>
      {approval && editing === null && <JsonView value={approval.value} label="Value under review" />}
      {editing !== null && <textarea className="approval-edit" rows={6} value={editing} onChange={(e) => setEditing(e.target.value)} aria-label="Edited value" />}
      {error && <div className="error">{error}</div>}
      <div className="modal-actions">
        {editing === null ? (
          <>
            <button className="primary" onClick={() => void decide({ decision: "approve" })}>
              Approve
            </button>
            <button onClick={() => void decide({ decision: "reject" })}>Reject</button>
            {approval?.allow_edit && (
              <button onClick={() => setEditing(typeof approval.value === "string" ? approval.value : JSON.stringify(approval.value, null, 2))}>Edit…</button>
            )}
          </>
        ) : (
          <>
            <button
              className="primary"
              onClick={() => {
                let value: unknown = editing;
                if (typeof approval?.value !== "string") {
                  try {
                    value = JSON.parse(editing);
                  } catch {
                    setError("the value is not valid JSON; fix it or cancel the edit");
                    return;
                  }
                }
                void decide({ decision: "approve", value });
              }}
            >
              Approve edited
            </button>
            <button onClick={() => setEditing(null)}>Cancel edit</button>
          </>
        )}
      </div>
    </div>
  );
}

/** One node's trace: state, stream, transcript, inputs, outputs, attempts, logs, tokens. */
export function NodeTrace({ backend, node, kind, onOpenChild }: { backend: Backend; node: NodeRun; kind: string | null; onOpenChild?: () => void }) {
  const now = useRun((s) => s.view?.now ?? 0);
  const streams = Object.entries(node.stream);
  return (
    <div className="node-trace" data-trace={node.path}>
      <h3>
        {node.path} <span className={`run-chip run-${node.status}`}>{statusLabel(node, Math.max(now, Date.now()))}</span>
      </h3>
      {node.status === "waiting" && <ApprovalBox backend={backend} node={node} />}
      {node.status === "cached" && node.fromRun && <p className="hint">Result reused from run {node.fromRun}.</p>}
      {kind === "workflow" && onOpenChild && (
        <button onClick={onOpenChild} title="Open the sub-workflow and its run">
          Open child run
        </button>
      )}
      {node.errors.length > 0 && (
        <section>
          <h4>Attempts</h4>
          <ol className="attempts">
            {node.errors.map((e, i) => (
              <li key={i} className="error">
                attempt {e.attempt}: <span className="code">{e.class}</span> {e.message}
              </li>
            ))}
          </ol>
        </section>
      )}
      {streams.map(([port, text]) => (
        <section key={port}>
          <h4>Streaming · {port}</h4>
          <pre className="stream-full">{text}</pre>
        </section>
      ))}
      {node.transcript.length > 0 && (
        <section>
          <h4>Transcript</h4>
          <ol className="transcript">
            {node.transcript.map((t, i) =>
              t.kind === "turn" ? (
                <li key={i} className="turn">
                  <span className="who">turn {t.turn}</span> {t.text}
                  {t.calls.map((c) => (
                    <div key={c.id} className="call">
                      → {c.tool}({JSON.stringify(c.arguments)})
                    </div>
                  ))}
                </li>
              ) : (
                <li key={i} className={t.ok ? "tool" : "tool error"}>
                  <span className="who">{t.tool}</span> {typeof t.result === "string" ? t.result : JSON.stringify(t.result)}
                </li>
              ),
            )}
          </ol>
        </section>
      )}
      {(node.usage.input > 0 || node.usage.output > 0) && (
        <p className="usage">
          {node.usage.model}: {node.usage.input} tokens in, {node.usage.output} out · {cost(node.usage.cost)}
        </p>
      )}
      <div className="values">
        {node.inputs && <JsonView value={node.inputs} label="Inputs" />}
        {node.outputs && <JsonView value={node.outputs} label="Outputs" />}
      </div>
      {node.log.length > 0 && (
        <section>
          <h4>Log</h4>
          <ul className="log">
            {node.log.slice(-200).map((l, i) => (
              <li key={i}>{l.message}</li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
