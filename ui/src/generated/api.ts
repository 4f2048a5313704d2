// Generated from schemas/api.schema.json by ui/scripts/codegen-types.mjs; do not edit.

/**
 * One JSON Patch operation (the subset fixes use).
 */
export type PatchOp =
  | {
      op: "add";
      /**
       * Target pointer.
       */
      path: string;
      /**
       * Value inserted.
       */
      value: {
        [k: string]: unknown;
      };
    }
  | {
      op: "replace";
      /**
       * Target pointer.
       */
      path: string;
      /**
       * New value.
       */
      value: {
        [k: string]: unknown;
      };
    }
  | {
      op: "remove";
      /**
       * Target pointer.
       */
      path: string;
    }
  | {
      /**
       * Source pointer.
       */
      from: string;
      op: "move";
      /**
       * Target pointer.
       */
      path: string;
    };
/**
 * What a run's event stream sends (in batches).
 */
export type Event = {
  /**
   * Milliseconds since the Unix epoch, from the run's clock.
   */
  at: number;
  /**
   * The run it belongs to.
   */
  run: string;
  /**
   * Position in the run's event log, from 1, without gaps.
   */
  seq: number;
} & (
  | {
      /**
       * Blueprint id.
       */
      blueprint: string;
      /**
       * Plan hash that ran.
       */
      hash: string;
      /**
       * Run inputs after defaults.
       */
      inputs: {
        [k: string]: unknown;
      };
      /**
       * Nodes at the top level (bodies run per item/iteration).
       */
      nodes: number;
      /**
       * Whether this continues an interrupted run (finished nodes are not run again).
       */
      resumed?: boolean;
      type: "run_started";
    }
  | {
      type: "run_paused";
    }
  | {
      type: "run_resumed";
    }
  | {
      /**
       * Who or what cancelled it.
       */
      reason: string;
      type: "run_cancelled";
    }
  | {
      /**
       * Why it failed, when it did.
       */
      error?: string | null;
      /**
       * Run outputs that were produced.
       */
      outputs: {
        [k: string]: unknown;
      };
      /**
       * How it ended.
       */
      status: "running" | "paused" | "waiting" | "succeeded" | "failed" | "cancelled";
      type: "run_finished";
    }
  | {
      /**
       * The node.
       */
      node: string;
      type: "node_queued";
    }
  | {
      /**
       * Attempt number, from 1.
       */
      attempt: number;
      /**
       * The values on its input ports.
       */
      inputs: {
        [k: string]: unknown;
      };
      /**
       * The node.
       */
      node: string;
      type: "node_started";
    }
  | {
      /**
       * Completed fraction, 0–1, when known.
       */
      fraction?: number | null;
      /**
       * What it is doing.
       */
      message: string;
      /**
       * The node.
       */
      node: string;
      type: "node_progress";
    }
  | {
      /**
       * The new text.
       */
      delta: string;
      /**
       * The node.
       */
      node: string;
      /**
       * Output port.
       */
      port: string;
      type: "node_output_delta";
    }
  | {
      /**
       * The attempt that failed.
       */
      attempt: number;
      /**
       * Attempts the node's retry policy allows in all.
       */
      attempts?: number;
      /**
       * Wait before the next attempt.
       */
      delay_ms: number;
      error: ErrorInfo;
      /**
       * The node.
       */
      node: string;
      type: "node_retrying";
    }
  | {
      /**
       * The attempt that succeeded.
       */
      attempt: number;
      /**
       * How long the attempt took.
       */
      duration_ms: number;
      /**
       * The result's key (kind, engine version, config and every value the node read), for
       * reuse by later runs (`--reuse`); journaled runs only.
       */
      key?: string | null;
      /**
       * The node.
       */
      node: string;
      /**
       * Output port → value.
       */
      outputs: {
        [k: string]: unknown;
      };
      type: "node_succeeded";
    }
  | {
      /**
       * The last attempt.
       */
      attempt: number;
      error: ErrorInfo1;
      /**
       * The node.
       */
      node: string;
      type: "node_failed";
    }
  | {
      /**
       * The node.
       */
      node: string;
      /**
       * Why.
       */
      reason: "branch" | "upstream_failed" | "halted";
      type: "node_skipped";
    }
  | {
      /**
       * The run the result came from.
       */
      from_run: string;
      /**
       * The key they were produced under.
       */
      key?: string | null;
      /**
       * The node.
       */
      node: string;
      /**
       * The reused outputs.
       */
      outputs: {
        [k: string]: unknown;
      };
      type: "node_cached";
    }
  | {
      /**
       * The node.
       */
      node: string;
      /**
       * What the person is asked.
       */
      prompt: string;
      type: "node_waiting";
    }
  | {
      /**
       * The model that answered (`provider:model`).
       */
      model: string;
      /**
       * The node.
       */
      node: string;
      type: "node_usage";
      usage: UsageInfo;
    }
  | {
      /**
       * Tool calls it made, in order.
       */
      calls: AgentCall[];
      /**
       * The agent node.
       */
      node: string;
      /**
       * The text of the turn.
       */
      text: string;
      /**
       * Turn number, from 1.
       */
      turn: number;
      type: "agent_turn";
    }
  | {
      /**
       * The call's id.
       */
      call: string;
      /**
       * The agent node.
       */
      node: string;
      /**
       * Whether it succeeded.
       */
      ok: boolean;
      /**
       * Its result, or the error the model was shown.
       */
      result: {
        [k: string]: unknown;
      };
      /**
       * The tool.
       */
      tool: string;
      /**
       * The turn whose call this answers.
       */
      turn: number;
      type: "agent_tool_result";
    }
  | {
      /**
       * USD spent so far.
       */
      cost_usd: number;
      /**
       * Which limit, e.g. `max_usd 0.50`.
       */
      limit: string;
      /**
       * Tokens used so far.
       */
      tokens: number;
      type: "budget_exceeded";
    }
  | {
      /**
       * Item index or iteration number, from 0.
       */
      index: number;
      /**
       * The container node.
       */
      node: string;
      /**
       * Whether it produced its value.
       */
      ok: boolean;
      type: "loop_iteration";
    }
);
/**
 * A reviewer's decision on a waiting approval (an approval node, or an agent's tool call).
 */
export type ApprovalDecision =
  | {
      /**
       * A note for the record.
       */
      comment?: string | null;
      decision: "approve";
      /**
       * For a tool call: this call only (the default), every call of the tool in this run,
       * or also the blueprint's later runs (written into its `run.approved_tools`).
       */
      scope?: Scope | null;
      /**
       * The edited value (any JSON).
       */
      value?: unknown;
    }
  | {
      /**
       * Why.
       */
      comment?: string | null;
      decision: "reject";
    };
/**
 * How far an approval of a tool call reaches.
 */
export type Scope = "once" | "run" | "blueprint";
/**
 * Which API a provider speaks.
 */
export type Api = "openai" | "openai_compatible" | "anthropic" | "gemini" | "ollama";
/**
 * Something drafting reports while it works.
 */
export type Progress =
  | {
      /**
       * The new text.
       */
      delta: string;
      type: "text";
    }
  | {
      /**
       * USD so far, when the model has a price.
       */
      cost_usd?: number | null;
      /**
       * The operation that could not apply and the compiler's errors, in words.
       */
      problems: string[];
      /**
       * From 0.
       */
      round: number;
      /**
       * Prompt and completion tokens so far.
       */
      tokens: number;
      type: "round";
    };
/**
 * One edit of a blueprint.
 */
export type Op =
  | {
      /**
       * The kind's config.
       */
      config?: {
        [k: string]: unknown;
      };
      /**
       * A new, unique identifier (letters, digits, `_`).
       */
      id: string;
      /**
       * Extra input ports (join inputs, a code node's inputs).
       */
      inputs?: PortSpec[];
      /**
       * The container (loop, parallel, recursive) whose body it goes in.
       */
      inside?: string | null;
      /**
       * A kind from the catalogue.
       */
      kind: string;
      op: "add_node";
      /**
       * Extra output ports (a code node's).
       */
      outputs?: PortSpec[];
      policy?: Policy;
      /**
       * Shown on the canvas.
       */
      title?: string;
    }
  | {
      /**
       * The node.
       */
      id: string;
      op: "remove_node";
    }
  | {
      /**
       * The config field.
       */
      field: string;
      /**
       * The node.
       */
      node: string;
      op: "set_config";
      /**
       * Its new value.
       */
      value: {
        [k: string]: unknown;
      };
    }
  | {
      /**
       * The node.
       */
      node: string;
      op: "set_policy";
      policy: Policy1;
    }
  | {
      /**
       * The node.
       */
      node: string;
      op: "set_title";
      /**
       * The title.
       */
      title: string;
    }
  | {
      /**
       * Source port.
       */
      from: string;
      op: "connect";
      /**
       * Target port.
       */
      to: string;
    }
  | {
      /**
       * Source port.
       */
      from: string;
      op: "disconnect";
      /**
       * Target port.
       */
      to: string;
    }
  | {
      input: RunInput;
      /**
       * Its name (an identifier).
       */
      name: string;
      op: "set_input";
    }
  | {
      /**
       * Its name.
       */
      name: string;
      op: "remove_input";
    }
  | {
      /**
       * `node.port`.
       */
      from: string;
      /**
       * Its name.
       */
      name: string;
      op: "set_output";
    }
  | {
      /**
       * Its name.
       */
      name: string;
      op: "remove_output";
    }
  | {
      /**
       * The node.
       */
      from: string;
      op: "rename";
      /**
       * Its new id.
       */
      to: string;
    }
  | {
      op: "set_run_policy";
      policy: RunPolicy;
    }
  | {
      /**
       * The model its `default` nodes call.
       */
      default_model?: string | null;
      /**
       * What it does.
       */
      description?: string | null;
      /**
       * Its name.
       */
      name?: string | null;
      op: "set_blueprint";
    };
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
 * How a node failure affects the rest of the run.
 */
export type RunFailurePolicy = "halt" | "continue_possible" | "always";

/**
 * Every type that crosses the boundary, gathered so one schema (and the UI's TypeScript
 * types, generated from it) covers them.
 */
export interface ApiTypes {
  error: ApiError;
  event: Event;
  /**
   * The native menu's items, whose ids are the UI's actions.
   */
  menu: MenuItem[];
  methods: ApiMethods;
}
/**
 * Any failure.
 */
export interface ApiError {
  /**
   * What kind of failure.
   */
  code:
    | "bad_request"
    | "bad_path"
    | "not_found"
    | "unreadable"
    | "does_not_compile"
    | "invalid_input"
    | "not_ready"
    | "conflict"
    | "internal";
  /**
   * The compiler's problems, for `unreadable` and `does_not_compile`.
   */
  diagnostics?: Diagnostic[];
  /**
   * What happened and what to do.
   */
  message: string;
  /**
   * The node it concerns, when one does.
   */
  node?: string | null;
  /**
   * Where in the document (or the request) it is, as a JSON pointer.
   */
  pointer?: string | null;
  /**
   * For `not_ready`: each model that cannot be called, and what to do.
   */
  unready?: Unready[];
}
/**
 * One problem with a blueprint.
 */
export interface Diagnostic {
  /**
   * Stable code, e.g. `E0206`.
   */
  code:
    | "E0100"
    | "E0101"
    | "E0102"
    | "E0103"
    | "E0104"
    | "E0105"
    | "E0106"
    | "E0107"
    | "E0108"
    | "E0109"
    | "E0201"
    | "E0202"
    | "E0203"
    | "E0204"
    | "E0205"
    | "E0206"
    | "E0207"
    | "E0208"
    | "E0209"
    | "W0210"
    | "E0211"
    | "W0212"
    | "E0213"
    | "E0301"
    | "E0302"
    | "E0303"
    | "E0304"
    | "E0305"
    | "E0306"
    | "E0307"
    | "E0308"
    | "E0309"
    | "W0310"
    | "E0311"
    | "E0401"
    | "E0402"
    | "E0403"
    | "W0404"
    | "E0501"
    | "E0502"
    | "E0503"
    | "E0504";
  /**
   * A change that resolves the problem, applied as JSON Patch.
   */
  fix?: Fix | null;
  /**
   * What to do about it.
   */
  help: string;
  /**
   * What is wrong.
   */
  message: string;
  /**
   * The node concerned, when there is one.
   */
  node?: string | null;
  /**
   * JSON pointer (RFC 6901) to the field, `""` for the whole document.
   */
  pointer: string;
  /**
   * Error or warning.
   */
  severity: "error" | "warning";
  /**
   * Line and column in the source text, when known.
   */
  span?: Span | null;
}
/**
 * A machine-applicable fix: a title and JSON Patch (RFC 6902) operations on the document.
 */
export interface Fix {
  /**
   * The edits, applied in order.
   */
  patch: PatchOp[];
  /**
   * What the fix does, e.g. "add edge fetch.body → summarise".
   */
  title: string;
}
/**
 * A 1-based line and column (columns count characters).
 */
export interface Span {
  /**
   * 1-based column.
   */
  column: number;
  /**
   * 1-based line.
   */
  line: number;
}
/**
 * A model a plan may call that cannot be called now.
 */
export interface Unready {
  /**
   * Only as a fallback: the run can start, and fails over to it only if the model before it
   * fails.
   */
  fallback: boolean;
  /**
   * The problem and the fix, in words.
   */
  message: string;
  /**
   * The model as the node names it (`provider:model`, or `default`).
   */
  model: string;
  /**
   * The nodes that call it (`step/summarise` inside a sub-workflow).
   */
  nodes: string[];
  /**
   * Its provider, when the name has one.
   */
  provider?: string | null;
  /**
   * What to do.
   */
  remedy: "choose_default" | "set_key" | "start_server" | "pull_model" | "fix_model";
}
/**
 * Why it failed.
 */
export interface ErrorInfo {
  /**
   * The closed set of error classes every failure is sorted into.
   */
  class:
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
   * What went wrong and, where possible, what to do about it.
   */
  message: string;
  /**
   * The delay the remote side asked for, in milliseconds.
   */
  retry_after_ms?: number | null;
}
/**
 * Why.
 */
export interface ErrorInfo1 {
  /**
   * The closed set of error classes every failure is sorted into.
   */
  class:
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
   * What went wrong and, where possible, what to do about it.
   */
  message: string;
  /**
   * The delay the remote side asked for, in milliseconds.
   */
  retry_after_ms?: number | null;
}
/**
 * Tokens and cost.
 */
export interface UsageInfo {
  /**
   * Prompt tokens served from the provider's cache.
   */
  cached_tokens: number;
  /**
   * USD, when the model has a price in the price table.
   */
  cost_usd?: number | null;
  /**
   * Prompt tokens (cached ones included).
   */
  input_tokens: number;
  /**
   * Generated tokens.
   */
  output_tokens: number;
}
/**
 * A tool call an agent made.
 */
export interface AgentCall {
  /**
   * Its arguments as the model sent them.
   */
  arguments: {
    [k: string]: unknown;
  };
  /**
   * The call's id.
   */
  id: string;
  /**
   * The tool.
   */
  tool: string;
}
/**
 * One item of the native menu. Its id is the UI action the window runs when it is chosen.
 */
export interface MenuItem {
  /**
   * A native accelerator (`CmdOrCtrl+S`); none where the window handles the keys itself
   * (GTK would take Ctrl+Z and Ctrl+C from text fields and the code editors).
   */
  accelerator?: string | null;
  /**
   * The action (the UI's name for it).
   */
  id: string;
  /**
   * The keys the window handles, shown beside the label.
   */
  keys?: string | null;
  /**
   * The label.
   */
  label: string;
  /**
   * The submenu it is in (`File`, `Edit`…).
   */
  menu: string;
  /**
   * A separator comes before it.
   */
  separated: boolean;
}
/**
 * Every method's arguments and answer (the table in [`methods`]).
 */
export interface ApiMethods {
  about: Method;
  add_examples: Method38;
  add_mcp_servers: Method37;
  approvals: Method18;
  ask_history: Method43;
  cancel: Method16;
  cancel_draft: Method41;
  catalog: Method2;
  check: Method6;
  create: Method8;
  decide: Method19;
  decide_draft: Method42;
  delete_key: Method25;
  draft: Method39;
  draft_status: Method40;
  edit_memory: Method31;
  explain: Method44;
  forget_memory: Method33;
  mcp_servers: Method34;
  memories: Method29;
  memory_detail: Method30;
  memory_namespaces: Method28;
  models: Method20;
  open_folder: Method4;
  pause: Method17;
  pin_memory: Method32;
  read: Method5;
  remove: Method11;
  remove_mcp_server: Method36;
  remove_provider: Method23;
  rename: Method9;
  rename_node: Method10;
  resume: Method13;
  run: Method12;
  run_detail: Method15;
  runs: Method14;
  save: Method7;
  set_default_model: Method26;
  set_key: Method24;
  set_mcp_server: Method35;
  set_provider: Method22;
  settings: Method21;
  test_provider: Method27;
  workspace: Method3;
}
/**
 * Name and versions, for the About box.
 */
export interface Method {
  answer: About;
  args: AboutArgs;
}
/**
 * The answer.
 */
export interface About {
  /**
   * The blueprint format version it reads and writes.
   */
  format_version: number;
  /**
   * The product's name.
   */
  name: string;
  /**
   * Its version (the workspace's crate version).
   */
  version: string;
}
/**
 * The arguments, by name.
 */
export interface AboutArgs {}
/**
 * Copies the example blueprints (and the files they read) into the open folder, leaving
 * files already there as they are.
 */
export interface Method38 {
  answer: WorkspaceInfo;
  args: AddExamplesArgs;
}
/**
 * The answer.
 */
export interface WorkspaceInfo {
  /**
   * Its blueprints.
   */
  entries: Entry[];
  /**
   * The folder.
   */
  root: string;
}
/**
 * A blueprint file in the workspace.
 */
export interface Entry {
  /**
   * Size in bytes.
   */
  bytes: number;
  /**
   * Its id.
   */
  id: string;
  /**
   * Last modification, ms since the epoch.
   */
  modified_ms: number;
  /**
   * The blueprint's name (empty when the file cannot be read).
   */
  name: string;
  /**
   * Path relative to the workspace folder, with `/` separators.
   */
  path: string;
}
/**
 * The arguments, by name.
 */
export interface AddExamplesArgs {}
/**
 * Adds the servers of a Claude Desktop or Cursor configuration, pasted as it is.
 */
export interface Method37 {
  /**
   * The answer.
   */
  answer: McpServerView[];
  args: AddMcpServersArgs;
}
/**
 * An MCP server of the settings, for the Settings screen.
 */
export interface McpServerView {
  /**
   * Its name (its tools are `<name>__<tool>`).
   */
  name: string;
  /**
   * Why it could not be reached (its tools, if any, are the ones listed last time).
   */
  problem?: string | null;
  settings: McpServerSettings;
  /**
   * Its tools as workflows call them.
   */
  tools: string[];
}
/**
 * How it is reached.
 */
export interface McpServerSettings {
  /**
   * Its arguments.
   */
  args?: string[];
  /**
   * The program that serves MCP on its stdin and stdout.
   */
  command?: string | null;
  /**
   * Environment variables it gets (beside Floe's own).
   */
  env?: {
    [k: string]: string;
  };
  /**
   * HTTP headers sent with every request (e.g. `Authorization`).
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * Longest wait for one tool call, e.g. `"5m"` (default 60 s).
   */
  timeout?: string | null;
  /**
   * `stdio`, `http` or `streamable-http`, as other clients write it (read, not needed).
   */
  type?: string | null;
  /**
   * Or: the URL of a streamable HTTP MCP endpoint.
   */
  url?: string | null;
}
/**
 * The arguments, by name.
 */
export interface AddMcpServersArgs {
  json: string;
}
/**
 * Approvals waiting for a decision (of one run, or all).
 */
export interface Method18 {
  /**
   * The answer.
   */
  answer: PendingApproval[];
  args: ApprovalsArgs;
}
/**
 * A pending approval, as listed for reviewers.
 */
export interface PendingApproval {
  /**
   * Whether an approval may change the value.
   */
  allow_edit: boolean;
  /**
   * When it was asked, ms since the epoch.
   */
  asked_at: number;
  /**
   * The node path.
   */
  node: string;
  /**
   * The message shown to the reviewer.
   */
  prompt: string;
  /**
   * The run.
   */
  run: string;
  /**
   * For an agent's tool call (`node` is then the call's path): the tool. Only these may be
   * allowed for the run or the blueprint.
   */
  tool?: string | null;
  /**
   * The value under review.
   */
  value: {
    [k: string]: unknown;
  };
}
/**
 * The arguments, by name.
 */
export interface ApprovalsArgs {
  /**
   * Optional: String.
   */
  run_id?: string | null;
}
/**
 * The requests made with Ask about a blueprint (or all), newest first, with what became of
 * each; kept in the folder (`.floe/asks.json`), not in the blueprint.
 */
export interface Method43 {
  /**
   * The answer.
   */
  answer: AskRecord[];
  args: AskHistoryArgs;
}
/**
 * One request made with Ask, as the history keeps it (in `.floe/asks.json` in the folder, not
 * in the blueprint).
 */
export interface AskRecord {
  /**
   * When it was asked (ms since the Unix epoch).
   */
  at: number;
  /**
   * Who drafted it (`offline`, or the model).
   */
  drafter: string;
  /**
   * The draft's id.
   */
  id: string;
  /**
   * `accepted`, `rejected`, or `pending` until the person decides.
   */
  outcome: string;
  /**
   * The blueprint it was about (relative to the folder); none for a new graph.
   */
  path?: string | null;
  /**
   * What was asked.
   */
  request: string;
  /**
   * What the draft did, in words (or why there was none).
   */
  summary: string;
}
/**
 * The arguments, by name.
 */
export interface AskHistoryArgs {
  /**
   * Optional: String.
   */
  path?: string | null;
}
/**
 * Cancels a run, wherever it was started (it stays resumable).
 */
export interface Method16 {
  /**
   * The answer.
   */
  answer: null;
  args: CancelArgs;
}
/**
 * The arguments, by name.
 */
export interface CancelArgs {
  run_id: string;
}
/**
 * Stops a draft.
 */
export interface Method41 {
  /**
   * The answer.
   */
  answer: null;
  args: CancelDraftArgs;
}
/**
 * The arguments, by name.
 */
export interface CancelDraftArgs {
  id: string;
}
/**
 * Every node kind and built-in tool, with schemas, ports and docs.
 */
export interface Method2 {
  answer: CatalogDoc;
  args: CatalogArgs;
}
/**
 * The answer.
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
/**
 * The arguments, by name.
 */
export interface CatalogArgs {}
/**
 * Compiles a document as if saved at `path`: every problem with its position.
 */
export interface Method6 {
  answer: Check;
  args: CheckArgs;
}
/**
 * The answer.
 */
export interface Check {
  /**
   * The model `default` resolves to, when a node (or a sub-workflow's node) says `default`.
   */
  default_model?: DefaultModel | null;
  /**
   * Every problem, with line and column where known.
   */
  diagnostics: Diagnostic[];
  /**
   * The plan hash, when it compiles.
   */
  hash?: string | null;
  /**
   * Nodes, bodies included, when it compiles.
   */
  nodes?: number | null;
}
/**
 * The model nodes saying `default` call, and where it was chosen.
 */
export interface DefaultModel {
  /**
   * Where it was chosen.
   */
  from: "blueprint" | "settings";
  /**
   * `provider:model`.
   */
  model: string;
}
/**
 * The arguments, by name.
 */
export interface CheckArgs {
  path: string;
  text: string;
}
/**
 * Creates an empty blueprint.
 */
export interface Method8 {
  answer: FileText;
  args: CreateArgs;
}
/**
 * The answer.
 */
export interface FileText {
  /**
   * Path relative to the workspace.
   */
  path: string;
  /**
   * The text (canonical after a save).
   */
  text: string;
}
/**
 * The arguments, by name.
 */
export interface CreateArgs {
  name: string;
  path: string;
}
/**
 * Decides a waiting approval; the run (in any process) picks the decision up.
 */
export interface Method19 {
  /**
   * The answer.
   */
  answer: null;
  args: DecideArgs;
}
/**
 * The arguments, by name.
 */
export interface DecideArgs {
  decision: ApprovalDecision;
  node: string;
  run_id: string;
}
/**
 * Records whether the person accepted or rejected a draft (for the history of requests).
 */
export interface Method42 {
  /**
   * The answer.
   */
  answer: null;
  args: DecideDraftArgs;
}
/**
 * The arguments, by name.
 */
export interface DecideDraftArgs {
  accepted: boolean;
  id: string;
}
/**
 * Deletes a provider's API key from the OS keychain.
 */
export interface Method25 {
  answer: SettingsView;
  args: DeleteKeyArgs;
}
/**
 * The answer.
 */
export interface SettingsView {
  /**
   * The default model (`provider:model`), if one is chosen.
   */
  default_model?: string | null;
  /**
   * The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
   */
  default_model_from_env: boolean;
  /**
   * The settings file.
   */
  path?: string | null;
  /**
   * Why the settings file or the keychain cannot be used, when one cannot.
   */
  problem?: string | null;
  /**
   * Built-in providers first, then added endpoints.
   */
  providers: ProviderView[];
}
/**
 * One provider, as the Settings screen shows it.
 */
export interface ProviderView {
  /**
   * The API it speaks.
   */
  api: "openai" | "openai_compatible" | "anthropic" | "gemini" | "ollama";
  /**
   * Where it is served.
   */
  base_url: string;
  /**
   * Floe knows it without settings (else it is an endpoint the user added).
   */
  builtin: boolean;
  /**
   * Most calls in flight at once.
   */
  concurrency: number;
  /**
   * The environment variable that would override its key.
   */
  env_var: string;
  /**
   * Where its key comes from.
   */
  key: "not_needed" | "stored" | "env" | "missing";
  /**
   * Its name (`openai`, `ollama`, an endpoint's own name).
   */
  name: string;
  /**
   * Whether it needs an API key.
   */
  needs_key: boolean;
  /**
   * Organisation id (OpenAI).
   */
  organization?: string | null;
  settings: ProviderSettings;
  /**
   * Longest wait for a reply's first byte and between chunks, e.g. `2m`.
   */
  timeout: string;
}
/**
 * Its settings entry, as written (empty for a built-in provider left as it is).
 */
export interface ProviderSettings {
  /**
   * The API it speaks (required for a provider Floe does not know).
   */
  api?: Api | null;
  /**
   * Where it is served.
   */
  base_url?: string | null;
  /**
   * Most calls in flight at once.
   */
  concurrency?: number | null;
  /**
   * Whether it needs an API key (local servers do not).
   */
  needs_key?: boolean | null;
  /**
   * Organisation id (OpenAI).
   */
  organization?: string | null;
  /**
   * Longest wait for the first byte of a reply and between stream chunks, e.g. `"120s"`.
   */
  timeout?: string | null;
}
/**
 * The arguments, by name.
 */
export interface DeleteKeyArgs {
  provider: string;
}
/**
 * Starts drafting a request (a new graph, or an edit of `path`, optionally about selected
 * nodes) with the default model (or `model`, or offline); answers with its id at once.
 */
export interface Method39 {
  answer: DraftStarted;
  args: DraftArgs;
}
/**
 * The answer.
 */
export interface DraftStarted {
  /**
   * Its id, for `draft_status` and `cancel_draft`.
   */
  id: string;
}
/**
 * The arguments, by name.
 */
export interface DraftArgs {
  request: DraftRequest;
}
/**
 * What to draft.
 */
export interface DraftRequest {
  /**
   * The document as it is in the editor (unsaved edits included); default: the file.
   */
  document?: string | null;
  /**
   * The model to draft with (default: the default model; none chosen: the offline drafter).
   */
  model?: string | null;
  /**
   * Draft without a model.
   */
  offline?: boolean;
  /**
   * The blueprint to edit (relative to the folder); none for a new graph.
   */
  path?: string | null;
  /**
   * Nodes the request is about.
   */
  selection?: string[];
  /**
   * What the person asked.
   */
  text: string;
}
/**
 * What happened to a draft since `after` (waiting up to ten seconds for something new): the
 * model's text, each round's problems, and the draft once it is over.
 */
export interface Method40 {
  answer: DraftStatus;
  args: DraftStatusArgs;
}
/**
 * The answer.
 */
export interface DraftStatus {
  /**
   * The `after` for the next call.
   */
  next: number;
  /**
   * Progress since `after`.
   */
  progress: Progress[];
  /**
   * The result, once drafting is over.
   */
  result?: DraftResult | null;
}
/**
 * A finished draft, as the app shows it.
 */
export interface DraftResult {
  /**
   * The draft: operations, summary, problems, rounds, tokens and cost; none when drafting
   * stopped without one (see `error`).
   */
  draft?: Draft | null;
  /**
   * Who answered (or was asked).
   */
  drafter:
    | {
        kind: "offline";
        /**
         * Why it answered (no model set up, or the person chose it).
         */
        reason: string;
      }
    | {
        kind: "model";
        /**
         * `provider:model`.
         */
        model: string;
      };
  /**
   * The drafting stopped without a draft (the request could not be drafted, the model failed,
   * it was cancelled): why, and what to do.
   */
  error?: string | null;
  /**
   * The drafted blueprint in canonical form, when every operation applied.
   */
  text?: string | null;
}
/**
 * A drafted change and what it produces.
 */
export interface Draft {
  /**
   * Why an operation could not be applied, when one could not.
   */
  apply_error?: ApplyError | null;
  /**
   * The blueprint they produce (new nodes placed), when they could all be applied.
   */
  blueprint: {
    [k: string]: unknown;
  };
  /**
   * Their cost in USD, when the model has a price (0 offline).
   */
  cost_usd?: number | null;
  /**
   * The compiler's problems on the result.
   */
  diagnostics: Diagnostic[];
  /**
   * Who drafted it.
   */
  drafter:
    | {
        kind: "offline";
        /**
         * Why it answered (no model set up, or the person chose it).
         */
        reason: string;
      }
    | {
        kind: "model";
        /**
         * `provider:model`.
         */
        model: string;
      };
  /**
   * The operations, in order.
   */
  ops: Op[];
  /**
   * What is still wrong, in words (empty when clean).
   */
  problems: string[];
  /**
   * Repair rounds after the first answer.
   */
  rounds: number;
  /**
   * What the operations do, in words.
   */
  summary: string;
  /**
   * Prompt tokens over every call.
   */
  tokens_in: number;
  /**
   * Completion tokens over every call.
   */
  tokens_out: number;
}
/**
 * An operation that could not be applied: which one (from 0), and what to do.
 */
export interface ApplyError {
  /**
   * Its position in the list, from 0.
   */
  index: number;
  /**
   * What is wrong and what to do.
   */
  message: string;
  /**
   * Its kind (`add_node`…).
   */
  op: string;
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
 * Retry, timeout, on_error, join.
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
 * The policy.
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
 * Its type, description and default.
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
 * The policy.
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
/**
 * The arguments, by name.
 */
export interface DraftStatusArgs {
  /**
   * Optional: u32.
   */
  after?: number | null;
  id: string;
}
/**
 * A person's edit of a memory: a new version that supersedes it (kept as its history).
 */
export interface Method31 {
  answer: Memory;
  args: EditMemoryArgs;
}
/**
 * The answer.
 */
export interface Memory {
  /**
   * The attribute of a fact.
   */
  attribute?: string | null;
  /**
   * When it was written, ms since the epoch.
   */
  created_at: number;
  /**
   * Procedures: how often it did not.
   */
  failures: number;
  /**
   * Its id (stable).
   */
  id: number;
  /**
   * Its kind.
   */
  kind: "working" | "episodic" | "semantic" | "procedural";
  /**
   * Its namespace.
   */
  namespace: string;
  /**
   * Pinned by a person: kept first in lists.
   */
  pinned: boolean;
  provenance: Provenance;
  /**
   * Active, superseded or forgotten.
   */
  state: "active" | "superseded" | "forgotten";
  /**
   * The working key, the entity, or the procedure's name.
   */
  subject?: string | null;
  /**
   * Procedures: how often it worked.
   */
  successes: number;
  /**
   * The memory that replaced it, when superseded.
   */
  superseded_by?: number | null;
  /**
   * Words to find it by.
   */
  tags: string[];
  /**
   * In words.
   */
  text: string;
  /**
   * When it last changed (state, pin, counts), ms since the epoch.
   */
  updated_at: number;
  /**
   * Its value.
   */
  value: {
    [k: string]: unknown;
  };
}
/**
 * Where it came from.
 */
export interface Provenance {
  /**
   * The node path in that run.
   */
  node?: string | null;
  /**
   * The run that wrote it (none: written by a person or an import).
   */
  run?: string | null;
}
/**
 * The arguments, by name.
 */
export interface EditMemoryArgs {
  id: number;
  /**
   * Optional: String.
   */
  tags?: string[];
  text: string;
  value: unknown;
}
/**
 * A blueprint (the file, or the document in the editor) in plain words, step by step: by the
 * default model when one is chosen (only steps naming its own nodes kept), else by Floe.
 */
export interface Method44 {
  answer: ExplainAnswer;
  args: ExplainArgs;
}
/**
 * The answer.
 */
export interface ExplainAnswer {
  /**
   * The model that explained it (none: Floe itself).
   */
  by?: string | null;
  explanation: Explanation;
  /**
   * What to know about it (the model could not answer, steps left out).
   */
  note?: string | null;
}
/**
 * The summary and one step per node.
 */
export interface Explanation {
  /**
   * Each node, in the order it runs.
   */
  steps: Step[];
  /**
   * What it is for, what it takes and what it gives.
   */
  summary: string;
}
/**
 * One step of an explanation.
 */
export interface Step {
  /**
   * Nesting: 0 at the top level, 1 inside a container's body…
   */
  depth: number;
  /**
   * The node it describes.
   */
  node: string;
  /**
   * What it does, in words.
   */
  text: string;
}
/**
 * The arguments, by name.
 */
export interface ExplainArgs {
  /**
   * Optional: String.
   */
  document?: string | null;
  /**
   * Optional: bool.
   */
  offline?: boolean | null;
  path: string;
}
/**
 * Forgets a memory: hidden from search; with `hard`, deleted for good with its history.
 */
export interface Method33 {
  /**
   * The answer.
   */
  answer: null;
  args: ForgetMemoryArgs;
}
/**
 * The arguments, by name.
 */
export interface ForgetMemoryArgs {
  /**
   * Optional: bool.
   */
  hard?: boolean | null;
  id: number;
}
/**
 * The MCP servers of the settings, with their tools (`<server>__<tool>`) and what is wrong.
 */
export interface Method34 {
  /**
   * The answer.
   */
  answer: McpServerView[];
  args: McpServersArgs;
}
/**
 * The arguments, by name.
 */
export interface McpServersArgs {}
/**
 * A namespace's memories: with `query`, the best matches first (keyword search, fused with
 * similarity when an embedding model is set); without, pinned first, then newest.
 */
export interface Method29 {
  /**
   * The answer.
   */
  answer: Hit[];
  args: MemoriesArgs;
}
/**
 * A search result.
 */
export interface Hit {
  memory: Memory1;
  /**
   * Its BM25 relevance (higher is better).
   */
  score: number;
}
/**
 * The memory.
 */
export interface Memory1 {
  /**
   * The attribute of a fact.
   */
  attribute?: string | null;
  /**
   * When it was written, ms since the epoch.
   */
  created_at: number;
  /**
   * Procedures: how often it did not.
   */
  failures: number;
  /**
   * Its id (stable).
   */
  id: number;
  /**
   * Its kind.
   */
  kind: "working" | "episodic" | "semantic" | "procedural";
  /**
   * Its namespace.
   */
  namespace: string;
  /**
   * Pinned by a person: kept first in lists.
   */
  pinned: boolean;
  provenance: Provenance;
  /**
   * Active, superseded or forgotten.
   */
  state: "active" | "superseded" | "forgotten";
  /**
   * The working key, the entity, or the procedure's name.
   */
  subject?: string | null;
  /**
   * Procedures: how often it worked.
   */
  successes: number;
  /**
   * The memory that replaced it, when superseded.
   */
  superseded_by?: number | null;
  /**
   * Words to find it by.
   */
  tags: string[];
  /**
   * In words.
   */
  text: string;
  /**
   * When it last changed (state, pin, counts), ms since the epoch.
   */
  updated_at: number;
  /**
   * Its value.
   */
  value: {
    [k: string]: unknown;
  };
}
/**
 * The arguments, by name.
 */
export interface MemoriesArgs {
  /**
   * Optional: u32.
   */
  limit?: number | null;
  namespace: string;
  /**
   * Optional: String.
   */
  query?: string | null;
}
/**
 * One memory with its history (every version) and the blueprint of the run that wrote it.
 */
export interface Method30 {
  answer: MemoryDetail;
  args: MemoryDetailArgs;
}
/**
 * The answer.
 */
export interface MemoryDetail {
  /**
   * Every version of it, oldest first (itself included).
   */
  history: Memory2[];
  memory: Memory3;
  /**
   * The blueprint (relative to the open folder) of the run that wrote it, when known.
   */
  run_path?: string | null;
}
/**
 * A stored memory.
 */
export interface Memory2 {
  /**
   * The attribute of a fact.
   */
  attribute?: string | null;
  /**
   * When it was written, ms since the epoch.
   */
  created_at: number;
  /**
   * Procedures: how often it did not.
   */
  failures: number;
  /**
   * Its id (stable).
   */
  id: number;
  /**
   * Its kind.
   */
  kind: "working" | "episodic" | "semantic" | "procedural";
  /**
   * Its namespace.
   */
  namespace: string;
  /**
   * Pinned by a person: kept first in lists.
   */
  pinned: boolean;
  provenance: Provenance;
  /**
   * Active, superseded or forgotten.
   */
  state: "active" | "superseded" | "forgotten";
  /**
   * The working key, the entity, or the procedure's name.
   */
  subject?: string | null;
  /**
   * Procedures: how often it worked.
   */
  successes: number;
  /**
   * The memory that replaced it, when superseded.
   */
  superseded_by?: number | null;
  /**
   * Words to find it by.
   */
  tags: string[];
  /**
   * In words.
   */
  text: string;
  /**
   * When it last changed (state, pin, counts), ms since the epoch.
   */
  updated_at: number;
  /**
   * Its value.
   */
  value: {
    [k: string]: unknown;
  };
}
/**
 * A stored memory.
 */
export interface Memory3 {
  /**
   * The attribute of a fact.
   */
  attribute?: string | null;
  /**
   * When it was written, ms since the epoch.
   */
  created_at: number;
  /**
   * Procedures: how often it did not.
   */
  failures: number;
  /**
   * Its id (stable).
   */
  id: number;
  /**
   * Its kind.
   */
  kind: "working" | "episodic" | "semantic" | "procedural";
  /**
   * Its namespace.
   */
  namespace: string;
  /**
   * Pinned by a person: kept first in lists.
   */
  pinned: boolean;
  provenance: Provenance;
  /**
   * Active, superseded or forgotten.
   */
  state: "active" | "superseded" | "forgotten";
  /**
   * The working key, the entity, or the procedure's name.
   */
  subject?: string | null;
  /**
   * Procedures: how often it worked.
   */
  successes: number;
  /**
   * The memory that replaced it, when superseded.
   */
  superseded_by?: number | null;
  /**
   * Words to find it by.
   */
  tags: string[];
  /**
   * In words.
   */
  text: string;
  /**
   * When it last changed (state, pin, counts), ms since the epoch.
   */
  updated_at: number;
  /**
   * Its value.
   */
  value: {
    [k: string]: unknown;
  };
}
/**
 * The arguments, by name.
 */
export interface MemoryDetailArgs {
  id: number;
}
/**
 * Every memory namespace, with how many memories it holds and its budget.
 */
export interface Method28 {
  /**
   * The answer.
   */
  answer: Namespace[];
  args: MemoryNamespacesArgs;
}
/**
 * A namespace and what it holds.
 */
export interface Namespace {
  /**
   * Most bytes they may take.
   */
  budget_bytes: number;
  /**
   * Active memories.
   */
  memories: number;
  /**
   * Its name.
   */
  name: string;
  /**
   * Bytes its stored memories take (history included, forgotten ones not).
   */
  used_bytes: number;
}
/**
 * The arguments, by name.
 */
export interface MemoryNamespacesArgs {}
/**
 * The models of every provider, read from each provider's own list (once, until
 * `refresh`), with prices and context sizes where known; a provider that cannot be listed
 * says why (no key, not running).
 */
export interface Method20 {
  /**
   * The answer.
   */
  answer: ProviderModels[];
  args: ModelsArgs;
}
/**
 * One provider's models, or why they could not be listed (no key, not running…).
 */
export interface ProviderModels {
  /**
   * What went wrong and what to do, when the list could not be read.
   */
  error?: string | null;
  /**
   * Its models, sorted by name.
   */
  models: ModelInfo[];
  /**
   * The provider's name.
   */
  provider: string;
}
/**
 * A model a provider offers.
 */
export interface ModelInfo {
  /**
   * Its context window in tokens, when the provider says.
   */
  context?: number | null;
  /**
   * As a node's `model` field takes it: `provider:model`.
   */
  id: string;
  /**
   * The model's name at the provider.
   */
  model: string;
  /**
   * USD per million tokens, when the price table knows it.
   */
  price?: Price | null;
  /**
   * The provider's name.
   */
  provider: string;
  /**
   * A readable name, when the provider gives one.
   */
  title?: string | null;
}
/**
 * A model's prices, USD per million tokens.
 */
export interface Price {
  /**
   * Prompt tokens served from cache (default: the input price).
   */
  cached_input?: number | null;
  /**
   * Prompt tokens.
   */
  input: number;
  /**
   * Generated tokens.
   */
  output: number;
}
/**
 * The arguments, by name.
 */
export interface ModelsArgs {
  /**
   * Optional: bool.
   */
  refresh?: boolean | null;
}
/**
 * Opens another folder of blueprints.
 */
export interface Method4 {
  answer: WorkspaceInfo1;
  args: OpenFolderArgs;
}
/**
 * The answer.
 */
export interface WorkspaceInfo1 {
  /**
   * Its blueprints.
   */
  entries: Entry[];
  /**
   * The folder.
   */
  root: string;
}
/**
 * The arguments, by name.
 */
export interface OpenFolderArgs {
  root: string;
}
/**
 * Pauses a run started here (running nodes finish, no new ones start), or lets it go on.
 */
export interface Method17 {
  /**
   * The answer.
   */
  answer: null;
  args: PauseArgs;
}
/**
 * The arguments, by name.
 */
export interface PauseArgs {
  paused: boolean;
  run_id: string;
}
/**
 * Pins a memory (first in lists), or unpins it.
 */
export interface Method32 {
  answer: Memory4;
  args: PinMemoryArgs;
}
/**
 * A stored memory.
 */
export interface Memory4 {
  /**
   * The attribute of a fact.
   */
  attribute?: string | null;
  /**
   * When it was written, ms since the epoch.
   */
  created_at: number;
  /**
   * Procedures: how often it did not.
   */
  failures: number;
  /**
   * Its id (stable).
   */
  id: number;
  /**
   * Its kind.
   */
  kind: "working" | "episodic" | "semantic" | "procedural";
  /**
   * Its namespace.
   */
  namespace: string;
  /**
   * Pinned by a person: kept first in lists.
   */
  pinned: boolean;
  provenance: Provenance;
  /**
   * Active, superseded or forgotten.
   */
  state: "active" | "superseded" | "forgotten";
  /**
   * The working key, the entity, or the procedure's name.
   */
  subject?: string | null;
  /**
   * Procedures: how often it worked.
   */
  successes: number;
  /**
   * The memory that replaced it, when superseded.
   */
  superseded_by?: number | null;
  /**
   * Words to find it by.
   */
  tags: string[];
  /**
   * In words.
   */
  text: string;
  /**
   * When it last changed (state, pin, counts), ms since the epoch.
   */
  updated_at: number;
  /**
   * Its value.
   */
  value: {
    [k: string]: unknown;
  };
}
/**
 * The arguments, by name.
 */
export interface PinMemoryArgs {
  id: number;
  pinned: boolean;
}
/**
 * A blueprint's text.
 */
export interface Method5 {
  answer: FileText1;
  args: ReadArgs;
}
/**
 * The answer.
 */
export interface FileText1 {
  /**
   * Path relative to the workspace.
   */
  path: string;
  /**
   * The text (canonical after a save).
   */
  text: string;
}
/**
 * The arguments, by name.
 */
export interface ReadArgs {
  path: string;
}
/**
 * Deletes a blueprint.
 */
export interface Method11 {
  /**
   * The answer.
   */
  answer: null;
  args: RemoveArgs;
}
/**
 * The arguments, by name.
 */
export interface RemoveArgs {
  path: string;
}
/**
 * Removes an MCP server.
 */
export interface Method36 {
  /**
   * The answer.
   */
  answer: McpServerView[];
  args: RemoveMcpServerArgs;
}
/**
 * The arguments, by name.
 */
export interface RemoveMcpServerArgs {
  name: string;
}
/**
 * Removes an added endpoint (and its stored key), or puts a built-in provider back to
 * Floe's own values.
 */
export interface Method23 {
  answer: SettingsView1;
  args: RemoveProviderArgs;
}
/**
 * The answer.
 */
export interface SettingsView1 {
  /**
   * The default model (`provider:model`), if one is chosen.
   */
  default_model?: string | null;
  /**
   * The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
   */
  default_model_from_env: boolean;
  /**
   * The settings file.
   */
  path?: string | null;
  /**
   * Why the settings file or the keychain cannot be used, when one cannot.
   */
  problem?: string | null;
  /**
   * Built-in providers first, then added endpoints.
   */
  providers: ProviderView[];
}
/**
 * The arguments, by name.
 */
export interface RemoveProviderArgs {
  name: string;
}
/**
 * Renames a blueprint.
 */
export interface Method9 {
  /**
   * The answer.
   */
  answer: null;
  args: RenameArgs;
}
/**
 * The arguments, by name.
 */
export interface RenameArgs {
  from: string;
  to: string;
}
/**
 * Renames node `from` to `to` in a document: every edge, run output, template and body
 * reference follows. Answers with the document's new text (canonical); nothing is saved.
 */
export interface Method10 {
  /**
   * The answer.
   */
  answer: string;
  args: RenameNodeArgs;
}
/**
 * The arguments, by name.
 */
export interface RenameNodeArgs {
  from: string;
  text: string;
  to: string;
}
/**
 * Resumes a run interrupted by a crash (or cancelled): finished nodes are not run again.
 */
export interface Method13 {
  answer: Started;
  args: ResumeArgs;
}
/**
 * The answer.
 */
export interface Started {
  /**
   * Its id; events arrive under it.
   */
  run_id: string;
}
/**
 * The arguments, by name.
 */
export interface ResumeArgs {
  run_id: string;
}
/**
 * Starts a run of the saved blueprint (all of it, or from a node on, reusing an earlier
 * run's results); answers once it has started, or with why it cannot.
 */
export interface Method12 {
  answer: Started1;
  args: RunArgs;
}
/**
 * The answer.
 */
export interface Started1 {
  /**
   * Its id; events arrive under it.
   */
  run_id: string;
}
/**
 * The arguments, by name.
 */
export interface RunArgs {
  request: RunRequest;
}
/**
 * What to run and how: the request behind the Run button and "run from here".
 */
export interface RunRequest {
  /**
   * Run this top-level node and everything downstream of it again, reusing the other nodes'
   * results from `reuse` (default: the blueprint's latest run).
   */
  from?: string | null;
  /**
   * Run inputs by name (defaults fill the rest).
   */
  inputs?: {
    [k: string]: unknown;
  };
  /**
   * Start even if a model it calls cannot be called now (by default the run is refused
   * with `not_ready` before any node starts).
   */
  no_check?: boolean;
  /**
   * The saved blueprint, relative to the workspace.
   */
  path: string;
  /**
   * Outputs pinned by top-level node id: those nodes take them instead of running.
   */
  pinned?: {
    [k: string]: {
      [k: string]: unknown;
    };
  };
  /**
   * Reuse this earlier run's results wherever a node would get exactly the same work.
   */
  reuse?: string | null;
}
/**
 * One stored run: its summary, the blueprint that ran and what waits for a decision.
 */
export interface Method15 {
  answer: RunDetail;
  args: RunDetailArgs;
}
/**
 * The answer.
 */
export interface RunDetail {
  /**
   * Approvals waiting for a decision.
   */
  approvals: PendingApproval[];
  /**
   * The sub-workflow runs it started, with the node that started each.
   */
  children: ChildRunInfo[];
  /**
   * Plan hash that ran.
   */
  hash: string;
  /**
   * Run inputs after defaults.
   */
  inputs: {
    [k: string]: unknown;
  };
  /**
   * Run outputs, when finished.
   */
  outputs?: {
    [k: string]: unknown;
  } | null;
  /**
   * The blueprint file, relative to the workspace when it is inside it.
   */
  path?: string | null;
  /**
   * Whether the run can be resumed (interrupted by a crash, or cancelled).
   */
  resumable: boolean;
  summary: RunSummary;
  /**
   * The document that ran, as it was.
   */
  text: string;
}
/**
 * A sub-workflow run, as the app opens it.
 */
export interface ChildRunInfo {
  /**
   * The node path that started it (`each/2/summarise`).
   */
  node: string;
  /**
   * Its blueprint, relative to the workspace when it is inside it.
   */
  path?: string | null;
  /**
   * Its run id.
   */
  run_id: string;
}
/**
 * Status, times, counts, tokens and cost.
 */
export interface RunSummary {
  /**
   * Blueprint id.
   */
  blueprint: string;
  /**
   * USD spent on priced models.
   */
  cost_usd: number;
  /**
   * Why it failed.
   */
  error?: string | null;
  /**
   * End, when over.
   */
  finished_at?: number | null;
  /**
   * Run id.
   */
  id: string;
  /**
   * Whether the process running it is gone (its lease ran out) while it was not finished.
   */
  interrupted: boolean;
  /**
   * Blueprint name.
   */
  name: string;
  /**
   * Node counts.
   */
  nodes_failed: number;
  /**
   * Node counts.
   */
  nodes_skipped: number;
  /**
   * Node counts.
   */
  nodes_succeeded: number;
  /**
   * Start, ms since the epoch.
   */
  started_at: number;
  /**
   * Status.
   */
  status: "running" | "paused" | "waiting" | "succeeded" | "failed" | "cancelled";
  /**
   * Model prompt tokens over every call.
   */
  tokens_in: number;
  /**
   * Model output tokens over every call.
   */
  tokens_out: number;
}
/**
 * The arguments, by name.
 */
export interface RunDetailArgs {
  run_id: string;
}
/**
 * Recent runs, newest first; with `blueprint` (an id), that blueprint's history.
 */
export interface Method14 {
  /**
   * The answer.
   */
  answer: RunSummary1[];
  args: RunsArgs;
}
/**
 * One row of `floe runs`.
 */
export interface RunSummary1 {
  /**
   * Blueprint id.
   */
  blueprint: string;
  /**
   * USD spent on priced models.
   */
  cost_usd: number;
  /**
   * Why it failed.
   */
  error?: string | null;
  /**
   * End, when over.
   */
  finished_at?: number | null;
  /**
   * Run id.
   */
  id: string;
  /**
   * Whether the process running it is gone (its lease ran out) while it was not finished.
   */
  interrupted: boolean;
  /**
   * Blueprint name.
   */
  name: string;
  /**
   * Node counts.
   */
  nodes_failed: number;
  /**
   * Node counts.
   */
  nodes_skipped: number;
  /**
   * Node counts.
   */
  nodes_succeeded: number;
  /**
   * Start, ms since the epoch.
   */
  started_at: number;
  /**
   * Status.
   */
  status: "running" | "paused" | "waiting" | "succeeded" | "failed" | "cancelled";
  /**
   * Model prompt tokens over every call.
   */
  tokens_in: number;
  /**
   * Model output tokens over every call.
   */
  tokens_out: number;
}
/**
 * The arguments, by name.
 */
export interface RunsArgs {
  /**
   * Optional: String.
   */
  blueprint?: string | null;
  /**
   * Optional: u32.
   */
  limit?: number | null;
}
/**
 * Saves a document in canonical form; answers with what was written.
 */
export interface Method7 {
  answer: FileText2;
  args: SaveArgs;
}
/**
 * The answer.
 */
export interface FileText2 {
  /**
   * Path relative to the workspace.
   */
  path: string;
  /**
   * The text (canonical after a save).
   */
  text: string;
}
/**
 * The arguments, by name.
 */
export interface SaveArgs {
  path: string;
  text: string;
}
/**
 * Chooses the default model (`provider:model`) that nodes saying `default` call, or unsets it.
 */
export interface Method26 {
  answer: SettingsView2;
  args: SetDefaultModelArgs;
}
/**
 * The answer.
 */
export interface SettingsView2 {
  /**
   * The default model (`provider:model`), if one is chosen.
   */
  default_model?: string | null;
  /**
   * The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
   */
  default_model_from_env: boolean;
  /**
   * The settings file.
   */
  path?: string | null;
  /**
   * Why the settings file or the keychain cannot be used, when one cannot.
   */
  problem?: string | null;
  /**
   * Built-in providers first, then added endpoints.
   */
  providers: ProviderView[];
}
/**
 * The arguments, by name.
 */
export interface SetDefaultModelArgs {
  /**
   * Optional: String.
   */
  model?: string | null;
}
/**
 * Stores a provider's API key in the OS keychain; no answer ever carries it back.
 */
export interface Method24 {
  answer: SettingsView3;
  args: SetKeyArgs;
}
/**
 * The answer.
 */
export interface SettingsView3 {
  /**
   * The default model (`provider:model`), if one is chosen.
   */
  default_model?: string | null;
  /**
   * The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
   */
  default_model_from_env: boolean;
  /**
   * The settings file.
   */
  path?: string | null;
  /**
   * Why the settings file or the keychain cannot be used, when one cannot.
   */
  problem?: string | null;
  /**
   * Built-in providers first, then added endpoints.
   */
  providers: ProviderView[];
}
/**
 * The arguments, by name.
 */
export interface SetKeyArgs {
  key: string;
  provider: string;
}
/**
 * Adds or changes an MCP server (a `command` with `args` and `env`, or a `url` with
 * `headers`; a `timeout`); every server connects again.
 */
export interface Method35 {
  /**
   * The answer.
   */
  answer: McpServerView[];
  args: SetMcpServerArgs;
}
/**
 * The arguments, by name.
 */
export interface SetMcpServerArgs {
  name: string;
  settings: McpServerSettings1;
}
/**
 * An MCP server: a command started with stdio (`command`, `args`, `env`), or a streamable HTTP
 * endpoint (`url`, `headers`). The shape is Claude Desktop's and Cursor's, so their entries can
 * be pasted as they are (their `type` is read and not needed).
 */
export interface McpServerSettings1 {
  /**
   * Its arguments.
   */
  args?: string[];
  /**
   * The program that serves MCP on its stdin and stdout.
   */
  command?: string | null;
  /**
   * Environment variables it gets (beside Floe's own).
   */
  env?: {
    [k: string]: string;
  };
  /**
   * HTTP headers sent with every request (e.g. `Authorization`).
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * Longest wait for one tool call, e.g. `"5m"` (default 60 s).
   */
  timeout?: string | null;
  /**
   * `stdio`, `http` or `streamable-http`, as other clients write it (read, not needed).
   */
  type?: string | null;
  /**
   * Or: the URL of a streamable HTTP MCP endpoint.
   */
  url?: string | null;
}
/**
 * Sets a provider's settings (a built-in one's overrides, or a new OpenAI-compatible
 * endpoint with `api` and `base_url`); written atomically, used at once.
 */
export interface Method22 {
  answer: SettingsView4;
  args: SetProviderArgs;
}
/**
 * The answer.
 */
export interface SettingsView4 {
  /**
   * The default model (`provider:model`), if one is chosen.
   */
  default_model?: string | null;
  /**
   * The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
   */
  default_model_from_env: boolean;
  /**
   * The settings file.
   */
  path?: string | null;
  /**
   * Why the settings file or the keychain cannot be used, when one cannot.
   */
  problem?: string | null;
  /**
   * Built-in providers first, then added endpoints.
   */
  providers: ProviderView[];
}
/**
 * The arguments, by name.
 */
export interface SetProviderArgs {
  name: string;
  settings: ProviderSettings1;
}
/**
 * One provider's settings; unset fields keep the built-in value.
 */
export interface ProviderSettings1 {
  /**
   * The API it speaks (required for a provider Floe does not know).
   */
  api?: Api | null;
  /**
   * Where it is served.
   */
  base_url?: string | null;
  /**
   * Most calls in flight at once.
   */
  concurrency?: number | null;
  /**
   * Whether it needs an API key (local servers do not).
   */
  needs_key?: boolean | null;
  /**
   * Organisation id (OpenAI).
   */
  organization?: string | null;
  /**
   * Longest wait for the first byte of a reply and between stream chunks, e.g. `"120s"`.
   */
  timeout?: string | null;
}
/**
 * Every provider with its settings and where its key comes from (never the key), and the
 * default model.
 */
export interface Method21 {
  answer: SettingsView5;
  args: SettingsArgs;
}
/**
 * The answer.
 */
export interface SettingsView5 {
  /**
   * The default model (`provider:model`), if one is chosen.
   */
  default_model?: string | null;
  /**
   * The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
   */
  default_model_from_env: boolean;
  /**
   * The settings file.
   */
  path?: string | null;
  /**
   * Why the settings file or the keychain cannot be used, when one cannot.
   */
  problem?: string | null;
  /**
   * Built-in providers first, then added endpoints.
   */
  providers: ProviderView[];
}
/**
 * The arguments, by name.
 */
export interface SettingsArgs {}
/**
 * One cheap call to a provider (listing its models) to check its key and base URL.
 */
export interface Method27 {
  answer: ProviderTest;
  args: TestProviderArgs;
}
/**
 * The answer.
 */
export interface ProviderTest {
  /**
   * How long the call took.
   */
  elapsed_ms: number;
  /**
   * What happened, in words (what to do when it failed).
   */
  message: string;
  /**
   * Models it listed.
   */
  models: number;
  /**
   * The call worked.
   */
  ok: boolean;
}
/**
 * The arguments, by name.
 */
export interface TestProviderArgs {
  name: string;
}
/**
 * The open folder and its blueprints.
 */
export interface Method3 {
  answer: WorkspaceInfo2;
  args: WorkspaceArgs;
}
/**
 * The answer.
 */
export interface WorkspaceInfo2 {
  /**
   * Its blueprints.
   */
  entries: Entry[];
  /**
   * The folder.
   */
  root: string;
}
/**
 * The arguments, by name.
 */
export interface WorkspaceArgs {}
