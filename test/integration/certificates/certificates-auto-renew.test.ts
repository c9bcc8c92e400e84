/**
 * The daily auto-renew job: renewals start for certificates inside the renewal window of gateways
 * with auto-renew on (once: a renewal running is not doubled), never outside it, and an expiry
 * notice goes to the ACME e-mail on a `notify_days_before` day, once.
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
// No gateway answers here: each renewal ends at its first wait, shortened for the test.
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../.."), gatewayWaitMs: 1500 });
useWorkflowRunner(runner);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { makeCertificate } = await import("#test/helpers/certificates-fixtures.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { handler: autoRenew } = await import("#functions/workflows/certificate-renewal/auto-renew.ts");
const { readOutbox } = await import("#shared/tenancy/db/outbox.ts");
const ingest = viaTopicRule(ingestHandler);

const C = "/cloud-integration/security/certificates";
const DAY = 86_400_000;
type Tenant = Awaited<ReturnType<typeof newTenant>>;

async function gatewayWith(t: Tenant, daysLeft: number, settings: Record<string, unknown>) {
  const reg = await call("POST", "/cloud-integration/security/gateways", { token: t.token, body: { name: "edge" } });
  const cert = await makeCertificate({
    cn: "auto.warden.test",
    san: ["auto.warden.test"],
    notAfter: new Date(Date.now() + (daysLeft + 0.5) * DAY),
  });
  await ingest({
    tenant: t.tenantId,
    thing: reg.body.gateway.thing_name,
    type: "certificate_inventory",
    timestamp: new Date().toISOString(),
    certificates: [{ slot: "https", certificate: cert.pem }],
    client_certificates: [],
  });
  const res = await call("POST", `${C}/settings`, { token: t.token, body: settings });
  expect(res.status).toBe(200);
}

let expiring: Tenant;
let healthy: Tenant;
let off: Tenant;

beforeAll(async () => {
  [expiring, healthy, off] = await Promise.all([newTenant("auto-exp"), newTenant("auto-ok"), newTenant("auto-off")]);
  await gatewayWith(expiring, 10, { auto_renew: true, acme_email: "ops@expiring.test", notify_days_before: [10, 3] });
  await gatewayWith(healthy, 200, { auto_renew: true, acme_email: "ops@healthy.test" });
  await gatewayWith(off, 5, { auto_renew: false });
}, 60_000);

describe("daily auto-renew", () => {
  it("starts one renewal inside the window, none outside it or with auto-renew off, and sends the day's notice once", async () => {
    const first = await autoRenew();
    const second = await autoRenew();

    const statuses = await Promise.all(
      [expiring, healthy, off].map(async (t) => (await call("GET", `${C}/status`, { token: t.token })).body.settings),
    );
    const renewal = statuses[0].last_renewal;
    expect(renewal).toMatchObject({ status: "running" });
    expect(first.started).toContain(renewal.renewal_id);
    expect(second.started).not.toContain(renewal.renewal_id);
    expect(statuses[1].last_renewal).toBeNull();
    expect(statuses[2].last_renewal).toBeNull();
    const notices = (await readOutbox(expiring.tenantId)).filter((m) => m.kind === "certificate_expiring");
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ to: "ops@expiring.test", subject: expect.stringMatching(/expires in 10 days/) });
    expect((await readOutbox(healthy.tenantId)).filter((m) => m.kind === "certificate_expiring")).toEqual([]);

    await runner.settled(renewal.renewal_id);
    const after = await call("GET", `${C}/renewals/${renewal.renewal_id}`, { token: expiring.token });
    expect(after.body).toMatchObject({ status: "failed", error: "Generating CSR: the gateway did not answer in time" });
  }, 30_000);
});
