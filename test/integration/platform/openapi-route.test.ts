/**
 * GET /openapi.json as a route of the table (what the deployed API serves): public, not enveloped,
 * the same document `npm run openapi` writes — every HTTP route of the table, itself included.
 */
import { describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { call } from "#test/helpers/api.ts";
import { missingFromDocument } from "#tools/openapi-document.ts";

describe("GET /openapi.json", () => {
  it("answers the OpenAPI 3.1 document of every route without credentials", async () => {
    const res = await call("GET", "/openapi.json");

    expect(res.status).toBe(200);
    expect(res.headers["Content-Type"]).toMatch(/^application\/json/);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.info.title).toBe("Warden API");
    expect(missingFromDocument(res.body, routes)).toEqual([]);
    expect(res.body.paths["/openapi.json"].get["x-warden-permission"]).toBeNull();
  });
});
