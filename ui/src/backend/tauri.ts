// The desktop shell's transport: one Tauri command (`api`) carries every method of the API's table;
// a Channel carries run events.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open } from "@tauri-apps/plugin-dialog";
import type { ApiError, Event } from "../generated/api";
import type { Answer, Args, Method } from "../generated/client";
import { Backend, BackendError, type EventHandlers, type NativeShell } from "./backend";

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
  takeLink() {
    return invoke<string | null>("take_link");
  },
  onLink(handler) {
    return subscribe<string>("link", handler);
  },
};

export class TauriBackend extends Backend {
  readonly native = native;

  protected async call<M extends Method>(method: M, args: Args<M>): Promise<Answer<M>> {
    try {
      return await invoke<Answer<M>>("api", { method, args });
    } catch (error) {
      const body = error as Partial<ApiError> | string;
      if (typeof body === "string" || !body.code) throw new BackendError({ code: "internal", message: typeof body === "string" ? body : `${method} failed` });
      throw new BackendError(body as ApiError);
    }
  }

  events(runId: string, after: number, handlers: EventHandlers) {
    let open = true;
    const channel = new Channel<Event[]>();
    channel.onmessage = (events) => {
      if (open) handlers.onEvents(events);
    };
    // The channel has no close: the run's own `run_finished` ends it for the listener.
    void invoke("run_events", { runId, after, channel }).catch(() => handlers.onClose?.());
    return () => {
      open = false;
    };
  }
}
