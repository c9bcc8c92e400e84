/**
 * The OpenAPI document: generated from the route table and the endpoints' zod schemas, valid
 * OpenAPI 3.1 by an independent validator, with every route of the table in it and every route
 * declaring the schema of its answer. All derived from the table, so a route added by any area is
 * held to the same rules the day it lands.
 */
import { resolve } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import {
  buildOpenApiDocument,
  missingFromDocument,
  routesWithoutResponseSchema,
  specTitles,
} from "#tools/openapi-document.ts";

const root = resolve(import.meta.dirname, "../..");
let doc: Awaited<ReturnType<typeof buildOpenApiDocument>>;
type Operation = {
  summary: string;
  security: unknown[];
  "x-warden-permission": string | null;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
const op = (method: string, path: string) =>
  (doc.paths?.[path] as Record<string, Operation> | undefined)?.[method.toLowerCase()] as Operation;

beforeAll(async () => {
  doc = await buildOpenApiDocument(routes, { root });
}, 60_000);

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 for an independent validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has an operation for every HTTP route of the table, and the check notices one missing", () => {
    const http = routes.filter((r) => r.method !== "WEBSOCKET");
    expect(http.length).toBeGreaterThan(60);
    expect(missingFromDocument(doc, routes)).toEqual([]);
    const [first] = http as [RouteDef];
    const without = structuredClone(doc) as unknown as { paths: Record<string, Record<string, unknown>> };
    delete without.paths[first.path]?.[first.method.toLowerCase()];
    expect(missingFromDocument(without, routes)).toEqual([`${first.method} ${first.path}`]);
  });

  it("names each route's permission, security and the error envelope of its surface", () => {
    for (const r of routes.filter((x) => x.method !== "WEBSOCKET")) {
      const o = op(r.method, r.path);
      expect(o["x-warden-permission"], `${r.method} ${r.path}`).toBe(r.permission);
      expect(o.security, `${r.method} ${r.path}`).toEqual(
        r.permission === null ? [] : [{ bearerAuth: [] }, { apiKey: [] }],
      );
      expect(o.summary.length, `${r.method} ${r.path}`).toBeGreaterThan(3);
      const errorRef = o.responses["500"]?.content?.["application/json"]?.schema?.$ref;
      const expected = {
        gateway: "GatewayError",
        platform: "GatewayError",
        securenet: "SecurenetError",
        cloudsentinel: "CloudsentinelError",
        grc: "GrcError",
      }[r.surface];
      expect(errorRef, `${r.method} ${r.path}`).toBe(`#/components/schemas/${expected}`);
    }
    expect(doc.components?.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
    });
  });

  it("carries the request body schema a handler validates with, and the spec's name for the route", () => {
    const add = op("POST", "/cloud-integration/security/firewall/rules/add");
    expect(add.summary).toBe("Add Firewall Rule");
    const body = add.requestBody?.content["application/json"]?.schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(["name", "chain", "port", "protocol", "action"]),
    );
    expect(body.required).toEqual(expect.arrayContaining(["name", "action"]));
    // The securenet surface's answers are enveloped: {status, data, timestamp}.
    const login = op("POST", "/api/auth/login");
    const ok = login.responses["2XX"]?.content?.["application/json"]?.schema as { properties: Record<string, unknown> };
    expect(Object.keys(ok.properties)).toEqual(["status", "data", "timestamp"]);
    // A route that answers with a file lists its media types.
    expect(Object.keys(op("GET", "/cloud-integration/security/audit/export").responses["200"]?.content ?? {})).toEqual([
      "text/csv",
      "application/json",
      "application/pdf",
    ]);
  });

  it("reads endpoint names from the specs in docs/spec", () => {
    const titles = specTitles(resolve(root, "docs/spec"));
    expect(titles.get("POST /cloud-integration/security/users/create")).toBe("Create User");
    expect(titles.get("POST /auth/register")).toBe("Register User");
  });
});

describe("response schemas", () => {
  it("are declared by every endpoint of the table (response, or produces for files)", async () => {
    expect(await routesWithoutResponseSchema(routes, root)).toEqual([]);
  });

  it("are required: a route whose endpoint declares none is reported", async () => {
    const bare: RouteDef = {
      method: "GET",
      path: "/bare",
      handler: "test/unit/fixtures/bare-endpoint.ts",
      permission: "authenticated",
      surface: "gateway",
      rateClass: "general",
      access: {},
    };
    expect(await routesWithoutResponseSchema([bare], root)).toEqual(["GET /bare"]);
  });
});
