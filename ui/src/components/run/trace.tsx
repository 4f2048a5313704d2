// A node's trace in the dock: inputs and outputs as JSON trees, the streamed text, an agent's transcript, attempts and their errors, approvals.
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { ApprovalDecision, Backend } from "../../backend/backend";
import type { PendingApproval, Scope } from "../../generated/api";
import { approvalOwner, type NodeRun, statusLabel } from "../../model/run";
import { useRun } from "../../runStore";
import { useDocument, useWorkspace } from "../../store";
import { Ticked } from "../look";
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

/** Approvals waiting on this node: an approval node's, or each of an agent's tool calls under review. */
function Approvals({ backend, node }: { backend: Backend; node: NodeRun }) {
  const approvals = useRun(useShallow((s) => s.approvals.filter((a) => approvalOwner(a.node) === node.path)));
  if (approvals.length === 0) return node.status === "waiting" ? <ApprovalBox backend={backend} path={node.path} prompt={node.prompt} /> : null;
  return (
    <>
      {approvals.map((a) => (
        <ApprovalBox key={a.node} backend={backend} path={a.node} prompt={a.prompt} approval={a} />
      ))}
    </>
  );
}

/**
 * One approval: what it asks, and Approve / Reject / Edit and approve. An agent's tool call
 * (which has a `tool`) is allowed once, for the rest of the run, or always for this blueprint.
 */
function ApprovalBox({ backend, path, prompt, approval }: { backend: Backend; path: string; prompt?: string | null; approval?: PendingApproval }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tool = approval?.tool ?? null;
  // Scrolled into view when it appears, so its answers are at hand in a short dock.
  const shown = useRef<HTMLDivElement>(null);
  useEffect(() => {
    shown.current?.scrollIntoView({ block: "end" });
  }, []);
  const decide = async (decision: ApprovalDecision) => {
    try {
      await useRun.getState().decide(backend, path, decision);
      // "Always" wrote the blueprint: show it now rather than at the next look at the disk.
      if (decision.decision === "approve" && decision.scope === "blueprint") {
        await useWorkspace.getState().refresh(backend);
        await useDocument.getState().syncDisk(backend, useWorkspace.getState().entries);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const edited = (): { value: unknown } | null => {
    if (editing === null) return { value: undefined };
    if (typeof approval?.value === "string") return { value: editing };
    try {
      return { value: JSON.parse(editing) };
    } catch {
      setError(`the ${tool ? "arguments are" : "value is"} not valid JSON; fix ${tool ? "them" : "it"} or cancel the edit`);
      return null;
    }
  };
  const approve = (scope?: Scope) => {
    const value = edited();
    if (value) void decide({ decision: "approve", ...(value.value === undefined ? {} : value), ...(scope ? { scope } : {}) });
  };
  return (
    <div ref={shown} className={tool ? "approval approval-tool" : "approval"} role="group" aria-label={`Approval of ${path}`}>
      <div className="approval-prompt">
        <Ticked text={prompt ?? ""} />
      </div>
      {approval && editing === null && <JsonView value={approval.value} label={tool ? "Arguments" : "Value under review"} />}
      {editing !== null && (
        <textarea className="approval-edit" rows={6} value={editing} onChange={(e) => setEditing(e.target.value)} aria-label={tool ? "Edited arguments" : "Edited value"} />
      )}
      {error && <div className="error">{error}</div>}
      <div className="modal-actions">
        {tool ? (
          <>
            <button className="primary" onClick={() => approve()} data-tip="Run this call; the next call of the tool asks again">
              {editing === null ? "Allow once" : "Allow edited"}
            </button>
            <button onClick={() => approve("run")} data-tip={`Run every call of ${tool} in this run without asking`}>
              Allow for this run
            </button>
            <button onClick={() => approve("blueprint")} data-tip={`Add ${tool} to the blueprint's run.approved_tools, so its runs do not ask`}>
              Always for this blueprint
            </button>
            <button onClick={() => void decide({ decision: "reject" })} data-tip="The agent is told the call was declined and goes on without it">
              Deny
            </button>
          </>
        ) : (
          <>
            <button className="primary" onClick={() => approve()}>
              {editing === null ? "Approve" : "Approve edited"}
            </button>
            <button onClick={() => void decide({ decision: "reject" })}>Reject</button>
          </>
        )}
        {approval?.allow_edit &&
          (editing === null ? (
            <button onClick={() => setEditing(typeof approval.value === "string" ? approval.value : JSON.stringify(approval.value, null, 2))}>Edit…</button>
          ) : (
            <button onClick={() => setEditing(null)}>Cancel edit</button>
          ))}
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
      <Approvals backend={backend} node={node} />
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
