import { Background, BackgroundVariant, ControlButton, Controls, ReactFlow, type ReactFlowInstance, ReactFlowProvider, useReactFlow, useStore } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { Map as MapIcon } from "lucide-react";
import { memo, startTransition, useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { type Action, rememberedOpen, type ShellControls, useActions } from "./actions";
import type { Backend } from "./backend/backend";
import { AskBox, explain } from "./components/Ask";
import { CommentNode } from "./components/CommentNode";
import { CycleEdge } from "./components/CycleEdge";
import { DialogHost } from "./components/Dialog";
import { FloeNode } from "./components/FloeNode";
import { Inspector } from "./components/Inspector";
import { useModels } from "./components/ModelPicker";
import { buildScene, FAR_ZOOM, MiniMap, nodeAt, Overview, OVERVIEW_NODES, useFitView } from "./components/Overview";
import { DRAG_TYPE, Palette, type PaletteItem } from "./components/Palette";
import { ReadinessDialog } from "./components/Readiness";
import { type DockTab, RunDock, RunInputsDialog } from "./components/RunPanel";
import { SettingsScreen } from "./components/Settings";
import { MemoryScreen, useMemoryView } from "./components/Memory";
import { Splitter } from "./components/Splitter";
import { Toolbar } from "./components/Toolbar";
import { Welcome } from "./components/Welcome";
import type { About, Diagnostic } from "./generated/api";
import { MENU_ACTIONS } from "./generated/menu";
import type { RunInput } from "./generated/blueprint";
import type { Node as BlueprintNode } from "./generated/blueprint";
import type { CatalogDoc } from "./generated/catalog";
import type { Canvas, CanvasEdge, CanvasNode } from "./model/convert";
import { absoluteBoxes, fitViewport, MIN_ZOOM, NODE_WIDTH, nodeHeight } from "./model/geometry";
import { feedingPort, placeBox, relativeTo } from "./model/place";
import { SEED_ROOM, starter } from "./model/starter";
import { portsOf } from "./model/ports";
import { approvalOwner, type NodeStatus, pathOf, pathTitle, runOfLink, scopesOf } from "./model/run";
import { hidden, markCycles, sizedCanvas } from "./model/view";
import { usePanels } from "./panels";
import { useNodePath, usePins, useRun } from "./runStore";
import { type DocumentState, useCatalog, useDocument, useTitles, useWorkspace } from "./store";
import { useShallow } from "zustand/react/shallow";

const nodeTypes = { floe: FloeNode, comment: CommentNode };
const edgeTypes = { cycle: CycleEdge };

interface Shortcut {
  key: string;
  mod: boolean;
  shift?: boolean;
  action: Action;
  label: string;
}

/** Every keyboard shortcut; the cheat sheet (`?`) is generated from this list. */
const SHORTCUTS: Shortcut[] = [
  { key: "s", mod: true, action: "save", label: "Save" },
  { key: "s", mod: true, shift: true, action: "save-as", label: "Save as…" },
  { key: "o", mod: true, action: "open-folder", label: "Open a folder" },
  { key: ",", mod: true, action: "settings", label: "Settings: models and keys" },
  { key: "z", mod: true, action: "undo", label: "Undo" },
  { key: "z", mod: true, shift: true, action: "redo", label: "Redo" },
  { key: "y", mod: true, action: "redo", label: "Redo" },
  { key: "c", mod: true, action: "copy", label: "Copy the selected nodes" },
  { key: "v", mod: true, action: "paste", label: "Paste" },
  { key: "d", mod: true, action: "duplicate", label: "Duplicate the selected nodes" },
  { key: "n", mod: false, shift: true, action: "note", label: "Add a sticky note" },
  { key: "f", mod: false, shift: true, action: "fit", label: "Zoom to fit" },
  { key: "l", mod: false, shift: true, action: "layout", label: "Arrange the graph automatically" },
  { key: "t", mod: false, shift: true, action: "theme", label: "Switch dark / light theme" },
  { key: "b", mod: true, action: "toggle-sidebar", label: "Show or hide the sidebar" },
  { key: "i", mod: true, action: "toggle-inspector", label: "Show or hide the inspector" },
  { key: "j", mod: true, action: "toggle-dock", label: "Show or hide the run panel" },
  { key: "m", mod: false, shift: true, action: "toggle-minimap", label: "Show or hide the minimap" },
  { key: "enter", mod: true, action: "run", label: "Run the blueprint (asks for its inputs)" },
  { key: "enter", mod: true, shift: true, action: "run-from", label: "Run from the selected node, reusing the latest run's upstream results" },
  { key: ".", mod: true, action: "cancel-run", label: "Cancel the run" },
  { key: "m", mod: true, shift: true, action: "memory", label: "Memory: what agents and workflows remember" },
  { key: "?", mod: false, action: "help", label: "Show or hide these shortcuts" },
];

function describeKey(s: Shortcut): string {
  const shift = s.shift ? "Shift+" : "";
  const key = s.key.length > 1 ? s.key[0].toUpperCase() + s.key.slice(1) : s.key === "?" ? "?" : s.key.toUpperCase();
  return `${s.mod ? "Ctrl+" : ""}${shift}${key}`;
}

/** How long edits wait before the document is checked again. */
const CHECK_DELAY_MS = 250;
/** How often the folder is looked at for files changed by other programs. */
const DISK_POLL_MS = 2000;

/** The container (deepest first) under a canvas point, for drops into bodies. */
function containerAt(nodes: CanvasNode[], point: { x: number; y: number }, absolute: (n: CanvasNode) => { x: number; y: number }) {
  const hits = nodes.filter((n) => {
    if (!n.data.container) return false;
    const at = absolute(n);
    return point.x >= at.x && point.y >= at.y && point.x <= at.x + (n.width ?? 0) && point.y <= at.y + (n.height ?? 0);
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = (n: CanvasNode) => {
    let d = 0;
    for (let s = n.data.scope; s; s = byId.get(s)?.data.scope ?? null) d += 1;
    return d;
  };
  return hits.sort((a, b) => depth(b) - depth(a))[0] ?? null;
}

/** The canvas, with drops from the palette placed where they land (inside a container's body when dropped on one). */
/** Where a node's context menu opens, and for which node. */
export interface NodeMenu {
  x: number;
  y: number;
  node: string;
}

function Canvas({ backend, theme, onNodeMenu }: { backend: Backend; theme: string; onNodeMenu: (menu: NodeMenu) => void }) {
  const doc = useDocument();
  const catalog = useCatalog((s) => s.catalog);
  const flow = useReactFlow();
  // The pane's size, so a file opens already fitted (and, when large, already as an overview).
  const ref = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const element = ref.current!;
    const measure = () => setSize({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      className="canvas"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes(DRAG_TYPE)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }
      }}
      onDrop={async (event) => {
        const raw = event.dataTransfer.getData(DRAG_TYPE);
        if (!raw || !catalog || !doc.path) return;
        event.preventDefault();
        const item = JSON.parse(raw) as PaletteItem;
        const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
        const absolute = (n: CanvasNode) => flow.getInternalNode(n.id)?.internals.positionAbsolute ?? n.position;
        const container = containerAt(doc.canvas.nodes, point, absolute);
        const origin = container ? absolute(container) : { x: 0, y: 0 };
        const position = { x: Math.round(point.x - origin.x), y: Math.round(point.y - origin.y) };
        const overrides = item.kind === "workflow" ? await callable(backend, doc.path).catch(() => null) : null;
        doc.addNode(catalog, item.kind, item.tool, position, container?.id ?? null, null, overrides ?? {});
      }}
    >
      {size && <Flow key={doc.path ?? "none"} size={size} theme={theme} onNodeMenu={onNodeMenu} />}
      {doc.canvas.nodes.length === 0 && doc.canvas.comments.length === 0 && !doc.proposal && <EmptyCanvas />}
    </div>
  );
}

/** What an empty blueprint shows: the three ways to start it. */
function EmptyCanvas() {
  return (
    <div className="empty-canvas" role="note" aria-label="Empty blueprint">
      <h2>This blueprint is empty</h2>
      <ol>
        <li>
          <strong>Add a node:</strong> double-click one in the palette on the left, or type its name in the search and press <kbd>Enter</kbd>.
        </li>
        <li>
          <strong>Or drag</strong> one onto the canvas, then connect an output (right) to an input (left).
        </li>
        <li>
          <strong>Or describe it</strong> in Ask (<kbd>Ctrl+K</kbd>) and review the drafted graph before you accept it.
        </li>
      </ol>
      <button type="button" className="text-button primary" onClick={() => document.getElementById("ask-input")?.focus()}>
        Describe it in Ask
      </button>
    </div>
  );
}

/** One open file's graph. Zoomed far out, nodes and edges leave the DOM and the overview draws them. */
/** Edges with the run on them: animated while data flows along them, coloured by their source's state. */
function useRunEdges(edges: CanvasEdge[], status: ((id: string) => NodeStatus | undefined) | undefined): CanvasEdge[] {
  // The last object handed out per edge: React Flow re-renders only the edges whose object changed.
  const made = useRef(new Map<string, { from: CanvasEdge; animated: boolean; className: string | undefined; edge: CanvasEdge }>());
  return useMemo(() => {
    if (!status) {
      made.current.clear();
      return edges;
    }
    return edges.map((e) => {
      const s = status(e.source);
      const t = status(e.target);
      const done = s === "succeeded" || s === "cached";
      const animated = s === "running" || (done && (t === "running" || t === "queued" || t === "retrying" || t === "waiting"));
      const className = animated ? "run-flow" : s ? `run-${s}` : undefined;
      const last = made.current.get(e.id);
      if (last && last.from === e && last.animated === animated && last.className === className) return last.edge;
      const edge = { ...e, animated, className };
      made.current.set(e.id, { from: e, animated, className, edge });
      return edge;
    });
  }, [edges, status]);
}

function Flow({ size, theme, onNodeMenu }: { size: { width: number; height: number }; theme: string; onNodeMenu: (menu: NodeMenu) => void }) {
  const doc = useDocument();
  const catalog = useCatalog((s) => s.catalog);
  const flow = useReactFlow();
  const view = useMemo(() => sizedCanvas(doc.canvas, catalog), [doc.canvas, catalog]);
  // The minimap and the overview follow edits a little behind (React drops this work while
  // frames keep coming, as during a drag, and does it in between).
  const lagging = useDeferredValue(view);
  const scene = useMemo(() => buildScene(lagging, doc.check), [lagging, doc.check]);
  // Opened fitted to the pane (from the layout's boxes: nodes that are not rendered are never measured).
  const [initial] = useState(() => fitViewport(scene.bounds, size.width, size.height));
  // Until React Flow has applied `initial`, its store still holds the previous file's viewport.
  const [ready, setReady] = useState(false);
  // Small graphs stay in the DOM at every zoom: the overview is for graphs too large to draw as nodes.
  const large = view.nodes.length + view.comments.length >= OVERVIEW_NODES;
  const zoomedOut = useStore((s) => large && s.transform[2] < FAR_ZOOM);
  const [far, setFar] = useState(large && initial.zoom < FAR_ZOOM);
  useEffect(() => {
    if (!ready) return;
    // Leaving the DOM is cheap: at once. Building it for a hundred nodes takes a few hundred ms
    // here, so it is a transition: the overview goes on drawing while React builds the nodes
    // between frames, and a zoom gesture that is still moving never waits for it.
    if (zoomedOut) setFar(true);
    else startTransition(() => setFar(false));
  }, [zoomedOut, ready]);
  // Notes first: they sit under the graph.
  const nodes = useMemo(() => {
    const all = [...view.comments, ...view.nodes];
    return far ? hidden(all) : all;
  }, [view, far]);
  // The run on screen, if any: node states for the overview and the edges.
  const run = useRun((s) => s.view);
  const picks = useRun((s) => s.picks);
  // Rebuilt with the graph, not with every run update.
  const scopes = useMemo(() => new Map(view.nodes.map((n) => [n.id, n.data.scope])), [view.nodes]);
  const status = useMemo(() => {
    if (!run) return undefined;
    return (id: string) => {
      const top = scopes.get(id) === null;
      return run.nodes.get(top ? id : pathOf(id, scopesOf(id, (x) => scopes.get(x) ?? null), picks))?.status;
    };
  }, [run, picks, scopes]);
  // Zoomed out the edges are hidden (the overview draws them): no run state to give them.
  const cycles = useMemo(() => markCycles(view.edges), [view.edges]);
  const runEdges = useRunEdges(cycles, far ? undefined : status);
  const edges = useMemo(() => (far ? hidden(runEdges) : runEdges), [runEdges, far]);
  const minimap = usePanels((s) => s.minimap);
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={doc.nodesChanged}
      onEdgesChange={doc.edgesChanged}
      onConnect={doc.connect}
      defaultViewport={initial}
      onInit={() => setReady(true)}
      // In the overview a click selects the node drawn under it.
      onPaneClick={far ? (event) => doc.select(nodeAt(scene, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }))) : undefined}
      onNodeDoubleClick={(_, node) => {
        if (node.type === "floe") usePanels.getState().show("inspector");
      }}
      colorMode={theme === "dark" ? "dark" : "light"}
      onNodeContextMenu={(event, node) => {
        if (node.type !== "floe") return;
        event.preventDefault();
        doc.select(node.id);
        onNodeMenu({ x: event.clientX, y: event.clientY, node: node.id });
      }}
      snapToGrid
      snapGrid={[10, 10]}
      deleteKeyCode={["Backspace", "Delete"]}
      minZoom={MIN_ZOOM}
      // Large graphs: only what is on screen is in the DOM.
      onlyRenderVisibleElements
    >
      <Background variant={BackgroundVariant.Dots} gap={20} size={1.4} />
      {far && <Overview key={`overview-${theme}`} scene={scene} canvas={view} catalog={catalog} status={status} />}
      {minimap && <MiniMap key={`minimap-${theme}`} scene={scene} />}
      <Controls showInteractive={false}>
        <ControlButton onClick={() => usePanels.getState().toggle("minimap")} aria-label={minimap ? "Hide the minimap" : "Show the minimap"} title={minimap ? "Hide the minimap (Shift+M)" : "Show the minimap (Shift+M)"}>
          <MapIcon size={14} strokeWidth={2} />
        </ControlButton>
      </Controls>
    </ReactFlow>
  );
}

/**
 * Adds a palette item by double-click or Enter: right of the selected node (in its graph, fed by
 * it when one of its outputs fits), else in the middle of the view; never on another node; and
 * the view follows it when it lands outside.
 */
function placeFromPalette(flow: ReactFlowInstance, catalog: CatalogDoc, canvas: Canvas, item: PaletteItem, addNode: DocumentState["addNode"], overrides: Record<string, unknown>) {
  const view = sizedCanvas(canvas, catalog);
  const boxes = absoluteBoxes([...view.comments, ...view.nodes]);
  const picked = view.nodes.filter((n) => n.selected);
  const anchor = picked.length === 1 ? picked[0] : null;
  const scope = anchor?.data.scope ?? null;
  const origin = scope ? (boxes.get(scope) ?? { x: 0, y: 0 }) : { x: 0, y: 0 };
  // The new node as it will be, for its size and ports.
  const probe = { id: "new", kind: item.kind, config: item.tool ? { tool: item.tool } : {} } as BlueprintNode;
  const ports = portsOf(probe, catalog, { edges: [] });
  const spec = catalog.kinds.find((k) => k.kind === item.kind);
  const feed = anchor ? feedingPort(anchor.data.node, portsOf(anchor.data.node, catalog, canvas).outputs, probe, ports.inputs, catalog) : null;
  const start = spec?.container ? starter(item.kind, (stem) => stem, !!feed) : null;
  // A seed left of its container takes room too.
  const seed = start?.seed ? SEED_ROOM : 0;
  const own = start?.size ?? (spec?.container ? { width: 320, height: 180 } : { width: NODE_WIDTH, height: nodeHeight(Math.max(ports.inputs.length, ports.outputs.length)) });
  const size = { width: own.width + seed, height: own.height };
  const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
  const corner = pane ? flow.screenToFlowPosition({ x: pane.x, y: pane.y }) : { x: 0, y: 0 };
  const far = pane ? flow.screenToFlowPosition({ x: pane.right, y: pane.bottom }) : { x: 800, y: 600 };
  const visible = { x: corner.x, y: corner.y, width: far.x - corner.x, height: far.y - corner.y };
  // Other boxes of the same graph, and everything around a body (a body node must not cover its container's edge either).
  const taken = [...boxes].filter(([id]) => id !== scope).map(([, box]) => box);
  const at = placeBox(size, taken, anchor ? boxes.get(anchor.id)! : null, visible);
  addNode(catalog, item.kind, item.tool, { x: at.x + seed - origin.x, y: at.y - origin.y }, scope, anchor && feed ? { node: anchor.id, port: feed.from, to: feed.to } : null, overrides);
  const inView = at.x >= visible.x && at.y >= visible.y && at.x + size.width <= visible.x + visible.width && at.y + size.height <= visible.y + visible.height;
  if (!inView) void flow.setCenter(at.x + size.width / 2, at.y + size.height / 2, { zoom: flow.getZoom(), duration: 200 });
}

/** A sub-workflow config calling the first blueprint in the folder (not `open`) whose inputs all have defaults; null when none does. */
async function callable(backend: Backend, open: string): Promise<Record<string, unknown> | null> {
  for (const entry of useWorkspace.getState().entries) {
    if (entry.path === open) continue;
    const text = (await backend.read(entry.path)).text;
    const inputs = (JSON.parse(text) as { inputs?: Record<string, { default?: unknown }> }).inputs ?? {};
    if (Object.values(inputs).every((input) => input.default !== undefined)) return { blueprint: relativeTo(open, entry.path), inputs: {} };
  }
  return null;
}

/** A folder's last two parts (the whole path is its tooltip). */
function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length > 2 ? `…/${parts.slice(-2).join("/")}` : path;
}

/** The theme chosen last, else the system's. main.tsx sets it on the page before the first paint. */
export function initialTheme(): "light" | "dark" {
  const stored = localStorage.getItem("floe.theme");
  if (stored === "light" || stored === "dark") return stored;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function App({ backend }: { backend: Backend }) {
  return (
    <ReactFlowProvider>
      <Shell backend={backend} />
      <DialogHost />
    </ReactFlowProvider>
  );
}

/** The Problems panel: click a problem to go to its node and field; apply a fix in one click. */
const Problems = memo(function Problems({ onReveal }: { onReveal: (problem: Diagnostic) => void }) {
  const check = useDocument((s) => s.check);
  const applyFix = useDocument((s) => s.applyFix);
  const problems = check?.diagnostics ?? [];
  const titles = useTitles();
  return (
    <section className="problems" aria-label="Problems">
      <h2>
        Problems <span className="count">{problems.length}</span>
      </h2>
      <ul>
        {problems.map((problem, i) => (
          <li key={`${problem.code}-${problem.pointer}-${i}`} className={problem.severity}>
            <button type="button" className="problem" onClick={() => onReveal(problem)} title={problem.node ? `Go to ${problem.node}` : undefined}>
              <span className="code">{problem.code}</span> {problem.message}
              {problem.node && <span className="where"> — {titles(problem.node)}</span>}
              {problem.span && (
                <span className="where">
                  {" "}
                  (line {problem.span.line}, column {problem.span.column})
                </span>
              )}
            </button>
            {problem.fix && (
              <button type="button" className="fix" onClick={() => applyFix(problem)} title="Apply this fix (undo with Ctrl+Z)">
                Fix: {problem.fix.title}
              </button>
            )}
            {problem.help && <div className="help">{problem.help}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
});

/** The dock, with the run path of the selected node (for the iterations picked). */
function Dock(props: {
  backend: Backend;
  tab: DockTab;
  onTab: (tab: DockTab) => void;
  open: boolean;
  height: number;
  problems: React.ReactNode;
  onSelectPath: (path: string) => void;
  onOpenChild: (path: string) => void;
}) {
  const selected = useDocument(
    useShallow((s) => {
      const picked = s.canvas.nodes.filter((n) => n.selected);
      return picked.length === 1 ? { id: picked[0].id, scope: picked[0].data.scope, kind: picked[0].data.node.kind } : { id: "", scope: null, kind: null };
    }),
  );
  const path = useNodePath(selected.id, selected.scope);
  return <RunDock {...props} selectedPath={selected.id ? path : null} selectedKind={selected.kind} />;
}

/** A node's context menu: run from here, pin or unpin its output, open its child run. */
function NodeMenuView({ menu, onClose, onRunFrom, onOpenChild }: { menu: NodeMenu; onClose: () => void; onRunFrom: (id: string) => void; onOpenChild: (path: string) => void }) {
  const node = useDocument((s) => s.canvas.nodes.find((n) => n.id === menu.node));
  const path = useNodePath(menu.node, node?.data.scope ?? null);
  const result = useRun((s) => s.view?.nodes.get(path));
  const pinned = usePins((s) => s.pins[menu.node]);
  const hasRun = useRun((s) => !!s.view);
  if (!node) return null;
  const top = node.data.scope === null;
  const item = (label: string, act: () => void, title?: string) => (
    <button
      role="menuitem"
      title={title}
      onClick={() => {
        onClose();
        act();
      }}
    >
      {label}
    </button>
  );
  return (
    <div className="menu-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()} onContextMenu={(e) => { e.preventDefault(); onClose(); }}>
      <div className="context-menu" role="menu" style={{ left: menu.x, top: menu.y }} aria-label={`Node ${menu.node}`}>
        {item("Run from here", () => onRunFrom(menu.node), top ? "Run this node and everything after it; earlier nodes reuse the latest run's results" : "Runs from the container this node is in")}
        {top && pinned && item("Unpin output", () => usePins.getState().pin(menu.node, null))}
        {top && !pinned && result?.outputs && item("Pin output", () => usePins.getState().pin(menu.node, result.outputs), "Later runs take this output instead of running the node")}
        {hasRun && node.data.node.kind === "workflow" && result && item("Open child run", () => onOpenChild(path))}
      </div>
    </div>
  );
}

function Shell({ backend }: { backend: Backend }) {
  const workspace = useWorkspace();
  const [help, setHelp] = useState(false);
  const [about, setAbout] = useState<About | null>(null);
  const [theme, setTheme] = useState<"light" | "dark">(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("floe.theme", theme);
  }, [theme]);
  const loadCatalog = useCatalog((s) => s.load);
  // Only what the shell shows: it must not re-render (with the inspector and the palette) on every frame of a drag.
  const doc = useDocument(
    useShallow((s) => ({ path: s.path, dirty: s.dirty, conflict: s.conflict, notice: s.notice, past: s.past, future: s.future, undo: s.undo, redo: s.redo, reload: s.reload })),
  );
  const fitView = useFitView();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [dockTab, setDockTab] = useState<DockTab>("problems");
  const [menu, setMenu] = useState<NodeMenu | null>(null);
  const [inputsFor, setInputsFor] = useState<{
    blueprint: string;
    inputs: Record<string, RunInput>;
    resolve: (values: Record<string, unknown> | null) => void;
  } | null>(null);
  const blueprintId = useDocument((s) => s.base?.id ?? null);
  useEffect(() => {
    if (blueprintId) usePins.getState().load(blueprintId);
  }, [blueprintId]);

  // The folder's listing is read by the effect that reopens the last file (below).
  useEffect(() => {
    void loadCatalog(backend);
    useModels.getState().attach(backend);
    // Load once per backend.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend]);

  // Live validation: every change to the document is checked by the compiler, debounced.
  useEffect(() => {
    const unsubscribe = useDocument.subscribe((s, prev) => {
      if (s.canvas === prev.canvas && s.base === prev.base && s.path === prev.path) return;
      clearTimeout(timer.current);
      if (s.path) timer.current = setTimeout(() => void useDocument.getState().validate(backend), CHECK_DELAY_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer.current);
    };
  }, [backend]);

  // Files changed by other programs: the listing is looked at while the window is visible.
  useEffect(() => {
    const look = async () => {
      if (document.visibilityState !== "visible") return;
      await useWorkspace.getState().refresh(backend);
      await useDocument.getState().syncDisk(backend, useWorkspace.getState().entries);
    };
    const interval = setInterval(() => void look(), DISK_POLL_MS);
    window.addEventListener("focus", look);
    return () => {
      clearInterval(interval);
      window.removeEventListener("focus", look);
    };
  }, [backend]);

  // Unsaved edits: the desktop shell asks before closing; the browser warns before leaving.
  const dirty = doc.dirty;
  useEffect(() => {
    backend.native?.setUnsaved(dirty);
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, backend]);

  const controls = useMemo<ShellControls>(
    () => ({
      setDockTab: (tab: DockTab) => {
        setDockTab(tab);
        usePanels.getState().show("dock");
      },
      askInputs: (blueprint, inputs) =>
        new Promise<Record<string, unknown> | null>((resolve) => setInputsFor({ blueprint, inputs, resolve })).finally(() => setInputsFor(null)),
      toggleHelp: () => setHelp((open) => !open),
      toggleTheme: () => setTheme((t) => (t === "dark" ? "light" : "dark")),
      showAbout: setAbout,
    }),
    [],
  );
  const { run, startRun, openChild, openFile, topLevel } = useActions(backend, controls);


  const flow = useReactFlow();
  const addFromPalette = useCallback(
    async (item: PaletteItem) => {
      const { catalog } = useCatalog.getState();
      const { path, canvas, addNode } = useDocument.getState();
      if (!catalog || !path) return;
      // A sub-workflow starts out calling a blueprint of this folder that needs no inputs.
      const overrides = item.kind === "workflow" ? await callable(backend, path).catch(() => null) : null;
      placeFromPalette(flow, catalog, canvas, item, addNode, overrides ?? {});
    },
    [flow, backend],
  );

  const reveal = useCallback(
    (problem: Diagnostic) => {
      useDocument.getState().reveal(problem);
      if (problem.node) void fitView([problem.node]);
    },
    [fitView],
  );

  // The native menu and the window's close button (desktop shell only).
  useEffect(() => {
    const native = backend.native;
    if (!native) return;
    const stopMenu = native.onMenu((action) => {
      if ((MENU_ACTIONS as readonly string[]).includes(action)) void run(action as Action);
    });
    const stopClose = native.onCloseRequested(() => void run("quit"));
    return () => {
      stopMenu();
      stopClose();
    };
  }, [backend, run]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      const mod = event.ctrlKey || event.metaKey;
      if (event.key === "Escape") setMenu(null);
      // Ctrl/Cmd+K: the Ask box, from anywhere (text fields included).
      if (mod && event.key.toLowerCase() === "k" && !event.shiftKey) {
        event.preventDefault();
        document.getElementById("ask-input")?.focus();
        return;
      }
      // Typing in a field or an editor is not a shortcut (Ctrl+Enter, run, works from anywhere).
      const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
      // Ctrl+S saves from a field too: blurring it commits its edit (its onBlur runs within
      // blur(), and the document store updates synchronously), then the save reads it.
      if (typing && mod && event.key.toLowerCase() === "s" && !event.shiftKey) {
        event.preventDefault();
        target.blur();
        void run("save");
        return;
      }
      if (typing && !(mod && event.key === "Enter")) return;
      const key = event.key.toLowerCase();
      // "?" needs Shift on some layouts and not on others: its Shift state is not part of it.
      const shortcut = SHORTCUTS.find(
        (s) => s.key === key && s.mod === mod && (s.key === "?" || (s.shift ?? false) === event.shiftKey),
      );
      if (!shortcut) return;
      event.preventDefault();
      void run(shortcut.action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [run]);

  useEffect(() => {
    document.title = doc.path ? `${doc.dirty ? "● " : ""}${doc.path} — Floe` : "Floe";
  }, [doc.path, doc.dirty]);

  // A run that needs a person: a banner, and a system notification when the window allows it.
  const titles = useTitles();
  const waiting = useRun((s) => {
    if (!s.view || s.mode !== "live") return null;
    for (const n of s.view.nodes.values()) if (n.status === "waiting") return n.path;
    // An agent with a second tool call under review, after the first was answered.
    return s.approvals.length > 0 ? approvalOwner(s.approvals[0].node) : null;
  });
  const waitingTool = useRun((s) => s.approvals.find((a) => a.tool && approvalOwner(a.node) === waiting)?.tool ?? null);
  useEffect(() => {
    if (!waiting) return;
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      new Notification("Floe: a run needs you", { body: `${pathTitle(waiting, titles)} waits for approval` });
    }
  }, [waiting, titles]);
  const revealPath = useCallback(
    (path: string) => {
      // Pick the iterations the path goes through, then select its node.
      const parts = path.split("/");
      for (let i = 1; i + 1 < parts.length; i += 2) useRun.getState().pick(parts.slice(0, i).join("/"), Number(parts[i]));
      const id = parts[parts.length - 1];
      useDocument.getState().select(id);
      controls.setDockTab("run");
      void fitView([id]);
    },
    [fitView],
  );

  // A run shown on the canvas of its blueprint (opened when another is open), with `node` selected.
  const openRun = useCallback(
    async (runId: string, node: string | null = null, path: string | null = null) => {
      const blueprint = path ?? (await backend.runDetail(runId)).path ?? null;
      if (blueprint && blueprint !== useDocument.getState().path) await openFile(blueprint);
      useRun.getState().watch(backend, runId);
      if (node) revealPath(node);
    },
    [backend, openFile, revealPath],
  );
  const openLink = useCallback(
    (link: string) => {
      const runId = runOfLink(link);
      if (!runId) {
        useDocument.setState({ notice: `Floe opens links to runs (floe://run/<id>); ${link} is not one` });
        return;
      }
      openRun(runId).catch((e: Error) => useDocument.setState({ notice: `cannot open run ${runId}: ${e.message}` }));
    },
    [openRun],
  );

  // A reload (or the next launch) opens the file that was open, and with it its live run; a link
  // the app was opened with (`?run=<id>` in the browser, `floe://run/<id>` on the desktop) opens
  // its run instead.
  const reopened = useRef(false);
  useEffect(() => {
    if (reopened.current) return;
    reopened.current = true;
    void (async () => {
      await useWorkspace.getState().refresh(backend);
      const linked = new URLSearchParams(window.location.search).get("run");
      if (linked) window.history.replaceState(null, "", window.location.pathname);
      const link = linked ? `floe://run/${linked}` : await backend.native?.takeLink();
      if (link) return openLink(link);
      const { root, entries } = useWorkspace.getState();
      const last = rememberedOpen(root);
      if (last && !useDocument.getState().path && entries.some((e) => e.path === last)) await openFile(last);
    })();
  }, [backend, openFile, openLink]);
  useEffect(() => backend.native?.onLink(openLink), [backend, openLink]);

  const panels = usePanels(useShallow((s) => ({ sidebar: s.sidebar, inspector: s.inspector, dock: s.dock })));
  return (
    <div className="app">
      <Toolbar
        backend={backend}
        theme={theme}
        onAction={(action) => void run(action)}
        onExplain={() => {
          controls.setDockTab("explain");
          void explain(backend);
        }}
      />
      <div className="workspace">
        {panels.sidebar.open && (
          <>
            <aside className="sidebar" style={{ width: panels.sidebar.size }}>
              <section className="files-section" aria-label="Blueprints">
                <div className="section-head">
                  <span className="section-title">Blueprints</span>
                  <button className="section-action" onClick={() => void run("open-folder")} data-tip="Open another folder · Ctrl+O">
                    Open…
                  </button>
                </div>
                <div className="root" title={workspace.root}>
                  {shortPath(workspace.root)}
                </div>
                {workspace.error && <div className="error">{workspace.error}</div>}
                <ul className="files">
                  {workspace.entries.map((entry) => (
                    <li key={entry.path}>
                      <button className={entry.path === doc.path ? "file active" : "file"} onClick={() => void openFile(entry.path)}>
                        <span className="file-name">{entry.name || entry.path}</span>
                        <span className="file-path">{entry.path}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
              <Palette onAdd={addFromPalette} />
            </aside>
            <Splitter panel="sidebar" />
          </>
        )}
        <main className="main">
          {waiting && (
            <div className="banner attention" role="alert">
              <strong>{pathTitle(waiting, titles)}</strong>{" "}
              {waitingTool ? (
                <>
                  wants to call <code className="ticked">{waitingTool}</code> and waits for your approval.
                </>
              ) : (
                "waits for your approval."
              )}
              <button onClick={() => revealPath(waiting)}>Review</button>
            </div>
          )}
          {doc.conflict && (
            <div className="banner" role="alert">
              {doc.path} changed on disk while you were editing it.
              <button onClick={() => void doc.reload(backend)}>Reload from disk</button>
              <button onClick={() => useDocument.setState({ conflict: false })}>Keep my version</button>
            </div>
          )}
          {doc.path && <AskBox backend={backend} onSaved={() => void workspace.refresh(backend)} onProposed={() => void fitView()} />}
          {doc.path ? (
            <Canvas backend={backend} theme={theme} onNodeMenu={setMenu} />
          ) : (
            <Welcome backend={backend} onOpen={(path) => void openFile(path)} onNew={() => void run("new")} />
          )}
          {panels.dock.open && doc.path && <Splitter panel="dock" />}
          {doc.path && <Dock
            backend={backend}
            tab={dockTab}
            onTab={controls.setDockTab}
            open={panels.dock.open}
            height={panels.dock.size}
            problems={<Problems onReveal={reveal} />}
            onSelectPath={revealPath}
            onOpenChild={(path) => void openChild(path)}
          />}
        </main>
        {panels.inspector.open && doc.path && (
          <>
            <Splitter panel="inspector" />
            <div className="inspector-frame" style={{ width: panels.inspector.size }}>
              <Inspector backend={backend} />
            </div>
          </>
        )}
      </div>
      {menu && <NodeMenuView menu={menu} onClose={() => setMenu(null)} onRunFrom={(id) => void startRun(topLevel(id)).catch((e: Error) => useDocument.setState({ notice: e.message }))} onOpenChild={(path) => void openChild(path)} />}
      <SettingsScreen backend={backend} />
      <MemoryScreen
        backend={backend}
        onOpenRun={(runId, node, path) => {
          useMemoryView.getState().close();
          openRun(runId, node, path).catch((e: Error) => useDocument.setState({ notice: e.message }));
        }}
      />
      <ReadinessDialog />
      {inputsFor && <RunInputsDialog blueprint={inputsFor.blueprint} inputs={inputsFor.inputs} onDone={inputsFor.resolve} />}
      {help && (
        <div className="cheatsheet" role="dialog" aria-label="Keyboard shortcuts" onClick={() => setHelp(false)}>
          <div className="cheatsheet-body">
            <h2>Keyboard shortcuts</h2>
            <table>
              <tbody>
                {SHORTCUTS.map((s) => (
                  <tr key={`${s.key}-${s.action}-${s.mod}`}>
                    <td>
                      <kbd>{describeKey(s)}</kbd>
                    </td>
                    <td>{s.label}</td>
                  </tr>
                ))}
                <tr>
                  <td>
                    <kbd>Delete</kbd>
                  </td>
                  <td>Delete the selection</td>
                </tr>
                <tr>
                  <td>
                    <kbd>Shift+drag</kbd>
                  </td>
                  <td>Select several nodes</td>
                </tr>
                <tr>
                  <td>
                    <kbd>Ctrl+K</kbd>
                  </td>
                  <td>Ask: draft the graph, or a change to it, in words</td>
                </tr>
                <tr>
                  <td>
                    <kbd>Ctrl+Space</kbd>
                  </td>
                  <td>In a prompt or expression: complete run inputs, ports and upstream outputs</td>
                </tr>
              </tbody>
            </table>
          </div>
        </div>
      )}
      {about && (
        <div className="cheatsheet" role="dialog" aria-label="About Floe" onClick={() => setAbout(null)}>
          <div className="cheatsheet-body about">
            <img src="/icon.png" alt="" width={64} height={64} />
            <h2>{about.name}</h2>
            <p className="version">Version {about.version}</p>
            <p>Blueprint format v{about.format_version}</p>
            <p className="hint">Local-first AI and automation workflows.</p>
          </div>
        </div>
      )}
    </div>
  );
}
