// Generated from schemas/catalog.schema.json by ui/scripts/codegen-types.mjs; do not edit.

/**
 * The catalogue as clients receive it.
 */
export interface CatalogDoc {
  /**
   * Every node kind.
   */
  kinds: KindDoc[];
  /**
   * Every tool (kind `tool`, `config.tool`; an agent's `tools`), of every source.
   */
  tools: ToolDoc[];
}
/**
 * A node kind, described.
 */
export interface KindDoc {
  /**
   * Variables its body's templates see.
   */
  body_vars: string[];
  /**
   * JSON Schema of its config.
   */
  config_schema: {
    [k: string]: unknown;
  };
  /**
   * Whether it holds a body (loop, parallel, recursive).
   */
  container: boolean;
  /**
   * Markdown documentation.
   */
  docs: string;
  /**
   * A config to start from.
   */
  example: {
    [k: string]: unknown;
  };
  example_ports: Ports;
  /**
   * Whether nodes may declare extra input ports.
   */
  extra_inputs: boolean;
  /**
   * Whether nodes may declare extra output ports.
   */
  extra_outputs: boolean;
  /**
   * Its name in `kind`.
   */
  kind: string;
  /**
   * Which config fields hold templates or expressions (a field whose pointer is one of these,
   * or lies under one, is edited as a template; `/args` covers every tool argument).
   */
  script_fields: ScriptField[];
  /**
   * One line.
   */
  summary: string;
  /**
   * Display name.
   */
  title: string;
}
/**
 * The ports the example config gives.
 */
export interface Ports {
  /**
   * Input ports.
   */
  inputs: PortDef[];
  /**
   * Output ports.
   */
  outputs: PortDef[];
}
/**
 * One port a kind or tool offers.
 */
export interface PortDef {
  /**
   * What it carries.
   */
  description: string;
  /**
   * Port name.
   */
  name: string;
  /**
   * An input that must be connected (or, for sub-workflows, given in config).
   */
  required: boolean;
  /**
   * JSON type carried.
   */
  type: "any" | "string" | "number" | "integer" | "boolean" | "object" | "array";
}
/**
 * A config field holding a template or an expression.
 */
export interface ScriptField {
  /**
   * JSON pointer inside the node's `config`.
   */
  pointer: string;
  /**
   * Template or expression.
   */
  role: "template" | "expression";
  /**
   * Variables this field sees besides `inputs`, `run` and `nodes`.
   */
  vars: string[];
}
/**
 * A tool, described.
 */
export interface ToolDoc {
  /**
   * JSON Schema of its args.
   */
  args_schema: {
    [k: string]: unknown;
  };
  /**
   * Markdown documentation.
   */
  docs: string;
  /**
   * Args to start from.
   */
  example: {
    [k: string]: unknown;
  };
  /**
   * The effect of the example args.
   */
  example_effect: "pure" | "read" | "write";
  /**
   * Its output ports.
   */
  outputs: PortDef[];
  /**
   * The source that offers it (`builtin`, `memory`, `mcp:<server>`).
   */
  source: string;
  /**
   * One line.
   */
  summary: string;
  /**
   * Display name.
   */
  title: string;
  /**
   * Its name in `config.tool`.
   */
  tool: string;
}
