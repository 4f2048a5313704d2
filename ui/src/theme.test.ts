// The themes' contrast, checked from the stylesheet itself: every text colour on every surface it
// is drawn on meets WCAG AA for normal text (4.5:1), and graphics (edges, the kinds' icon tiles)
// meet 3:1 for non-text contrast, in both themes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lookOf } from "./components/look";

const css = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "styles.css"), "utf8");

/** The custom properties set by every block with exactly this selector, in order. */
function tokens(selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  const escaped = selector.replace(/[[\]"()]/g, "\\$&");
  for (const block of css.matchAll(new RegExp(`(?:^|\\n)${escaped}\\s*\\{([^}]*)\\}`, "g"))) {
    for (const [, name, value] of block[1].matchAll(/(--[\w-]+):\s*([^;]+);/g)) out[name] = value.trim();
  }
  return out;
}

const light = tokens(":root");
const dark = { ...light, ...tokens(':root[data-theme="dark"]') };

function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const TEXT: [string, string[]][] = [
  ["--text", ["--panel", "--panel-2", "--bg", "--canvas", "--hover"]],
  ["--muted", ["--panel", "--panel-2", "--bg", "--canvas"]],
  ["--accent", ["--panel", "--panel-2"]],
  ["--error", ["--panel", "--panel-2"]],
  ["--warning", ["--panel", "--panel-2"]],
  ["--success", ["--panel"]],
  ["--on-accent", ["--accent-strong", "--success-strong"]],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("the %s theme", (_, theme) => {
  it.each(TEXT.flatMap(([fg, bgs]) => bgs.map((bg) => [fg, bg] as const)))("%s on %s is readable (4.5:1)", (fg, bg) => {
    expect(contrast(theme[fg], theme[bg])).toBeGreaterThanOrEqual(4.5);
  });
  it("draws edges that stand out from the canvas (3:1)", () => {
    expect(contrast(theme["--edge"], theme["--canvas"])).toBeGreaterThanOrEqual(3);
  });
});

describe("the kinds' icon tiles", () => {
  const kinds = ["llm", "agent", "code", "condition", "loop", "parallel", "recursive", "workflow", "approval"];
  const tools = ["http_request", "read_file", "write_file", "list_files", "csv_read", "csv_write", "json_query", "regex_extract", "text_split", "text_template", "sleep", "memory_search", "an_mcp_tool"];
  it.each([...kinds.map((k) => lookOf(k)), ...tools.map((t) => lookOf("tool", t))].map((l) => [l.color]))("white on %s is visible (3:1)", (color) => {
    expect(contrast("#ffffff", color)).toBeGreaterThanOrEqual(3);
  });
});
