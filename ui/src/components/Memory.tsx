// Memory: what agents and workflows remember, per namespace. Left, the namespaces with what each
// holds of its budget; middle, a namespace's memories (pinned first, newest first) or the best
// matches of a search; right, the memory chosen: its text, value and tags (editable: an edit is a
// new version, the old one kept as history), where it came from (which opens that run on the
// canvas, at the node that wrote it), and every version it has had. Pin and forget are here too.
import { useEffect, useState } from "react";
import { create } from "zustand";
import { Brain, History as HistoryIcon, Pin, PinOff, Search, Trash2, X } from "lucide-react";
import type { Backend } from "../backend/backend";
import type { Answer } from "../generated/client";

type Namespace = Answer<"memory_namespaces">[number];
type Hit = Answer<"memories">[number];
type MemoryItem = Hit["memory"];
type Detail = Answer<"memory_detail">;

interface MemoryState {
  open: boolean;
  namespace: string | null;
  query: string;
  namespaces: Namespace[];
  hits: Hit[];
  selected: number | null;
  detail: Detail | null;
  error: string | null;
  show(): void;
  close(): void;
}

export const useMemoryView = create<MemoryState>((set) => ({
  open: false,
  namespace: null,
  query: "",
  namespaces: [],
  hits: [],
  selected: null,
  detail: null,
  error: null,
  show: () => set({ open: true, error: null }),
  close: () => set({ open: false }),
}));

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bytes as a person reads them. */
export function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** What a memory is about, in a few words: the fact's entity and attribute, the key, the procedure. */
export function aboutOf(memory: MemoryItem): string {
  if (memory.kind === "semantic") return `${memory.subject ?? "?"} · ${memory.attribute ?? "?"}`;
  if (memory.kind === "procedural") return `${memory.subject ?? "?"} · ${memory.successes} ✓ ${memory.failures} ✗`;
  if (memory.kind === "working") return memory.subject ?? "";
  return "";
}

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** Loads the namespaces, and the memories of the one shown (searched when there is a query). */
async function refresh(backend: Backend, keepSelection = true) {
  const state = useMemoryView.getState();
  try {
    const namespaces = await backend.memoryNamespaces();
    const namespace = namespaces.some((n) => n.name === state.namespace) ? state.namespace : (namespaces[0]?.name ?? null);
    const hits = namespace ? await backend.memories(namespace, state.query.trim() || undefined, 200) : [];
    const selected = keepSelection && hits.some((h) => h.memory.id === state.selected) ? state.selected : (hits[0]?.memory.id ?? null);
    useMemoryView.setState({ namespaces, namespace, hits, selected, error: null });
    await loadDetail(backend, selected);
  } catch (e) {
    useMemoryView.setState({ error: message(e) });
  }
}

async function loadDetail(backend: Backend, id: number | null) {
  if (id === null) {
    useMemoryView.setState({ detail: null });
    return;
  }
  try {
    const detail = await backend.memoryDetail(id);
    if (useMemoryView.getState().selected === id) useMemoryView.setState({ detail });
  } catch (e) {
    useMemoryView.setState({ error: message(e) });
  }
}

export function MemoryScreen({ backend, onOpenRun }: { backend: Backend; onOpenRun: (run: string, node: string | null, path: string | null) => void }) {
  const { open, namespace, query, namespaces, hits, selected, detail, error } = useMemoryView();

  useEffect(() => {
    if (open) void refresh(backend);
  }, [open, backend]);

  // The search follows typing, a moment after the last key.
  useEffect(() => {
    if (!open) return;
    const timer = window.setTimeout(() => void refresh(backend, false), 200);
    return () => window.clearTimeout(timer);
  }, [query, namespace, open, backend]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") useMemoryView.getState().close();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  if (!open) return null;
  const current = namespaces.find((n) => n.name === namespace);
  const act = async (change: () => Promise<unknown>, then?: (answer: unknown) => void) => {
    try {
      const answer = await change();
      then?.(answer);
      await refresh(backend);
    } catch (e) {
      useMemoryView.setState({ error: message(e) });
    }
  };

  return (
    <div className="modal settings-modal" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && useMemoryView.getState().close()}>
      <section className="settings memory-view" role="dialog" aria-label="Memory">
        <header className="settings-head">
          <h2>
            <Brain size={18} aria-hidden /> Memory
          </h2>
          <button className="icon-button" onClick={() => useMemoryView.getState().close()} aria-label="Close memory" title="Close (Esc)">
            <X size={16} />
          </button>
        </header>
        {error && (
          <p className="settings-error" role="alert">
            {error}
          </p>
        )}
        {namespaces.length === 0 ? (
          <div className="memory-empty">
            <Brain size={36} aria-hidden />
            <p>Nothing remembered yet.</p>
            <p className="hint">
              Agents remember when their <code>memory</code> setting allows it, and workflows with the <code>memory_remember</code> and <code>memory_record</code> tools. What they write shows here, with the run
              that wrote it.
            </p>
          </div>
        ) : (
          <div className="settings-body">
            <nav className="provider-list" aria-label="Namespaces">
              {namespaces.map((n) => (
                <button
                  key={n.name}
                  className={n.name === namespace ? "provider-item active" : "provider-item"}
                  onClick={() => useMemoryView.setState({ namespace: n.name, selected: null })}
                >
                  <span className="provider-name">{n.name}</span>
                  <span className="key-state">{n.memories}</span>
                </button>
              ))}
              {current && (
                <div className="memory-budget" title="What its memories take (history included) of its budget">
                  <div className="memory-budget-bar">
                    <span style={{ width: `${Math.min(100, (100 * current.used_bytes) / Math.max(1, current.budget_bytes))}%` }} />
                  </div>
                  {bytes(current.used_bytes)} of {bytes(current.budget_bytes)}
                </div>
              )}
            </nav>
            <div className="memory-list">
              <label className="memory-search">
                <Search size={14} aria-hidden />
                <input
                  type="search"
                  aria-label="Search memories"
                  placeholder={`Search ${namespace ?? ""}…`}
                  value={query}
                  onChange={(e) => useMemoryView.setState({ query: e.target.value })}
                />
              </label>
              {hits.length === 0 ? (
                <p className="hint memory-none">{query ? "No memory matches." : "This namespace holds no memories."}</p>
              ) : (
                <ul
                  role="listbox"
                  aria-label="Memories"
                  onKeyDown={(event) => {
                    // Up and down move through the memories, as in a mail list.
                    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
                    event.preventDefault();
                    const at = hits.findIndex((h) => h.memory.id === selected);
                    const next = hits[Math.min(hits.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)))];
                    if (!next) return;
                    useMemoryView.setState({ selected: next.memory.id });
                    void loadDetail(backend, next.memory.id);
                    event.currentTarget.querySelector<HTMLElement>(`[data-memory="${next.memory.id}"]`)?.focus();
                  }}
                >
                  {hits.map(({ memory }) => (
                    <li key={memory.id}>
                      <button
                        role="option"
                        data-memory={memory.id}
                        aria-selected={memory.id === selected}
                        className={memory.id === selected ? "memory-item active" : "memory-item"}
                        onClick={() => {
                          useMemoryView.setState({ selected: memory.id });
                          void loadDetail(backend, memory.id);
                        }}
                      >
                        <span className="memory-text">
                          {memory.pinned && <Pin size={12} aria-label="pinned" />} {memory.text}
                        </span>
                        <span className="memory-meta">
                          <span className={`memory-kind kind-${memory.kind}`}>{memory.kind}</span>
                          {aboutOf(memory) && <span>{aboutOf(memory)}</span>}
                          <span>{when(memory.created_at)}</span>
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="provider-detail memory-detail">
              {detail && detail.memory.id === selected && (
                <MemoryEditor
                  key={`${detail.memory.id}-${detail.memory.updated_at}`}
                  detail={detail}
                  onSave={(text, value, tags) =>
                    act(
                      () => backend.editMemory(detail.memory.id, text, value, tags),
                      (memory) => useMemoryView.setState({ selected: (memory as MemoryItem).id }),
                    )
                  }
                  onPin={(pinned) => act(() => backend.pinMemory(detail.memory.id, pinned))}
                  onForget={(hard) => act(() => backend.forgetMemory(detail.memory.id, hard))}
                  onOpenRun={(run, node) => onOpenRun(run, node, detail.run_path ?? null)}
                  onPick={(id) => {
                    useMemoryView.setState({ selected: id });
                    void loadDetail(backend, id);
                  }}
                />
              )}
            </div>
          </div>
        )}
      </section>
    </div>
  );
}

function MemoryEditor({
  detail,
  onSave,
  onPin,
  onForget,
  onOpenRun,
  onPick,
}: {
  detail: Detail;
  onSave: (text: string, value: unknown, tags: string[]) => Promise<void>;
  onPin: (pinned: boolean) => Promise<void>;
  onForget: (hard: boolean) => Promise<void>;
  onOpenRun: (run: string, node: string | null) => void;
  onPick: (id: number) => void;
}) {
  const { memory, history } = detail;
  const [text, setText] = useState(memory.text);
  const [value, setValue] = useState(JSON.stringify(memory.value, null, 2));
  const [tags, setTags] = useState(memory.tags.join(" "));
  const [confirm, setConfirm] = useState(false);
  let parsed: unknown = null;
  let invalid: string | null = null;
  try {
    parsed = value.trim() ? JSON.parse(value) : null;
  } catch (e) {
    invalid = message(e);
  }
  const active = memory.state === "active";
  const changed = text !== memory.text || value !== JSON.stringify(memory.value, null, 2) || tags !== memory.tags.join(" ");
  const tagList = tags.split(/\s+/).filter(Boolean);
  return (
    <div className="memory-form">
      <h3>
        <span className={`memory-kind kind-${memory.kind}`}>{memory.kind}</span>
        {aboutOf(memory) && <span className="memory-about">{aboutOf(memory)}</span>}
        {!active && <span className="memory-state">{memory.state}</span>}
      </h3>
      <label className="memory-field">
        <span>Text</span>
        <textarea aria-label="Memory text" rows={4} value={text} disabled={!active} onChange={(e) => setText(e.target.value)} />
      </label>
      <label className="memory-field">
        <span>Value (JSON)</span>
        <textarea aria-label="Memory value" className="mono" rows={5} value={value} disabled={!active} onChange={(e) => setValue(e.target.value)} />
      </label>
      {invalid && <p className="field-error">{invalid}</p>}
      <label className="memory-field">
        <span>Tags</span>
        <input aria-label="Memory tags" value={tags} disabled={!active} placeholder="words to find it by" onChange={(e) => setTags(e.target.value)} />
      </label>
      {active && (
        <div className="provider-actions">
          <button className="primary" disabled={!changed || !!invalid || !text.trim()} onClick={() => void onSave(text, parsed, tagList)} title="Save as a new version (the old one stays in its history)">
            Save edit
          </button>
          <button onClick={() => void onPin(!memory.pinned)} title={memory.pinned ? "Unpin" : "Pin: keep it first in lists"}>
            {memory.pinned ? <PinOff size={14} aria-hidden /> : <Pin size={14} aria-hidden />} {memory.pinned ? "Unpin" : "Pin"}
          </button>
          {confirm ? (
            <>
              <button className="danger" onClick={() => void onForget(false)} title="Hide it from search and lists; kept for the record">
                Forget
              </button>
              <button className="danger" onClick={() => void onForget(true)} title="Delete it and its history for good">
                Delete for good
              </button>
              <button onClick={() => setConfirm(false)}>Keep</button>
            </>
          ) : (
            <button className="danger" onClick={() => setConfirm(true)}>
              <Trash2 size={14} aria-hidden /> Forget…
            </button>
          )}
        </div>
      )}
      <section className="memory-provenance" aria-label="Where it came from">
        <h4>Where it came from</h4>
        {memory.provenance.run ? (
          <p>
            Written by run <code>{memory.provenance.run}</code>
            {memory.provenance.node && (
              <>
                {" "}
                at node <code>{memory.provenance.node}</code>
              </>
            )}
            {detail.run_path && <> of {detail.run_path}</>}, {when(memory.created_at)}.{" "}
            <button className="link" onClick={() => onOpenRun(memory.provenance.run ?? "", memory.provenance.node ?? null)}>
              Open the run
            </button>
          </p>
        ) : (
          <p>Written by a person (an edit or an import), {when(memory.created_at)}.</p>
        )}
      </section>
      {history.length > 1 && (
        <section className="memory-history" aria-label="History">
          <h4>
            <HistoryIcon size={14} aria-hidden /> History
          </h4>
          <ol>
            {history.map((version) => (
              <li key={version.id} className={version.id === memory.id ? "current" : undefined}>
                <button className="link" onClick={() => onPick(version.id)}>
                  {when(version.created_at)}
                </button>{" "}
                <span className="memory-state">{version.state}</span> {version.text}
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
