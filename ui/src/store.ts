// App state, split by concern: the workspace (files), the open document (canvas, history,
// problems) and the catalogue. Each store is small and testable without React.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from "@xyflow/react";
import { useMemo } from "react";
import { create } from "zustand";
import { useShallow } from "zustand/react/shallow";
import type { Backend } from "./backend/backend";
import { BackendError } from "./backend/backend";
import { applyPatch, type Operation } from "fast-json-patch";
import type { Check, Diagnostic, Entry } from "./generated/api";
import type { Blueprint, Comment, Node as BlueprintNode } from "./generated/blueprint";
import type { CatalogDoc } from "./generated/catalog";
import {
  type Canvas,
  type CanvasComment,
  type CanvasEdge,
  type CanvasNode,
  COMMENT_PREFIX,
  COMMENT_SIZE,
  commentNode,
  edgeId,
  serialise,
  toBlueprint,
  toCanvas,
} from "./model/convert";
import { type Clip, copySelection, paste } from "./model/edit";
import { starter } from "./model/starter";
import { boxSize } from "./model/view";

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

/** One undoable state of the document: the canvas and the blueprint fields around it. */
export interface Snapshot {
  base: Blueprint | null;
  canvas: Canvas;
}

/** A request to show a node and put the cursor in one of its fields (from the Problems panel). */
export interface Focus {
  node: string;
  /** The field's path in the inspector (`prompt`, `policy.retry.attempts`), or null for the node. */
  field: string | null;
  /** Changes on every request, so asking twice for the same field focuses it twice. */
  nonce: number;
}

/** A pending draft: the document it replaced on the canvas, and whether the person edited it since. */
export interface Proposal {
  before: Snapshot;
  /** Node ids the draft adds, changes and removes. */
  added: string[];
  changed: string[];
  removed: string[];
  /** Edited by hand since it was proposed (Accept keeps those edits too). */
  edited: boolean;
}

export interface DocumentState {
  path: string | null;
  base: Blueprint | null;
  canvas: Canvas;
  /** The text last read or saved. */
  saved: string;
  dirty: boolean;
  past: Snapshot[];
  future: Snapshot[];
  check: Check | null;
  /** The text `check` was computed from (a fix applies only to the text it was made for). */
  checked: string | null;
  notice: string | null;
  focus: Focus | null;
  /** The file's modification time when it was last read or saved here. */
  diskModified: number | null;
  /** The file changed on disk while there were unsaved edits here. */
  conflict: boolean;
  /** A draft shown on the canvas and not yet accepted: what was there before, and what it marks. */
  proposal: Proposal | null;
  open(backend: Backend, path: string): Promise<void>;
  /** Forgets the open document (after it was deleted). */
  close(): void;
  text(): string;
  nodesChanged(changes: NodeChange<CanvasNode | CanvasComment>[]): void;
  edgesChanged(changes: EdgeChange<CanvasEdge>[]): void;
  connect(connection: Connection): void;
  /**
   * Adds a node of `kind` (for `tool`, of `tool`) at `position`, configured from the catalogue's
   * example; inside container `scope` when given (the position is then relative to it).
   */
  addNode(
    catalog: CatalogDoc,
    kind: string,
    tool: string | undefined,
    position: { x: number; y: number },
    scope?: string | null,
    /** An output that feeds the new node's input `to`, connected in the same step. */
    feed?: { node: string; port: string; to: string } | null,
    /** Config fields over the catalogue's example. */
    overrides?: Record<string, unknown>,
  ): string;
  /** Replaces fields of a node (title, config…) as one undoable step. */
  updateNode(id: string, fields: Partial<BlueprintNode>): void;
  /** Replaces the blueprint's own fields (name, inputs, outputs, defaults, run policy…) as one undoable step; `undefined` removes one. */
  updateBlueprint(fields: Partial<Blueprint>): void;
  /**
   * Renames a node: its id and every reference to it (edges, run outputs, templates, container
   * fields) follow, as one undoable step. Throws with what to do when the new id is taken or
   * not an identifier.
   */
  renameNode(backend: Backend, from: string, to: string): Promise<void>;
  /** Adds a sticky note at `position`; returns its id. */
  addComment(position: { x: number; y: number }): string;
  /** Changes a sticky note's text or colour (one undoable step). */
  updateComment(id: string, fields: Partial<Comment>): void;
  /** Selects one node (or none), as a click on it would. */
  select(id: string | null): void;
  /** Selects the node a problem is about and asks the inspector to focus the field. */
  reveal(problem: Diagnostic): void;
  /** Applies a problem's machine-applicable fix as one undoable step; false if it could not. */
  applyFix(problem: Diagnostic): boolean;
  /** Copies the selected nodes (Ctrl+C). */
  copy(): void;
  /** Pastes what was copied, under fresh ids (Ctrl+V). */
  paste(): void;
  /** Copies and pastes the selection at once (Ctrl+D). */
  duplicate(): void;
  /** Lays every graph out left to right (one undoable step). */
  layout(): Promise<void>;
  undo(): void;
  redo(): void;
  validate(backend: Backend): Promise<void>;
  save(backend: Backend): Promise<void>;
  /** Saves the document under another name and goes on editing that file. */
  saveAs(backend: Backend, path: string): Promise<void>;
  /** Follows a rename of the open file. */
  renamed(from: string, to: string): void;
  /**
   * Compares the open file with the workspace listing: a file changed on disk is reloaded when
   * there are no unsaved edits here, and flagged as a conflict when there are.
   */
  syncDisk(backend: Backend, entries: Entry[]): Promise<void>;
  /** Resolves a conflict by taking the file on disk. */
  reload(backend: Backend): Promise<void>;
  /** Shows `text` (a drafted document) on the canvas as a proposal: added and changed nodes
   * marked, removed ones drawn struck through; nothing is saved and nothing enters the history. */
  propose(text: string): void;
  /** Makes the proposal the document, as one undoable step. */
  accept(): void;
  /** Puts back what was there before the proposal. */
  reject(): void;
}

const empty: Canvas = { nodes: [], edges: [], comments: [] };

/** What Ctrl+C copied (kept for the session, across documents). */
let clipboard: Clip | null = null;

/**
 * Changes made in one task form one undoable step: deleting a node removes its edges and the
 * node in two callbacks, and one undo must bring both back.
 */
let stepOpen = false;
function pushStep(past: Snapshot[], snapshot: Snapshot): Snapshot[] | null {
  if (stepOpen) return null;
  stepOpen = true;
  queueMicrotask(() => {
    stepOpen = false;
  });
  return [...past, snapshot];
}

/**
 * The inspector field a JSON pointer into a node names: `/nodes/2/config/args/url` → `url`,
 * `/nodes/0/body/nodes/1/policy/retry` → `policy.retry`.
 */
export function fieldOf(pointer: string): string | null {
  // The last `/nodes/<n>` is the node (bodies nest `/nodes/<n>/body/nodes/<m>`).
  const match = /.*\/nodes\/\d+(?:\/(.*))?$/.exec(pointer);
  const rest = match?.[1];
  if (!rest) return null;
  const parts = rest.split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (parts[0] === "config") parts.shift();
  if (parts[0] === "args" && parts.length > 1) parts.shift();
  // Array items and what lies under them belong to the field holding the array.
  const item = parts.findIndex((p) => /^\d+$/.test(p));
  const kept = item < 0 ? parts : parts.slice(0, item);
  return kept.length > 0 ? kept.join(".") : null;
}

/** Every node of a document, bodies included, each without its body (to compare one node). */
function nodesOf(blueprint: Blueprint | null): BlueprintNode[] {
  const out: BlueprintNode[] = [];
  const queue = [...(blueprint?.nodes ?? [])];
  while (queue.length > 0) {
    const node = queue.shift() as BlueprintNode & { body?: { nodes?: BlueprintNode[] } };
    const { body, ...rest } = node;
    out.push(rest as BlueprintNode);
    queue.push(...(body?.nodes ?? []));
  }
  return out;
}

let focusNonce = 0;

export const useDocument = create<DocumentState>((set, get) => {
  /** The state to remember before a change. */
  const snapshot = (): Snapshot => ({ base: get().base, canvas: get().canvas });
  /** Sets `next` as one undoable, unsaved step. */
  const edit = (next: Partial<DocumentState>) => {
    const proposal = get().proposal;
    set({ ...next, past: [...get().past, snapshot()], future: [], dirty: true, ...(proposal ? { proposal: { ...proposal, edited: true } } : {}) });
  };
  const load = (path: string, text: string, keep?: Canvas) => {
    const base = JSON.parse(text) as Blueprint;
    const canvas = toCanvas(base);
    // A reload keeps what is selected.
    const selected = new Set(keep?.nodes.filter((n) => n.selected).map((n) => n.id) ?? []);
    if (selected.size > 0) canvas.nodes = canvas.nodes.map((n) => (selected.has(n.id) ? { ...n, selected: true } : n));
    return { path, base, canvas, saved: text, dirty: false, conflict: false };
  };
  return {
    path: null,
    base: null,
    canvas: empty,
    saved: "",
    dirty: false,
    past: [],
    future: [],
    check: null,
    checked: null,
    notice: null,
    focus: null,
    diskModified: null,
    conflict: false,
    proposal: null,
    async open(backend, path) {
      const file = await backend.read(path);
      set({ ...load(path, file.text), past: [], future: [], check: null, checked: null, notice: null, focus: null, diskModified: null, proposal: null });
      await get().validate(backend);
    },
    close() {
      set({ path: null, base: null, canvas: empty, saved: "", dirty: false, past: [], future: [], check: null, checked: null, focus: null, diskModified: null, conflict: false, proposal: null });
    },
    text() {
      const { base, canvas } = get();
      return base ? serialise(toBlueprint(base, canvas)) : "";
    },
    nodesChanged(changes) {
      const { canvas } = get();
      const isComment = (c: NodeChange) => "id" in c && c.id.startsWith(COMMENT_PREFIX);
      const commentChanges = changes.filter(isComment) as NodeChange<CanvasComment>[];
      const nodeChanges = changes.filter((c) => !isComment(c)) as NodeChange<CanvasNode>[];
      // A finished drag or resize, a removal: each is one undoable step.
      const step = changes.some(
        (c) =>
          c.type === "remove" ||
          (c.type === "position" && c.dragging === false) ||
          (c.type === "dimensions" && c.resizing === false),
      );
      const resized = new Set(changes.filter((c) => c.type === "dimensions" && c.resizing !== undefined).map((c) => (c as { id: string }).id));
      const moved = new Set(changes.filter((c) => c.type === "position" && c.position).map((c) => (c as { id: string }).id));
      const nodes =
        nodeChanges.length === 0
          ? canvas.nodes
          : applyNodeChanges(nodeChanges, canvas.nodes).map((node) => {
              // Moving a node puts its position in the layout; resizing also its size.
              const sized = resized.has(node.id) && !node.data.sized;
              const placed = (moved.has(node.id) || sized) && !node.data.placed;
              if (!placed && !sized) return node;
              return { ...node, data: { ...node.data, placed: true, ...(sized ? { sized: true } : {}) } };
            });
      const comments =
        commentChanges.length === 0
          ? canvas.comments
          : applyNodeChanges(commentChanges, canvas.comments).map((note) =>
              resized.has(note.id)
                ? { ...note, data: { comment: { ...note.data.comment, width: note.width, height: note.height } } }
                : note,
            );
      const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
      const edges = removed.size === 0 ? canvas.edges : canvas.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));
      const significant = changes.some((c) => c.type !== "select" && (c.type !== "dimensions" || c.resizing !== undefined));
      const past = step ? pushStep(get().past, snapshot()) : null;
      set({
        canvas: { nodes, edges, comments },
        ...(past ? { past, future: [] } : {}),
        ...(significant ? { dirty: true } : {}),
      });
    },
    edgesChanged(changes) {
      const { canvas } = get();
      const edges = applyEdgeChanges(changes, canvas.edges);
      const removal = changes.some((c) => c.type === "remove");
      const past = removal ? pushStep(get().past, snapshot()) : null;
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
      edit({ canvas: { ...canvas, edges: [...canvas.edges, edge] }, notice: null });
    },
    addNode(catalog, kind, tool, position, scope = null, feed = null, overrides = {}) {
      const { canvas } = get();
      const taken = new Set(canvas.nodes.map((n) => n.id));
      const stem = (tool ?? kind).replace(/[^A-Za-z0-9_]/g, "_");
      let id = stem;
      for (let n = 2; taken.has(id); n += 1) id = `${stem}_${n}`;
      const spec = catalog.kinds.find((k) => k.kind === kind);
      const config = {
        ...(kind === "tool" ? { tool, args: structuredClone(catalog.tools.find((t) => t.tool === tool)?.example ?? {}) } : structuredClone(spec?.example ?? {})),
        ...overrides,
      };
      const node: CanvasNode = {
        id,
        type: "floe",
        position,
        ...(scope ? { parentId: scope } : {}),
        selected: true,
        data: {
          node: { id, kind, config } as BlueprintNode,
          scope,
          placed: true,
          ...(spec?.container ? { container: true } : {}),
        },
      };
      // A container starts with a small body that makes it valid as placed.
      const fresh = (stem: string) => {
        let name = stem;
        for (let n = 2; taken.has(name); n += 1) name = `${stem}_${n}`;
        taken.add(name);
        return name;
      };
      taken.add(id);
      const start = spec?.container ? starter(kind, fresh, !!feed) : null;
      const body: CanvasNode[] = [];
      if (spec?.container) {
        node.width = start?.size.width ?? 320;
        node.height = start?.size.height ?? 180;
      }
      const seeds: CanvasNode[] = [];
      if (start) {
        node.data.node = { ...node.data.node, config: { ...config, ...start.config } } as BlueprintNode;
        for (const child of start.body) {
          body.push({ id: child.node.id, type: "floe", position: child.position, parentId: id, data: { node: child.node, scope: id, placed: true } });
        }
        if (start.seed) {
          const at = { x: position.x + start.seed.position.x, y: position.y + start.seed.position.y };
          seeds.push({ id: start.seed.node.id, type: "floe", position: at, ...(scope ? { parentId: scope } : {}), data: { node: start.seed.node, scope, placed: true } });
          feed = { node: start.seed.node.id, port: start.seed.from, to: start.seed.to };
        }
      }
      // The new node is the selection, so the inspector shows it at once. A parent must come
      // before its children in React Flow's list.
      const nodes = [...canvas.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...seeds, node, ...body];
      const edges = feed
        ? [...canvas.edges, { id: edgeId(`${feed.node}.${feed.port}`, `${id}.${feed.to}`), source: feed.node, sourceHandle: feed.port, target: id, targetHandle: feed.to, data: { scope } }]
        : canvas.edges;
      edit({ canvas: { ...canvas, nodes, edges } });
      return id;
    },
    updateBlueprint(fields) {
      const { base } = get();
      if (!base) return;
      const next = { ...base, ...fields } as Record<string, unknown>;
      for (const [key, value] of Object.entries(fields)) if (value === undefined) delete next[key];
      edit({ base: next as unknown as Blueprint });
    },
    async renameNode(backend, from, to) {
      const { base, canvas } = get();
      if (!base || from === to) return;
      const text = await backend.renameNode(get().text(), from, to);
      const renamed = JSON.parse(text) as Blueprint;
      const next = toCanvas(renamed);
      // What was selected stays selected, under its new id; the rest of the view is kept.
      const selected = new Set(canvas.nodes.filter((n) => n.selected).map((n) => (n.id === from ? to : n.id)));
      next.nodes = next.nodes.map((n) => (selected.has(n.id) ? { ...n, selected: true } : n));
      next.comments = canvas.comments;
      edit({ base: renamed, canvas: next, notice: `renamed ${from} to ${to}` });
    },
    updateNode(id, fields) {
      const { canvas } = get();
      const nodes = canvas.nodes.map((n) =>
        n.id === id ? { ...n, data: { ...n.data, node: { ...n.data.node, ...fields } as BlueprintNode } } : n,
      );
      edit({ canvas: { ...canvas, nodes } });
    },
    addComment(position) {
      const { canvas } = get();
      const taken = new Set(canvas.comments.map((c) => c.data.comment.id));
      let id = "note";
      for (let n = 2; taken.has(id); n += 1) id = `note_${n}`;
      const note = commentNode({ id, text: "", x: position.x, y: position.y, width: COMMENT_SIZE.width, height: COMMENT_SIZE.height });
      edit({ canvas: { ...canvas, comments: [...canvas.comments, { ...note, selected: true }] } });
      return id;
    },
    updateComment(id, fields) {
      const { canvas } = get();
      const comments = canvas.comments.map((c) =>
        c.data.comment.id === id ? { ...c, data: { comment: { ...c.data.comment, ...fields } } } : c,
      );
      edit({ canvas: { ...canvas, comments } });
    },
    select(id) {
      const { canvas } = get();
      const nodes = canvas.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id }));
      const comments = canvas.comments.map((c) => (c.selected ? { ...c, selected: false } : c));
      set({ canvas: { ...canvas, nodes, comments } });
    },
    reveal(problem) {
      if (!problem.node) return;
      get().select(problem.node);
      focusNonce += 1;
      set({ focus: { node: problem.node, field: fieldOf(problem.pointer), nonce: focusNonce } });
    },
    applyFix(problem) {
      const { base, checked } = get();
      const text = get().text();
      if (!problem.fix || !base) return false;
      if (checked !== text) {
        set({ notice: "the document changed since it was checked; try the fix again in a moment" });
        return false;
      }
      let fixed: Blueprint;
      try {
        fixed = applyPatch(JSON.parse(text), problem.fix.patch as Operation[], true, false).newDocument as Blueprint;
      } catch (error) {
        set({ notice: `could not apply "${problem.fix.title}": ${(error as Error).message}` });
        return false;
      }
      // The fixed document is the new base; the canvas is rebuilt from it, keeping the selection.
      const { canvas } = load(get().path!, serialise(fixed), get().canvas);
      edit({ base: fixed, canvas, notice: `fixed: ${problem.fix.title}` });
      return true;
    },
    copy() {
      clipboard = copySelection(get().canvas);
      if (clipboard) set({ notice: `copied ${clipboard.nodes.length} node(s)` });
    },
    paste() {
      if (!clipboard || !get().path) return;
      edit({ canvas: paste(get().canvas, clipboard) });
    },
    duplicate() {
      const clip = copySelection(get().canvas);
      if (!clip) return;
      edit({ canvas: paste(get().canvas, clip) });
    },
    async layout() {
      const { autoLayout } = await import("./model/layout");
      const { canvas } = get();
      const { catalog } = useCatalog.getState();
      edit({ canvas: await autoLayout(canvas, (node) => boxSize(node, catalog, canvas.edges)) });
    },
    undo() {
      // Undo while a draft is pending takes the draft away (it is not in the history yet).
      if (get().proposal) {
        get().reject();
        return;
      }
      const { past, future } = get();
      const previous = past.at(-1);
      if (!previous) return;
      set({ ...previous, past: past.slice(0, -1), future: [snapshot(), ...future], dirty: true });
    },
    redo() {
      if (get().proposal) return;
      const { past, future } = get();
      const next = future[0];
      if (!next) return;
      set({ ...next, past: [...past, snapshot()], future: future.slice(1), dirty: true });
    },
    async validate(backend) {
      const { path } = get();
      if (!path) return;
      const text = get().text();
      try {
        const check = await backend.check(path, text);
        // An answer for a document that was closed or replaced meanwhile is dropped.
        if (get().path === path) set({ check, checked: text });
      } catch (error) {
        set({ notice: (error as Error).message });
      }
    },
    async save(backend) {
      const { path } = get();
      if (!path) return;
      try {
        const file = await backend.save(path, get().text());
        set({ ...load(path, file.text, get().canvas), notice: `saved ${path}`, diskModified: null });
      } catch (error) {
        const detail = error instanceof BackendError && error.diagnostics.length > 0 ? `: ${error.diagnostics[0].message}` : "";
        set({ notice: `${(error as Error).message}${detail}` });
      }
    },
    async saveAs(backend, path) {
      const { path: from } = get();
      if (!from) return;
      try {
        const file = await backend.save(path, get().text());
        set({ ...load(path, file.text, get().canvas), notice: `saved as ${path}`, diskModified: null });
      } catch (error) {
        set({ notice: (error as Error).message });
      }
    },
    propose(text) {
      const { path, base, canvas, proposal } = get();
      if (!path || !base) return;
      // A follow-up replaces the pending draft: the document before the first one stays "before".
      const before = proposal?.before ?? { base, canvas };
      const current = new Map(nodesOf(before.base).map((n) => [n.id, JSON.stringify(n)]));
      const drafted = JSON.parse(text) as Blueprint;
      const next = new Map(nodesOf(drafted).map((n) => [n.id, JSON.stringify(n)]));
      const added = [...next.keys()].filter((id) => !current.has(id));
      const changed = [...next.keys()].filter((id) => current.has(id) && current.get(id) !== next.get(id));
      const removed = [...current.keys()].filter((id) => !next.has(id));
      const { canvas: drawn } = load(path, text);
      const mark = new Map<string, "added" | "changed">([...added.map((id) => [id, "added"] as const), ...changed.map((id) => [id, "changed"] as const)]);
      const nodes = drawn.nodes.map((n) => (mark.has(n.id) ? { ...n, data: { ...n.data, proposal: mark.get(n.id) } } : n));
      // Removed nodes are drawn where they were, moved down clear of a drafted node that took their place.
      const taken = nodes.map((n) => n.position);
      const ghosts = before.canvas.nodes
        .filter((n) => removed.includes(n.id))
        .map((n) => {
          const position = { ...n.position };
          while (taken.some((p) => Math.abs(p.x - position.x) < 220 && Math.abs(p.y - position.y) < 110)) position.y += 130;
          taken.push(position);
          return { ...n, position, selected: false, draggable: false, connectable: false, data: { ...n.data, proposal: "removed" as const } };
        });
      const oldEdges = new Set(before.canvas.edges.map((e) => e.id));
      const edges = drawn.edges.map((e) => (oldEdges.has(e.id) ? e : { ...e, className: "proposal-added" }));
      set({ base: drafted, canvas: { ...drawn, nodes: [...nodes, ...ghosts], edges }, proposal: { before, added, changed, removed, edited: false } });
    },
    accept() {
      const { proposal, canvas, past } = get();
      if (!proposal) return;
      const nodes = canvas.nodes.filter((n) => n.data.proposal !== "removed").map((n) => (n.data.proposal ? { ...n, data: { ...n.data, proposal: undefined } } : n));
      const edges = canvas.edges.map((e) => (e.className ? { ...e, className: undefined } : e));
      set({ canvas: { ...canvas, nodes, edges }, past: [...past, proposal.before], future: [], dirty: true, proposal: null });
    },
    reject() {
      const { proposal } = get();
      if (!proposal) return;
      set({ ...proposal.before, proposal: null });
    },
    renamed(from, to) {
      if (get().path === from) set({ path: to, diskModified: null });
    },
    async syncDisk(backend, entries) {
      const { path, diskModified } = get();
      if (!path) return;
      const entry = entries.find((e) => e.path === path);
      if (!entry) {
        if (!get().dirty) set({ dirty: true, notice: `${path} was deleted on disk; save to keep it` });
        return;
      }
      // Unchanged since last looked at; the first look after an open or save reads the file, so
      // a change made in between is not missed.
      if (entry.modified_ms === diskModified) return;
      set({ diskModified: entry.modified_ms });
      const file = await backend.read(path);
      if (get().path !== path || file.text === get().saved) return;
      if (get().dirty) {
        set({ conflict: true, notice: `${path} changed on disk` });
        return;
      }
      set({ ...load(path, file.text, get().canvas), past: [], future: [], notice: `reloaded ${path}: it changed on disk` });
      await get().validate(backend);
    },
    async reload(backend) {
      const { path } = get();
      if (!path) return;
      const file = await backend.read(path);
      set({ ...load(path, file.text, get().canvas), past: [], future: [], notice: `reloaded ${path} from disk` });
      await get().validate(backend);
    },
  };
});

/**
 * Every canvas node's contents (not its position or selection): the same array while nodes are
 * only dragged or selected, so what is derived from it is not rebuilt on every frame of a drag.
 */
export function useNodeContents(): CanvasNode["data"][] {
  return useDocument(useShallow((s) => s.canvas.nodes.map((n) => n.data)));
}

/** A node id's title in the open document (its id when it has none, or when it is not there). */
export function useTitles(): (id: string) => string {
  const nodes = useNodeContents();
  return useMemo(() => {
    const titles = new Map(nodes.map((n) => [n.node.id, n.node.title || n.node.id]));
    return (id: string) => titles.get(id) ?? id;
  }, [nodes]);
}
