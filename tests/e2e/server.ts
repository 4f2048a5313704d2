// Starts `floe serve` (the debug binary built by `cargo build`) on a scratch copy of the
// examples and returns the URL it prints, with its token.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Served {
  url: string;
  folder: string;
  process: ChildProcess;
}

export async function serve(): Promise<Served> {
  const scratch = mkdtempSync(path.join(tmpdir(), "floe-e2e-"));
  const folder = path.join(scratch, "blueprints");
  cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
  const binary = path.join(target, "debug", "floe");
  const child = spawn(binary, ["serve", folder, "--json", "--ui", path.join(repo, "ui/dist"), "--db", path.join(scratch, "runs.db")], {
    stdio: ["ignore", "pipe", "inherit"],
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
  return { url, folder, process: child };
}
