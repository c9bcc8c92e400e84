/**
 * `npm run openapi`: writes openapi.json (OpenAPI 3.1) generated from the route table and the
 * endpoints' zod schemas, and the typed client's types (test/e2e/client/warden-api.ts);
 * `--out <file>` writes the document elsewhere, `--stdout` prints it (and writes nothing).
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { routes } from "#infra/routes.ts";
import { buildOpenApiDocument, clientTypes } from "./openapi-document.ts";

const root = resolve(import.meta.dirname, "..");
/** The typed client's types, committed: the e2e tests compile against them. */
export const CLIENT_FILE = "test/e2e/client/warden-api.ts";
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;

const doc = await buildOpenApiDocument(routes, { root });
const text = `${JSON.stringify(doc, null, 2)}\n`;
if (args.includes("--stdout")) process.stdout.write(text);
else {
  const file = resolve(out ?? "openapi.json");
  writeFileSync(file, text);
  const operations = Object.values(doc.paths ?? {}).reduce((n, item) => n + Object.keys(item ?? {}).length, 0);
  process.stderr.write(`openapi: ${operations} operations written to ${file}\n`);
  const client = resolve(root, CLIENT_FILE);
  writeFileSync(client, await clientTypes(doc));
  process.stderr.write(`openapi: typed client types written to ${client}\n`);
}
