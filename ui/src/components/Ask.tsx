// Ask: type what the workflow should do (or how to change it) and see the draft on the canvas
// before anything changes. The request goes to the API's drafter (the default model, else the
// offline drafter, which says so); while it works the box shows what the model writes and each
// repair round; the draft is then drawn as a proposal (added and changed nodes marked, removed
// ones struck through) with its summary and problems, until Accept (one undo step, saved) or
// Reject. Ctrl/Cmd+K focuses the box from anywhere. Explain describes the blueprint in the dock.
import { useEffect, useRef, useState } from "react";
import { create } from "zustand";
import type { Backend } from "../backend/backend";
import type { Answer } from "../generated/client";
import { useDocument } from "../store";

type DraftResult = NonNullable<Answer<"draft_status">["result"]>;
type AskRecord = Answer<"ask_history">[number];
type Explained = Answer<"explain">;

interface AskState {
  /** The draft being made: its id, the text the model wrote so far, each round's problems. */
  drafting: { id: string; streamed: string; rounds: { round: number; problems: string[] }[]; tokens: number; cost: number | null } | null;
  /** The finished draft, shown on the canvas until it is accepted or rejected, and its id. */
  result: DraftResult | null;
  resultId: string | null;
  /** The requests made about the open blueprint, newest first (when shown). */
  history: AskRecord[] | null;
  /** Why drafting gave nothing. */
  error: string | null;
  /** The last explanation, and whether one is being made. */
  explained: Explained | null;
  explaining: boolean;
}

export const useAsk = create<AskState>(() => ({
  drafting: null,
  result: null,
  resultId: null,
  history: null,
  error: null,
  explained: null,
  explaining: false,
}));

/** Records what became of the draft on screen (for the history), and clears it. */
async function decided(backend: Backend, accepted: boolean) {
  const id = useAsk.getState().resultId;
  useAsk.setState({ result: null, resultId: null, error: null, history: null });
  if (id) await backend.decideDraft(id, accepted).catch(() => {});
}

/** Asks the API to draft `text` on the open document (or its selection), following its progress. */
export async function ask(backend: Backend, text: string) {
  const doc = useDocument.getState();
  if (!doc.path || !text.trim()) return;
  const selection = doc.canvas.nodes.filter((n) => n.selected && n.data.proposal !== "removed").map((n) => n.id);
  useAsk.setState({ drafting: null, error: null });
  let started;
  try {
    started = await backend.draft({ text, path: doc.path, document: doc.text(), selection, offline: false });
  } catch (e) {
    useAsk.setState({ error: e instanceof Error ? e.message : String(e) });
    return;
  }
  useAsk.setState({ drafting: { id: started.id, streamed: "", rounds: [], tokens: 0, cost: null } });
  let after = 0;
  for (;;) {
    const current = useAsk.getState().drafting;
    if (!current || current.id !== started.id) return;
    let status;
    try {
      status = await backend.draftStatus(started.id, after);
    } catch (e) {
      useAsk.setState({ drafting: null, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    // Stopped (or replaced by another request) while this answer was on its way.
    if (useAsk.getState().drafting?.id !== started.id) return;
    after = status.next;
    let { streamed, rounds, tokens, cost } = current;
    for (const progress of status.progress) {
      if (progress.type === "text") streamed += progress.delta;
      else {
        rounds = [...rounds, { round: progress.round, problems: progress.problems }];
        tokens = progress.tokens;
        cost = progress.cost_usd ?? null;
      }
    }
    if (!status.result) {
      useAsk.setState({ drafting: { id: started.id, streamed, rounds, tokens, cost } });
      continue;
    }
    const result = status.result;
    useAsk.setState({ drafting: null, result: result.draft ? result : null, resultId: started.id, error: result.error ?? null });
    if (result.text && useDocument.getState().path === doc.path) useDocument.getState().propose(result.text);
    return;
  }
}

/** Stops the draft being made. */
export async function stop(backend: Backend) {
  const drafting = useAsk.getState().drafting;
  if (!drafting) return;
  useAsk.setState({ drafting: null, error: "stopped: nothing changed" });
  await backend.cancelDraft(drafting.id).catch(() => {});
}

/** Explains the open blueprint (as it is in the editor) in the dock. */
export async function explain(backend: Backend) {
  const doc = useDocument.getState();
  if (!doc.path) return;
  useAsk.setState({ explaining: true });
  try {
    const explained = await backend.explain(doc.path, doc.text(), undefined);
    useAsk.setState({ explained, explaining: false });
  } catch (e) {
    useAsk.setState({ explaining: false, error: e instanceof Error ? e.message : String(e) });
  }
}

/** Who answered, in words. */
function drafterText(result: DraftResult): string {
  const drafter = result.drafter;
  if (drafter.kind === "offline") return `Drafted offline: ${drafter.reason}`;
  const draft = result.draft;
  const rounds = draft ? draft.rounds + 1 : 1;
  const tokens = draft ? draft.tokens_in + draft.tokens_out : 0;
  const usd = draft?.cost_usd ?? 0;
  const cost = usd > 0 ? ` · ${usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`}` : "";
  return `Drafted by ${drafter.model} · ${rounds} round${rounds === 1 ? "" : "s"} · ${tokens} tokens${cost}`;
}

export function AskBox({ backend, onSaved, onProposed }: { backend: Backend; onSaved: () => void; onProposed: () => void }) {
  const { drafting, result, error } = useAsk();
  const proposal = useDocument((s) => s.proposal);
  const empty = useDocument((s) => (s.base?.nodes?.length ?? 0) === 0 && !s.proposal);
  const [text, setText] = useState("");
  const input = useRef<HTMLInputElement>(null);
  // A new or empty blueprint: Ask comes first.
  useEffect(() => {
    if (empty) input.current?.focus();
  }, [empty]);

  const submit = () => {
    if (!text.trim() || drafting) return;
    // The whole proposal in view once it is drawn.
    void ask(backend, text).then(() => {
      if (useDocument.getState().proposal) onProposed();
    });
  };
  const accept = async () => {
    useDocument.getState().accept();
    await decided(backend, true);
    setText("");
    await useDocument.getState().save(backend);
    onSaved();
  };
  const reject = () => {
    useDocument.getState().reject();
    void decided(backend, false);
  };
  const path = useDocument((s) => s.path);
  const history = useAsk((s) => s.history);
  const toggleHistory = async () => {
    if (history) {
      useAsk.setState({ history: null });
      return;
    }
    try {
      useAsk.setState({ history: await backend.askHistory(path ?? undefined) });
    } catch (e) {
      useAsk.setState({ error: e instanceof Error ? e.message : String(e) });
    }
  };
  const problems = result?.draft?.problems ?? [];
  const pending = proposal && result;

  return (
    <div className={`ask${empty ? " ask-first" : ""}`}>
      {empty && <p className="ask-hint">Describe what this workflow should do, and Floe drafts it for you to review.</p>}
      <form
        className="ask-row"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="ask-input" className="ask-label">
          Ask
        </label>
        <input
          id="ask-input"
          ref={input}
          value={text}
          placeholder={pending ? "Refine the draft…" : empty ? "e.g. fetch a page, summarise it and save it to summary.md" : "Describe a change… (Ctrl+K)"}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.currentTarget.blur();
              e.stopPropagation();
            }
          }}
        />
        {drafting ? (
          // Its own element (a key of its own): the Draft button that replaces it must not take
          // the same click as a form submission.
          <button
            key="stop"
            type="button"
            className="danger"
            onClick={(e) => {
              e.preventDefault();
              void stop(backend);
            }}
          >
            Stop
          </button>
        ) : (
          <button key="draft" type="submit" className="primary" disabled={!text.trim()}>
            Draft
          </button>
        )}
        <button type="button" className="ask-history-button" onClick={() => void toggleHistory()} aria-expanded={!!history} title="What was asked about this blueprint">
          History
        </button>
      </form>
      {history && (
        <div className="ask-panel" role="region" aria-label="Requests">
          {history.length === 0 ? (
            <p className="hint">Nothing asked about this blueprint yet.</p>
          ) : (
            <ul className="ask-history">
              {history.slice(0, 12).map((record) => (
                <li key={record.id}>
                  <button className="link" onClick={() => setText(record.request)} title="Ask it again">
                    {record.request}
                  </button>
                  <span className={`outcome ${record.outcome}`}>{record.outcome}</span>
                  <span className="hint">
                    {record.drafter} · {new Date(record.at).toLocaleString()}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {drafting && (
        <div className="ask-panel" role="status" aria-label="Drafting">
          <div className="ask-working">
            Drafting{drafting.rounds.length > 0 ? ` · repair round ${drafting.rounds.length}` : ""}…
            {drafting.tokens > 0 && (
              <span className="hint">
                {" "}
                {drafting.tokens} tokens so far{drafting.cost ? ` · $${drafting.cost.toPrecision(2)}` : ""}
              </span>
            )}
          </div>
          {drafting.rounds.filter((r) => r.problems.length > 0).map((r) => (
            <div key={r.round} className="ask-round">
              Round {r.round + 1}: {r.problems.length} problem{r.problems.length === 1 ? "" : "s"}; asking for a repair
            </div>
          ))}
          {drafting.streamed && <pre className="ask-stream">{drafting.streamed.slice(-400)}</pre>}
        </div>
      )}
      {error && !drafting && (
        <div className="ask-panel ask-error" role="alert">
          {error}
          <button className="link" onClick={() => useAsk.setState({ error: null })}>
            Dismiss
          </button>
        </div>
      )}
      {pending && result.draft && (
        <div className="ask-panel ask-proposal" role="region" aria-label="Proposed change">
          <p className="ask-summary">{result.draft.summary}</p>
          <p className="ask-marks">
            <span className="mark added">{proposal.added.length} added</span>
            <span className="mark changed">{proposal.changed.length} changed</span>
            <span className="mark removed">{proposal.removed.length} removed</span>
            {proposal.edited && <span className="hint"> · edited by you since it was drafted: Accept keeps your edits too</span>}
          </p>
          <p className="hint">{drafterText(result)}</p>
          {problems.length > 0 && (
            <ul className="ask-problems" aria-label="Problems in the draft">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <div className="ask-actions">
            <button onClick={reject}>Reject</button>
            <button className={problems.length > 0 ? "danger" : "primary"} onClick={() => void accept()}>
              {problems.length > 0 ? "Accept with problems" : "Accept"}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** The dock's Explain tab. */
export function ExplainView({ backend }: { backend: Backend }) {
  const { explained, explaining } = useAsk();
  const path = useDocument((s) => s.path);
  // With nodes selected, the explanation is about them.
  const selectedIds = useDocument((s) => s.canvas.nodes.filter((n) => n.selected).map((n) => n.id).join(","));
  const selected = selectedIds ? selectedIds.split(",") : [];
  const steps = explained ? explained.explanation.steps.filter((step) => selected.length === 0 || selected.includes(step.node)) : [];
  return (
    <div className="explain">
      <div className="explain-head">
        <button onClick={() => void explain(backend)} disabled={!path || explaining}>
          {explaining ? "Explaining…" : explained ? "Explain again" : "Explain this blueprint"}
        </button>
        {explained && <span className="hint">{explained.by ? `by ${explained.by}` : "by Floe (no model)"}{explained.note ? ` · ${explained.note}` : ""}</span>}
      </div>
      {explained ? (
        <div className="explain-body">
          <p>{selected.length > 0 ? `The ${selected.length === 1 ? "selected node" : `${selected.length} selected nodes`}:` : explained.explanation.summary}</p>
          <ol>
            {steps.map((step) => (
              <li key={step.node} style={{ marginLeft: step.depth * 20 }} data-node={step.node}>
                {step.text.replace(/\*\*/g, "")}
              </li>
            ))}
          </ol>
        </div>
      ) : (
        <p className="hint">What this blueprint does, step by step, in words.</p>
      )}
    </div>
  );
}
