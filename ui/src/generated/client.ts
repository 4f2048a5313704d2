// Generated from the API's table (crates/floe-api/src/methods.rs) by `cargo xtask codegen`; do not edit.
import type { ApiMethods } from "./api";

/** A method of the API, by its wire name. */
export type Method = keyof ApiMethods;
/** A method's arguments, by name. */
export type Args<M extends Method> = ApiMethods[M]["args"];
/** A method's answer. */
export type Answer<M extends Method> = ApiMethods[M]["answer"];

/** Every method of the API over one transport: a backend implements `call`. */
export abstract class ApiClient {
  /** Sends one call; rejects with the API's error. */
  protected abstract call<M extends Method>(method: M, args: Args<M>): Promise<Answer<M>>;

  /** Name and versions, for the About box. */
  about(): Promise<Answer<"about">> {
    return this.call("about", {});
  }

  /** Every node kind and built-in tool, with schemas, ports and docs. */
  catalog(): Promise<Answer<"catalog">> {
    return this.call("catalog", {});
  }

  /** The open folder and its blueprints. */
  workspace(): Promise<Answer<"workspace">> {
    return this.call("workspace", {});
  }

  /** Opens another folder of blueprints. */
  openFolder(root: Args<"open_folder">["root"]): Promise<Answer<"open_folder">> {
    return this.call("open_folder", { root });
  }

  /** A blueprint's text. */
  read(path: Args<"read">["path"]): Promise<Answer<"read">> {
    return this.call("read", { path });
  }

  /** Compiles a document as if saved at `path`: every problem with its position. */
  check(path: Args<"check">["path"], text: Args<"check">["text"]): Promise<Answer<"check">> {
    return this.call("check", { path, text });
  }

  /** Saves a document in canonical form; answers with what was written. */
  save(path: Args<"save">["path"], text: Args<"save">["text"]): Promise<Answer<"save">> {
    return this.call("save", { path, text });
  }

  /** Creates an empty blueprint. */
  create(path: Args<"create">["path"], name: Args<"create">["name"]): Promise<Answer<"create">> {
    return this.call("create", { path, name });
  }

  /** Renames a blueprint. */
  rename(from: Args<"rename">["from"], to: Args<"rename">["to"]): Promise<Answer<"rename">> {
    return this.call("rename", { from, to });
  }

  /** Renames node `from` to `to` in a document: every edge, run output, template and body reference follows. Answers with the document's new text (canonical); nothing is saved. */
  renameNode(text: Args<"rename_node">["text"], from: Args<"rename_node">["from"], to: Args<"rename_node">["to"]): Promise<Answer<"rename_node">> {
    return this.call("rename_node", { text, from, to });
  }

  /** Deletes a blueprint. */
  remove(path: Args<"remove">["path"]): Promise<Answer<"remove">> {
    return this.call("remove", { path });
  }

  /** Starts a run of the saved blueprint (all of it, or from a node on, reusing an earlier run's results); answers once it has started, or with why it cannot. */
  run(request: Args<"run">["request"]): Promise<Answer<"run">> {
    return this.call("run", { request });
  }

  /** Resumes a run interrupted by a crash (or cancelled): finished nodes are not run again. */
  resume(runId: Args<"resume">["run_id"]): Promise<Answer<"resume">> {
    return this.call("resume", { run_id: runId });
  }

  /** Recent runs, newest first; with `blueprint` (an id), that blueprint's history. */
  runs(blueprint?: Args<"runs">["blueprint"], limit?: Args<"runs">["limit"]): Promise<Answer<"runs">> {
    return this.call("runs", { blueprint, limit });
  }

  /** One stored run: its summary, the blueprint that ran and what waits for a decision. */
  runDetail(runId: Args<"run_detail">["run_id"]): Promise<Answer<"run_detail">> {
    return this.call("run_detail", { run_id: runId });
  }

  /** Cancels a run, wherever it was started (it stays resumable). */
  cancel(runId: Args<"cancel">["run_id"]): Promise<Answer<"cancel">> {
    return this.call("cancel", { run_id: runId });
  }

  /** Pauses a run started here (running nodes finish, no new ones start), or lets it go on. */
  pause(runId: Args<"pause">["run_id"], paused: Args<"pause">["paused"]): Promise<Answer<"pause">> {
    return this.call("pause", { run_id: runId, paused });
  }

  /** Approvals waiting for a decision (of one run, or all). */
  approvals(runId?: Args<"approvals">["run_id"]): Promise<Answer<"approvals">> {
    return this.call("approvals", { run_id: runId });
  }

  /** Decides a waiting approval; the run (in any process) picks the decision up. */
  decide(runId: Args<"decide">["run_id"], node: Args<"decide">["node"], decision: Args<"decide">["decision"]): Promise<Answer<"decide">> {
    return this.call("decide", { run_id: runId, node, decision });
  }

  /** The models of every provider, read from each provider's own list (once, until `refresh`), with prices and context sizes where known; a provider that cannot be listed says why (no key, not running). */
  models(refresh?: Args<"models">["refresh"]): Promise<Answer<"models">> {
    return this.call("models", { refresh });
  }

  /** Every provider with its settings and where its key comes from (never the key), and the default model. */
  settings(): Promise<Answer<"settings">> {
    return this.call("settings", {});
  }

  /** Sets a provider's settings (a built-in one's overrides, or a new OpenAI-compatible endpoint with `api` and `base_url`); written atomically, used at once. */
  setProvider(name: Args<"set_provider">["name"], settings: Args<"set_provider">["settings"]): Promise<Answer<"set_provider">> {
    return this.call("set_provider", { name, settings });
  }

  /** Removes an added endpoint (and its stored key), or puts a built-in provider back to Floe's own values. */
  removeProvider(name: Args<"remove_provider">["name"]): Promise<Answer<"remove_provider">> {
    return this.call("remove_provider", { name });
  }

  /** Stores a provider's API key in the OS keychain; no answer ever carries it back. */
  setKey(provider: Args<"set_key">["provider"], key: Args<"set_key">["key"]): Promise<Answer<"set_key">> {
    return this.call("set_key", { provider, key });
  }

  /** Deletes a provider's API key from the OS keychain. */
  deleteKey(provider: Args<"delete_key">["provider"]): Promise<Answer<"delete_key">> {
    return this.call("delete_key", { provider });
  }

  /** Chooses the default model (`provider:model`) that nodes saying `default` call, or unsets it. */
  setDefaultModel(model?: Args<"set_default_model">["model"]): Promise<Answer<"set_default_model">> {
    return this.call("set_default_model", { model });
  }

  /** One cheap call to a provider (listing its models) to check its key and base URL. */
  testProvider(name: Args<"test_provider">["name"]): Promise<Answer<"test_provider">> {
    return this.call("test_provider", { name });
  }

  /** Every memory namespace, with how many memories it holds and its budget. */
  memoryNamespaces(): Promise<Answer<"memory_namespaces">> {
    return this.call("memory_namespaces", {});
  }

  /** A namespace's memories: with `query`, the best matches first (keyword search, fused with similarity when an embedding model is set); without, pinned first, then newest. */
  memories(namespace: Args<"memories">["namespace"], query?: Args<"memories">["query"], limit?: Args<"memories">["limit"]): Promise<Answer<"memories">> {
    return this.call("memories", { namespace, query, limit });
  }

  /** One memory with its history (every version) and the blueprint of the run that wrote it. */
  memoryDetail(id: Args<"memory_detail">["id"]): Promise<Answer<"memory_detail">> {
    return this.call("memory_detail", { id });
  }

  /** A person's edit of a memory: a new version that supersedes it (kept as its history). */
  editMemory(id: Args<"edit_memory">["id"], text: Args<"edit_memory">["text"], value: Args<"edit_memory">["value"], tags: Args<"edit_memory">["tags"]): Promise<Answer<"edit_memory">> {
    return this.call("edit_memory", { id, text, value, tags });
  }

  /** Pins a memory (first in lists), or unpins it. */
  pinMemory(id: Args<"pin_memory">["id"], pinned: Args<"pin_memory">["pinned"]): Promise<Answer<"pin_memory">> {
    return this.call("pin_memory", { id, pinned });
  }

  /** Forgets a memory: hidden from search; with `hard`, deleted for good with its history. */
  forgetMemory(id: Args<"forget_memory">["id"], hard?: Args<"forget_memory">["hard"]): Promise<Answer<"forget_memory">> {
    return this.call("forget_memory", { id, hard });
  }

  /** The MCP servers of the settings, with their tools (`<server>__<tool>`) and what is wrong. */
  mcpServers(): Promise<Answer<"mcp_servers">> {
    return this.call("mcp_servers", {});
  }

  /** Adds or changes an MCP server (a `command` with `args` and `env`, or a `url` with `headers`; a `timeout`); every server connects again. */
  setMcpServer(name: Args<"set_mcp_server">["name"], settings: Args<"set_mcp_server">["settings"]): Promise<Answer<"set_mcp_server">> {
    return this.call("set_mcp_server", { name, settings });
  }

  /** Removes an MCP server. */
  removeMcpServer(name: Args<"remove_mcp_server">["name"]): Promise<Answer<"remove_mcp_server">> {
    return this.call("remove_mcp_server", { name });
  }

  /** Adds the servers of a Claude Desktop or Cursor configuration, pasted as it is. */
  addMcpServers(json: Args<"add_mcp_servers">["json"]): Promise<Answer<"add_mcp_servers">> {
    return this.call("add_mcp_servers", { json });
  }

  /** Copies the example blueprints (and the files they read) into the open folder, leaving files already there as they are. */
  addExamples(): Promise<Answer<"add_examples">> {
    return this.call("add_examples", {});
  }

  /** Starts drafting a request (a new graph, or an edit of `path`, optionally about selected nodes) with the default model (or `model`, or offline); answers with its id at once. */
  draft(request: Args<"draft">["request"]): Promise<Answer<"draft">> {
    return this.call("draft", { request });
  }

  /** What happened to a draft since `after` (waiting up to ten seconds for something new): the model's text, each round's problems, and the draft once it is over. */
  draftStatus(id: Args<"draft_status">["id"], after?: Args<"draft_status">["after"]): Promise<Answer<"draft_status">> {
    return this.call("draft_status", { id, after });
  }

  /** Stops a draft. */
  cancelDraft(id: Args<"cancel_draft">["id"]): Promise<Answer<"cancel_draft">> {
    return this.call("cancel_draft", { id });
  }

  /** Records whether the person accepted or rejected a draft (for the history of requests). */
  decideDraft(id: Args<"decide_draft">["id"], accepted: Args<"decide_draft">["accepted"]): Promise<Answer<"decide_draft">> {
    return this.call("decide_draft", { id, accepted });
  }

  /** The requests made with Ask about a blueprint (or all), newest first, with what became of each; kept in the folder (`.floe/asks.json`), not in the blueprint. */
  askHistory(path?: Args<"ask_history">["path"]): Promise<Answer<"ask_history">> {
    return this.call("ask_history", { path });
  }

  /** A blueprint (the file, or the document in the editor) in plain words, step by step: by the default model when one is chosen (only steps naming its own nodes kept), else by Floe. */
  explain(path: Args<"explain">["path"], document?: Args<"explain">["document"], offline?: Args<"explain">["offline"]): Promise<Answer<"explain">> {
    return this.call("explain", { path, document, offline });
  }
}
