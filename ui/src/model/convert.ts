// Blueprint ⇄ canvas. A blueprint's nodes (bodies included, as children of their container)
// become canvas nodes and its `node.port` edges become handle-to-handle edges; the reverse puts
// every node back in its scope with its original fields and key order, so an unchanged graph
// serialises to exactly the bytes it was read from. Positions come from `layout.nodes`; nodes
// without one get a grid position that is not written back unless the node is moved.
import type { Edge, Node } from "@xyflow/react";
import type { Blueprint, Edge as BlueprintEdge, Node as BlueprintNode, Comment } from "../generated/blueprint";
import { nodeSize } from "./geometry";

/** A blueprint node on the canvas (its body's nodes are separate canvas nodes). */
export interface FloeNodeData extends Record<string, unknown> {
  /** The node as in the document, without `body`. */
  node: BlueprintNode;
  /** The container it sits in, or null at the top level. */
  scope: string | null;
  /** Whether its position is in the document (or was set by moving it). */
  placed: boolean;
  /** A container kind (loop, parallel, recursive): it keeps a body even when it has no children. */
  container?: boolean;
  /** Whether its size was set by resizing it (then written to the layout). */
  sized?: boolean;
  /** In a pending draft: added, changed, or removed (drawn struck through; not in the document). */
  proposal?: "added" | "changed" | "removed";
}

/** A sticky note (`layout.comments`): canvas id `comment:<id>`. */
export interface CommentData extends Record<string, unknown> {
  comment: Comment;
}
export type CanvasComment = Node<CommentData, "comment">;

/** The canvas id of a sticky note. */
export const COMMENT_PREFIX = "comment:";

/** A canvas node (React Flow's node with Floe's data). */
export type CanvasNode = Node<FloeNodeData, "floe">;

/** A canvas edge: handles are port names; `targetHandle` is null for an ordering edge (`"to": "node"`). */
export type CanvasEdge = Edge<{ scope: string | null }> & {
  sourceHandle: string;
  targetHandle: string | null;
  data: { scope: string | null };
};

export interface Canvas {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  comments: CanvasComment[];
}

/** A sticky note's size when it has none. */
export const COMMENT_SIZE = { width: 220, height: 120 };

export function commentNode(comment: Comment): CanvasComment {
  return {
    id: `${COMMENT_PREFIX}${comment.id}`,
    type: "comment",
    position: { x: comment.x, y: comment.y },
    width: comment.width ?? COMMENT_SIZE.width,
    height: comment.height ?? COMMENT_SIZE.height,
    // Notes sit under the graph.
    zIndex: -1,
    data: { comment },
  };
}

/** Splits `node.port` (or `node`) into its parts. */
export function endpoint(text: string): { node: string; port: string | null } {
  const dot = text.indexOf(".");
  return dot < 0 ? { node: text, port: null } : { node: text.slice(0, dot), port: text.slice(dot + 1) };
}

export function edgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

const GRID_X = 260;
const GRID_Y = 140;

/** The canvas for a blueprint (bodies walked with a work list, not recursion). */
export function toCanvas(blueprint: Blueprint): Canvas {
  const positions = (blueprint.layout?.nodes ?? {}) as Record<string, { x: number; y: number; width?: number | null; height?: number | null }>;
  const nodes: CanvasNode[] = [];
  const edges: CanvasEdge[] = [];
  const pending: { list: BlueprintNode[]; edges: BlueprintEdge[]; scope: string | null }[] = [
    { list: blueprint.nodes ?? [], edges: blueprint.edges ?? [], scope: null },
  ];
  while (pending.length > 0) {
    const { list, edges: scopeEdges, scope } = pending.shift()!;
    list.forEach((node, index) => {
      const { body, ...rest } = node as BlueprintNode & { body?: { nodes?: BlueprintNode[]; edges?: BlueprintEdge[] } };
      const box = positions[node.id];
      const position = box ? { x: box.x, y: box.y } : { x: (index % 4) * GRID_X, y: Math.floor(index / 4) * GRID_Y };
      const sized = body !== undefined && box?.width != null && box?.height != null;
      nodes.push({
        id: node.id,
        type: "floe",
        position,
        ...(scope ? { parentId: scope } : {}),
        data: {
          node: rest as BlueprintNode,
          scope,
          placed: box !== undefined,
          ...(body ? { container: true } : {}),
          ...(sized ? { sized: true } : {}),
        },
      });
      if (body) pending.push({ list: body.nodes ?? [], edges: body.edges ?? [], scope: node.id });
    });
    for (const edge of scopeEdges) {
      const from = endpoint(edge.from);
      const to = endpoint(edge.to);
      edges.push({
        id: edgeId(edge.from, edge.to),
        source: from.node,
        sourceHandle: from.port ?? "out",
        target: to.node,
        targetHandle: to.port,
        data: { scope },
      });
    }
  }
  sizeContainers(nodes, positions);
  const comments = (blueprint.layout?.comments ?? []).map(commentNode);
  return { nodes, edges, comments };
}

/**
 * Gives each container a box around its body (the stored size when the layout has one), so
 * body nodes sit inside it; innermost containers are sized first.
 */
function sizeContainers(nodes: CanvasNode[], boxes: Record<string, { width?: number | null; height?: number | null }>) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = (node: CanvasNode) => {
    let d = 0;
    for (let scope = node.data.scope; scope; scope = byId.get(scope)?.data.scope ?? null) d += 1;
    return d;
  };
  const containers = nodes.filter((n) => n.data.container).sort((a, b) => depth(b) - depth(a));
  for (const container of containers) {
    const children = nodes.filter((n) => n.data.scope === container.id);
    const stored = boxes[container.id];
    const width = stored?.width ?? Math.max(260, ...children.map((c) => c.position.x + nodeSize(c).width + 30));
    const height = stored?.height ?? Math.max(140, ...children.map((c) => c.position.y + nodeSize(c).height + 30));
    container.width = width;
    container.height = height;
  }
}

/**
 * The blueprint for a canvas, starting from `base` (whose other fields are kept as they are).
 * Nodes keep their canvas order within their scope; positions of placed nodes go to
 * `layout.nodes`, keeping any size or other fields a box already had.
 */
export function toBlueprint(base: Blueprint, drawn: Canvas): Blueprint {
  // Nodes a pending draft removes are drawn, but are not in the document.
  const canvas = drawn.nodes.some((n) => n.data.proposal === "removed")
    ? { ...drawn, nodes: drawn.nodes.filter((n) => n.data.proposal !== "removed") }
    : drawn;
  const byScope = new Map<string | null, BlueprintNode[]>();
  const edgesByScope = new Map<string | null, BlueprintEdge[]>();
  const containers = new Set(canvas.nodes.map((n) => n.data.scope).filter((s): s is string => s !== null));
  const built = new Map<string, BlueprintNode>();
  for (const canvasNode of canvas.nodes) {
    const node = { ...canvasNode.data.node } as BlueprintNode & { body?: unknown };
    built.set(canvasNode.id, node);
    const list = byScope.get(canvasNode.data.scope) ?? [];
    list.push(node);
    byScope.set(canvasNode.data.scope, list);
  }
  for (const edge of canvas.edges) {
    const list = edgesByScope.get(edge.data.scope) ?? [];
    list.push({
      from: `${edge.source}.${edge.sourceHandle}`,
      to: edge.targetHandle === null ? edge.target : `${edge.target}.${edge.targetHandle}`,
    });
    edgesByScope.set(edge.data.scope, list);
  }
  // A container's body is rebuilt from its children; one that had a body keeps it even when empty.
  const original = new Map<string, unknown>();
  const remember = (list: BlueprintNode[] | undefined) => {
    const queue = [...(list ?? [])];
    while (queue.length > 0) {
      const node = queue.shift() as BlueprintNode & { body?: { nodes?: BlueprintNode[] } };
      if (node.body) {
        original.set(node.id, node.body);
        queue.push(...(node.body.nodes ?? []));
      }
    }
  };
  remember(base.nodes);
  const declared = new Set(canvas.nodes.filter((n) => n.data.container).map((n) => n.id));
  for (const [id, node] of built) {
    if (containers.has(id) || original.has(id) || declared.has(id)) {
      const body: Record<string, unknown> = { nodes: byScope.get(id) ?? [] };
      const edges = edgesByScope.get(id) ?? [];
      const had = original.get(id) as { edges?: unknown } | undefined;
      if (edges.length > 0 || (had && "edges" in had)) body.edges = edges;
      (node as { body?: unknown }).body = body;
    }
  }
  const result: Blueprint = { ...base, nodes: byScope.get(null) ?? [] };
  const topEdges = edgesByScope.get(null) ?? [];
  if (topEdges.length > 0 || "edges" in base) result.edges = topEdges;
  else delete (result as { edges?: unknown }).edges;
  const placed = canvas.nodes.filter((n) => n.data.placed).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const oldBoxes = base.layout?.nodes ?? {};
  const comments = canvas.comments ?? [];
  if (placed.length > 0 || comments.length > 0 || base.layout) {
    const boxes: Record<string, { x: number; y: number } & Record<string, unknown>> = {};
    for (const node of placed) {
      // Fields in the canonical order (x, y, width, height, collapsed).
      const old = oldBoxes[node.id];
      const sized = node.data.sized ? { width: node.width, height: node.height } : { width: old?.width, height: old?.height };
      boxes[node.id] = { ...old, x: node.position.x, y: node.position.y, ...sized, ...(old?.collapsed ? { collapsed: true } : {}) };
    }
    const layout = { ...(base.layout ?? {}) } as Record<string, unknown>;
    if (Object.keys(boxes).length > 0 || base.layout?.nodes) layout.nodes = boxes;
    if (comments.length > 0 || base.layout?.comments) {
      layout.comments = comments.map((c) => ({ ...c.data.comment, x: c.position.x, y: c.position.y }));
    }
    result.layout = layout as Blueprint["layout"];
  }
  return result;
}

/** The canonical text of a document, as `floe fmt` writes it for documents read from canonical files. */
export function serialise(blueprint: Blueprint): string {
  return `${JSON.stringify(blueprint, null, 2)}\n`;
}
