// The visual language: each node kind (and each built-in tool) has a colour and an icon, and every
// node says in one line what it is configured to do. The palette, the canvas nodes and the
// inspector's heading take their look from here, so a kind looks the same wherever it appears.
import {
  Bot,
  Brain,
  Braces,
  CodeXml,
  FileSpreadsheet,
  FileText,
  FilePenLine,
  FolderSearch,
  GitBranch,
  Globe,
  Hourglass,
  type LucideIcon,
  Regex,
  Repeat,
  Scissors,
  Sheet,
  ShieldCheck,
  Sparkles,
  Split,
  Type,
  Undo2 as Recur,
  Workflow,
  Wrench,
} from "lucide-react";
import type { Node as BlueprintNode } from "../generated/blueprint";
import type { CatalogDoc } from "../generated/catalog";

export interface Look {
  /** The kind's hue: the icon tile, the node's top edge, its ports. Mid-tone, legible on light and dark panels. */
  color: string;
  icon: LucideIcon;
}

const KINDS: Record<string, Look> = {
  llm: { color: "#7c5cff", icon: Sparkles },
  agent: { color: "#c026d3", icon: Bot },
  code: { color: "#d97706", icon: CodeXml },
  condition: { color: "#ea580c", icon: GitBranch },
  loop: { color: "#0d9488", icon: Repeat },
  parallel: { color: "#0891b2", icon: Split },
  recursive: { color: "#059669", icon: Recur },
  workflow: { color: "#4f46e5", icon: Workflow },
  approval: { color: "#e11d48", icon: ShieldCheck },
};

const TOOLS: Record<string, Look> = {
  http_request: { color: "#2563eb", icon: Globe },
  read_file: { color: "#16a34a", icon: FileText },
  write_file: { color: "#16a34a", icon: FilePenLine },
  list_files: { color: "#16a34a", icon: FolderSearch },
  csv_read: { color: "#15803d", icon: Sheet },
  csv_write: { color: "#15803d", icon: FileSpreadsheet },
  json_query: { color: "#0284c7", icon: Braces },
  regex_extract: { color: "#0284c7", icon: Regex },
  text_split: { color: "#0284c7", icon: Scissors },
  text_template: { color: "#0284c7", icon: Type },
  sleep: { color: "#78716c", icon: Hourglass },
  memory_search: { color: "#9333ea", icon: Brain },
  memory_remember: { color: "#9333ea", icon: Brain },
  memory_record: { color: "#9333ea", icon: Brain },
  memory_forget: { color: "#9333ea", icon: Brain },
  procedure_lookup: { color: "#9333ea", icon: Brain },
  procedure_outcome: { color: "#9333ea", icon: Brain },
};

/** Tools from other sources (memory, MCP servers) share one look until they bring their own. */
const OTHER_TOOL: Look = { color: "#64748b", icon: Wrench };

/** The look of a kind, or of a `tool` node's tool. */
export function lookOf(kind: string, tool?: string | null): Look {
  if (kind === "tool") return (tool && TOOLS[tool]) || OTHER_TOOL;
  return KINDS[kind] ?? OTHER_TOOL;
}

/** The tool a `tool` node calls, if it names one. */
export function toolOf(node: BlueprintNode): string | null {
  const tool = (node.config as { tool?: unknown } | undefined)?.tool;
  return node.kind === "tool" && typeof tool === "string" ? tool : null;
}

/** A kind's (or tool's) display name from the catalogue. */
export function kindLabel(node: BlueprintNode, catalog: CatalogDoc | null): string {
  const tool = toolOf(node);
  if (tool) return catalog?.tools.find((t) => t.tool === tool)?.title ?? tool;
  return catalog?.kinds.find((k) => k.kind === node.kind)?.title ?? node.kind;
}

/** The first line of a text, cut to `max` characters. */
export function oneLine(text: string, max = 60): string {
  const line = text.trim().split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const str = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

/** The argument that says most about a tool call, by tool. */
const MAIN_ARG: Record<string, string[]> = {
  http_request: ["method", "url"],
  read_file: ["path"],
  write_file: ["path"],
  list_files: ["dir", "glob"],
  csv_read: ["path"],
  csv_write: ["path"],
  json_query: ["query"],
  regex_extract: ["pattern"],
  text_split: ["mode", "chunk_size"],
  text_template: ["template"],
  sleep: ["duration"],
};

/** What a node is configured to do, in one line: the model, the tool and its main argument, the condition… */
export function summaryOf(node: BlueprintNode): string {
  const config = (node.config ?? {}) as Record<string, unknown>;
  switch (node.kind) {
    case "llm":
      return str(config.model) === "default" || !str(config.model) ? "default model" : String(config.model);
    case "agent": {
      const tools = Array.isArray(config.tools) ? config.tools.length : 0;
      const model = str(config.model) && config.model !== "default" ? String(config.model) : "default model";
      return `${model} · ${tools} tool${tools === 1 ? "" : "s"}`;
    }
    case "code":
      return oneLine(str(config.source) ?? "");
    case "condition": {
      const cases = Array.isArray(config.cases) ? config.cases.map((c) => String((c as { name?: unknown })?.name ?? "?")) : [];
      return cases.length ? oneLine(`${cases.length} cases: ${cases.join(", ")}`) : oneLine(str(config.expression) ?? "");
    }
    case "loop": {
      const at = typeof config.concurrency === "number" ? ` · ${config.concurrency} at once` : "";
      return oneLine(`each of ${str(config.items) ?? "items"}${at}`);
    }
    case "parallel": {
      const branches = config.branches && typeof config.branches === "object" ? Object.keys(config.branches).length : 0;
      return `${str(config.mode) ?? "all"} of ${branches} branch${branches === 1 ? "" : "es"}`;
    }
    case "recursive":
      return oneLine(`until ${str(config.until) ?? "…"}${typeof config.max_iterations === "number" ? ` · ≤ ${config.max_iterations}` : ""}`);
    case "workflow":
      return str(config.blueprint) ?? "";
    case "approval":
      return oneLine(str(config.message) ?? "");
    case "tool": {
      const args = (config.args ?? {}) as Record<string, unknown>;
      const tool = toolOf(node);
      const keys: string[] = (tool ? MAIN_ARG[tool] : undefined) ?? Object.keys(args).slice(0, 1);
      const parts = keys.map((k) => args[k]).filter((v) => v !== undefined && v !== null && v !== "");
      return oneLine(parts.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(" "));
    }
    default:
      return "";
  }
}

/** A value in one line for a node's output preview: text as it is, anything else as compact JSON. */
export function preview(value: unknown, max = 80): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return oneLine(text.replace(/\s+/g, " "), max);
}

/** The icon tile of a kind: white glyph on the kind's colour. */
export function KindIcon({ look, size = 16 }: { look: Look; size?: number }) {
  const Icon = look.icon;
  return (
    <span className="kind-icon" style={{ background: look.color, width: size + 8, height: size + 8 }} aria-hidden>
      <Icon size={size} strokeWidth={2} color="white" />
    </span>
  );
}

/** A message from the engine, with its `quoted` names set as code (ids, tools, fields). */
export function Ticked({ text }: { text: string }) {
  const parts = text.split(/`([^`\n]+)`/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="ticked">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}
