import { Handle, type NodeProps, NodeResizer, Position } from "@xyflow/react";
import { memo } from "react";
import type { CanvasNode } from "../model/convert";
import { PORT_STEP, PORT_TOP } from "../model/geometry";
import { portsOf } from "../model/ports";
import { useCatalog, useDocument } from "../store";

/** A node on the canvas: title, kind, problem badge, and one handle per port. */
function FloeNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const catalog = useCatalog((s) => s.catalog);
  // Only the edges (for ports) and problems: a node does not re-render while others are dragged.
  const edges = useDocument((s) => s.canvas.edges);
  // Select stable state and derive from it: a selector returning a new array would re-render forever.
  const check = useDocument((s) => s.check);
  const problems = check?.diagnostics.filter((d) => d.node === id) ?? [];
  const { inputs, outputs } = portsOf(data.node, catalog, { edges });
  const errors = problems.filter((p) => p.severity === "error").length;
  return (
    <div
      className={`floe-node kind-${data.node.kind}${data.container ? " container" : ""}${selected ? " selected" : ""}${errors ? " has-errors" : ""}`}
      data-node={id}
    >
      {data.container && <NodeResizer isVisible={selected} minWidth={200} minHeight={120} />}
      <div className="floe-node-title" title={data.node.title || id}>
        {data.node.title || id}
      </div>
      <div className="floe-node-kind">{data.node.kind === "tool" ? String((data.node.config as { tool?: string })?.tool ?? "tool") : data.node.kind}</div>
      {problems.length > 0 && (
        <div className="floe-node-badge" title={problems.map((p) => p.message).join("\n")}>
          {problems.length}
        </div>
      )}
      {inputs.map((port, i) => (
        <Handle key={`in-${port}`} id={port} type="target" position={Position.Left} style={{ top: PORT_TOP + i * PORT_STEP }} title={port} />
      ))}
      {outputs.map((port, i) => (
        <Handle key={`out-${port}`} id={port} type="source" position={Position.Right} style={{ top: PORT_TOP + i * PORT_STEP }} title={port} />
      ))}
    </div>
  );
}

export const FloeNode = memo(FloeNodeView);
