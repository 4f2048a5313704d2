// The window's one-line toolbar: icon buttons with tooltips that name their shortcut, a menu for the
// file actions that are rarely needed, Save (the main button only when there is something to
// save) and Run. It spans the window, so it never wraps, even at 1280 px with a run on screen.
import {
  Brain,
  Ellipsis,
  FilePlus2,
  FolderOpen,
  Info,
  Keyboard,
  LayoutGrid,
  Lightbulb,
  type LucideIcon,
  Maximize,
  Moon,
  PanelBottom,
  PanelLeft,
  PanelRight,
  Pencil,
  Play,
  Redo2,
  Save,
  Settings,
  StickyNote,
  Sun,
  Trash2,
  Undo2,
  FileCheck2,
  CopyPlus,
} from "lucide-react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Action } from "../actions";
import type { Backend } from "../backend/backend";
import { usePanels } from "../panels";
import { useDocument } from "../store";
import { RunControls } from "./RunPanel";

/** An icon button; its tooltip says what it does and its keys. */
export function IconButton({
  icon: Icon,
  label,
  keys,
  onClick,
  disabled,
  pressed,
}: {
  icon: LucideIcon;
  label: string;
  keys?: string;
  onClick: () => void;
  disabled?: boolean;
  /** A toggle's state (panels shown, theme). */
  pressed?: boolean;
}) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={label}
      aria-pressed={pressed}
      data-tip={keys ? `${label} · ${keys}` : label}
      onClick={onClick}
      disabled={disabled}
    >
      <Icon size={17} strokeWidth={1.75} aria-hidden />
    </button>
  );
}

interface MenuEntry {
  icon: LucideIcon;
  label: string;
  keys?: string;
  action: () => void;
  disabled?: boolean;
  danger?: boolean;
  separated?: boolean;
}

/** A button that opens a list of actions; Escape or a click elsewhere closes it. */
function Menu({ label, icon: Icon, entries }: { label: string; icon: LucideIcon; entries: MenuEntry[] }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !ref.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("pointerdown", close);
    window.addEventListener("keydown", close);
    return () => {
      window.removeEventListener("pointerdown", close);
      window.removeEventListener("keydown", close);
    };
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="icon-button" aria-label={label} aria-haspopup="menu" aria-expanded={open} data-tip={open ? undefined : label} onClick={() => setOpen(!open)}>
        <Icon size={17} strokeWidth={1.75} aria-hidden />
      </button>
      {open && (
        <div className="menu-list" role="menu" aria-label={label}>
          {entries.map((entry) => (
            <button
              key={entry.label}
              type="button"
              role="menuitem"
              className={`${entry.danger ? "danger" : ""}${entry.separated ? " separated" : ""}`}
              disabled={entry.disabled}
              onClick={() => {
                setOpen(false);
                entry.action();
              }}
            >
              <entry.icon size={15} strokeWidth={1.75} aria-hidden />
              <span className="menu-label">{entry.label}</span>
              {entry.keys && <kbd>{entry.keys}</kbd>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function Group({ children }: { children: ReactNode }) {
  return <div className="toolbar-group">{children}</div>;
}

export function Toolbar({
  backend,
  theme,
  onAction,
  onExplain,
}: {
  backend: Backend;
  theme: "light" | "dark";
  onAction: (action: Action) => void;
  onExplain: () => void;
}) {
  const doc = useDocument(useShallow((s) => ({ path: s.path, dirty: s.dirty, notice: s.notice, canUndo: s.past.length > 0, canRedo: s.future.length > 0 })));
  const panels = usePanels(useShallow((s) => ({ sidebar: s.sidebar.open, inspector: s.inspector.open, dock: s.dock.open })));
  const open = !!doc.path;
  const act = (action: Action) => () => onAction(action);
  return (
    <header className="toolbar">
      <Group>
        <span className="brand" aria-hidden>
          <img src="/icon.png" alt="" width={22} height={22} />
        </span>
        <IconButton icon={PanelLeft} label="Sidebar" keys="Ctrl+B" pressed={panels.sidebar} onClick={act("toggle-sidebar")} />
        <IconButton icon={FilePlus2} label="New" keys="Ctrl+N" onClick={act("new")} />
      </Group>
      <div className="doc">
        <span className="doc-title" title={doc.path ?? undefined}>
          {doc.path ? `${doc.dirty ? "● " : ""}${doc.path}` : "No blueprint open"}
        </span>
        {doc.notice && (
          <span className="notice" title={doc.notice}>
            {doc.notice}
          </span>
        )}
      </div>
      <Group>
        <IconButton icon={Undo2} label="Undo" keys="Ctrl+Z" onClick={act("undo")} disabled={!doc.canUndo} />
        <IconButton icon={Redo2} label="Redo" keys="Ctrl+Shift+Z" onClick={act("redo")} disabled={!doc.canRedo} />
      </Group>
      <Group>
        <IconButton icon={StickyNote} label="Note" keys="Shift+N" onClick={act("note")} disabled={!open} />
        <IconButton icon={LayoutGrid} label="Arrange" keys="Shift+L" onClick={act("layout")} disabled={!open} />
        <IconButton icon={Maximize} label="Zoom to fit" keys="Shift+F" onClick={act("fit")} disabled={!open} />
        <IconButton icon={Lightbulb} label="Explain" onClick={onExplain} disabled={!open} />
      </Group>
      <Group>
        <IconButton icon={theme === "dark" ? Sun : Moon} label={theme === "dark" ? "Light theme" : "Dark theme"} keys="Shift+T" onClick={act("theme")} />
        <IconButton icon={Brain} label="Memory" keys="Ctrl+Shift+M" onClick={act("memory")} />
        <IconButton icon={Settings} label="Settings" keys="Ctrl+," onClick={act("settings")} />
        <Menu
          label="More"
          icon={Ellipsis}
          entries={[
            { icon: FolderOpen, label: "Open folder…", keys: "Ctrl+O", action: act("open-folder") },
            { icon: CopyPlus, label: "Save as…", keys: "Ctrl+Shift+S", action: act("save-as"), disabled: !open },
            { icon: Pencil, label: "Rename…", action: act("rename"), disabled: !open },
            { icon: Trash2, label: "Delete", action: act("delete"), disabled: !open, danger: true },
            { icon: FileCheck2, label: "Check blueprint", action: act("check"), disabled: !open, separated: true },
            { icon: Keyboard, label: "Keyboard shortcuts", keys: "?", action: act("help"), separated: true },
            { icon: Info, label: "About Floe", action: act("about") },
          ]}
        />
      </Group>
      <Group>
        <IconButton icon={PanelBottom} label="Run panel" keys="Ctrl+J" pressed={panels.dock} onClick={act("toggle-dock")} />
        <IconButton icon={PanelRight} label="Inspector" keys="Ctrl+I" pressed={panels.inspector} onClick={act("toggle-inspector")} />
      </Group>
      <RunControls backend={backend} />
      <button
        type="button"
        className={doc.dirty ? "text-button primary" : "text-button"}
        onClick={act("save")}
        disabled={!open}
        data-tip="Save · Ctrl+S"
      >
        <Save size={15} strokeWidth={2} aria-hidden />
        Save
      </button>
      <button type="button" className="text-button run-button" onClick={act("run")} disabled={!open} data-tip="Run · Ctrl+Enter">
        <Play size={15} strokeWidth={2.25} fill="currentColor" aria-hidden />
        Run
      </button>
    </header>
  );
}
