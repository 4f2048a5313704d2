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
 * What `GET /api/runs/{id}/events` sends, one per message.
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
 * Every type the API answers with, gathered so one schema (and the UI's TypeScript types,
 * generated from it) covers them.
 */
export interface ApiTypes {
  about: About;
  check: Check;
  /**
   * `POST /api/runs/{id}/approvals/{node}` (the body).
   */
  decision:
    | {
        /**
         * A note for the record.
         */
        comment?: string | null;
        decision: "approve";
        /**
         * The edited value.
         */
        value?: {
          [k: string]: unknown;
        };
      }
    | {
        /**
         * Why.
         */
        comment?: string | null;
        decision: "reject";
      };
  error: ErrorBody;
  event: Event;
  file: FileText;
  run_detail: RunDetail;
  run_request: RunRequest;
  /**
   * `GET /api/runs`.
   */
  runs: RunSummary1[];
  started: Started;
  workspace: WorkspaceInfo;
}
/**
 * `GET /api/about`.
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
 * `POST /api/check`.
 */
export interface Check {
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
 * Any failure.
 */
export interface ErrorBody {
  /**
   * The document's problems, when it could not be read.
   */
  diagnostics?: Diagnostic[];
  /**
   * What happened and what to do.
   */
  error: string;
}
/**
 * Why it failed.
 */
export interface ErrorInfo {
  /**
   * Which class of failure (decides retries).
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
   * Which class of failure (decides retries).
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
 * `GET|PUT /api/files`, `POST /api/files/create`.
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
 * `GET /api/runs/{id}`.
 */
export interface RunDetail {
  /**
   * Approvals waiting for a decision.
   */
  approvals: PendingApproval[];
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
   * The value under review.
   */
  value: {
    [k: string]: unknown;
  };
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
 * `POST /api/runs` (the body), `POST /api/runs/{id}/resume`.
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
 * `POST /api/runs`.
 */
export interface Started {
  /**
   * Its id; events arrive under it.
   */
  run_id: string;
}
/**
 * `GET /api/workspace`, `POST /api/workspace/open`.
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
