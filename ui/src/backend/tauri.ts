// The desktop shell's transport: Tauri commands (one per API call) and a Channel for run events.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open } from "@tauri-apps/plugin-dialog";
import type { About, Check, ErrorBody, Event, FileText, RunSummary, Started, WorkspaceInfo } from "../generated/api";
import type { CatalogDoc } from "../generated/catalog";
import { type Backend, BackendError, type NativeShell } from "./backend";

async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    const body = error as Partial<ErrorBody> | string;
    if (typeof body === "string") throw new BackendError(body, 500);
    throw new BackendError(body.error ?? `${command} failed`, 400, body.diagnostics ?? []);
  }
}

/** Whether the page runs inside the desktop shell. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Subscribes to a Tauri event; returns the unsubscribe function (safe to call at once). */
function subscribe<T>(name: string, handler: (payload: T) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  void listen<T>(name, (event) => handler(event.payload)).then((unlisten) => {
    if (stopped) unlisten();
    else stop = unlisten;
  });
  return () => {
    stopped = true;
    stop?.();
  };
}

const native: NativeShell = {
  async pickFolder() {
    const chosen = await open({ directory: true, multiple: false, title: "Open a folder of blueprints" });
    return typeof chosen === "string" ? chosen : null;
  },
  setUnsaved(unsaved) {
    void invoke("set_unsaved", { unsaved });
  },
  onMenu(handler) {
    return subscribe<string>("menu", handler);
  },
  onCloseRequested(handler) {
    return subscribe<null>("close-requested", () => handler());
  },
  quit() {
    void invoke("quit");
  },
};

export class TauriBackend implements Backend {
  readonly native = native;
  about() {
    return call<About>("about");
  }
  catalog() {
    return call<CatalogDoc>("catalog");
  }
  workspace() {
    return call<WorkspaceInfo>("workspace");
  }
  openFolder(root: string) {
    return call<WorkspaceInfo>("open_folder", { root });
  }
  read(path: string) {
    return call<FileText>("read", { path });
  }
  check(path: string, text: string) {
    return call<Check>("check", { path, text });
  }
  save(path: string, text: string) {
    return call<FileText>("save", { path, text });
  }
  create(path: string, name: string) {
    return call<FileText>("create", { path, name });
  }
  rename(from: string, to: string) {
    return call<void>("rename", { from, to });
  }
  remove(path: string) {
    return call<void>("remove", { path });
  }
  run(path: string, inputs: Record<string, unknown>) {
    return call<Started>("run", { path, inputs });
  }
  runs() {
    return call<RunSummary[]>("runs");
  }
  cancel(runId: string) {
    return call<void>("cancel", { runId });
  }
  events(runId: string, onEvent: (event: Event) => void) {
    let open = true;
    const channel = new Channel<Event>();
    channel.onmessage = (event) => {
      if (open) onEvent(event);
    };
    void call("run_events", { runId, channel });
    return () => {
      open = false;
    };
  }
}
