/**
 * The latest gateway security scan as a source of the insights: its failed checks (medium and
 * above) become one posture finding — in the summary's prose and as a recommendation — citing the
 * scan. Against DynamoDB Local, the local IoT Core and the local workflow runner (the real
 * `gateway-scan` definition). A tenant that never scanned gets no such finding.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const { call, newTenant } = await import("#test/helpers/api.ts");

afterAll(async () => {
  await iot.stop();
});

const SEVERITY = { low: 0, medium: 1, high: 2, critical: 3 } as const;
type Check = { check: string; status: string; severity: keyof typeof SEVERITY };

let t: Awaited<ReturnType<typeof newTenant>>;
let scanId: string;
let failed: { component: string; check: string; severity: keyof typeof SEVERITY }[];

beforeAll(async () => {
  t = await newTenant("scan-insights");
  // An API key with unrestricted scope: the scan's api_keys check fails it (medium).
  const key = await call("POST", "/cloud-integration/security/api-keys/generate", {
    token: t.token,
    body: { name: "automation", scope: ["*"] },
  });
  expect(key.status, key.text).toBe(201);
  const started = await call("POST", "/cloud-integration/security/scan", { token: t.token, body: {} });
  expect(started.status).toBe(200);
  scanId = started.body.scan_id;
  await runner.settled(scanId);
  const results = await call("GET", "/cloud-integration/security/scan/results", {
    token: t.token,
    query: { scan_id: scanId },
  });
  const components = results.body.results as Record<string, { checks: Check[] }>;
  failed = Object.entries(components).flatMap(([component, r]) =>
    r.checks
      .filter((c) => c.status === "fail" && SEVERITY[c.severity] >= SEVERITY.medium)
      .map((c) => ({ component, check: c.check, severity: c.severity })),
  );
}, 120_000);

describe("gateway scan findings in the insights", () => {
  it("recommends fixing the failed checks with the highest severity among them as priority", async () => {
    expect(failed.map((c) => `${c.component}.${c.check}`)).toContain("authentication.api_keys");

    // Act
    const res = await call("GET", "/api/insights/recommendations", { token: t.token });

    // Assert
    expect(res.status).toBe(200);
    const rec = res.body.data.recommendations.find(
      (r: { title: string }) => r.title === "Fix the checks the security scan failed",
    );
    const worst = failed.reduce((a, b) => (SEVERITY[b.severity] > SEVERITY[a.severity] ? b : a)).severity;
    expect(rec.priority).toBe(worst === "critical" || worst === "high" ? "high" : "medium");
    expect(rec.description).toContain(`the security scan ${scanId} failed ${failed.length} check(s)`);
  });

  it("names the scan and its failed checks in the summary", async () => {
    // Act
    const res = await call("POST", "/api/insights/summary", {
      token: t.token,
      body: { time_range: "24h", log_types: ["security"] },
    });

    // Assert
    expect(res.status).toBe(200);
    const first = failed.slice().sort((a, b) => SEVERITY[b.severity] - SEVERITY[a.severity])[0];
    expect(res.body.data.summary).toContain(`the security scan ${scanId} failed ${failed.length} check(s)`);
    expect(res.body.data.summary).toContain(`${first?.component}.${first?.check} (${first?.severity})`);
  });

  it("has no scan finding for a tenant that never scanned", async () => {
    // Arrange
    const quiet = await newTenant("scan-insights-quiet");

    // Act
    const res = await call("GET", "/api/insights/recommendations", { token: quiet.token });

    // Assert
    expect(res.body.data.recommendations.map((r: { title: string }) => r.title)).not.toContain(
      "Fix the checks the security scan failed",
    );
  });
});
