// Watching runs: the dock under the canvas (the run's summary and the selected node's trace, the
// timeline, the blueprint's history, the problems) and the replay bar. Its parts live in `run/`:
// `controls` (the run bar), `inputs` (the inputs form), `trace`, `timeline`, `history`.
import { ChevronDown, ChevronUp } from "lucide-react";
import type { ReactNode } from "react";
import { ExplainView } from "./Ask";
import type { Backend } from "../backend/backend";
import { formatDuration } from "../model/run";
import { usePanels } from "../panels";
import { useRun } from "../runStore";
import { useDocument } from "../store";
import { History } from "./run/history";
import { JsonView, NodeTrace } from "./run/trace";
import { Timeline } from "./run/timeline";
import { RunStatusChip, cost, elapsed } from "./run/controls";

export { RunControls } from "./run/controls";
export { rememberedInputs, RunInputsDialog } from "./run/inputs";


/** The replay's controls: play / pause, speed, position. */
function ReplayBar() {
  const replay = useRun((s) => s.replay);
  if (!replay) return null;
  return (
    <div className="replay-bar" aria-label="Replay">
      <button onClick={() => useRun.getState().togglePlay()}>{replay.playing ? "Pause" : "Play"}</button>
      <select value={replay.speed} onChange={(e) => useRun.getState().setSpeed(Number(e.target.value))} aria-label="Replay speed">
        <option value={1}>1×</option>
        <option value={4}>4×</option>
        <option value={16}>16×</option>
        <option value={0}>instant</option>
      </select>
      <input type="range" min={0} max={replay.events.length} value={replay.position} onChange={(e) => useRun.getState().seek(Number(e.target.value))} aria-label="Replay position" />
      <span className="hint">
        {replay.position} / {replay.events.length} events
      </span>
    </div>
  );
}

export type DockTab = "run" | "timeline" | "history" | "problems" | "explain";

/** The dock under the canvas. */
export function RunDock({
  backend,
  tab,
  onTab,
  open,
  height,
  problems,
  selectedPath,
  selectedKind,
  onSelectPath,
  onOpenChild,
}: {
  backend: Backend;
  tab: DockTab;
  onTab: (tab: DockTab) => void;
  /** Hidden, only its tabs show (a tab opens it). */
  open: boolean;
  height: number;
  problems: ReactNode;
  selectedPath: string | null;
  selectedKind: string | null;
  onSelectPath: (path: string) => void;
  onOpenChild: (path: string) => void;
}) {
  const view = useRun((s) => s.view);
  const node = selectedPath ? view?.nodes.get(selectedPath) : undefined;
  const problemCount = useDocument((s) => s.check?.diagnostics.length ?? 0);
  const tabs: [DockTab, string][] = [
    ["run", "Run"],
    ["timeline", "Timeline"],
    ["history", "History"],
    ["problems", "Problems"],
    ["explain", "Explain"],
  ];
  return (
    <section className={open ? "dock" : "dock closed"} aria-label="Run and problems" style={open ? { height } : undefined}>
      <div className="dock-tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" aria-selected={open && tab === id} className={open && tab === id ? "tab active" : "tab"} onClick={() => onTab(id)}>
            {label}
            {id === "problems" && <span className={`problem-count${problemCount > 0 ? " some" : ""}`}>{problemCount}</span>}
          </button>
        ))}
        <ReplayBar />
        <button
          type="button"
          className="dock-toggle"
          aria-label={open ? "Hide the run panel" : "Show the run panel"}
          data-tip={`${open ? "Hide" : "Show"} the run panel · Ctrl+J`}
          onClick={() => usePanels.getState().toggle("dock")}
        >
          {open ? <ChevronDown size={16} aria-hidden /> : <ChevronUp size={16} aria-hidden />}
        </button>
      </div>
      {open && <div className="dock-body">
        {tab === "problems" && problems}
        {tab === "explain" && <ExplainView backend={backend} />}
        {tab === "history" && <History backend={backend} />}
        {tab === "timeline" && (view ? <Timeline view={view} onSelect={onSelectPath} /> : <p className="hint">No run on screen. Run the blueprint (Ctrl+Enter) or open one from History.</p>)}
        {tab === "run" &&
          (view ? (
            <div className="run-summary">
              <div className="run-facts">
                <RunStatusChip status={view.status} />
                <span>{view.id}</span>
                {view.startedAt !== null && <span>{formatDuration(elapsed(view) ?? 0)}</span>}
                {(view.usage.input > 0 || view.usage.output > 0 || view.usage.cost > 0) && (
                  <span>
                    {view.usage.input + view.usage.output} tokens · {cost(view.usage.cost)}
                  </span>
                )}
                {view.resumed && <span className="hint">resumed</span>}
                {view.budget && <span className="error">budget reached: {view.budget}</span>}
                {view.error && <span className="error">{view.error}</span>}
              </div>
              {node ? (
                <NodeTrace backend={backend} node={node} kind={selectedKind} onOpenChild={() => onOpenChild(node.path)} />
              ) : (
                <div className="values">
                  <p className="hint">Select a node to see its inputs, outputs, attempts and logs.</p>
                  {Object.keys(view.inputs).length > 0 && <JsonView value={view.inputs} label="Run inputs" />}
                  {view.outputs && <JsonView value={view.outputs} label="Run outputs" />}
                </div>
              )}
            </div>
          ) : (
            <p className="hint">No run on screen. Run the blueprint with Run (Ctrl+Enter), or open a past run from History.</p>
          ))}
      </div>}
    </section>
  );
}
