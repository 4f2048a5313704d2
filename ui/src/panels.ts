// The window's layout around the canvas: the sidebar, the inspector and the dock can each be shown
// or hidden and resized, and the minimap hidden. It is remembered (localStorage) across reloads
// and launches, so the canvas keeps the room a person gave it.
import { create } from "zustand";

export type PanelName = "sidebar" | "inspector" | "dock";

export interface Panel {
  open: boolean;
  /** Width (sidebar, inspector) or height (dock) in CSS pixels. */
  size: number;
}

/** Each panel's bounds and default size: the defaults leave a 1280×720 window a canvas of about 780×440. */
export const PANEL_LIMITS: Record<PanelName, { min: number; max: number; initial: number }> = {
  sidebar: { min: 180, max: 420, initial: 232 },
  inspector: { min: 260, max: 560, initial: 320 },
  dock: { min: 120, max: 600, initial: 200 },
};

const KEY = "floe.panels";

interface Saved {
  sidebar: Panel;
  inspector: Panel;
  dock: Panel;
  minimap: boolean;
}

export interface PanelsState extends Saved {
  toggle(name: PanelName | "minimap"): void;
  /** Opens a panel (a dock tab chosen, a node double-clicked). */
  show(name: PanelName): void;
  resize(name: PanelName, size: number): void;
}

export function clampSize(name: PanelName, size: number): number {
  const { min, max } = PANEL_LIMITS[name];
  return Math.round(Math.min(max, Math.max(min, size)));
}

function defaults(): Saved {
  // The dock starts folded to its tabs: a run or a chosen tab opens it.
  const panel = (name: PanelName): Panel => ({ open: name !== "dock", size: PANEL_LIMITS[name].initial });
  return { sidebar: panel("sidebar"), inspector: panel("inspector"), dock: panel("dock"), minimap: true };
}

/** What was saved, checked field by field: a damaged or older entry falls back to the defaults. */
export function loadPanels(raw: string | null): Saved {
  const fallback = defaults();
  let saved: Partial<Record<keyof Saved, unknown>> = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (parsed && typeof parsed === "object") saved = parsed as typeof saved;
  } catch {
    return fallback;
  }
  const panel = (name: PanelName): Panel => {
    const p = saved[name] as Partial<Panel> | undefined;
    return {
      open: typeof p?.open === "boolean" ? p.open : fallback[name].open,
      size: typeof p?.size === "number" && Number.isFinite(p.size) ? clampSize(name, p.size) : fallback[name].size,
    };
  };
  return {
    sidebar: panel("sidebar"),
    inspector: panel("inspector"),
    dock: panel("dock"),
    minimap: typeof saved.minimap === "boolean" ? saved.minimap : fallback.minimap,
  };
}

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export const usePanels = create<PanelsState>()((set) => ({
  ...loadPanels(read()),
  toggle(name) {
    set((s) => (name === "minimap" ? { minimap: !s.minimap } : { [name]: { ...s[name], open: !s[name].open } }));
  },
  show(name) {
    set((s) => (s[name].open ? s : { [name]: { ...s[name], open: true } }));
  },
  resize(name, size) {
    set({ [name]: { open: true, size: clampSize(name, size) } } as Partial<PanelsState>);
  },
}));

usePanels.subscribe((s) => {
  const saved: Saved = { sidebar: s.sidebar, inspector: s.inspector, dock: s.dock, minimap: s.minimap };
  try {
    localStorage.setItem(KEY, JSON.stringify(saved));
  } catch {
    // Storage full or denied: the layout is still right for this session.
  }
});
