// The desktop shell's transport: Tauri commands (one per API call) and a Channel for run events.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open } from "@tauri-apps/plugin-dialog";
import type { About, Check, ErrorBody, Event, FileText, PendingApproval, RunDetail, RunRequest, RunSummary, Started, WorkspaceInfo } from "../generated/api";
import type { CatalogDoc } from "../generated/catalog";
import { type ApprovalDecision, type Backend, BackendError, type EventHandlers, type NativeShell } from "./backend";

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
  run(request: RunRequest) {
    return call<Started>("run", { request });
  }
  resume(runId: string) {
    return call<Started>("resume", { runId });
  }
  runs(blueprint?: string) {
    return call<RunSummary[]>("runs", { blueprint: blueprint ?? null });
  }
  runDetail(runId: string) {
    return call<RunDetail>("run_detail", { runId });
  }
  cancel(runId: string) {
    return call<void>("cancel", { runId });
  }
  pause(runId: string, paused: boolean) {
    return call<void>("pause", { runId, paused });
  }
  approvals(runId?: string) {
    return call<PendingApproval[]>("approvals", { runId: runId ?? null });
  }
  decide(runId: string, node: string, decision: ApprovalDecision) {
    return call<void>("decide", { runId, node, decision });
  }
  events(runId: string, after: number, handlers: EventHandlers) {
    let open = true;
    const channel = new Channel<Event[]>();
    channel.onmessage = (events) => {
      if (open) handlers.onEvents(events);
    };
    // The channel has no close: the run's own `run_finished` ends it for the listener.
    void call("run_events", { runId, after, channel });
    return () => {
      open = false;
    };
  }
}
