// The one interface every screen talks to. `WebBackend` speaks to `floe serve` over HTTP and
// WebSocket; the desktop shell's implementation speaks Tauri IPC. No screen knows which it has.
import type { About, Check, Diagnostic, Event, FileText, PendingApproval, RunDetail, RunRequest, RunSummary, Started, WorkspaceInfo } from "../generated/api";
import type { CatalogDoc } from "../generated/catalog";

/** A failed request: the server's message and, for an unreadable document, its problems. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
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
}

/** A reviewer's decision on a waiting approval node; `value` replaces the reviewed value (edit and approve). */
export type ApprovalDecision = { decision: "approve"; value?: unknown; comment?: string } | { decision: "reject"; comment?: string };

/** A subscription to a run's events: batches in order; `onClose` when the stream ends (the run finished, or the connection dropped). */
export interface EventHandlers {
  onEvents: (events: Event[]) => void;
  onClose?: () => void;
}

export interface Backend {
  /** Present in the desktop app only. */
  readonly native?: NativeShell;
  about(): Promise<About>;
  catalog(): Promise<CatalogDoc>;
  workspace(): Promise<WorkspaceInfo>;
  /** Opens another folder of blueprints (remembered by the desktop app). */
  openFolder(root: string): Promise<WorkspaceInfo>;
  read(path: string): Promise<FileText>;
  check(path: string, text: string): Promise<Check>;
  save(path: string, text: string): Promise<FileText>;
  create(path: string, name: string): Promise<FileText>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Starts a run of the saved blueprint (all of it, or `from` a node on, reusing the latest run's upstream results). */
  run(request: RunRequest): Promise<Started>;
  /** Resumes a run interrupted by a crash (or cancelled); finished nodes are not run again. */
  resume(runId: string): Promise<Started>;
  /** Recent runs, newest first; with `blueprint` (an id), that blueprint's history. */
  runs(blueprint?: string): Promise<RunSummary[]>;
  runDetail(runId: string): Promise<RunDetail>;
  cancel(runId: string): Promise<void>;
  pause(runId: string, paused: boolean): Promise<void>;
  approvals(runId?: string): Promise<PendingApproval[]>;
  decide(runId: string, node: string, decision: ApprovalDecision): Promise<void>;
  /** Sends the run's events after `after` (journaled first, then live) in batches; returns a stop function. */
  events(runId: string, after: number, handlers: EventHandlers): () => void;
}

/** `floe serve`: the page was opened from it, so requests go to the same origin with its cookie. */
export class WebBackend implements Backend {
  constructor(private readonly base = "") {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new BackendError(answer.error ?? `${method} ${path}: HTTP ${response.status}`, response.status, answer.diagnostics ?? []);
    }
    return answer as T;
  }

  about() {
    return this.request<About>("GET", "/api/about");
  }
  catalog() {
    return this.request<CatalogDoc>("GET", "/api/catalog");
  }
  workspace() {
    return this.request<WorkspaceInfo>("GET", "/api/workspace");
  }
  openFolder(root: string) {
    return this.request<WorkspaceInfo>("POST", "/api/workspace/open", { root });
  }
  read(path: string) {
    return this.request<FileText>("GET", `/api/files?path=${encodeURIComponent(path)}`);
  }
  check(path: string, text: string) {
    return this.request<Check>("POST", "/api/check", { path, text });
  }
  save(path: string, text: string) {
    return this.request<FileText>("PUT", `/api/files?path=${encodeURIComponent(path)}`, { text });
  }
  create(path: string, name: string) {
    return this.request<FileText>("POST", "/api/files/create", { path, name });
  }
  async rename(from: string, to: string) {
    await this.request("POST", "/api/files/rename", { from, to });
  }
  async remove(path: string) {
    await this.request("DELETE", `/api/files?path=${encodeURIComponent(path)}`);
  }
  run(request: RunRequest) {
    return this.request<Started>("POST", "/api/runs", request);
  }
  resume(runId: string) {
    return this.request<Started>("POST", `/api/runs/${encodeURIComponent(runId)}/resume`, {});
  }
  runs(blueprint?: string) {
    return this.request<RunSummary[]>("GET", blueprint ? `/api/runs?blueprint=${encodeURIComponent(blueprint)}` : "/api/runs");
  }
  runDetail(runId: string) {
    return this.request<RunDetail>("GET", `/api/runs/${encodeURIComponent(runId)}`);
  }
  async cancel(runId: string) {
    await this.request("POST", `/api/runs/${encodeURIComponent(runId)}/cancel`, {});
  }
  async pause(runId: string, paused: boolean) {
    await this.request("POST", `/api/runs/${encodeURIComponent(runId)}/pause`, { paused });
  }
  approvals(runId?: string) {
    return this.request<PendingApproval[]>("GET", runId ? `/api/approvals?run=${encodeURIComponent(runId)}` : "/api/approvals");
  }
  async decide(runId: string, node: string, decision: ApprovalDecision) {
    await this.request("POST", `/api/runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(node)}`, decision);
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
