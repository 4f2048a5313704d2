import { memo, useMemo, useState } from "react";
import { useCatalog } from "../store";

/** What a palette item adds: a kind, and for `tool` the tool. */
export interface PaletteItem {
  kind: string;
  tool?: string;
  title: string;
  summary: string;
}

export const DRAG_TYPE = "application/x-floe-node";

/** Every node kind and built-in tool, searchable, draggable onto the canvas. */
function PaletteView({ onAdd }: { onAdd: (item: PaletteItem) => void }) {
  const catalog = useCatalog((s) => s.catalog);
  const [query, setQuery] = useState("");
  const items = useMemo<PaletteItem[]>(() => {
    if (!catalog) return [];
    const kinds = catalog.kinds
      .filter((k) => k.kind !== "tool")
      .map((k) => ({ kind: k.kind, title: k.title, summary: k.summary }));
    const tools = catalog.tools.map((t) => ({ kind: "tool", tool: t.tool, title: t.title, summary: t.summary }));
    return [...kinds, ...tools];
  }, [catalog]);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = items.filter((item) => {
    const text = `${item.title} ${item.kind} ${item.tool ?? ""} ${item.summary}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  return (
    <section className="palette" aria-label="Palette">
      <input className="palette-search" placeholder="Search nodes and tools" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ul>
        {shown.map((item) => (
          <li
            key={`${item.kind}:${item.tool ?? ""}`}
            className="palette-item"
            draggable
            data-kind={item.kind}
            data-tool={item.tool}
            title={item.summary}
            onDragStart={(event) => {
              event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(item));
              event.dataTransfer.effectAllowed = "copy";
            }}
            onDoubleClick={() => onAdd(item)}
          >
            <span className="palette-title">{item.title}</span>
            <span className="palette-summary">{item.summary}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Memoised: the shell re-renders when the document becomes unsaved, mid-drag. */
export const Palette = memo(PaletteView);
