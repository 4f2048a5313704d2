// The run bar: status, time, tokens and cost, pause/continue, cancel, resume; small pieces other run views share.
import { useEffect, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Backend } from "../../backend/backend";
import { formatDuration, isFinal, type RunView } from "../../model/run";
import { useRun } from "../../runStore";
import { useDocument } from "../../store";

/** The run's state in a word, with its colour class. */
export function RunStatusChip({ status }: { status: string }) {
  return <span className={`run-chip run-${status}`}>{status}</span>;
}

export function elapsed(view: RunView): number | null {
  if (view.startedAt === null) return null;
  return (view.finishedAt ?? Math.max(view.now, Date.now())) - view.startedAt;
}

export function cost(usd: number): string {
  return usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** Shows a failed request's message in the toolbar. */
export const fail = (error: unknown) => useDocument.setState({ notice: (error as Error).message });

/** Resumes a run a crash interrupted or a cancel stopped, and shows it. */
export function ResumeButton({ backend, run }: { backend: Backend; run: string }) {
  return (
    <button
      onClick={() =>
        backend
          .resume(run)
          .then(() => useRun.getState().watch(backend, run))
          .catch(fail)
      }
      title="Go on from where it stopped: finished nodes are not run again"
    >
      Resume
    </button>
  );
}

/** The run bar's controls for the run on screen. */
export function RunControls({ backend }: { backend: Backend }) {
  const { view, mode, detail, connection } = useRun(useShallow((s) => ({ view: s.view, mode: s.mode, detail: s.detail, connection: s.connection })));
  // Ticks once a second while running, for the elapsed time.
  const [, tick] = useState(0);
  const running = !!view && !isFinal(view.status) && mode === "live";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => tick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [running]);
  if (!view) return null;
  const took = elapsed(view);
  return (
    <span className="run-controls" data-run={view.id} data-status={view.status}>
      <RunStatusChip status={mode === "replay" ? "replay" : view.status} />
      {took !== null && <span className="run-elapsed">{formatDuration(took)}</span>}
      {connection === "reconnecting" && <span className="notice">reconnecting…</span>}
      {running && (
        <>
          <button
            onClick={() => backend.pause(view.id, view.status !== "paused").catch(fail)}
            title={view.status === "paused" ? "Let the run go on" : "Pause: running nodes finish, no new ones start"}
          >
            {view.status === "paused" ? "Continue" : "Pause"}
          </button>
          <button onClick={() => backend.cancel(view.id).catch(fail)} title="Cancel the run (it stays resumable)">
            Cancel run
          </button>
        </>
      )}
      {detail?.resumable && (view.status === "cancelled" || connection !== "open") && mode !== "replay" && <ResumeButton backend={backend} run={view.id} />}
      <button onClick={() => useRun.getState().clear()} title="Hide the run (the canvas shows the blueprint only)">
        ✕
      </button>
    </span>
  );
}
