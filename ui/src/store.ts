// App state, split by concern: the workspace (files), the open document (canvas, history,
// problems) and the catalogue. Each store is small and testable without React.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import type { Backend } from "./backend/backend";
import { BackendError } from "./backend/backend";
import type { Check, Entry } from "./generated/api";
import type { Blueprint, Node as BlueprintNode } from "./generated/blueprint";
import type { CatalogDoc } from "./generated/catalog";
import { type Canvas, type CanvasEdge, type CanvasNode, edgeId, serialise, toBlueprint, toCanvas } from "./model/convert";
import { type Clip, copySelection, paste } from "./model/edit";

export interface WorkspaceState {
  root: string;
  entries: Entry[];
  error: string | null;
  refresh(backend: Backend): Promise<void>;
}

export const useWorkspace = create<WorkspaceState>((set) => ({
  root: "",
  entries: [],
  error: null,
  async refresh(backend) {
    try {
      const info = await backend.workspace();
      set({ root: info.root, entries: info.entries, error: null });
    } catch (error) {
      set({ error: String((error as Error).message) });
    }
  },
}));

export interface CatalogState {
  catalog: CatalogDoc | null;
  load(backend: Backend): Promise<void>;
}

export const useCatalog = create<CatalogState>((set) => ({
  catalog: null,
  async load(backend) {
    set({ catalog: await backend.catalog() });
  },
}));

/** Why a connection is refused, or null when it is fine. */
export function refuseConnection(canvas: Canvas, connection: Connection): string | null {
  const { source, target, sourceHandle, targetHandle } = connection;
  if (!source || !target) return "connect a node's output to another node's input";
  if (source === target) return "a node cannot feed itself; loops go through a loop or recursive node";
  const from = canvas.nodes.find((n) => n.id === source);
  const to = canvas.nodes.find((n) => n.id === target);
  if (!from || !to) return "both ends must be nodes";
  if (from.data.scope !== to.data.scope) {
    return "edges stay inside one graph: connect nodes of the same container body (or both at the top level)";
  }
  const id = edgeId(`${source}.${sourceHandle ?? "out"}`, targetHandle ? `${target}.${targetHandle}` : target);
  if (canvas.edges.some((e) => e.id === id)) return "these ports are already connected";
  return null;
}

export interface DocumentState {
  path: string | null;
  base: Blueprint | null;
  canvas: Canvas;
  /** The text last read or saved. */
  saved: string;
  dirty: boolean;
  past: Canvas[];
  future: Canvas[];
  check: Check | null;
  notice: string | null;
  open(backend: Backend, path: string): Promise<void>;
  text(): string;
  nodesChanged(changes: NodeChange<CanvasNode>[]): void;
  edgesChanged(changes: EdgeChange<CanvasEdge>[]): void;
  connect(connection: Connection): void;
  /** Adds a node of `kind` (for `tool`, of `tool`) at `position`, configured from the catalogue's example. */
  addNode(catalog: CatalogDoc, kind: string, tool: string | undefined, position: { x: number; y: number }): string;
  /** Replaces fields of a node (title, config…) as one undoable step. */
  updateNode(id: string, fields: Partial<BlueprintNode>): void;
  /** Copies the selected nodes (Ctrl+C). */
  copy(): void;
  /** Pastes what was copied, under fresh ids (Ctrl+V). */
  paste(): void;
  /** Copies and pastes the selection at once (Ctrl+D). */
  duplicate(): void;
  /** Lays every graph out left to right (one undoable step). */
  layout(): Promise<void>;
  /** Records the current canvas as one undoable step (call before a change). */
  remember(): void;
  undo(): void;
  redo(): void;
  validate(backend: Backend): Promise<void>;
  save(backend: Backend): Promise<void>;
}

const empty: Canvas = { nodes: [], edges: [] };

/** What Ctrl+C copied (kept for the session, across documents). */
let clipboard: Clip | null = null;

/**
 * Changes made in one task form one undoable step: deleting a node removes its edges and the
 * node in two callbacks, and one undo must bring both back.
 */
let stepOpen = false;
function pushStep(past: Canvas[], canvas: Canvas): Canvas[] | null {
  if (stepOpen) return null;
  stepOpen = true;
  queueMicrotask(() => {
    stepOpen = false;
  });
  return [...past, canvas];
}

export const useDocument = create<DocumentState>((set, get) => ({
  path: null,
  base: null,
  canvas: empty,
  saved: "",
  dirty: false,
  past: [],
  future: [],
  check: null,
  notice: null,
  async open(backend, path) {
    const file = await backend.read(path);
    const base = JSON.parse(file.text) as Blueprint;
    set({ path, base, canvas: toCanvas(base), saved: file.text, dirty: false, past: [], future: [], check: null, notice: null });
    await get().validate(backend);
  },
  text() {
    const { base, canvas } = get();
    return base ? serialise(toBlueprint(base, canvas)) : "";
  },
  nodesChanged(changes) {
    const { canvas } = get();
    // A finished drag, a removal: each is one undoable step.
    const step = changes.some((c) => c.type === "remove" || (c.type === "position" && c.dragging === false));
    const nodes = applyNodeChanges(changes, canvas.nodes).map((node) => {
      const moved = changes.some((c) => c.type === "position" && c.id === node.id && c.position);
      return moved && !node.data.placed ? { ...node, data: { ...node.data, placed: true } } : node;
    });
    const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
    const edges = canvas.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));
    const significant = changes.some((c) => c.type !== "select" && c.type !== "dimensions");
    const past = step ? pushStep(get().past, canvas) : null;
    set({
      canvas: { nodes, edges },
      ...(past ? { past, future: [] } : {}),
      ...(significant ? { dirty: true } : {}),
    });
  },
  edgesChanged(changes) {
    const { canvas } = get();
    const edges = applyEdgeChanges(changes, canvas.edges);
    const removal = changes.some((c) => c.type === "remove");
    const past = removal ? pushStep(get().past, canvas) : null;
    set({ canvas: { ...canvas, edges }, ...(past ? { past, future: [] } : {}), ...(removal ? { dirty: true } : {}) });
  },
  connect(connection) {
    const { canvas } = get();
    const refused = refuseConnection(canvas, connection);
    if (refused) {
      set({ notice: refused });
      return;
    }
    const source = connection.source!;
    const target = connection.target!;
    const sourceHandle = connection.sourceHandle ?? "out";
    const targetHandle = connection.targetHandle ?? null;
    const scope = canvas.nodes.find((n) => n.id === source)?.data.scope ?? null;
    const edge: CanvasEdge = {
      id: edgeId(`${source}.${sourceHandle}`, targetHandle ? `${target}.${targetHandle}` : target),
      source,
      sourceHandle,
      target,
      targetHandle,
      data: { scope },
    };
    set({ canvas: { ...canvas, edges: [...canvas.edges, edge] }, past: [...get().past, canvas], future: [], dirty: true, notice: null });
  },
  addNode(catalog, kind, tool, position) {
    const { canvas } = get();
    const taken = new Set(canvas.nodes.map((n) => n.id));
    const stem = (tool ?? kind).replace(/[^A-Za-z0-9_]/g, "_");
    let id = stem;
    for (let n = 2; taken.has(id); n += 1) id = `${stem}_${n}`;
    const spec = catalog.kinds.find((k) => k.kind === kind);
    const config =
      kind === "tool"
        ? { tool, args: structuredClone(catalog.tools.find((t) => t.tool === tool)?.example ?? {}) }
        : structuredClone(spec?.example ?? {});
    const node: CanvasNode = {
      id,
      type: "floe",
      position,
      data: {
        node: { id, kind, config } as BlueprintNode,
        scope: null,
        placed: true,
        ...(spec?.container ? { container: true } : {}),
      },
    };
    set({ canvas: { ...canvas, nodes: [...canvas.nodes, node] }, past: [...get().past, canvas], future: [], dirty: true });
    return id;
  },
  updateNode(id, fields) {
    const { canvas } = get();
    const nodes = canvas.nodes.map((n) =>
      n.id === id ? { ...n, data: { ...n.data, node: { ...n.data.node, ...fields } as BlueprintNode } } : n,
    );
    set({ canvas: { ...canvas, nodes }, past: [...get().past, canvas], future: [], dirty: true });
  },
  copy() {
    clipboard = copySelection(get().canvas);
    if (clipboard) set({ notice: `copied ${clipboard.nodes.length} node(s)` });
  },
  paste() {
    if (!clipboard || !get().path) return;
    const { canvas } = get();
    set({ canvas: paste(canvas, clipboard), past: [...get().past, canvas], future: [], dirty: true });
  },
  duplicate() {
    const clip = copySelection(get().canvas);
    if (!clip) return;
    const { canvas } = get();
    set({ canvas: paste(canvas, clip), past: [...get().past, canvas], future: [], dirty: true });
  },
  async layout() {
    const { canvas } = get();
    const { autoLayout } = await import("./model/layout");
    const laid = await autoLayout(canvas);
    set({ canvas: laid, past: [...get().past, canvas], future: [], dirty: true });
  },
  remember() {
    set({ past: [...get().past, get().canvas], future: [] });
  },
  undo() {
    const { past, canvas, future } = get();
    const previous = past.at(-1);
    if (!previous) return;
    set({ canvas: previous, past: past.slice(0, -1), future: [canvas, ...future], dirty: true });
  },
  redo() {
    const { past, canvas, future } = get();
    const next = future[0];
    if (!next) return;
    set({ canvas: next, past: [...past, canvas], future: future.slice(1), dirty: true });
  },
  async validate(backend) {
    const { path } = get();
    if (!path) return;
    try {
      set({ check: await backend.check(path, get().text()) });
    } catch (error) {
      set({ notice: (error as Error).message });
    }
  },
  async save(backend) {
    const { path } = get();
    if (!path) return;
    try {
      const file = await backend.save(path, get().text());
      const base = JSON.parse(file.text) as Blueprint;
      set({ base, canvas: toCanvas(base), saved: file.text, dirty: false, notice: `saved ${path}` });
    } catch (error) {
      const detail = error instanceof BackendError && error.diagnostics.length > 0 ? `: ${error.diagnostics[0].message}` : "";
      set({ notice: `${(error as Error).message}${detail}` });
    }
  },
}));
