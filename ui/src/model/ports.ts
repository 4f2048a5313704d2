// The ports a node shows as handles: what its kind (or, for `tool`, its tool) offers, the extra
// ports the node declares, and any port an edge already uses (so no edge is left dangling).
import type { Node as BlueprintNode } from "../generated/blueprint";
import type { CatalogDoc, PortDef } from "../generated/catalog";
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

/** What the catalogue says of one of a node's ports (its type and what it carries), or null for a port it does not describe. */
export function portDoc(node: BlueprintNode, catalog: CatalogDoc | null, side: "input" | "output", name: string): PortDef | null {
  const declared = (node as { inputs?: Partial<PortDef>[]; outputs?: Partial<PortDef>[] })[side === "input" ? "inputs" : "outputs"];
  const own = declared?.find((p) => p.name === name);
  if (own) return { name, type: own.type ?? "any", description: own.description ?? "", required: own.required ?? false };
  let ports: PortDef[] | undefined;
  if (node.kind === "tool") {
    const toolName = (node.config as { tool?: unknown } | undefined)?.tool;
    ports = side === "output" ? catalog?.tools.find((t) => t.tool === toolName)?.outputs : catalog?.kinds.find((k) => k.kind === "tool")?.example_ports.inputs;
  } else {
    const kind = catalog?.kinds.find((k) => k.kind === node.kind)?.example_ports;
    ports = side === "input" ? kind?.inputs : kind?.outputs;
  }
  return ports?.find((p) => p.name === name) ?? null;
}
