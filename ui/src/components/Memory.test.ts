import { describe, expect, it } from "vitest";
import { aboutOf, bytes } from "./Memory";

const memory = (over: Record<string, unknown>) =>
  ({ id: 1, namespace: "support", kind: "episodic", subject: null, attribute: null, text: "x", value: null, tags: [], state: "active", superseded_by: null, pinned: false, successes: 0, failures: 0, provenance: { run: null, node: null }, created_at: 0, updated_at: 0, ...over }) as unknown as Parameters<typeof aboutOf>[0];

describe("memory view", () => {
  it("says what a memory is about by its kind", () => {
    expect(aboutOf(memory({ kind: "semantic", subject: "ada", attribute: "plan" }))).toBe("ada · plan");
    expect(aboutOf(memory({ kind: "procedural", subject: "reset_password", successes: 3, failures: 1 }))).toBe("reset_password · 3 ✓ 1 ✗");
    expect(aboutOf(memory({ kind: "working", subject: "draft" }))).toBe("draft");
    expect(aboutOf(memory({}))).toBe("");
  });

  it("writes sizes as a person reads them", () => {
    expect(bytes(298)).toBe("298 B");
    expect(bytes(2048)).toBe("2.0 KiB");
    expect(bytes(16 << 20)).toBe("16.0 MiB");
  });
});
