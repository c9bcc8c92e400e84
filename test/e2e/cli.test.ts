/**
 * The scripts a newcomer pipes: `npm run -s routes` and `npm run -s openapi -- --stdout` print JSON
 * and nothing else on stdout (so `| jq` works), with each route's request and response schemas.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";

const root = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

describe("npm run -s routes", () => {
  it("prints only JSON: every route with its permission and the JSON Schema of its body and answer", async () => {
    const { stdout } = await run("npm", ["run", "-s", "routes"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    const printed = JSON.parse(stdout) as {
      method: string;
      path: string;
      permission: string | null;
      body?: { properties: Record<string, unknown> };
      response?: unknown;
      produces?: string[];
      no_content?: true;
    }[];
    expect(printed.map((r) => `${r.method} ${r.path}`)).toEqual(routes.map((r) => `${r.method} ${r.path}`));
    const add = printed.find((r) => r.path === "/cloud-integration/security/firewall/rules/add");
    expect(add?.permission).toBe("firewall:write");
    expect(Object.keys(add?.body?.properties ?? {})).toEqual(expect.arrayContaining(["name", "action", "port"]));
    expect(printed.filter((r) => r.method !== "WEBSOCKET" && !r.response && !r.produces && !r.no_content)).toEqual([]);
  }, 120_000);
});

describe("npm run -s openapi -- --stdout", () => {
  it("prints only the OpenAPI 3.1 document", async () => {
    const { stdout } = await run("npm", ["run", "-s", "openapi", "--", "--stdout"], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    const doc = JSON.parse(stdout) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/cloud-integration/security/firewall/rules/add");
  }, 120_000);
});
