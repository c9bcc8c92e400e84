/**
 * The deployed API serves its OpenAPI document (GET /openapi.json): the route's bundle carries the
 * document generated at build time, inlined as JSON — none of the generator — and no other bundle
 * carries any of it. (test/infra/app.test.ts keeps the generator out of every bundle of the app.)
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEntries, type BuiltFunction, buildFunctions, OPENAPI_DOCUMENT_MODULE } from "#infra/build.ts";
import { routes } from "#infra/routes.ts";

const picked = routes.filter((r) => r.path === "/openapi.json" || r.path === "/.well-known/jwks.json");
let dir: string;
let built: BuiltFunction[];
let meta: { outputs: Record<string, { inputs: Record<string, unknown> }> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "warden-openapi-route-"));
  built = await buildFunctions({ outdir: dir, entries: allEntries(picked, []) });
  meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8"));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const inputsOf = (functionId: string) =>
  Object.keys(Object.entries(meta.outputs).find(([out]) => out.endsWith(`${functionId}/index.mjs`))?.[1].inputs ?? {});

describe("GET /openapi.json in a function bundle", () => {
  it("answers the build-time document from the bundle alone", async () => {
    const fn = built.find((b) => b.functionId === "platform-openapi-get");
    if (!fn) throw new Error(`no bundle for the openapi route: ${built.map((b) => b.functionId).join(", ")}`);
    const { handler } = (await import(pathToFileURL(fn.outfile).href)) as {
      handler: (
        event: unknown,
        context: unknown,
      ) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
    };

    const res = await handler(
      {
        version: "2.0",
        rawPath: "/openapi.json",
        headers: {},
        requestContext: { http: { method: "GET", path: "/openapi.json", sourceIp: "203.0.113.9" }, requestId: "r1" },
        isBase64Encoded: false,
      },
      { awsRequestId: "r1", getRemainingTimeInMillis: () => 29_000 },
    );

    expect(res.statusCode).toBe(200);
    expect(res.headers["Content-Type"] ?? res.headers["content-type"]).toMatch(/^application\/json/);
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(["/.well-known/jwks.json", "/openapi.json"]);
    expect(inputsOf("platform-openapi-get").filter((i) => /zod-openapi|tools\/openapi/.test(i))).toEqual([]);
  });

  it("is carried by no other bundle", () => {
    const carriers = Object.entries(meta.outputs)
      .filter(
        ([out, o]) =>
          out.endsWith("index.mjs") && Object.keys(o.inputs).some((i) => i.endsWith(OPENAPI_DOCUMENT_MODULE)),
      )
      .map(([out]) => out.split("/").at(-2));
    expect(carriers).toEqual(["platform-openapi-get"]);
  });
});
