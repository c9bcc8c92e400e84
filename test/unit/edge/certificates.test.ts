import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { CertificateAgent } from "#edge/certificate-agent.ts";
import {
  type CertificateEnv,
  challengeDir,
  csrKeyPath,
  installCertificate,
  makeCsr,
  oneTimeKeyPair,
  openKeyDelivery,
  publicKeyFingerprint,
  readServed,
  syncChallenges,
} from "#edge/certificates.ts";
import type { EdgeEvent, ReportedState, SlotDesired } from "#edge/contract.ts";
import { sealToX25519 } from "#shared/certificates/adapters/keys-topic.ts";

const root = mkdtempSync(join(tmpdir(), "warden-edge-certs-"));
let dir: string;
let env: CertificateEnv;

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", ...(input !== undefined && { input }) });
}

/** A key and a self-signed certificate for it, made by openssl independently of the applier. */
function selfSigned(cn: string): { key: string; cert: string; fingerprint: string } {
  const keyPath = join(root, `${cn}-${Math.random().toString(36).slice(2)}.key`);
  writeFileSync(keyPath, openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]));
  const cert = openssl(["req", "-new", "-x509", "-key", keyPath, "-subj", `/CN=${cn}`, "-days", "30"]);
  const fingerprint = createHash("sha256").update(new X509Certificate(cert).raw).digest("hex");
  return { key: readFileSync(keyPath, "utf8"), cert, fingerprint };
}

function desiredFor(c: { cert: string; fingerprint: string }): SlotDesired {
  return {
    install_id: "inst-1",
    fingerprint: c.fingerprint,
    certificate: c.cert,
    key: { source: "csr", request_id: "r1" },
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(root, "gw-"));
  const slot = (name: string) => ({
    certPath: join(dir, `etc/${name}/cert.pem`),
    keyPath: join(dir, `etc/${name}/key.pem`),
    reload: null,
    services: [name],
  });
  env = { openssl: "openssl", keysDir: join(dir, "keys"), slots: { https: slot("nginx"), mqtt: slot("mosquitto") } };
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("installCertificate", () => {
  it("swaps in a certificate that matches its key and reports its fingerprint", async () => {
    const old = selfSigned("old.gateway.local");
    await installCertificate("https", desiredFor(old), old.key, env);
    const next = selfSigned("new.gateway.local");

    const outcome = await installCertificate("https", desiredFor(next), next.key, env);

    expect(outcome).toEqual({ ok: true, fingerprint: next.fingerprint, servicesReloaded: [] });
    expect((await readServed(env.slots.https))?.fingerprint).toBe(next.fingerprint);
    expect(readFileSync(env.slots.https.keyPath, "utf8")).toBe(next.key);
    // No staging file is left next to the live pair.
    expect(readdirSync(join(dir, "etc/nginx")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses a certificate whose key does not match (openssl) and keeps the previous pair", async () => {
    const old = selfSigned("old.gateway.local");
    await installCertificate("https", desiredFor(old), old.key, env);
    const next = selfSigned("new.gateway.local");
    const otherKey = selfSigned("other").key;

    const outcome = await installCertificate("https", desiredFor(next), otherKey, env);

    expect(outcome).toEqual({ ok: false, error: "the certificate does not match the key (openssl)" });
    expect((await readServed(env.slots.https))?.fingerprint).toBe(old.fingerprint);
    expect(readFileSync(env.slots.https.keyPath, "utf8")).toBe(old.key);
  });

  it("refuses a certificate that is not the one the cloud named", async () => {
    const next = selfSigned("new.gateway.local");
    const outcome = await installCertificate(
      "mqtt",
      { ...desiredFor(next), fingerprint: "a".repeat(64) },
      next.key,
      env,
    );

    expect(outcome.ok).toBe(false);
    expect(existsSync(env.slots.mqtt.certPath)).toBe(false);
  });

  it("restores the previous pair when the reload fails", async () => {
    const old = selfSigned("old.gateway.local");
    await installCertificate("https", desiredFor(old), old.key, env);
    env.slots.https.reload = ["false"];
    const next = selfSigned("new.gateway.local");

    const outcome = await installCertificate("https", desiredFor(next), next.key, env);

    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? "" : outcome.error).toMatch(/^false failed, previous certificate restored/);
    expect((await readServed(env.slots.https))?.fingerprint).toBe(old.fingerprint);
  });
});

describe("makeCsr", () => {
  it("keeps the key on the gateway and returns a CSR for it with the requested names", async () => {
    const csr = await makeCsr(
      {
        request_id: "ren-1",
        slot: "https",
        common_name: "gw.example.com",
        san_dns: ["gw.example.com", "alt.example.com"],
        key_algorithm: "EC",
        key_size: 256,
      },
      env,
    );

    const text = openssl(["req", "-noout", "-text", "-verify"], csr);
    expect(text).toMatch(/Subject: CN ?= ?gw\.example\.com/);
    expect(text).toContain("DNS:gw.example.com, DNS:alt.example.com");
    const keyPem = readFileSync(csrKeyPath(env, "ren-1"), "utf8");
    expect(openssl(["req", "-noout", "-pubkey"], csr).trim()).toBe(openssl(["pkey", "-pubout"], keyPem).trim());
    expect(csr).not.toContain("PRIVATE KEY");
  });
});

describe("syncChallenges", () => {
  it("serves listed tokens and removes the files of tokens no longer listed", async () => {
    const webroot = join(dir, "www");
    const a = { request_id: "r1", token: "A".repeat(43), key_authorization: `${"A".repeat(43)}.thumb` };
    const b = { request_id: "r1", token: "B".repeat(43), key_authorization: `${"B".repeat(43)}.thumb` };
    await syncChallenges(webroot, [a, b]);

    await syncChallenges(webroot, [b]);

    expect(readdirSync(challengeDir(webroot))).toEqual([b.token]);
    expect(readFileSync(join(challengeDir(webroot), b.token), "utf8")).toBe(b.key_authorization);
  });
});

describe("openKeyDelivery", () => {
  it("opens a key the cloud sealed to the one-time key, and only for the right gateway", () => {
    const { key } = selfSigned("delivered");
    const pair = oneTimeKeyPair();
    const p = { salt: "dlv-1", info: "warden-key-delivery-v1", aad: "t1/gw-1/dlv-1" };
    const sealed = { status: "sealed" as const, delivery_id: "dlv-1", ...sealToX25519(key, pair.publicKey, p) };

    const opened = openKeyDelivery(sealed, pair.privateKey, { tenant: "t1", thing: "gw-1" });

    expect(publicKeyFingerprint(opened)).toBe(publicKeyFingerprint(key));
    expect(() => openKeyDelivery(sealed, pair.privateKey, { tenant: "t1", thing: "gw-2" })).toThrow();
    expect(() => openKeyDelivery(sealed, oneTimeKeyPair().privateKey, { tenant: "t1", thing: "gw-1" })).toThrow();
  });
});

describe("CertificateAgent", () => {
  it("answers a CSR request, installs the certificate issued for it once, and reports it installed", async () => {
    const events: EdgeEvent[] = [];
    const reports: ReportedState[] = [];
    const agent = new CertificateAgent(
      {
        env,
        ids: { tenant: "t1", thing: "gw-1" },
        defaultWebroot: join(dir, "www"),
        sandbox: true,
        publish: (e) => events.push(e),
        report: async (r) => {
          reports.push(r);
        },
        log: () => {},
        now: () => new Date("2026-01-01T00:00:00Z"),
      },
      undefined,
    );
    const request = {
      request_id: "ren-9",
      slot: "https" as const,
      common_name: "gw.example.com",
      san_dns: ["gw.example.com"],
      key_algorithm: "EC" as const,
      key_size: 256 as const,
    };
    await agent.onDocument({ config_version: 3, csr_requests: [request] });
    const csrEvent = events.find((e) => e.type === "certificate_csr");
    const csrPath = join(dir, "req.csr");
    writeFileSync(csrPath, csrEvent?.type === "certificate_csr" ? csrEvent.csr : "");
    // The "CA": a certificate for the CSR's key (signed with it here; any issuer would do).
    const cert = openssl(["x509", "-req", "-in", csrPath, "-key", csrKeyPath(env, "ren-9"), "-days", "1"]);
    const fingerprint = createHash("sha256").update(new X509Certificate(cert).raw).digest("hex");
    const slot = {
      install_id: "ren-9-install",
      fingerprint,
      certificate: cert,
      key: { source: "csr", request_id: "ren-9" },
    };

    await agent.onDocument({ config_version: 4, slots: { https: slot } });
    await agent.onDocument({ config_version: 4, slots: { https: slot } });

    const installs = events.filter((e) => e.type === "certificate_installed");
    expect(installs).toEqual([
      expect.objectContaining({ status: "installed", fingerprint, install_id: "ren-9-install" }),
    ]);
    expect(reports.at(-1)).toMatchObject({
      config_version: 4,
      status: "applied",
      installed: { https: { fingerprint, install_id: "ren-9-install" } },
    });
    const inventory = events.filter((e) => e.type === "certificate_inventory").at(-1);
    expect(inventory?.type === "certificate_inventory" && inventory.certificates[0]?.certificate).toBe(cert);
  });
});

describe("CertificateAgent key delivery", () => {
  it("asks for a delivered key with a one-time key, opens the sealed answer and installs with it", async () => {
    const events: EdgeEvent[] = [];
    const agent = new CertificateAgent(
      {
        env,
        ids: { tenant: "t1", thing: "gw-1" },
        defaultWebroot: join(dir, "www"),
        sandbox: true,
        publish: (e) => events.push(e),
        report: async () => {},
        log: () => {},
        now: () => new Date("2026-01-01T00:00:00Z"),
      },
      undefined,
    );
    const uploaded = selfSigned("uploaded.gateway.local");
    const slot = {
      install_id: "upl-1",
      fingerprint: uploaded.fingerprint,
      certificate: uploaded.cert,
      key: { source: "delivery", delivery_id: "dlv-7", key_fingerprint: publicKeyFingerprint(uploaded.key) },
    };
    await agent.onDocument({ config_version: 1, slots: { mqtt: slot } });
    const request = events.find((e) => e.type === "key_request");
    const publicKey = request?.type === "key_request" ? request.public_key : "";
    const sealed = sealToX25519(uploaded.key, publicKey, {
      salt: "dlv-7",
      info: "warden-key-delivery-v1",
      aad: "t1/gw-1/dlv-7",
    });

    await agent.onKeyMessage({ status: "sealed", delivery_id: "dlv-7", ...sealed });

    expect(events.filter((e) => e.type === "certificate_installed")).toEqual([
      expect.objectContaining({ status: "installed", install_id: "upl-1", fingerprint: uploaded.fingerprint }),
    ]);
    expect(readFileSync(env.slots.mqtt.keyPath, "utf8")).toBe(uploaded.key);
  });
});
