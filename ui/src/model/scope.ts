// What a node's templates and expressions can read, for the editors' autocomplete: `inputs` (the
// node's input ports), `run` (the blueprint's run inputs), `nodes.<id>.<port>` (nodes of its own
// graph and of the graphs around it) and the variables of the containers it sits in — the same
// names the compiler accepts (docs/semantics.md "Data").
import type { Blueprint } from "../generated/blueprint";
import type { CatalogDoc } from "../generated/catalog";
import type { Canvas } from "./convert";
import { portsOf } from "./ports";

export interface Name {
  label: string;
  detail: string;
}

export interface TemplateScope {
  /** Top-level names. */
  variables: Name[];
  /** Names under a dotted path (`["nodes", "fetch"]` → that node's output ports). */
  properties(path: readonly string[]): Name[];
}

export function templateScope(
  nodeId: string,
  canvas: Canvas,
  blueprint: Blueprint | null,
  catalog: CatalogDoc | null,
  fieldVars: readonly string[] = [],
): TemplateScope {
  const byId = new Map(canvas.nodes.map((n) => [n.id, n]));
  const self = byId.get(nodeId);
  // The graphs this node can see: its own and each enclosing one.
  const scopes = new Set<string | null>([null]);
  const bodyVars: Name[] = [];
  for (let scope = self?.data.scope ?? null; scope; scope = byId.get(scope)?.data.scope ?? null) {
    scopes.add(scope);
    const container = byId.get(scope);
    const kind = catalog?.kinds.find((k) => k.kind === container?.data.node.kind);
    for (const name of kind?.body_vars ?? []) {
      if (!bodyVars.some((v) => v.label === name)) bodyVars.push({ label: name, detail: `${kind!.kind} ${scope}` });
    }
  }
  const visible = canvas.nodes.filter((n) => n.id !== nodeId && scopes.has(n.data.scope));
  const runInputs = Object.entries((blueprint?.inputs ?? {}) as Record<string, { type?: string; description?: string }>);
  const variables: Name[] = [
    { label: "inputs", detail: "this node's input ports" },
    { label: "run", detail: "the run's inputs" },
    { label: "nodes", detail: "upstream outputs: nodes.<id>.<port>" },
    ...bodyVars,
    ...fieldVars.filter((v) => !bodyVars.some((b) => b.label === v)).map((label) => ({ label, detail: "this field" })),
  ];
  return {
    variables,
    properties(path) {
      const [head, second, ...rest] = path;
      if (rest.length > 0) return [];
      if (head === "run" && second === undefined) {
        return runInputs.map(([name, spec]) => ({ label: name, detail: spec.description ?? spec.type ?? "run input" }));
      }
      if (head === "inputs" && second === undefined && self) {
        return portsOf(self.data.node, catalog, canvas).inputs.map((port) => ({ label: port, detail: "input port" }));
      }
      if (head === "nodes" && second === undefined) {
        return visible.map((n) => ({ label: n.id, detail: n.data.node.title ?? n.data.node.kind }));
      }
      if (head === "nodes" && second !== undefined) {
        const node = byId.get(second);
        if (!node) return [];
        return portsOf(node.data.node, catalog, canvas).outputs.map((port) => ({ label: port, detail: `output of ${second}` }));
      }
      return [];
    },
  };
}
