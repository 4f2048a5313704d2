// The app's actions: everything a menu item, a keyboard shortcut or a toolbar button does,
// written once. The shell gives them its dialogs and panels (`ShellControls`); the native menu's
// item ids are generated from the shell's menu table, so every one of them is an `Action`.
import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";
import { type Backend, BackendError } from "./backend/backend";
import { ask, confirm } from "./components/Dialog";
import { useFitView } from "./components/Overview";
import { useReadiness } from "./components/Readiness";
import { useMemoryView } from "./components/Memory";
import { useSettings } from "./components/Settings";
import { type DockTab, rememberedInputs } from "./components/RunPanel";
import type { About, RunSummary } from "./generated/api";
import type { RunInput } from "./generated/blueprint";
import type { MenuAction } from "./generated/menu";
import { scopesOf } from "./model/run";
import { usePanels } from "./panels";
import { usePins, useRun } from "./runStore";
import { useDocument, useWorkspace } from "./store";

/** Everything the app can do; shortcuts, toolbar buttons and the native menu all name these. */
export type Action = MenuAction;

/** What the actions need from the shell around them (stable across renders). */
export interface ShellControls {
  setDockTab(tab: DockTab): void;
  /** Asks for a run's inputs; null when the person cancels. */
  askInputs(blueprint: string, inputs: Record<string, RunInput>): Promise<Record<string, unknown> | null>;
  toggleHelp(): void;
  toggleTheme(): void;
  showAbout(about: About): void;
}

/** The newest run of a blueprint that is still going (not finished, not interrupted by a crash), if any. */
export async function liveRunOf(backend: Backend, blueprint: string): Promise<RunSummary | null> {
  const runs = await backend.runs(blueprint, 5);
  return runs.find((r) => (r.status === "running" || r.status === "paused" || r.status === "waiting") && !r.interrupted) ?? null;
}

const OPEN_KEY = "floe.open";

/** Remembers the file open in a folder, so a reload (or the next launch) opens it again. */
export function rememberOpen(root: string, file: string | null) {
  try {
    const all = JSON.parse(localStorage.getItem(OPEN_KEY) ?? "{}") as Record<string, string>;
    if (file) all[root] = file;
    else delete all[root];
    localStorage.setItem(OPEN_KEY, JSON.stringify(all));
  } catch {
    // Nothing remembered: the start screen shows instead.
  }
}

/** The file last open in a folder. */
export function rememberedOpen(root: string): string | null {
  try {
    return (JSON.parse(localStorage.getItem(OPEN_KEY) ?? "{}") as Record<string, string>)[root] ?? null;
  } catch {
    return null;
  }
}

/** The app's actions over `backend`, for the shell to bind to its menu, keys and buttons. */
export function useActions(backend: Backend, shell: ShellControls) {
  const flow = useReactFlow();
  const fitView = useFitView();

  /** True when there is nothing unsaved, or the person chose to discard it. */
  const mayDiscard = useCallback(async () => {
    const state = useDocument.getState();
    return !state.dirty || confirm("Discard unsaved changes?", `${state.path} has changes that are not saved.`, "Discard");
  }, []);

  const openFile = useCallback(
    async (file: string) => {
      if (file === useDocument.getState().path || !(await mayDiscard())) return;
      // A run belongs to its blueprint: the one on screen goes, and a run of this one that is
      // still going (started here, before a reload, or from the CLI) comes back on screen.
      useRun.getState().clear();
      await useDocument.getState().open(backend, file);
      rememberOpen(useWorkspace.getState().root, file);
      const id = useDocument.getState().base?.id;
      const live = id ? await liveRunOf(backend, id).catch(() => null) : null;
      if (live && useDocument.getState().path === file) {
        useRun.getState().watch(backend, live.id);
        shell.setDockTab("run");
      }
    },
    [backend, mayDiscard, shell],
  );

  /** Runs the saved blueprint: all of it (asking for its inputs), or from a top-level node on. */
  const startRun = useCallback(
    async (from: string | null) => {
      let state = useDocument.getState();
      const path = state.path;
      if (!path || !state.base) return;
      if (state.dirty) {
        // What runs is the file: save first (undo still has the edits).
        await state.save(backend);
        await useWorkspace.getState().refresh(backend);
        state = useDocument.getState();
        if (state.dirty || !state.base) return;
      }
      const blueprint = state.base.id;
      // A blueprint that does not compile is refused here, before its inputs are asked for.
      await state.validate(backend);
      state = useDocument.getState();
      if (state.check?.diagnostics.some((d) => d.severity === "error")) {
        shell.setDockTab("problems");
        throw new Error(`${path} does not compile: fix the problems below, then run it again`);
      }
      // A second run of a blueprint that is still running is asked about first.
      const live = await liveRunOf(backend, blueprint);
      if (live && !(await confirm("Run again?", `A run of ${state.base?.name ?? blueprint} (${live.id}) is still ${live.status}. Start another run beside it?`, "Run again", false))) {
        return;
      }
      const declared = state.base?.inputs ?? {};
      let inputs: Record<string, unknown> = Object.fromEntries(Object.entries(rememberedInputs(blueprint)).filter(([name]) => name in declared));
      if (from === null && Object.keys(declared).length > 0) {
        const values = await shell.askInputs(blueprint, declared);
        if (!values) return;
        inputs = values;
      }
      // Pins of nodes that are still in the graph.
      const ids = new Set(state.canvas.nodes.filter((n) => n.data.scope === null).map((n) => n.id));
      const pinned = Object.fromEntries(Object.entries(usePins.getState().pins).filter(([node]) => ids.has(node)));
      if ("Notification" in window && Notification.permission === "default") void Notification.requestPermission().catch(() => {});
      const launch = async (noCheck: boolean) => {
        let started;
        try {
          started = await backend.run({ path, inputs, from: from ?? undefined, pinned, no_check: noCheck });
        } catch (error) {
          if (error instanceof BackendError && error.code === "not_ready") {
            // A model cannot be called: say which and what to do; nothing ran.
            useReadiness.getState().show(error.unready, (anyway) => launch(anyway).catch((e: Error) => useDocument.setState({ notice: e.message })));
            return;
          }
          if (!(error instanceof BackendError && error.code === "does_not_compile")) throw error;
          // The file has errors: they are in the Problems panel.
          shell.setDockTab("problems");
          throw new Error(`${path} does not compile: fix the problems below, then run it again`);
        }
        useRun.getState().watch(backend, started.run_id);
        shell.setDockTab("run");
      };
      await launch(false);
    },
    [backend, shell],
  );

  /** The top-level node a node belongs to (itself, or the container its body is in). */
  const topLevel = useCallback((id: string) => {
    const nodes = useDocument.getState().canvas.nodes;
    const scopes = new Map(nodes.map((n) => [n.id, n.data.scope]));
    return scopesOf(id, (x) => scopes.get(x) ?? null)[0] ?? id;
  }, []);

  /** Opens the child run a sub-workflow node (at node path `path`) started, on its own blueprint; the API names both. */
  const openChild = useCallback(
    async (path: string) => {
      const view = useRun.getState().view;
      if (!view) return;
      const detail = await backend.runDetail(view.id);
      const child = detail.children.find((c) => c.node === path);
      if (!child?.path) {
        useDocument.setState({ notice: `${path} started no run that can be opened here (it may not have run yet)` });
        return;
      }
      if (!(await mayDiscard())) return;
      useRun.getState().clear();
      await useDocument.getState().open(backend, child.path);
      useRun.getState().watch(backend, child.run_id);
      shell.setDockTab("run");
    },
    [backend, mayDiscard, shell],
  );

  /** Does one of the app's actions (a menu item, a shortcut, a toolbar button). */
  const run = useCallback(
    async (action: Action) => {
      const state = useDocument.getState();
      const refresh = () => useWorkspace.getState().refresh(backend);
      const fail = (error: unknown) => useDocument.setState({ notice: (error as Error).message });
      try {
        switch (action) {
          case "new": {
            const name = await ask("New blueprint", "", "Create", "A file name in this folder, e.g. flows/report.json");
            if (!name || !(await mayDiscard())) return;
            const file = name.endsWith(".json") ? name : `${name}.json`;
            const title = file.replace(/^.*\//, "").replace(/\.json$/, "");
            await backend.create(file, title);
            await refresh();
            useRun.getState().clear();
            await state.open(backend, file);
            rememberOpen(useWorkspace.getState().root, file);
            return;
          }
          case "open-folder": {
            if (!(await mayDiscard())) return;
            const root = backend.native
              ? await backend.native.pickFolder()
              : await ask("Open a folder", useWorkspace.getState().root, "Open", "The folder holding your blueprints");
            if (!root) return;
            await backend.openFolder(root);
            state.close();
            await refresh();
            return;
          }
          case "save":
            await state.save(backend);
            await refresh();
            return;
          case "save-as": {
            if (!state.path) return;
            const name = await ask("Save as", state.path, "Save");
            if (!name) return;
            const file = name.endsWith(".json") ? name : `${name}.json`;
            await state.saveAs(backend, file);
            rememberOpen(useWorkspace.getState().root, file);
            await refresh();
            return;
          }
          case "rename": {
            if (!state.path) return;
            const name = await ask("Rename", state.path, "Rename");
            if (!name || name === state.path) return;
            const to = name.endsWith(".json") ? name : `${name}.json`;
            await backend.rename(state.path, to);
            state.renamed(state.path, to);
            rememberOpen(useWorkspace.getState().root, to);
            useDocument.setState({ notice: `renamed to ${to}` });
            await refresh();
            return;
          }
          case "delete": {
            if (!state.path) return;
            if (!(await confirm("Delete blueprint?", `${state.path} will be deleted from the folder.`, "Delete"))) return;
            const gone = state.path;
            await backend.remove(gone);
            state.close();
            rememberOpen(useWorkspace.getState().root, null);
            useDocument.setState({ notice: `deleted ${gone}` });
            await refresh();
            return;
          }
          case "quit":
            if (await mayDiscard()) backend.native?.quit();
            return;
          case "undo":
            return state.undo();
          case "redo":
            return state.redo();
          case "copy":
            return state.copy();
          case "paste":
            return state.paste();
          case "duplicate":
            return state.duplicate();
          case "note": {
            if (!state.path) return;
            const box = document.querySelector(".canvas")?.getBoundingClientRect();
            const centre = box ? flow.screenToFlowPosition({ x: box.x + box.width / 2, y: box.y + box.height / 2 }) : { x: 0, y: 0 };
            state.addComment({ x: Math.round(centre.x), y: Math.round(centre.y) });
            return;
          }
          case "fit":
            await fitView();
            return;
          case "layout":
            await state.layout();
            return;
          case "theme":
            shell.toggleTheme();
            return;
          case "toggle-sidebar":
            return usePanels.getState().toggle("sidebar");
          case "toggle-inspector":
            return usePanels.getState().toggle("inspector");
          case "toggle-dock":
            return usePanels.getState().toggle("dock");
          case "toggle-minimap":
            return usePanels.getState().toggle("minimap");
          case "check":
            await state.validate(backend);
            return;
          case "help":
            shell.toggleHelp();
            return;
          case "settings":
            useSettings.getState().show();
            return;
          case "memory":
            useMemoryView.getState().show();
            return;
          case "about":
            shell.showAbout(await backend.about());
            return;
          case "run":
            await startRun(null);
            return;
          case "run-from": {
            const selected = state.canvas.nodes.filter((n) => n.selected);
            if (selected.length !== 1) {
              useDocument.setState({ notice: "select one node to run from" });
              return;
            }
            await startRun(topLevel(selected[0].id));
            return;
          }
          case "cancel-run": {
            const view = useRun.getState().view;
            if (view && useRun.getState().mode === "live") await backend.cancel(view.id);
            return;
          }
        }
      } catch (error) {
        fail(error);
      }
    },
    [backend, flow, fitView, mayDiscard, shell, startRun, topLevel],
  );


  return { run, startRun, openChild, openFile, mayDiscard, topLevel };
}
