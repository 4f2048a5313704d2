// A blueprint's run history: open, replay, resume and compare past runs.
import { diffLines } from "diff";
import { useEffect, useMemo, useState } from "react";
import type { Backend } from "../../backend/backend";
import { formatDuration } from "../../model/run";
import { useRun } from "../../runStore";
import { useDocument } from "../../store";
import { ResumeButton, RunStatusChip, cost, fail } from "./controls";

/** The blueprint that ran beside the current one, line by line. */
function Compare({ before, after, onClose }: { before: string; after: string; onClose: () => void }) {
  // A file's last newline is not a difference worth showing.
  const parts = useMemo(() => diffLines(`${before.trimEnd()}\n`, `${after.trimEnd()}\n`), [before, after]);
  const same = parts.every((p) => !p.added && !p.removed);
  return (
    <div className="modal" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal-body compare" role="dialog" aria-label="Compare with the blueprint that ran">
        <h2>The blueprint that ran → the current one</h2>
        {same ? (
          <p>No differences: the run used exactly this blueprint.</p>
        ) : (
          <pre className="diff">
            {parts.map((p, i) => (
              <span key={i} className={p.added ? "added" : p.removed ? "removed" : "same"}>
                {p.value
                  .replace(/\n$/, "")
                  .split("\n")
                  .map((line) => `${p.added ? "+ " : p.removed ? "- " : "  "}${line}`)
                  .join("\n")}
                {"\n"}
              </span>
            ))}
          </pre>
        )}
        <div className="modal-actions">
          <button className="primary" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** The blueprint's runs, newest first: open one, replay it, resume it, compare its blueprint. */
export function History({ backend }: { backend: Backend }) {
  const history = useRun((s) => s.history);
  const shown = useRun((s) => s.view?.id);
  const blueprint = useDocument((s) => s.base?.id);
  const [compare, setCompare] = useState<{ before: string; after: string } | null>(null);
  useEffect(() => {
    if (blueprint) void useRun.getState().loadHistory(backend, blueprint);
  }, [backend, blueprint, shown]);
  if (!blueprint) return <p className="hint">Open a blueprint to see its runs.</p>;
  if (history.length === 0) return <p className="hint">No runs yet. Run it with Ctrl+Enter.</p>;
  return (
    <>
      <table className="history">
        <thead>
          <tr>
            <th>Status</th>
            <th>Started</th>
            <th>Duration</th>
            <th>Nodes</th>
            <th>Model use</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((run) => {
            const status = run.interrupted ? "interrupted" : run.status;
            return (
              <tr key={run.id} className={run.id === shown ? "current" : undefined} data-run={run.id}>
                <td>
                  <RunStatusChip status={status} />
                </td>
                <td title={run.id}>{new Date(run.started_at).toLocaleString()}</td>
                <td>{run.finished_at ? formatDuration(run.finished_at - run.started_at) : "—"}</td>
                <td>
                  {run.nodes_succeeded} ✓{run.nodes_failed > 0 && ` ${run.nodes_failed} ✗`}
                  {run.nodes_skipped > 0 && ` ${run.nodes_skipped} skipped`}
                </td>
                <td>{run.tokens_in + run.tokens_out > 0 || run.cost_usd > 0 ? `${run.tokens_in + run.tokens_out} tokens · ${cost(run.cost_usd)}` : "—"}</td>
                <td className="actions">
                  <button onClick={() => useRun.getState().watch(backend, run.id)} title="Show this run's state on the canvas">
                    Open
                  </button>
                  <button onClick={() => void useRun.getState().startReplay(backend, run.id, 4)} title="Play its events again, 4× as fast">
                    Replay
                  </button>
                  {(run.interrupted || run.status === "cancelled") && <ResumeButton backend={backend} run={run.id} />}
                  <button
                    onClick={() =>
                      backend
                        .runDetail(run.id)
                        .then((detail) => setCompare({ before: detail.text, after: useDocument.getState().text() }))
                        .catch(fail)
                    }
                    title="Compare the blueprint that ran with the current one"
                  >
                    Compare
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {compare && <Compare before={compare.before} after={compare.after} onClose={() => setCompare(null)} />}
    </>
  );
}
