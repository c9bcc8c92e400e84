/**
 * Malformed percent-encoding in a path parameter, against local mode's HTTP server (finding 6:
 * GET /cloud-integration/security/users/%E0%A4%A answered 500 and printed a stack trace, from
 * infra/local/api-server.ts's decodeURIComponent). API Gateway answers such a request 400 without
 * invoking anything; local mode must too: a 400 with a JSON message, and no stack trace on stderr.
 * Every route with a path parameter is tried (the route table), with a signed-in administrator so
 * a 400 decided inside the endpoint counts as well as one decided before it.
 */
import { request } from "node:http";
import { resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type LocalApi, startApiServer } from "#infra/local/api-server.ts";
import { routes } from "#infra/routes.ts";
import { loadCatalogue } from "#test/helpers/route-catalogue.ts";
import { World } from "#test/helpers/world.ts";

const MALFORMED = ["%E0%A4%A", "%", "%ZZ", "%C0%AF", "%ED%A0%80"];

let api: LocalApi;
let w: World;
let stderr: string[];

/** Sends the path exactly as written (no client normalizes it on the way). */
function get(method: string, path: string, token: string): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(api.url);
  return new Promise((done, fail) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          done({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", fail);
    req.end();
  });
}

beforeAll(async () => {
  [api, w] = await Promise.all([
    startApiServer({ routes, root: resolve(import.meta.dirname, "../.."), port: 0 }),
    World.create("malformed-path"),
  ]);
});

afterAll(async () => {
  await api.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("finding 6: malformed percent-encoding in a path parameter (local HTTP server)", { timeout: 60_000 }, () => {
  it("finding 6: GET /cloud-integration/security/users/%E0%A4%A answers 400 with a JSON message and no stack trace", async () => {
    stderr = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });

    const res = await get("GET", "/cloud-integration/security/users/%E0%A4%A", w.admin.token);

    expect.soft(res.status).toBe(400);
    expect.soft(res.type).toMatch(/json/);
    expect.soft(typeof JSON.parse(res.text).message).toBe("string");
    expect.soft(res.text).not.toMatch(/\bat \S+ \(|URIError|\.ts:\d+/);
    expect(stderr.join("")).not.toMatch(/\n\s+at \S+/);
  });

  it("finding 6: every route with a path parameter answers malformed encodings 400, never 5xx", async () => {
    const withParams = (await loadCatalogue()).filter((r) => r.pathParams.length > 0);
    stderr = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });

    const wrong: string[] = [];
    for (const route of withParams) {
      for (const bad of MALFORMED) {
        const path = route.row.path.replace(/\{\w+\+?\}/g, bad);
        const res = await get(route.row.method, path, w.admin.token);
        if (res.status !== 400 || /\bat \S+ \(|URIError/.test(res.text))
          wrong.push(`${route.row.method} ${path} → ${res.status} ${res.text.slice(0, 80)}`);
      }
    }

    console.log(
      `Malformed paths: ${withParams.length} routes × ${MALFORMED.length} encodings = ${withParams.length * MALFORMED.length} requests`,
    );
    expect.soft(wrong).toEqual([]);
    expect(stderr.join("")).not.toMatch(/\n\s+at \S+/);
  });

  it("still answers a well-formed request afterwards (control)", async () => {
    const res = await get("GET", `/cloud-integration/security/users/${w.admin.id}`, w.admin.token);
    expect(res.status).toBe(200);
  });
});
