import { memo, useMemo, useState } from "react";
import type { CatalogDoc } from "../generated/catalog";
import { useCatalog } from "../store";
import { KindIcon, lookOf } from "./look";

/** What a palette item adds: a kind, and for `tool` the tool. */
export interface PaletteItem {
  kind: string;
  tool?: string;
  title: string;
  summary: string;
}

export const DRAG_TYPE = "application/x-floe-node";

/** The palette's groups, in order; built-in tools by what they work on, other sources' tools under their source. */
const GROUPS: [string, (item: PaletteItem) => boolean][] = [
  ["AI", (i) => i.kind === "llm" || i.kind === "agent"],
  ["Flow", (i) => ["condition", "loop", "parallel", "recursive", "workflow", "approval"].includes(i.kind)],
  ["Data", (i) => i.kind === "code" || ["json_query", "regex_extract", "text_split", "text_template"].includes(i.tool ?? "")],
  ["Files and web", (i) => ["read_file", "write_file", "list_files", "csv_read", "csv_write", "http_request"].includes(i.tool ?? "")],
];

function grouped(items: PaletteItem[], catalog: CatalogDoc): [string, PaletteItem[]][] {
  const groups = new Map<string, PaletteItem[]>();
  for (const item of items) {
    const source = item.tool ? catalog.tools.find((t) => t.tool === item.tool)?.source : undefined;
    const name = GROUPS.find(([, holds]) => holds(item))?.[0] ?? (source === "memory" ? "Memory" : source === "floe" ? "Workflows" : source?.startsWith("mcp:") ? `${source.slice(4)} (MCP)` : source && source !== "builtin" ? source : "Other");
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  const order = (name: string) => {
    const at = GROUPS.findIndex(([g]) => g === name);
    return at < 0 ? GROUPS.length : at;
  };
  return [...groups].sort(([a], [b]) => order(a) - order(b));
}

/** Every node kind and tool, grouped and searchable: drag one onto the canvas, or double-click it (or press Enter on it) to add it by the selection. */
function PaletteView({ onAdd }: { onAdd: (item: PaletteItem) => void }) {
  const catalog = useCatalog((s) => s.catalog);
  const [query, setQuery] = useState("");
  const items = useMemo<PaletteItem[]>(() => {
    if (!catalog) return [];
    const kinds = catalog.kinds.filter((k) => k.kind !== "tool").map((k) => ({ kind: k.kind, title: k.title, summary: k.summary }));
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
      <div className="section-head">
        <span className="section-title">Add nodes</span>
      </div>
      <input
        className="palette-search"
        placeholder="Search nodes and tools"
        aria-label="Search nodes and tools"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          // Enter adds the first match: type a few letters, press Enter.
          if (e.key === "Enter" && shown.length > 0) onAdd(shown[0]);
        }}
      />
      <ul className="palette-list">
        {catalog &&
          grouped(shown, catalog).map(([group, members]) => (
            <li key={group}>
              <div className="palette-group">{group}</div>
              <ul className="palette-members">
                {members.map((item) => (
                  <li
                    key={`${item.kind}:${item.tool ?? ""}`}
                    className="palette-item"
                    draggable
                    tabIndex={0}
                    data-kind={item.kind}
                    data-tool={item.tool}
                    title={item.summary}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(item));
                      event.dataTransfer.effectAllowed = "copy";
                    }}
                    onDoubleClick={() => onAdd(item)}
                    onKeyDown={(event) => {
                      if (event.key === "Enter") onAdd(item);
                    }}
                  >
                    <KindIcon look={lookOf(item.kind, item.tool)} size={14} />
                    <span className="palette-title">{item.title}</span>
                    <span className="palette-summary">{item.summary}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        {shown.length === 0 && <li className="palette-empty">Nothing matches “{query}”.</li>}
      </ul>
    </section>
  );
}

/** Memoised: the shell re-renders when the document becomes unsaved, mid-drag. */
export const Palette = memo(PaletteView);
