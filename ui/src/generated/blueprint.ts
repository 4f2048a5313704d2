// Generated from schemas/blueprint.v1.schema.json by ui/scripts/codegen-types.mjs; do not edit.

/**
 * When a node with several inbound edges may run.
 */
export type JoinRule = "all" | "any" | "none_failed" | "always";
/**
 * What a node does once it has failed for good.
 */
export type OnError =
  | {
      action: "fail";
    }
  | {
      action: "skip";
    }
  | {
      action: "default";
      /**
       * The value used instead of the node's output.
       */
      value: {
        [k: string]: unknown;
      };
    }
  | {
      action: "error_port";
    };
/**
 * The closed set of error classes every failure is sorted into.
 */
export type ErrorClass =
  | "timeout"
  | "rate_limited"
  | "overloaded"
  | "network"
  | "server"
  | "auth"
  | "bad_request"
  | "context_too_long"
  | "stream_broken"
  | "unparseable"
  | "invalid_output"
  | "sandbox"
  | "tool";
/**
 * One node: a kind, its kind-specific config, extra ports, policy and, for containers, a body.
 */
export type Node = {
  /**
   * The sub-graph of a container kind (loop, parallel, recursive).
   */
  body?: Body | null;
  /**
   * Kind-specific configuration (a JSON object), validated against the kind's config schema.
   */
  config?: {
    [k: string]: unknown;
  };
  /**
   * Free text notes.
   */
  description?: string;
  /**
   * Unique across the whole blueprint, bodies included. An identifier: templates read
   * `nodes.<id>.<port>`.
   */
  id: string;
  /**
   * Extra named input ports (their values are `inputs.<name>` in templates).
   */
  inputs?: PortSpec[];
  /**
   * One of the catalogue's kinds: tool, llm, agent, code, condition, loop, parallel,
   * recursive, workflow, approval.
   */
  kind: "tool" | "llm" | "agent" | "code" | "condition" | "loop" | "parallel" | "recursive" | "workflow" | "approval";
  /**
   * Extra named output ports, for kinds whose outputs the user shapes (code).
   */
  outputs?: PortSpec[];
  policy?: Policy1;
  /**
   * Shown on the canvas; defaults to the id.
   */
  title?: string;
};
/**
 * How a node failure affects the rest of the run.
 */
export type RunFailurePolicy = "halt" | "continue_possible" | "always";

/**
 * A workflow graph: run inputs and outputs, nodes, edges, default policies and a layout kept
 * apart from the logic.
 */
export interface Blueprint {
  /**
   * Optional JSON Schema reference so editors can autocomplete.
   */
  $schema?: string | null;
  /**
   * The model a node whose `model` is `"default"` calls (`provider:model`); without it, the
   * default model chosen in the settings.
   */
  default_model?: string | null;
  defaults?: Policy;
  /**
   * What the workflow does.
   */
  description?: string;
  /**
   * Port-to-port connections of the top-level graph.
   */
  edges?: Edge[];
  /**
   * Always `"floe.blueprint"`.
   */
  format: "floe.blueprint";
  /**
   * Stable identifier (an identifier: letters, digits, `_`, `-`).
   */
  id: string;
  /**
   * Typed run inputs, by name.
   */
  inputs?: {
    [k: string]: RunInput;
  };
  layout?: Layout;
  /**
   * Human-readable name.
   */
  name: string;
  /**
   * The nodes of the top-level graph.
   */
  nodes?: Node[];
  /**
   * Run outputs, by name, each read from a node output port.
   */
  outputs?: {
    [k: string]: RunOutput;
  };
  run?: RunPolicy;
  /**
   * Format version; migrations upgrade older documents to this one.
   */
  version: number;
}
/**
 * Policies every node inherits unless it sets its own.
 */
export interface Policy {
  /**
   * When a node with several inbound edges may start (built-in default: `all`).
   */
  join?: JoinRule | null;
  /**
   * What happens when the node fails after its retries (built-in default: fail the run).
   */
  on_error?: OnError | null;
  /**
   * Retry on failure (built-in default: a single attempt, no retry).
   */
  retry?: RetryPolicy | null;
  /**
   * Per-attempt time limit, e.g. `"30s"` (built-in default: none).
   */
  timeout?: string | null;
}
/**
 * Exponential backoff with jitter and a cap.
 *
 * The delay before attempt `n + 1` is `min(initial * multiplier^(n-1), max_delay)`, spread by
 * ±`jitter` (a fraction); a `Retry-After` carried by the error wins when it is longer.
 */
export interface RetryPolicy {
  /**
   * Total attempts including the first, 1–100.
   */
  attempts: number;
  /**
   * First delay (default `"500ms"`).
   */
  initial?: string | null;
  /**
   * Random spread as a fraction of the delay, 0.0–1.0 (default 0.2).
   */
  jitter?: number | null;
  /**
   * Cap on any single delay (default `"30s"`).
   */
  max_delay?: string | null;
  /**
   * Growth factor per attempt, 1.0–10.0 (default 2.0).
   */
  multiplier?: number | null;
  /**
   * Error classes that are retried (default: the transient ones, see [`ErrorClass::transient`]).
   */
  on?: ErrorClass[] | null;
}
/**
 * A connection from an output port to an input port, both written `node.port`.
 *
 * A `to` without a port (`"node"`) is an ordering edge: the target waits for the source and may
 * read it in templates as `nodes.<source>.<port>`.
 */
export interface Edge {
  /**
   * Source, `node.port`.
   */
  from: string;
  /**
   * Target, `node.port` (or `node` for an ordering edge).
   */
  to: string;
}
/**
 * A typed run input.
 */
export interface RunInput {
  /**
   * Used when the run does not give a value.
   */
  default?: {
    [k: string]: unknown;
  };
  /**
   * Shown in the run form.
   */
  description?: string;
  /**
   * The JSON type the value must have.
   */
  type?: "any" | "string" | "number" | "integer" | "boolean" | "object" | "array";
}
/**
 * Positions, sizes and comments: never read by the compiler or the engine.
 */
export interface Layout {
  /**
   * Sticky notes on the canvas.
   */
  comments?: Comment[];
  /**
   * Node boxes by node id (bodies included).
   */
  nodes?: {
    [k: string]: NodeBox;
  };
}
/**
 * A sticky note.
 */
export interface Comment {
  /**
   * A CSS colour name or hex value.
   */
  color?: string | null;
  /**
   * Height.
   */
  height?: number | null;
  /**
   * Unique among comments.
   */
  id: string;
  /**
   * Markdown text.
   */
  text: string;
  /**
   * Width.
   */
  width?: number | null;
  /**
   * Left edge.
   */
  x: number;
  /**
   * Top edge.
   */
  y: number;
}
/**
 * Where a node sits and how big it is.
 */
export interface NodeBox {
  /**
   * Shown folded.
   */
  collapsed?: boolean;
  /**
   * Height when resized.
   */
  height?: number | null;
  /**
   * Width when resized (containers, comments).
   */
  width?: number | null;
  /**
   * Left edge, canvas units.
   */
  x: number;
  /**
   * Top edge, canvas units.
   */
  y: number;
}
/**
 * The sub-graph inside a container node.
 */
export interface Body {
  /**
   * Edges between body nodes.
   */
  edges?: Edge[];
  /**
   * Nodes of the body.
   */
  nodes?: Node[];
}
/**
 * A named, typed port declared on a node.
 */
export interface PortSpec {
  /**
   * What the port carries.
   */
  description?: string;
  /**
   * Port name (an identifier).
   */
  name: string;
  /**
   * JSON type carried by the port.
   */
  type?: "any" | "string" | "number" | "integer" | "boolean" | "object" | "array";
}
/**
 * Retry, timeout, on-error and join policy; unset fields inherit the blueprint defaults.
 */
export interface Policy1 {
  /**
   * When a node with several inbound edges may start (built-in default: `all`).
   */
  join?: JoinRule | null;
  /**
   * What happens when the node fails after its retries (built-in default: fail the run).
   */
  on_error?: OnError | null;
  /**
   * Retry on failure (built-in default: a single attempt, no retry).
   */
  retry?: RetryPolicy | null;
  /**
   * Per-attempt time limit, e.g. `"30s"` (built-in default: none).
   */
  timeout?: string | null;
}
/**
 * A run output, read from `node.port` of a top-level node.
 */
export interface RunOutput {
  /**
   * What the output holds.
   */
  description?: string;
  /**
   * The source port, written `node.port`.
   */
  from: string;
}
/**
 * Run-level policy: timeout, failure handling, concurrency, budget.
 */
export interface RunPolicy {
  /**
   * The MCP servers whose tools this blueprint's agents may call (by name, as in the
   * settings). A model chooses an agent's calls and their arguments, so another server's
   * tools are refused to agents unless listed here; `tool` nodes, whose calls the blueprint
   * spells out, may call any tool. Built-in and memory tools are always allowed.
   */
  agent_tools?: string[];
  /**
   * Tools this blueprint's agents may call without asking first: tool names, or a server's
   * name (or `floe`) for all its tools. An agent's call to a tool of an MCP server or of
   * Floe's own that can change something otherwise waits for a person's approval ("always
   * for this blueprint" in the app adds the tool here).
   */
  approved_tools?: string[];
  /**
   * Whether MCP clients (`floe mcp`, `floe serve`'s `/mcp`) are offered this blueprint as a
   * tool (default yes: every blueprint of the folder is; `false` keeps it to the app).
   */
  as_tool?: boolean | null;
  /**
   * Spending limit; crossing it stops the run cleanly.
   */
  budget?: Budget | null;
  /**
   * Most nodes running at once in this run, 1–1024 (default: the engine's limit).
   */
  max_concurrency?: number | null;
  /**
   * What a failed node does to the run (default `halt`).
   */
  on_failure?: RunFailurePolicy | null;
  /**
   * Wall-clock limit for the whole run, e.g. `"10m"`.
   */
  timeout?: string | null;
}
/**
 * Spending limits for one run.
 */
export interface Budget {
  /**
   * Most tokens (input + output) the run may use.
   */
  max_tokens?: number | null;
  /**
   * Most US dollars the run may spend on model calls.
   */
  max_usd?: number | null;
}
