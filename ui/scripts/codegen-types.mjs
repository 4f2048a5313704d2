// Writes the UI's TypeScript types from the JSON Schemas that `cargo xtask codegen` generates
// from the Rust types (schemas/*.schema.json), so no type crosses the boundary by hand.
// `--check` fails when the committed files differ from what would be written.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { compile } from "json-schema-to-typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const outputs = [
  { schema: "schemas/blueprint.v1.schema.json", name: "Blueprint", out: "ui/src/generated/blueprint.ts" },
  { schema: "schemas/catalog.schema.json", name: "CatalogDoc", out: "ui/src/generated/catalog.ts" },
  { schema: "schemas/api.schema.json", name: "ApiTypes", out: "ui/src/generated/api.ts" },
];
const check = process.argv.includes("--check");
const stale = [];
for (const { schema, name, out } of outputs) {
  const source = JSON.parse(await readFile(path.join(root, schema), "utf8"));
  source.title = name;
  const text = await compile(source, name, {
    bannerComment: `// Generated from ${schema} by ui/scripts/codegen-types.mjs; do not edit.\n`,
    unreachableDefinitions: false,
    additionalProperties: false,
    format: true,
    style: { printWidth: 120 },
  });
  const target = path.join(root, out);
  const current = await readFile(target, "utf8").catch(() => "");
  if (current === text) continue;
  if (check) stale.push(out);
  else {
    await writeFile(target, text);
    console.error(`wrote ${out}`);
  }
}
if (stale.length) {
  console.error(`generated TypeScript types are out of date: ${stale.join(", ")}; run \`npm run codegen\` and commit`);
  process.exit(1);
}
