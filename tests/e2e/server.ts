// Starts `floe serve` (the debug binary built by `cargo build`) on a scratch copy of the
// examples and returns the URL it prints, with its token.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Served {
  url: string;
  folder: string;
  /** The scratch folder (the blueprints' copy and the run store): `serve(scratch)` starts again on it. */
  scratch: string;
  process: ChildProcess;
}

/** Starts `floe serve` on a fresh scratch copy of the examples, or again on an earlier one (same folder, same run store). */
export async function serve(again?: string, env: Record<string, string> = {}): Promise<Served> {
  const scratch = again ?? mkdtempSync(path.join(tmpdir(), "floe-e2e-"));
  const folder = path.join(scratch, "blueprints");
  if (!again) cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
  // Settings of its own (never the developer's): a set-up user's, with a default model, so the
  // model examples check clean; a test may name another file.
  const settings = path.join(scratch, "settings.json");
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ default_model: "ollama:llama3.2" }));
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
  const binary = path.join(target, "debug", "floe");
  const child = spawn(binary, ["serve", folder, "--json", "--ui", path.join(repo, "ui/dist"), "--db", path.join(scratch, "runs.db")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, FLOE_SETTINGS: settings, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n")[0];
      if (buffer.includes("\n")) resolve(JSON.parse(line).url as string);
    });
    child.on("exit", (code) => reject(new Error(`floe serve exited with ${code}`)));
  });
  return { url, folder, scratch, process: child };
}

/** Starts the fake model vendor (`fake-provider`, built with the workspace) speaking `vendor`'s wire format; returns its base URL. */
export async function fakeProvider(vendor: string, args: string[] = []): Promise<{ baseUrl: string; process: ChildProcess }> {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
  const child = spawn(path.join(target, "debug", "fake-provider"), [vendor, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]).base_url as string);
    });
    child.on("exit", (code) => reject(new Error(`fake-provider exited with ${code}`)));
  });
  return { baseUrl, process: child };
}

/** Every event of a run, read over the API's WebSocket from the page. */
export async function runEvents(page: Page, run: string): Promise<{ type: string; node?: string }[]> {
  return page.evaluate(
    (id) =>
      new Promise((resolve) => {
        const out: unknown[] = [];
        const socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/runs/${id}/events`);
        socket.onmessage = (m) => out.push(...JSON.parse(String(m.data)));
        socket.onclose = () => resolve(out as { type: string; node?: string }[]);
      }),
    run,
  );
}
