/**
 * The typed client's types (test/e2e/client/warden-api.ts) are generated from the current document:
 * the e2e tests compile against them, so a server that drifts from the document, or a document
 * that drifts from the committed types, breaks the build. Regenerate with `npm run openapi`.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { buildOpenApiDocument, clientTypes } from "#tools/openapi-document.ts";

const root = resolve(import.meta.dirname, "../..");

describe("the typed client", () => {
  it("is generated from the current OpenAPI document (run `npm run openapi` when this fails)", async () => {
    const fresh = await clientTypes(await buildOpenApiDocument(routes, { root }));
    const committed = await readFile(resolve(root, "test/e2e/client/warden-api.ts"), "utf8");
    expect(committed === fresh, "test/e2e/client/warden-api.ts is stale: run `npm run openapi`").toBe(true);
  }, 60_000);
});
