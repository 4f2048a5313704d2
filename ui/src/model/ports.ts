// The ports a node shows as handles: what its kind (or, for `tool`, its tool) offers, the extra
// ports the node declares, and any port an edge already uses (so no edge is left dangling).
import type { Node as BlueprintNode } from "../generated/blueprint";
import type { CatalogDoc } from "../generated/catalog";
import type { Canvas, CanvasEdge } from "./convert";

export interface NodePorts {
  inputs: string[];
  outputs: string[];
}

export function portsOf(node: BlueprintNode, catalog: CatalogDoc | null, canvas: Pick<Canvas, "edges">): NodePorts {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const kind = catalog?.kinds.find((k) => k.kind === node.kind);
  if (node.kind === "tool") {
    inputs.add("in");
    const toolName = (node.config as { tool?: unknown } | undefined)?.tool;
    const tool = catalog?.tools.find((t) => t.tool === toolName);
    for (const port of tool?.outputs ?? []) outputs.add(port.name);
  } else if (kind) {
    for (const port of kind.example_ports.inputs) inputs.add(port.name);
    for (const port of kind.example_ports.outputs) outputs.add(port.name);
  }
  const declared = node as { inputs?: { name: string }[]; outputs?: { name: string }[] };
  for (const port of declared.inputs ?? []) inputs.add(port.name);
  for (const port of declared.outputs ?? []) outputs.add(port.name);
  for (const edge of edgesOf(canvas.edges).get(node.id) ?? []) {
    if (edge.source === node.id) outputs.add(edge.sourceHandle);
    if (edge.target === node.id && edge.targetHandle) inputs.add(edge.targetHandle);
  }
  return { inputs: [...inputs], outputs: [...outputs] };
}

/** Edges by the nodes they touch, built once per edge list (every node asks on each render). */
const edgeIndex = new WeakMap<CanvasEdge[], Map<string, CanvasEdge[]>>();
function edgesOf(edges: CanvasEdge[]): Map<string, CanvasEdge[]> {
  let index = edgeIndex.get(edges);
  if (!index) {
    index = new Map();
    for (const edge of edges) {
      for (const id of edge.source === edge.target ? [edge.source] : [edge.source, edge.target]) {
        const list = index.get(id);
        if (list) list.push(edge);
        else index.set(id, [edge]);
      }
    }
    edgeIndex.set(edges, index);
  }
  return index;
}
