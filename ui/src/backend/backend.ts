// The one interface every screen talks to. `WebBackend` speaks to `floe serve` over HTTP and
// WebSocket; the desktop shell's implementation speaks Tauri IPC. No screen knows which it has.
// The methods themselves are generated from the API's table (`generated/client.ts`): a backend
// only says how one call and one event stream travel.
import type { ApiError, Diagnostic, Event } from "../generated/api";
import { type Answer, ApiClient, type Args, type Method } from "../generated/client";

export type { ApprovalDecision } from "../generated/api";

/** What kind of failure: the API's closed set of error codes. */
export type ErrorCode = ApiError["code"];

/** A failed request: the API's error code (what screens act on), its message and, where it applies, the node, pointer and the compiler's diagnostics. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly node?: string;
  readonly pointer?: string;
  readonly diagnostics: Diagnostic[];
  /** For `not_ready`: each model that cannot be called, and what to do. */
  readonly unready: NonNullable<ApiError["unready"]>;

  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.node = error.node ?? undefined;
    this.pointer = error.pointer ?? undefined;
    this.diagnostics = error.diagnostics ?? [];
    this.unready = error.unready ?? [];
  }
}

/** What only the desktop shell has: a native menu, a folder picker, a close guard. */
export interface NativeShell {
  /** Asks for a folder with the system dialog; null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** Tells the shell whether closing the window would lose edits. */
  setUnsaved(unsaved: boolean): void;
  /** Calls `handler` with the action name of each native menu item chosen. */
  onMenu(handler: (action: string) => void): () => void;
  /** Calls `handler` when the window is about to close with unsaved edits. */
  onCloseRequested(handler: () => void): () => void;
  /** Closes the app. */
  quit(): void;
  /** The link the app was started with (`floe://run/<id>`), once; null when none. */
  takeLink(): Promise<string | null>;
  /** Calls `handler` with each link the app is handed while it runs. */
  onLink(handler: (link: string) => void): () => void;
}

/** A subscription to a run's events: batches in order; `onClose` when the stream ends (the run finished, or the connection dropped). */
export interface EventHandlers {
  onEvents: (events: Event[]) => void;
  onClose?: () => void;
}

/** Every API method (generated), a run's event stream, and the desktop shell where there is one. */
export abstract class Backend extends ApiClient {
  /** Present in the desktop app only. */
  readonly native?: NativeShell;
  /** Sends the run's events after `after` (journaled first, then live) in batches; returns a stop function. */
  abstract events(runId: string, after: number, handlers: EventHandlers): () => void;
}

/** `floe serve`: the page was opened from it, so requests go to the same origin with its cookie. Each method is `POST /api/<method>`. */
export class WebBackend extends Backend {
  constructor(private readonly base = "") {
    super();
  }

  protected async call<M extends Method>(method: M, args: Args<M>): Promise<Answer<M>> {
    const response = await fetch(`${this.base}/api/${method}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(args),
    });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      const error: ApiError = answer?.code ? answer : { code: "internal", message: `${method}: HTTP ${response.status}` };
      throw new BackendError(error);
    }
    return answer as Answer<M>;
  }

  events(runId: string, after: number, handlers: EventHandlers) {
    const origin = this.base || window.location.origin;
    const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/api/runs/${encodeURIComponent(runId)}/events?after=${after}`);
    let open = true;
    socket.onmessage = (message) => {
      if (open) handlers.onEvents(JSON.parse(String(message.data)) as Event[]);
    };
    socket.onclose = () => {
      if (open) handlers.onClose?.();
      open = false;
    };
    return () => {
      open = false;
      socket.close();
    };
  }
}
