import { Handle, type NodeProps, NodeResizer, Position } from "@xyflow/react";
import { Fragment, memo, useEffect, useState } from "react";
import type { CanvasNode } from "../model/convert";
import { PORT_STEP, PORT_TOP } from "../model/geometry";
import { portDoc, portsOf } from "../model/ports";
import { isFinal, newNode, type NodeRun, statusLabel } from "../model/run";
import { useNodePath, useNodeRun, usePins, useRun } from "../runStore";
import { useCatalog, useDocument } from "../store";
import { KindIcon, kindLabel, lookOf, preview, summaryOf, Ticked, toolOf } from "./look";

/** Streamed text shown in the node: its tail (the inspector has it all). */
const STREAM_TAIL = 160;

/** A node's run state under its box: status and duration, the streaming tail, the error. */
function RunStrip({ run, container }: { run: NodeRun; container: boolean }) {
  const now = useRun((s) => s.view?.now ?? 0);
  // The retry countdown moves on its own.
  const [, tick] = useState(0);
  const retrying = run.status === "retrying";
  useEffect(() => {
    if (!retrying) return;
    const timer = setInterval(() => tick((t) => t + 1), 100);
    return () => clearInterval(timer);
  }, [retrying]);
  const streamed = Object.values(run.stream).join("");
  const error = run.status === "failed" ? run.errors[run.errors.length - 1] : undefined;
  const output = streamed ? "" : outputPreview(run);
  return (
    <div className={`floe-run run-${run.status}`} data-status={run.status}>
      <span className="floe-run-label">{statusLabel(run, Math.max(now, Date.now()))}</span>
      {run.fraction !== null && run.status === "running" && <progress value={run.fraction} max={1} />}
      {container && run.iterations && <IterationPicker run={run} />}
      {streamed && run.status !== "failed" && <div className="floe-run-stream">{streamed.length > STREAM_TAIL ? `…${streamed.slice(-STREAM_TAIL)}` : streamed}</div>}
      {error && (
        <div className="floe-run-error" title={error.message}>
          {error.class}: {error.message}
        </div>
      )}
      {run.status === "waiting" && run.prompt && <div className="floe-run-stream"><Ticked text={run.prompt} /></div>}
      {output && (
        <div className="floe-run-output" title={output}>
          {output}
        </div>
      )}
    </div>
  );
}

/** A loop's or recursive node's settled items, and which one its body shows. */
function IterationPicker({ run }: { run: NodeRun }) {
  const picked = useRun((s) => s.picks[run.path] ?? 0);
  const it = run.iterations!;
  return (
    <span className="iterations nodrag">
      {it.done} ✓{it.failed > 0 && ` ${it.failed} ✗`} · showing
      <input
        type="number"
        min={0}
        max={it.last}
        value={picked}
        aria-label="Iteration shown in the body"
        onChange={(e) => useRun.getState().pick(run.path, Math.max(0, Math.min(it.last, Number(e.target.value) || 0)))}
      />
    </span>
  );
}

/** The output a finished node shows under its box: its first port's value, in one line. */
function outputPreview(run: NodeRun): string {
  if (!run.outputs || (run.status !== "succeeded" && run.status !== "cached")) return "";
  const [port, value] = Object.entries(run.outputs).find(([name]) => name !== "usage") ?? [];
  return port === undefined ? "" : `${port}: ${preview(value)}`;
}

/** A port's label on the node, with its type and what it carries on hover. */
function PortLabel({ node, side, name, top }: { node: CanvasNode["data"]["node"]; side: "input" | "output"; name: string; top: number }) {
  const catalog = useCatalog((s) => s.catalog);
  const doc = portDoc(node, catalog, side, name);
  const hint = doc ? `${name}: ${doc.type}${doc.description ? ` — ${doc.description}` : ""}` : name;
  return (
    <span className={`port-label ${side}`} style={{ top }} title={hint}>
      {name}
    </span>
  );
}

/** A node on the canvas: its kind's colour and icon, title, one-line summary, labelled ports, problem badge. */
function FloeNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const catalog = useCatalog((s) => s.catalog);
  // Only the edges (for ports) and problems: a node does not re-render while others are dragged.
  const edges = useDocument((s) => s.canvas.edges);
  // Select stable state and derive from it: a selector returning a new array would re-render forever.
  const check = useDocument((s) => s.check);
  const problems = check?.diagnostics.filter((d) => d.node === id) ?? [];
  const { inputs, outputs } = portsOf(data.node, catalog, { edges });
  const errors = problems.filter((p) => p.severity === "error").length;
  const path = useNodePath(id, data.scope);
  const reported = useNodeRun(id, data.scope);
  // While a run is live, a node it has not reached yet is queued.
  const pending = useRun((s) => !reported && !!s.view && s.mode === "live" && !isFinal(s.view.status));
  const run = reported ?? (pending ? newNode(path) : undefined);
  const pinned = usePins((s) => data.scope === null && id in s.pins);
  const look = lookOf(data.node.kind, toolOf(data.node));
  const summary = summaryOf(data.node);
  const title = data.node.title || id;
  return (
    <div
      className={`floe-node kind-${data.node.kind}${data.container ? " container" : ""}${selected ? " selected" : ""}${errors ? " has-errors" : ""}${run ? ` run-${run.status}` : ""}${data.proposal ? ` proposal-${data.proposal}` : ""}`}
      style={{ "--kind": look.color } as React.CSSProperties}
      data-node={id}
      data-path={path}
      data-status={run?.status}
    >
      {run && <RunStrip run={run} container={!!data.container} />}
      {data.proposal && <div className={`floe-node-proposal ${data.proposal}`}>{data.proposal === "added" ? "new" : data.proposal}</div>}
      {pinned && (
        <div className="floe-node-pin" title="Output pinned: runs take it instead of running this node (right-click to unpin)">
          pinned
        </div>
      )}
      {data.container && <NodeResizer isVisible={selected} minWidth={200} minHeight={120} />}
      <div className="floe-node-head">
        <KindIcon look={look} />
        <div className="floe-node-names">
          <div className="floe-node-title" title={title === id ? id : `${title} (${id})`}>
            {title}
          </div>
          <div className="floe-node-kind">{kindLabel(data.node, catalog)}</div>
        </div>
      </div>
      <div className={`floe-node-summary${summary ? "" : " empty"}`} title={summary || undefined}>
        {summary || "not configured"}
      </div>
      {problems.length > 0 && (
        <div className={`floe-node-badge${errors ? "" : " warning"}`} title={problems.map((p) => p.message).join("\n")}>
          {problems.length}
        </div>
      )}
      {inputs.map((port, i) => (
        <Fragment key={`in-${port}`}>
          <Handle id={port} type="target" position={Position.Left} style={{ top: PORT_TOP + i * PORT_STEP }} />
          <PortLabel node={data.node} side="input" name={port} top={PORT_TOP + i * PORT_STEP} />
        </Fragment>
      ))}
      {outputs.map((port, i) => (
        <Fragment key={`out-${port}`}>
          <Handle id={port} type="source" position={Position.Right} style={{ top: PORT_TOP + i * PORT_STEP }} />
          <PortLabel node={data.node} side="output" name={port} top={PORT_TOP + i * PORT_STEP} />
        </Fragment>
      ))}
    </div>
  );
}

/** Re-rendered only for what it shows: a drag moves the node's box (React Flow's wrapper) without rendering its contents again. */
export const FloeNode = memo(FloeNodeView, (a, b) => a.id === b.id && a.data === b.data && a.selected === b.selected);
