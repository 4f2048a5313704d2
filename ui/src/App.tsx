import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Backend } from "./backend/backend";
import { FloeNode } from "./components/FloeNode";
import { Inspector } from "./components/Inspector";
import { DRAG_TYPE, Palette, type PaletteItem } from "./components/Palette";
import { useCatalog, useDocument, useWorkspace } from "./store";

const nodeTypes = { floe: FloeNode };

interface Shortcut {
  key: string;
  mod: boolean;
  shift?: boolean;
  action: "save" | "undo" | "redo" | "copy" | "paste" | "duplicate" | "layout" | "theme" | "help";
  label: string;
}

/** Every keyboard shortcut; the cheat sheet (`?`) is generated from this list. */
const SHORTCUTS: Shortcut[] = [
  { key: "s", mod: true, action: "save", label: "Save" },
  { key: "z", mod: true, action: "undo", label: "Undo" },
  { key: "z", mod: true, shift: true, action: "redo", label: "Redo" },
  { key: "y", mod: true, action: "redo", label: "Redo" },
  { key: "c", mod: true, action: "copy", label: "Copy the selected nodes" },
  { key: "v", mod: true, action: "paste", label: "Paste" },
  { key: "d", mod: true, action: "duplicate", label: "Duplicate the selected nodes" },
  { key: "l", mod: false, shift: true, action: "layout", label: "Arrange the graph automatically" },
  { key: "t", mod: false, shift: true, action: "theme", label: "Switch dark / light theme" },
  { key: "?", mod: false, action: "help", label: "Show or hide these shortcuts" },
];

function describeKey(s: Shortcut): string {
  const shift = s.shift ? "Shift+" : "";
  return `${s.mod ? "Ctrl+" : ""}${shift}${s.key === "?" ? "?" : s.key.toUpperCase()}`;
}

/** How long edits wait before the document is checked again. */
const CHECK_DELAY_MS = 250;

/** The canvas, with drops from the palette placed where they land. */
function Canvas() {
  const doc = useDocument();
  const catalog = useCatalog((s) => s.catalog);
  const flow = useReactFlow();
  return (
    <div
      className="canvas"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes(DRAG_TYPE)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }
      }}
      onDrop={(event) => {
        const raw = event.dataTransfer.getData(DRAG_TYPE);
        if (!raw || !catalog || !doc.path) return;
        event.preventDefault();
        const item = JSON.parse(raw) as PaletteItem;
        const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
        doc.addNode(catalog, item.kind, item.tool, { x: Math.round(position.x), y: Math.round(position.y) });
      }}
    >
      <ReactFlow
        key={doc.path ?? "none"}
        nodes={doc.canvas.nodes}
        edges={doc.canvas.edges}
        nodeTypes={nodeTypes}
        onNodesChange={doc.nodesChanged}
        onEdgesChange={doc.edgesChanged}
        onConnect={doc.connect}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        snapToGrid
        snapGrid={[10, 10]}
        deleteKeyCode={["Backspace", "Delete"]}
        minZoom={0.05}
      >
        <Background />
        <MiniMap pannable zoomable />
        <Controls />
      </ReactFlow>
    </div>
  );
}

export function App({ backend }: { backend: Backend }) {
  return (
    <ReactFlowProvider>
      <Shell backend={backend} />
    </ReactFlowProvider>
  );
}

function Shell({ backend }: { backend: Backend }) {
  const workspace = useWorkspace();
  const [help, setHelp] = useState(false);
  const [theme, setTheme] = useState<"light" | "dark">(() =>
    window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light",
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const loadCatalog = useCatalog((s) => s.load);
  const doc = useDocument();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    void workspace.refresh(backend);
    void loadCatalog(backend);
    // Load once per backend.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend]);

  // Live validation: every change to the canvas is checked by the compiler, debounced.
  const { canvas, path } = doc;
  useEffect(() => {
    if (!path) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void useDocument.getState().validate(backend), CHECK_DELAY_MS);
    return () => clearTimeout(timer.current);
  }, [canvas, path, backend]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      // Typing in a field is not a shortcut.
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const state = useDocument.getState();
      // "?" needs Shift on some layouts and not on others: its Shift state is not part of it.
      const shortcut = SHORTCUTS.find(
        (s) => s.key === key && s.mod === mod && (s.key === "?" || (s.shift ?? false) === event.shiftKey),
      );
      if (!shortcut) return;
      event.preventDefault();
      switch (shortcut.action) {
        case "save":
          void state.save(backend).then(() => workspace.refresh(backend));
          break;
        case "undo":
          state.undo();
          break;
        case "redo":
          state.redo();
          break;
        case "copy":
          state.copy();
          break;
        case "paste":
          state.paste();
          break;
        case "duplicate":
          state.duplicate();
          break;
        case "layout":
          void state.layout();
          break;
        case "help":
          setHelp((open) => !open);
          break;
        case "theme":
          setTheme((t) => (t === "dark" ? "light" : "dark"));
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [backend, workspace]);

  const problems = doc.check?.diagnostics ?? [];
  const title = useMemo(() => (doc.path ? `${doc.dirty ? "● " : ""}${doc.path}` : "No blueprint open"), [doc.path, doc.dirty]);

  return (
    <div className="app">
      <aside className="sidebar">
        <h1>Floe</h1>
        <div className="root" title={workspace.root}>
          {workspace.root}
        </div>
        {workspace.error && <div className="error">{workspace.error}</div>}
        <ul className="files">
          {workspace.entries.map((entry) => (
            <li key={entry.path}>
              <button
                className={entry.path === doc.path ? "file active" : "file"}
                onClick={() => {
                  if (doc.dirty && !window.confirm(`Discard unsaved changes to ${doc.path}?`)) return;
                  void doc.open(backend, entry.path);
                }}
              >
                <span className="file-name">{entry.name || entry.path}</span>
                <span className="file-path">{entry.path}</span>
              </button>
            </li>
          ))}
        </ul>
        <Palette
          onAdd={(item: PaletteItem) => {
            const catalog = useCatalog.getState().catalog;
            if (catalog && doc.path) doc.addNode(catalog, item.kind, item.tool, { x: 0, y: 0 });
          }}
        />
      </aside>
      <main className="main">
        <header className="toolbar">
          <span className="doc-title">{title}</span>
          <button
            onClick={() => {
              const name = window.prompt("New blueprint file (e.g. flows/report.json)");
              if (!name) return;
              const path = name.endsWith(".json") ? name : `${name}.json`;
              const title = path.replace(/^.*\//, "").replace(/\.json$/, "");
              void backend
                .create(path, title)
                .then(() => workspace.refresh(backend))
                .then(() => doc.open(backend, path))
                .catch((error: Error) => useDocument.setState({ notice: error.message }));
            }}
            title="New blueprint"
          >
            New
          </button>
          <button onClick={() => void doc.layout()} disabled={!doc.path} title="Arrange automatically (Shift+L)">
            Arrange
          </button>
          <button onClick={() => setTheme(theme === "dark" ? "light" : "dark")} title="Theme (Shift+T)">
            {theme === "dark" ? "Light" : "Dark"}
          </button>
          <button onClick={() => setHelp(!help)} title="Keyboard shortcuts (?)">
            ?
          </button>
          <button onClick={() => doc.undo()} disabled={doc.past.length === 0} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button onClick={() => doc.redo()} disabled={doc.future.length === 0} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <button
            className="primary"
            onClick={() => void doc.save(backend).then(() => workspace.refresh(backend))}
            disabled={!doc.path}
            title="Save (Ctrl+S)"
          >
            Save
          </button>
          {doc.notice && <span className="notice">{doc.notice}</span>}
        </header>
        <Canvas />
        <section className="problems" aria-label="Problems">
          <h2>
            Problems <span className="count">{problems.length}</span>
          </h2>
          <ul>
            {problems.map((problem, i) => (
              <li key={`${problem.code}-${problem.pointer}-${i}`} className={problem.severity}>
                <span className="code">{problem.code}</span> {problem.message}
                {problem.node && <span className="where"> — node {problem.node}</span>}
                {problem.help && <div className="help">{problem.help}</div>}
              </li>
            ))}
          </ul>
        </section>
      </main>
      <Inspector />
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
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
