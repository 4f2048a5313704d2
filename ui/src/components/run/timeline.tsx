// The timeline: a Gantt chart of every attempt of every node of the run on screen.
import { memo, useMemo } from "react";
import { formatDuration, pathTitle, type RunView } from "../../model/run";
import { useTitles } from "../../store";

/** The timeline: one bar per node attempt, on the run's time axis. */
export const Timeline = memo(function Timeline({ view, onSelect }: { view: RunView; onSelect: (path: string) => void }) {
  const rows = useMemo(() => {
    const all = [...view.nodes.values()].filter((n) => n.spans.length > 0);
    all.sort((a, b) => a.spans[0].start - b.spans[0].start);
    return all.slice(0, 500);
  }, [view.nodes]);
  const start = view.startedAt ?? rows[0]?.spans[0].start ?? 0;
  const end = Math.max(view.finishedAt ?? view.now, ...rows.map((r) => r.spans[r.spans.length - 1].end ?? view.now), start + 1);
  const span = end - start;
  const titles = useTitles();
  return (
    <div className="timeline" aria-label="Timeline">
      <div className="timeline-axis">
        <span>0</span>
        <span>{formatDuration(span / 2)}</span>
        <span>{formatDuration(span)}</span>
      </div>
      {rows.map((n) => (
        <button key={n.path} className="timeline-row" onClick={() => onSelect(n.path)} title={`${n.path}: ${n.status}`}>
          <span className="timeline-name">{pathTitle(n.path, titles)}</span>
          <span className="timeline-track">
            {n.spans.map((s, i) => (
              <span
                key={i}
                className={`timeline-bar run-${s.status}`}
                style={{ left: `${((s.start - start) / span) * 100}%`, width: `max(2px, ${(((s.end ?? view.now) - s.start) / span) * 100}%)` }}
                title={`attempt ${s.attempt}: ${formatDuration((s.end ?? view.now) - s.start)}`}
              />
            ))}
          </span>
        </button>
      ))}
      {view.nodes.size > rows.length && rows.length === 500 && <div className="hint">First 500 nodes shown.</div>}
    </div>
  );
});
