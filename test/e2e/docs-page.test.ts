/**
 * GET /docs renders in a real browser (Debian's headless Chromium, driven by playwright-core) with
 * no network beyond the local server: Swagger UI from node_modules reads /openapi.json and lists
 * every operation of the document (every HTTP route of the table).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalApi, startApiServer } from "#infra/local/api-server.ts";
import { routes } from "#infra/routes.ts";
import { buildOpenApiDocument } from "#tools/openapi-document.ts";

const root = resolve(import.meta.dirname, "../..");
const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);
let api: LocalApi;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  api = await startApiServer({ routes, root, port: 0, openapi: () => buildOpenApiDocument(routes, { root }) });
  profile = await mkdtemp(join(tmpdir(), "warden-chromium-"));
  // A fresh profile (the --user-data-dir of the launch arguments), as playwright wants it passed.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe("GET /docs", () => {
  // Swagger UI (5.3x) virtualizes the operation list once it holds 150 items or more (tags plus
  // operations; hard-coded `L.length >= 150` in its Operations component): only the rows in and
  // near the viewport are in the DOM, so at 152 operations a page shows the first ones and adds the
  // rest as the reader scrolls. The test reads the page as a reader does: it scrolls to the end,
  // collecting every operation row that appears, and expects every operation of the document. A
  // deprecated operation's path carries the class `opblock-summary-path__deprecated` instead of
  // `opblock-summary-path` (same `data-path`): both are read.
  it("renders every operation of /openapi.json, loading nothing from outside the server", async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(api.url) && !r.url().startsWith("data:")) outside.push(r.url());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const served = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const expected = Object.entries(served.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => HTTP_METHODS.has(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );

    await page.goto(`${api.url}/docs`);
    await page.waitForSelector(".opblock-summary-path", { timeout: 60_000 });
    const seen = new Set<string>();
    // Scroll a viewport at a time until the bottom of the page stops moving.
    for (let step = 0; step < 2_000; step++) {
      for (const key of await page.$$eval(".opblock", (blocks) =>
        blocks.map(
          (b) =>
            `${b.querySelector(".opblock-summary-method")?.textContent ?? ""} ${b.querySelector(".opblock-summary-path, .opblock-summary-path__deprecated")?.getAttribute("data-path") ?? ""}`,
        ),
      )) {
        seen.add(key);
      }
      const moved = await page.evaluate(() => {
        const w = globalThis as unknown as {
          scrollY: number;
          innerHeight: number;
          scrollBy(x: number, y: number): void;
        };
        const before = w.scrollY;
        w.scrollBy(0, w.innerHeight * 0.8);
        return w.scrollY !== before;
      });
      if (!moved) break;
      // Let the virtualizer render the rows that came into view.
      await page.evaluate(() => {
        const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame;
        return new Promise<void>((done) => raf(() => raf(done)));
      });
    }

    const http = routes.filter((r) => r.method !== "WEBSOCKET");
    expect(expected.length).toBe(http.length);
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(seen).toContain("POST /cloud-integration/security/firewall/rules/add");
    expect(await page.textContent(".info .title")).toContain("Warden API");
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);
});
