// The edge of a panel: drag it to resize the panel, double-click it (or press Enter on it) to hide
// the panel, arrow keys to resize from the keyboard.
import { useRef } from "react";
import { type PanelName, usePanels } from "../panels";

/** Which way a drag grows the panel: a sidebar on the left grows to the right, the dock grows up. */
const GROWS: Record<PanelName, { axis: "x" | "y"; sign: 1 | -1 }> = {
  sidebar: { axis: "x", sign: 1 },
  inspector: { axis: "x", sign: -1 },
  dock: { axis: "y", sign: -1 },
};

const LABELS: Record<PanelName, string> = { sidebar: "sidebar", inspector: "inspector", dock: "run panel" };

export function Splitter({ panel }: { panel: PanelName }) {
  const size = usePanels((s) => s[panel].size);
  const drag = useRef<{ from: number; size: number } | null>(null);
  const { axis, sign } = GROWS[panel];
  const coordinate = (event: { clientX: number; clientY: number }) => (axis === "x" ? event.clientX : event.clientY);
  return (
    <div
      className={`splitter splitter-${axis}`}
      role="separator"
      aria-orientation={axis === "x" ? "vertical" : "horizontal"}
      aria-label={`Resize the ${LABELS[panel]} (double-click hides it)`}
      aria-valuenow={size}
      tabIndex={0}
      onPointerDown={(event) => {
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { from: coordinate(event), size };
        document.body.classList.add("resizing");
      }}
      onPointerMove={(event) => {
        if (!drag.current) return;
        usePanels.getState().resize(panel, drag.current.size + sign * (coordinate(event) - drag.current.from));
      }}
      onPointerUp={() => {
        drag.current = null;
        document.body.classList.remove("resizing");
      }}
      onDoubleClick={() => usePanels.getState().toggle(panel)}
      onKeyDown={(event) => {
        const step = event.shiftKey ? 40 : 10;
        const grow: Record<string, number> = axis === "x" ? { ArrowRight: sign * step, ArrowLeft: -sign * step } : { ArrowUp: step, ArrowDown: -step };
        const delta = grow[event.key];
        if (delta !== undefined) {
          event.preventDefault();
          usePanels.getState().resize(panel, size + delta);
        } else if (event.key === "Enter") {
          usePanels.getState().toggle(panel);
        }
      }}
    />
  );
}
