/**
 * Certificate renewal end to end on this machine: POST /certificates/renew starts the renewal
 * state machine (the definition CDK synthesizes, run by aws-local-stepfunctions), which gets a CSR
 * from the gateway, orders from a real ACME CA (Debian's pebble, validating HTTP-01 over the
 * network against the gateway's HTTP server through pebble-challtestsrv's DNS), finalizes,
 * downloads and has the gateway install the certificate and report it. The gateway's side is
 * played by test/helpers/certificates-gateway.ts (the edge applier is not built yet).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pebbleInstalled, startPebble } from "#infra/local/workflows/pebble.ts";

const root = resolve(import.meta.dirname, "../..");
const dir = await mkdtemp(join(tmpdir(), "warden-acme-e2e-"));
// Ports of their own (the e2e runs beside other tests and other worktrees' runs).
const base = 20000 + ((process.pid * 7) % 20000);
const pebble = pebbleInstalled()
  ? await startPebble({ dir, port: base, managementPort: base + 1, httpPort: base + 2, dnsPort: base + 4 })
  : undefined;
// The shared code reads its environment once: the local CA must be known before it is imported.
if (pebble) {
  process.env.WARDEN_ACME_DIRECTORY = pebble.directoryUrl;
  process.env.WARDEN_ACME_CA_FILE = pebble.caFile;
}

const { startLocalIot, usePlatformWithLocalIot } = await import("#infra/local/iot/index.ts");
const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
// Only the gateway waits are shortened (the offline case); everything else is the definition's.
const runner = createLocalRunner({ root, gatewayWaitMs: 4000 });
useWorkflowRunner(runner);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { makeCertificate } = await import("#test/helpers/certificates-fixtures.ts");
const { startTestGateway } = await import("#test/helpers/certificates-gateway.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const views = await import("#shared/certificates/views.ts");
const ingest = viaTopicRule(ingestHandler);

const C = "/cloud-integration/security/certificates";
const NAME = "gw1.warden.test";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let t: Tenant;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let oldPem: string;

async function renew() {
  const res = await call("POST", `${C}/renew`, { token: t.token, body: { certificate_type: "https", force: true } });
  expect(res.status).toBe(200);
  return views.RenewStartedView.parse(res.body);
}

async function settledProgress(renewalId: string) {
  await runner.settled(renewalId);
  const res = await call("GET", `${C}/renewals/${renewalId}`, { token: t.token });
  expect(res.status).toBe(200);
  return views.RenewalView.parse(res.body);
}

const servedFingerprint = async () => {
  const res = await call("GET", `${C}/status`, { token: t.token });
  return views.CertificatesStatusView.parse(res.body).https_certificate;
};

describe.skipIf(!pebble)(
  "certificate renewal against pebble (skipped only where Debian's pebble is not installed)",
  () => {
    beforeAll(async () => {
      t = await newTenant("acme-e2e");
      const reg = await call("POST", "/cloud-integration/security/gateways", {
        token: t.token,
        body: { name: "edge" },
      });
      expect(reg.status).toBe(201);
      oldPem = (await makeCertificate({ cn: NAME, san: [NAME] })).pem;
      gateway = await startTestGateway({
        tenant: t.tenantId,
        thing: reg.body.gateway.thing_name,
        shadows: iot.shadows,
        ingest,
        httpPort: pebble?.httpPort ?? 0,
        initial: { https: oldPem },
      });
    });

    afterAll(async () => {
      await gateway?.stop();
      await pebble?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it("a CA failure mid-order fails the renewal with the step named, and the old certificate stays served", async () => {
      gateway.serveWrongChallenges();
      const before = await servedFingerprint();

      const started = await renew();
      const progress = await settledProgress(started.renewal_id);

      expect(progress).toMatchObject({
        status: "failed",
        steps_done: ["Generating CSR", "Requesting certificate from CA", "Validating domain ownership"],
      });
      expect(progress.error).toMatch(/^Downloading certificate: ACME (validation|challenge): /);
      expect((await servedFingerprint()).fingerprint).toBe(before.fingerprint);
      const status = await call("GET", `${C}/status`, { token: t.token });
      expect(status.body.settings.last_renewal).toMatchObject({ renewal_id: started.renewal_id, status: "failed" });
    });

    it("renews: CSR on the gateway, order, HTTP-01 validated by the CA, finalize, install, reported installed", async () => {
      const fresh = await startFreshGateway();

      const started = await renew();
      const retried = await renew();
      const progress = await settledProgress(started.renewal_id);

      expect(started).toMatchObject({ status: "renewing", certificate_type: "https", estimated_time: 60 });
      expect(started.steps).toEqual([
        "Generating CSR",
        "Requesting certificate from CA",
        "Validating domain ownership",
        "Downloading certificate",
        "Installing certificate",
      ]);
      // A retried call while the first runs answers the same renewal, not a second one.
      expect(retried.renewal_id).toBe(started.renewal_id);
      expect(retried.message).toMatch(/already running/);
      expect(progress).toMatchObject({ status: "succeeded", error: null, steps_done: started.steps });
      const https = await servedFingerprint();
      expect(https.issuer).toMatch(/^CN=Pebble Intermediate CA /);
      expect(https.san).toEqual([NAME]);
      expect(https.fingerprint).toBe(progress.fingerprint);
      expect(fresh.served.get("https")).toContain("BEGIN CERTIFICATE");
    });

    it("a gateway reporting another fingerprint than the issued certificate's fails the installation step", async () => {
      const before = await servedFingerprint();
      gateway.misreportFingerprint();

      const started = await renew();
      const progress = await settledProgress(started.renewal_id);

      expect(progress.status).toBe("failed");
      expect(progress.error).toMatch(
        /^Installing certificate: the gateway serves [0-9a-f]{64}, not the issued [0-9a-f]{64}$/,
      );
      expect((await servedFingerprint()).fingerprint).toBe(before.fingerprint);
    });

    it("an offline gateway times the renewal out cleanly, naming the step", async () => {
      gateway.offline();

      const started = await renew();
      const progress = await settledProgress(started.renewal_id);

      expect(progress).toMatchObject({ status: "failed", step: "Generating CSR", steps_done: [] });
      expect(progress.error).toBe("Generating CSR: the gateway did not answer in time");
    });
  },
);

/** The first test left the gateway serving wrong answers: a fresh one (same thing) answers right. */
async function startFreshGateway() {
  await gateway.stop();
  gateway = await startTestGateway({
    tenant: t.tenantId,
    thing: (await call("GET", "/cloud-integration/security/gateways", { token: t.token })).body.gateways[0].thing_name,
    shadows: iot.shadows,
    ingest,
    httpPort: pebble?.httpPort ?? 0,
    initial: { https: oldPem },
  });
  return gateway;
}
