// What a container node from the palette starts with: a small body that makes it valid as placed
// (a loop over three items that writes each, two parallel branches, a refinement that converges),
// with its config pointing at the body's nodes. Ids are fresh across the whole document.
import type { Node as BlueprintNode } from "../generated/blueprint";

export interface Starter {
  /** Fields merged into the container's config. */
  config: Record<string, unknown>;
  /** Body nodes, with their positions inside the container. */
  body: { node: BlueprintNode; position: { x: number; y: number } }[];
  /** The container's box. */
  size: { width: number; height: number };
  /**
   * A node that feeds the container's required input when nothing else does, placed left of it
   * (its position relative to the container's), and the edge's ports.
   */
  seed?: { node: BlueprintNode; position: { x: number; y: number }; from: string; to: string };
}

/** Room a seed takes left of its container: a node's width and the gap to the container. */
export const SEED_ROOM = 290;

const template = (id: string, text: string): BlueprintNode => ({ id, kind: "tool", config: { tool: "text_template", args: { template: text } } }) as BlueprintNode;

/** A starter body for container `kind` (null for other kinds); `fed` when its input is connected as it is placed. */
export function starter(kind: string, fresh: (stem: string) => string, fed: boolean): Starter | null {
  switch (kind) {
    case "loop": {
      const step = fresh("each_item");
      return {
        config: { collect: `${step}.text`, ...(fed ? {} : { items: "[1, 2, 3]" }) },
        body: [{ node: template(step, "Item {{ index }}: {{ item }}"), position: { x: 50, y: 80 } }],
        size: { width: 320, height: 200 },
      };
    }
    case "parallel": {
      const a = fresh("branch_a");
      const b = fresh("branch_b");
      return {
        config: { branches: { a: `${a}.text`, b: `${b}.text` } },
        body: [
          { node: template(a, "first branch"), position: { x: 50, y: 80 } },
          { node: template(b, "second branch"), position: { x: 50, y: 200 } },
        ],
        size: { width: 320, height: 320 },
      };
    }
    case "recursive": {
      const step = fresh("refine");
      return {
        config: { next: `${step}.text` },
        body: [{ node: template(step, "{{ state }} APPROVED"), position: { x: 50, y: 80 } }],
        size: { width: 320, height: 200 },
        ...(fed ? {} : { seed: { node: template(fresh("first_draft"), "a first draft"), position: { x: -SEED_ROOM, y: 40 }, from: "text", to: "initial" } }),
      };
    }
    default:
      return null;
  }
}
