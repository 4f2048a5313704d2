import { describe, expect, it } from "vitest";
import { defaultOf } from "./SchemaForm";

describe("what an unset field means", () => {
  it("comes from the schema's default, else from its description", () => {
    expect(defaultOf({ type: "boolean", default: false })).toBe("false");
    expect(defaultOf({ type: ["boolean", "null"], description: "Whether the first row names the columns (default true)." })).toBe("true");
    expect(defaultOf({ description: "Memory limit in MiB, 1–4096 (default 64)." })).toBe("64");
    expect(defaultOf({ description: 'First delay (default `"500ms"`).' })).toBe("500ms");
    expect(defaultOf({ description: "What a failed node does to the run (default `halt`)." })).toBe("halt");
    expect(defaultOf({ description: "Error classes that move on (default: rate_limited, overloaded, server)." })).toBe("rate_limited, overloaded, server");
  });
  it("is unknown when nothing states it", () => {
    expect(defaultOf({ description: "Per-attempt time limit, e.g. `\"30s\"` (built-in default: none)." })).toBeUndefined();
    expect(defaultOf({ description: "Error classes that are retried (default: the transient ones)." })).toBeUndefined();
    expect(defaultOf({ description: "Chunk size in the unit of the mode." })).toBeUndefined();
  });
});
