/**
 * Certificate renewal end to end on this machine: POST /certificates/renew starts the renewal
 * state machine (the definition CDK synthesizes, run by aws-local-stepfunctions), which gets a CSR
 * from the gateway, orders from a real ACME CA (Debian's pebble, validating HTTP-01 over the
 * network against the gateway's HTTP server through pebble-challtestsrv's DNS), finalizes,
 * downloads and has the gateway install the certificate and report it. The successful renewal runs
 * against the REAL edge handler (sandbox mode: its key made by openssl and kept in its state dir,
 * HTTP-01 files written to its webroot, served here by a static file server standing in for the
 * gateway's nginx); the misbehaving gateways (wrong challenge answers, a lying installer, offline)
 * are played by test/helpers/certificates-gateway.ts.
 */
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
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
const { serveAcmeWebroot, startTestGateway } = await import("#test/helpers/certificates-gateway.ts");
const { quietEdgeOptions } = await import("#test/helpers/edge.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const { startEdge } = await import("#edge/edge.ts");
const { startLocalIotRule } = await import("#infra/local/local-iot-rule.ts");
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

    it("renews on the real edge: CSR on the gateway, order, HTTP-01 from its webroot, finalize, install, reported installed", async () => {
      const edge = await startRealEdge();
      try {
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
        // What the edge really serves now: the issued certificate, with the key it made and kept.
        const certFile = await readFile(join(edge.dir, "etc/warden/certs/https/cert.pem"), "utf8");
        const served = new X509Certificate(certFile);
        const hex = (f: string | null) => (f ?? "").replaceAll(":", "").toLowerCase();
        expect(createHash("sha256").update(served.raw).digest("hex")).toBe(hex(https.fingerprint));
        const key = createPrivateKey(await readFile(join(edge.dir, "etc/warden/certs/https/key.pem"), "utf8"));
        expect(served.checkPrivateKey(key)).toBe(true);
        expect(edge.handle.lastReport("certificates")?.installed?.https?.install_id).toContain(started.renewal_id);
      } finally {
        await edge.stop();
      }
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

/**
 * The real edge handler for the gateway's thing (sandbox mode), its HTTPS slot starting with a
 * self-signed certificate, and a static server over its webroot on the port the CA validates.
 */
async function startRealEdge() {
  await gateway.stop();
  const thing = (await call("GET", "/cloud-integration/security/gateways", { token: t.token })).body.gateways[0]
    .thing_name;
  const edgeDir = await mkdtemp(join(tmpdir(), "warden-acme-edge-"));
  const webroot = join(edgeDir, "www");
  const http = await serveAcmeWebroot(webroot, pebble?.httpPort ?? 0);
  const rule = await startLocalIotRule({ broker: iot.broker.broker, invoke: ingestHandler });
  const handle = await startEdge(
    quietEdgeOptions(
      { thingName: thing, tenant: t.tenantId, mqttUrl: iot.mqttUrl, stateDir: edgeDir },
      { certificates: { webroot, selfSignedName: NAME } },
    ),
  );
  await handle.whenConnected();
  return {
    dir: edgeDir,
    handle,
    async stop() {
      await handle.stop();
      await rule.stop();
      await http.close();
      await rm(edgeDir, { recursive: true, force: true });
      // The remaining cases need a misbehaving gateway: the test's stand-in takes over again.
      await startFreshGateway();
    },
  };
}

/** The test's stand-in gateway again, answering right (same thing). */
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
