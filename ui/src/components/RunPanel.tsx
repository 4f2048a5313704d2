// Watching runs: the run bar (run, pause, cancel, resume, replay), the inputs form, and the dock
// under the canvas with the run's summary and the selected node's trace, the timeline, the
// blueprint's history (open, replay, resume, compare) and the problems.
import { diffLines } from "diff";
import { memo, type ReactNode, useEffect, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Backend } from "../backend/backend";
import type { RunInput } from "../generated/blueprint";
import { formatDuration, isFinal, type NodeRun, type RunView, statusLabel } from "../model/run";
import { useRun } from "../runStore";
import { useDocument } from "../store";

/** The inputs last used for a blueprint, remembered per blueprint id. */
export function rememberedInputs(blueprint: string): Record<string, unknown> {
  try {
    return JSON.parse(localStorage.getItem(`floe.inputs.${blueprint}`) ?? "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
}

function remember(blueprint: string, inputs: Record<string, unknown>) {
  localStorage.setItem(`floe.inputs.${blueprint}`, JSON.stringify(inputs));
}

/** Text a field shows for a value of `type`. */
function toText(value: unknown, type: RunInput["type"]): string {
  if (value === undefined || value === null) return "";
  if (type === "string" && typeof value === "string") return value;
  if ((type === "number" || type === "integer") && typeof value === "number") return String(value);
  return JSON.stringify(value, null, 2);
}

/** A field's text read by the input's type; throws with what to type instead. */
function fromText(name: string, text: string, type: RunInput["type"]): unknown {
  switch (type) {
    case "string":
      return text;
    case "number":
    case "integer": {
      const n = Number(text);
      if (text.trim() === "" || Number.isNaN(n) || (type === "integer" && !Number.isInteger(n))) throw new Error(`${name}: type ${type === "integer" ? "a whole number" : "a number"}`);
      return n;
    }
    case "boolean":
      return text === "true";
    default:
      try {
        return JSON.parse(text);
      } catch {
        if (type === "any" || type === undefined) return text;
        throw new Error(`${name}: type JSON (an ${type})`);
      }
  }
}

/** The run-inputs form, generated from the blueprint's inputs; resolves with the values, or null when cancelled. */
export function RunInputsDialog({
  blueprint,
  inputs,
  onDone,
}: {
  blueprint: string;
  inputs: Record<string, RunInput>;
  onDone: (values: Record<string, unknown> | null) => void;
}) {
  const names = Object.keys(inputs);
  const [texts, setTexts] = useState<Record<string, string>>(() => {
    const last = rememberedInputs(blueprint);
    return Object.fromEntries(names.map((name) => [name, toText(name in last ? last[name] : inputs[name].default, inputs[name].type)]));
  });
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    try {
      const values: Record<string, unknown> = {};
      for (const name of names) {
        const text = texts[name];
        // An empty field takes the input's default (when it has one).
        if (text === "" && inputs[name].default !== undefined && inputs[name].type !== "string") continue;
        values[name] = fromText(name, text, inputs[name].type);
      }
      remember(blueprint, values);
      onDone(values);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="modal" onMouseDown={(e) => e.target === e.currentTarget && onDone(null)}>
      <form
        className="modal-body run-inputs"
        role="dialog"
        aria-label="Run inputs"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") onDone(null);
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      >
        <h2>Run inputs</h2>
        {names.map((name, i) => {
          const input = inputs[name];
          const type = input.type ?? "any";
          return (
            <label key={name} className="run-input">
              <span className="name">
                {name} <span className="type">{type}</span>
              </span>
              {input.description && <span className="hint">{input.description}</span>}
              {type === "boolean" ? (
                <input
                  type="checkbox"
                  name={name}
                  checked={texts[name] === "true"}
                  onChange={(e) => setTexts({ ...texts, [name]: String(e.target.checked) })}
                  autoFocus={i === 0}
                />
              ) : type === "number" || type === "integer" ? (
                <input type="number" name={name} value={texts[name]} onChange={(e) => setTexts({ ...texts, [name]: e.target.value })} autoFocus={i === 0} />
              ) : (
                <textarea
                  name={name}
                  rows={type === "string" ? 2 : 4}
                  value={texts[name]}
                  placeholder={type === "string" ? "" : "JSON"}
                  onChange={(e) => setTexts({ ...texts, [name]: e.target.value })}
                  autoFocus={i === 0}
                />
              )}
            </label>
          );
        })}
        {error && <div className="error">{error}</div>}
        <div className="modal-actions">
          <span className="hint">Ctrl+Enter runs</span>
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Run
          </button>
        </div>
      </form>
    </div>
  );
}

/** The run's state in a word, with its colour class. */
export function RunStatusChip({ status }: { status: string }) {
  return <span className={`run-chip run-${status}`}>{status}</span>;
}

function elapsed(view: RunView): number | null {
  if (view.startedAt === null) return null;
  return (view.finishedAt ?? Math.max(view.now, Date.now())) - view.startedAt;
}

function cost(usd: number): string {
  return usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** Shows a failed request's message in the toolbar. */
const fail = (error: unknown) => useDocument.setState({ notice: (error as Error).message });

/** Resumes a run a crash interrupted or a cancel stopped, and shows it. */
function ResumeButton({ backend, run }: { backend: Backend; run: string }) {
  return (
    <button
      onClick={() =>
        backend
          .resume(run)
          .then(() => useRun.getState().watch(backend, run))
          .catch(fail)
      }
      title="Go on from where it stopped: finished nodes are not run again"
    >
      Resume
    </button>
  );
}

/** The run bar's controls for the run on screen. */
export function RunControls({ backend }: { backend: Backend }) {
  const { view, mode, detail, connection } = useRun(useShallow((s) => ({ view: s.view, mode: s.mode, detail: s.detail, connection: s.connection })));
  // Ticks once a second while running, for the elapsed time.
  const [, tick] = useState(0);
  const running = !!view && !isFinal(view.status) && mode === "live";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => tick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [running]);
  if (!view) return null;
  const took = elapsed(view);
  return (
    <span className="run-controls" data-run={view.id} data-status={view.status}>
      <RunStatusChip status={mode === "replay" ? "replay" : view.status} />
      {took !== null && <span className="run-elapsed">{formatDuration(took)}</span>}
      {connection === "reconnecting" && <span className="notice">reconnecting…</span>}
      {running && (
        <>
          <button
            onClick={() => backend.pause(view.id, view.status !== "paused").catch(fail)}
            title={view.status === "paused" ? "Let the run go on" : "Pause: running nodes finish, no new ones start"}
          >
            {view.status === "paused" ? "Continue" : "Pause"}
          </button>
          <button onClick={() => backend.cancel(view.id).catch(fail)} title="Cancel the run (it stays resumable)">
            Cancel run
          </button>
        </>
      )}
      {detail?.resumable && (view.status === "cancelled" || connection !== "open") && mode !== "replay" && <ResumeButton backend={backend} run={view.id} />}
      <button onClick={() => useRun.getState().clear()} title="Hide the run (the canvas shows the blueprint only)">
        ✕
      </button>
    </span>
  );
}

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
function NodeTrace({ backend, node, kind, onOpenChild }: { backend: Backend; node: NodeRun; kind: string | null; onOpenChild?: () => void }) {
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

/** The timeline: one bar per node attempt, on the run's time axis. */
export const Timeline = memo(function Timeline({ view, onSelect }: { view: RunView; onSelect: (path: string) => void }) {
  const rows = useMemo(() => {
    const all = [...view.nodes.values()].filter((n) => n.spans.length > 0);
    all.sort((a, b) => a.spans[0].start - b.spans[0].start);
    return all.slice(0, 500);
  }, [view.nodes]);
  const start = view.startedAt ?? rows[0]?.spans[0].start ?? 0;
  const end = Math.max(view.finishedAt ?? view.now, ...rows.map((r) => r.spans[r.spans.length - 1].end ?? view.now), start + 1);
  const span = end - start;
  return (
    <div className="timeline" aria-label="Timeline">
      <div className="timeline-axis">
        <span>0</span>
        <span>{formatDuration(span / 2)}</span>
        <span>{formatDuration(span)}</span>
      </div>
      {rows.map((n) => (
        <button key={n.path} className="timeline-row" onClick={() => onSelect(n.path)} title={`${n.path}: ${n.status}`}>
          <span className="timeline-name">{n.path}</span>
          <span className="timeline-track">
            {n.spans.map((s, i) => (
              <span
                key={i}
                className={`timeline-bar run-${s.status}`}
                style={{ left: `${((s.start - start) / span) * 100}%`, width: `max(2px, ${(((s.end ?? view.now) - s.start) / span) * 100}%)` }}
                title={`attempt ${s.attempt}: ${formatDuration((s.end ?? view.now) - s.start)}`}
              />
            ))}
          </span>
        </button>
      ))}
      {view.nodes.size > rows.length && rows.length === 500 && <div className="hint">First 500 nodes shown.</div>}
    </div>
  );
});

/** The blueprint that ran beside the current one, line by line. */
function Compare({ before, after, onClose }: { before: string; after: string; onClose: () => void }) {
  // A file's last newline is not a difference worth showing.
  const parts = useMemo(() => diffLines(`${before.trimEnd()}\n`, `${after.trimEnd()}\n`), [before, after]);
  const same = parts.every((p) => !p.added && !p.removed);
  return (
    <div className="modal" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal-body compare" role="dialog" aria-label="Compare with the blueprint that ran">
        <h2>The blueprint that ran → the current one</h2>
        {same ? (
          <p>No differences: the run used exactly this blueprint.</p>
        ) : (
          <pre className="diff">
            {parts.map((p, i) => (
              <span key={i} className={p.added ? "added" : p.removed ? "removed" : "same"}>
                {p.value
                  .replace(/\n$/, "")
                  .split("\n")
                  .map((line) => `${p.added ? "+ " : p.removed ? "- " : "  "}${line}`)
                  .join("\n")}
                {"\n"}
              </span>
            ))}
          </pre>
        )}
        <div className="modal-actions">
          <button className="primary" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** The blueprint's runs, newest first: open one, replay it, resume it, compare its blueprint. */
function History({ backend }: { backend: Backend }) {
  const history = useRun((s) => s.history);
  const shown = useRun((s) => s.view?.id);
  const blueprint = useDocument((s) => s.base?.id);
  const [compare, setCompare] = useState<{ before: string; after: string } | null>(null);
  useEffect(() => {
    if (blueprint) void useRun.getState().loadHistory(backend, blueprint);
  }, [backend, blueprint, shown]);
  if (!blueprint) return <p className="hint">Open a blueprint to see its runs.</p>;
  if (history.length === 0) return <p className="hint">No runs yet. Run it with Ctrl+Enter.</p>;
  return (
    <>
      <table className="history">
        <thead>
          <tr>
            <th>Status</th>
            <th>Started</th>
            <th>Duration</th>
            <th>Nodes</th>
            <th>Cost</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((run) => {
            const status = run.interrupted ? "interrupted" : run.status;
            return (
              <tr key={run.id} className={run.id === shown ? "current" : undefined} data-run={run.id}>
                <td>
                  <RunStatusChip status={status} />
                </td>
                <td title={run.id}>{new Date(run.started_at).toLocaleString()}</td>
                <td>{run.finished_at ? formatDuration(run.finished_at - run.started_at) : "—"}</td>
                <td>
                  {run.nodes_succeeded} ✓{run.nodes_failed > 0 && ` ${run.nodes_failed} ✗`}
                  {run.nodes_skipped > 0 && ` ${run.nodes_skipped} skipped`}
                </td>
                <td>{cost(run.cost_usd)}</td>
                <td className="actions">
                  <button onClick={() => useRun.getState().watch(backend, run.id)} title="Show this run's state on the canvas">
                    Open
                  </button>
                  <button onClick={() => void useRun.getState().startReplay(backend, run.id, 4)} title="Play its events again, 4× as fast">
                    Replay
                  </button>
                  {(run.interrupted || run.status === "cancelled") && <ResumeButton backend={backend} run={run.id} />}
                  <button
                    onClick={() =>
                      backend
                        .runDetail(run.id)
                        .then((detail) => setCompare({ before: detail.text, after: useDocument.getState().text() }))
                        .catch(fail)
                    }
                    title="Compare the blueprint that ran with the current one"
                  >
                    Compare
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {compare && <Compare before={compare.before} after={compare.after} onClose={() => setCompare(null)} />}
    </>
  );
}

/** The replay's controls: play / pause, speed, position. */
function ReplayBar() {
  const replay = useRun((s) => s.replay);
  if (!replay) return null;
  return (
    <div className="replay-bar" aria-label="Replay">
      <button onClick={() => useRun.getState().togglePlay()}>{replay.playing ? "Pause" : "Play"}</button>
      <select value={replay.speed} onChange={(e) => useRun.getState().setSpeed(Number(e.target.value))} aria-label="Replay speed">
        <option value={1}>1×</option>
        <option value={4}>4×</option>
        <option value={16}>16×</option>
        <option value={0}>instant</option>
      </select>
      <input type="range" min={0} max={replay.events.length} value={replay.position} onChange={(e) => useRun.getState().seek(Number(e.target.value))} aria-label="Replay position" />
      <span className="hint">
        {replay.position} / {replay.events.length} events
      </span>
    </div>
  );
}

export type DockTab = "run" | "timeline" | "history" | "problems";

/** The dock under the canvas. */
export function RunDock({
  backend,
  tab,
  onTab,
  problems,
  selectedPath,
  selectedKind,
  onSelectPath,
  onOpenChild,
}: {
  backend: Backend;
  tab: DockTab;
  onTab: (tab: DockTab) => void;
  problems: ReactNode;
  selectedPath: string | null;
  selectedKind: string | null;
  onSelectPath: (path: string) => void;
  onOpenChild: (path: string) => void;
}) {
  const view = useRun((s) => s.view);
  const node = selectedPath ? view?.nodes.get(selectedPath) : undefined;
  const problemCount = useDocument((s) => s.check?.diagnostics.length ?? 0);
  const tabs: [DockTab, string][] = [
    ["run", "Run"],
    ["timeline", "Timeline"],
    ["history", "History"],
    ["problems", `Problems ${problemCount}`],
  ];
  return (
    <section className="dock" aria-label="Run and problems">
      <div className="dock-tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" aria-selected={tab === id} className={tab === id ? "tab active" : "tab"} onClick={() => onTab(id)}>
            {label}
          </button>
        ))}
        <ReplayBar />
      </div>
      <div className="dock-body">
        {tab === "problems" && problems}
        {tab === "history" && <History backend={backend} />}
        {tab === "timeline" && (view ? <Timeline view={view} onSelect={onSelectPath} /> : <p className="hint">No run on screen. Run the blueprint (Ctrl+Enter) or open one from History.</p>)}
        {tab === "run" &&
          (view ? (
            <div className="run-summary">
              <div className="run-facts">
                <RunStatusChip status={view.status} />
                <span>{view.id}</span>
                {view.startedAt !== null && <span>{formatDuration(elapsed(view) ?? 0)}</span>}
                <span>
                  {view.usage.input + view.usage.output} tokens · {cost(view.usage.cost)}
                </span>
                {view.resumed && <span className="hint">resumed</span>}
                {view.budget && <span className="error">budget reached: {view.budget}</span>}
                {view.error && <span className="error">{view.error}</span>}
              </div>
              {node ? (
                <NodeTrace backend={backend} node={node} kind={selectedKind} onOpenChild={() => onOpenChild(node.path)} />
              ) : (
                <div className="values">
                  <p className="hint">Select a node to see its inputs, outputs, attempts and logs.</p>
                  {Object.keys(view.inputs).length > 0 && <JsonView value={view.inputs} label="Run inputs" />}
                  {view.outputs && <JsonView value={view.outputs} label="Run outputs" />}
                </div>
              )}
            </div>
          ) : (
            <p className="hint">No run on screen. Run the blueprint with Run (Ctrl+Enter), or open a past run from History.</p>
          ))}
      </div>
    </section>
  );
}
