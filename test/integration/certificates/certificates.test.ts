/**
 * Certificate routes of the gateway spec against DynamoDB Local and the local IoT Core: status from
 * what the gateway reports, validation and upload with every check named, self-signed generation
 * with one-time downloads, settings with their changes, renewal refusals, and the tenant boundary.
 */
import {
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  X509Certificate,
} from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { makeCertificate, makeChain, multipartBody } = await import("#test/helpers/certificates-fixtures.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const views = await import("#shared/certificates/views.ts");
const ingest = viaTopicRule(ingestHandler);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const C = "/cloud-integration/security/certificates";
const DAY = 86_400_000;

let acme: Tenant;
let globex: Tenant;
let acmeGw: { id: number; thing: string };
let globexGw: { id: number; thing: string };

async function register(t: Tenant, name: string) {
  const res = await call("POST", "/cloud-integration/security/gateways", { token: t.token, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.gateway.id as number, thing: res.body.gateway.thing_name as string };
}

const certificatesShadow = (thing: string) => {
  const got = iot.shadows.get(thing, "certificates");
  return got.kind === "accepted" ? (got.document.state.desired ?? {}) : undefined;
};

async function reportInventory(t: Tenant, thing: string, https: string, at = new Date().toISOString()) {
  const r = await ingest({
    tenant: t.tenantId,
    thing,
    type: "certificate_inventory",
    timestamp: at,
    certificates: [{ slot: "https", certificate: https }],
    client_certificates: [],
  });
  expect(r).toMatchObject({ stored: true });
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("certs-acme"), newTenant("certs-globex")]);
  acmeGw = await register(acme, "edge-1");
  globexGw = await register(globex, "edge-1");
});

describe("GET /certificates/status", () => {
  it("shows a slot the gateway has not reported as missing, with the settings' defaults", async () => {
    const res = await call("GET", `${C}/status`, { token: globex.token });

    expect(res.status).toBe(200);
    const body = views.CertificatesStatusView.parse(res.body);
    expect(body.https_certificate).toMatchObject({ present: false, status: "missing" });
    expect(body.settings).toMatchObject({ auto_renew: false, renewal_days_before_expiry: 30, last_renewal: null });
    expect(Date.parse(body.settings.next_renewal_check)).toBeGreaterThan(Date.now());
    expect(body.settings.next_renewal_check).toMatch(/T02:00:00Z$/);
  });

  it("parses what the gateway reports: subject, issuer, validity, days, status, algorithm, key size, SANs", async () => {
    const cert = await makeCertificate({
      cn: "gw.acme.test",
      san: ["gw.acme.test", "www.gw.acme.test"],
      notAfter: new Date(Date.now() + 10.5 * DAY),
    });
    await reportInventory(acme, acmeGw.thing, cert.pem);

    const res = await call("GET", `${C}/status`, { token: acme.token, query: { gateway_id: String(acmeGw.id) } });

    expect(res.status).toBe(200);
    const https = views.CertificatesStatusView.parse(res.body).https_certificate;
    expect(https).toMatchObject({
      present: true,
      type: "self_signed",
      subject: "CN=gw.acme.test",
      issuer: "CN=gw.acme.test",
      days_remaining: 10,
      status: "expiring",
      algorithm: "RSA-SHA256",
      key_size: 2048,
      san: ["gw.acme.test", "www.gw.acme.test"],
    });
    expect(https.fingerprint).toBe(new X509Certificate(cert.pem).fingerprint256.replace(/:/g, "").toLowerCase());
  });

  it("answers 404 for another tenant's gateway id", async () => {
    const res = await call("GET", `${C}/status`, {
      token: acme.token,
      query: { gateway_id: String(globexGw.id + 1000) },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/gateway_id/);
  });
});

describe("POST /certificates/validate", () => {
  it("computes every check of the spec's validation_result for a good certificate with its key and chain", async () => {
    const { intermediate, leaf } = await makeChain({ cn: "gateway.example.test" });

    const res = await call("POST", `${C}/validate`, {
      token: acme.token,
      body: {
        certificate_type: "https",
        certificate_data: leaf.pem,
        private_key_data: leaf.keyPem,
        chain_data: intermediate.pem,
      },
    });

    expect(res.status).toBe(200);
    const body = views.ValidationView.parse(res.body);
    expect(body).toMatchObject({
      valid: true,
      validation_result: {
        signature_valid: true,
        not_expired: true,
        not_before_valid: true,
        key_match: true,
        chain_valid: true,
        key_strength: "adequate",
        subject_valid: true,
        san_present: true,
      },
      certificate_info: {
        subject: "CN=gateway.example.test",
        issuer: "CN=Test Intermediate CA",
        algorithm: "RSA-SHA256",
        key_size: 2048,
      },
    });
    expect(body.recommendations[0]).toMatch(/^Certificate expires in 8\d days$/);
  });

  it("reports a weak key, a missing SAN and a key of another certificate, with recommendations", async () => {
    const weak = await makeCertificate({ rsaBits: 1024 });
    const other = await makeCertificate();

    const res = await call("POST", `${C}/validate`, {
      token: acme.token,
      body: { certificate_data: weak.pem, private_key_data: other.keyPem },
    });

    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.validation_result).toMatchObject({ key_match: false, key_strength: "weak", san_present: false });
    expect(res.body.recommendations.join(" | ")).toMatch(/weak.*subjectAltName.*does not belong/);
  });

  it("refuses garbage PEM with 400 naming the field and the check", async () => {
    const res = await call("POST", `${C}/validate`, {
      token: acme.token,
      body: { certificate_data: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n" },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/certificate_data: certificate_valid/);
  });
});

describe("POST /certificates/upload", () => {
  const upload = (t: Tenant, files: Record<string, string>, fields: Record<string, string> = { type: "https" }) => {
    const { body, contentType } = multipartBody(fields, files);
    return call("POST", `${C}/upload`, { token: t.token, rawBody: body, headers: { "content-type": contentType } });
  };

  it("installs a valid pair through the shadow: certificate, chain and fingerprint, the key only as a one-time delivery", async () => {
    const { intermediate, leaf } = await makeChain({ cn: "gw.acme.test", san: ["gw.acme.test"] });

    const res = await upload(acme, { certificate: leaf.pem, private_key: leaf.keyPem, chain: intermediate.pem });

    expect(res.status).toBe(200);
    const body = views.UploadedView.parse(res.body);
    expect(body).toMatchObject({
      status: "uploaded",
      certificate_info: {
        type: "https",
        subject: "CN=gw.acme.test",
        issuer: "CN=Test Intermediate CA",
        san: ["gw.acme.test"],
      },
      validation: {
        certificate_valid: true,
        private_key_match: true,
        chain_valid: true,
        not_expired: true,
        key_strength: "adequate",
      },
    });
    const slot = (certificatesShadow(acmeGw.thing) as { slots: Record<string, Record<string, unknown>> }).slots.https;
    expect(slot).toMatchObject({
      install_id: body.install_id,
      fingerprint: body.certificate_info.fingerprint,
      certificate: leaf.pem,
      chain: intermediate.pem,
      key: { source: "delivery" },
    });
    expect(JSON.stringify(certificatesShadow(acmeGw.thing))).not.toContain("PRIVATE KEY");
  });

  it.each([
    [
      "expired",
      { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) },
      /certificate: not_expired/,
    ],
    [
      "not yet valid",
      { notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 30 * DAY) },
      /certificate: not_before_valid/,
    ],
    ["1024-bit", { rsaBits: 1024 }, /certificate: key_strength: weak/],
  ])("refuses a%s certificate with 400 naming the check, and changes nothing", async (_name, opts, message) => {
    const before = JSON.stringify(certificatesShadow(globexGw.thing) ?? null);
    const cert = await makeCertificate(opts);

    const res = await upload(globex, { certificate: cert.pem, private_key: cert.keyPem });

    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(JSON.stringify(certificatesShadow(globexGw.thing) ?? null)).toBe(before);
  });

  it("refuses a key of another certificate, a broken chain and garbage, naming each check", async () => {
    const cert = await makeCertificate();
    const other = await makeCertificate();
    const { leaf } = await makeChain();
    const unrelated = await makeCertificate({ cn: "Unrelated CA", ca: true });

    const mismatch = await upload(globex, { certificate: cert.pem, private_key: other.keyPem });
    const broken = await upload(globex, { certificate: leaf.pem, private_key: leaf.keyPem, chain: unrelated.pem });
    const garbage = await upload(globex, { certificate: "hello", private_key: cert.keyPem });

    expect([mismatch.status, broken.status, garbage.status]).toEqual([400, 400, 400]);
    expect(mismatch.body.message).toMatch(/private_key: private_key_match/);
    expect(broken.body.message).toMatch(/chain: chain_valid/);
    expect(garbage.body.message).toMatch(/certificate: certificate_valid/);
    expect(certificatesShadow(globexGw.thing)).toBeUndefined();
  });

  it("refuses a 1 MB upload before parsing it", async () => {
    const cert = await makeCertificate();
    const res = await upload(globex, { certificate: cert.pem + "A".repeat(1024 * 1024), private_key: cert.keyPem });
    expect([400, 413]).toContain(res.status);
    expect(res.body.message).toMatch(/certificate/);
    expect(certificatesShadow(globexGw.thing)).toBeUndefined();
  });

  it("hands the uploaded key to its gateway once, sealed to the gateway's one-time key on its own keys topic", async () => {
    const cert = await makeCertificate({ cn: "keys.acme.test" });
    await upload(acme, { certificate: cert.pem, private_key: cert.keyPem }, { type: "mqtt" });
    const slot = (certificatesShadow(acmeGw.thing) as { slots: Record<string, { key: { delivery_id: string } }> }).slots
      .mqtt;
    const deliveryId = slot?.key.delivery_id as string;
    const topic = `warden/${acme.tenantId}/${acmeGw.thing}/keys`;
    const published: Record<string, string>[] = [];
    const onPublish = (packet: { topic: string; payload: Buffer | string }) => {
      if (packet.topic === topic) published.push(JSON.parse(packet.payload.toString()));
    };
    iot.broker.broker.on("publish", onPublish);
    const oneTime = generateKeyPairSync("x25519");
    const request = {
      tenant: acme.tenantId,
      thing: acmeGw.thing,
      type: "key_request",
      timestamp: new Date().toISOString(),
      delivery_id: deliveryId,
      public_key: oneTime.publicKey.export({ format: "jwk" }).x,
    };

    const first = await ingest(request);
    const second = await ingest(request);
    iot.broker.broker.removeListener("publish", onPublish);

    expect(first).toMatchObject({ stored: true });
    expect(second).toMatchObject({ stored: false });
    expect(published.map((m) => m.status)).toEqual(["sealed", "gone"]);
    const sealed = published[0] as Record<string, string>;
    const from = (v: string | undefined) => Buffer.from(v ?? "", "base64url");
    const ephemeral = createPublicKey({
      key: { kty: "OKP", crv: "X25519", x: sealed.ephemeral_public_key ?? "" },
      format: "jwk",
    });
    const shared = diffieHellman({ privateKey: oneTime.privateKey, publicKey: ephemeral });
    const key = Buffer.from(hkdfSync("sha256", shared, Buffer.from(deliveryId), "warden-key-delivery-v1", 32));
    const decipher = createDecipheriv("aes-256-gcm", key, from(sealed.iv));
    decipher.setAAD(Buffer.from(`${acme.tenantId}/${acmeGw.thing}/${deliveryId}`));
    decipher.setAuthTag(from(sealed.tag));
    const opened = Buffer.concat([decipher.update(from(sealed.ciphertext)), decipher.final()]).toString();
    expect(opened).toBe(cert.keyPem);
  });

  it("answers 404 for another tenant's gateway", async () => {
    const cert = await makeCertificate();
    const res = await upload(
      acme,
      { certificate: cert.pem, private_key: cert.keyPem },
      { type: "https", gateway_id: String(globexGw.id + 1000) },
    );
    expect(res.status).toBe(404);
  });
});

describe("POST /certificates/generate-self-signed", () => {
  const example = {
    common_name: "gateway.local",
    organization: "Example Corp",
    organizational_unit: "IoT Department",
    country: "US",
    state: "California",
    locality: "San Francisco",
    valid_days: 365,
    key_size: 2048,
    algorithm: "RSA",
    san: ["gateway.local", "192.168.1.100"],
    password: "certpass123",
  };

  it("makes a real key, certificate and CSR with the spec's subject and SANs, the key encrypted with the password", async () => {
    const res = await call("POST", `${C}/generate-self-signed`, { token: acme.token, body: example });

    expect(res.status).toBe(200);
    const body = views.SelfSignedView.parse(res.body);
    const cert = new X509Certificate(body.certificate.certificate);
    expect(body.certificate.subject).toBe(
      "CN=gateway.local, O=Example Corp, OU=IoT Department, C=US, ST=California, L=San Francisco",
    );
    expect(cert.subjectAltName).toBe("DNS:gateway.local, IP Address:192.168.1.100");
    expect(body.certificate.private_key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const key = createPrivateKey({ key: body.certificate.private_key, passphrase: "certpass123" });
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(body.certificate.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(Date.parse(body.certificate.valid_to) - Date.parse(body.certificate.valid_from)).toBe(365 * DAY);
    expect(body.certificate).toMatchObject({ key_size: 2048, algorithm: "RSA" });
  });

  it("makes EC P-384 keys", async () => {
    const res = await call("POST", `${C}/generate-self-signed`, {
      token: acme.token,
      body: { common_name: "gw.local", algorithm: "EC", key_size: 384 },
    });
    expect(res.status).toBe(200);
    expect(new X509Certificate(res.body.certificate.certificate).publicKey.asymmetricKeyDetails?.namedCurve).toBe(
      "secp384r1",
    );
  });

  it("refuses a key size the algorithm does not take, naming key_size", async () => {
    const res = await call("POST", `${C}/generate-self-signed`, {
      token: acme.token,
      body: { common_name: "gw.local", algorithm: "EC", key_size: 2048 },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/key_size/);
  });

  it("hands the key out once through its download link, and only to the user who generated it", async () => {
    const gen = await call("POST", `${C}/generate-self-signed`, {
      token: acme.token,
      body: { common_name: "gw.local" },
    });
    const keyUrl = new URL(gen.body.download_urls.private_key, "http://x");
    const certUrl = new URL(gen.body.download_urls.certificate, "http://x");
    const query = (u: URL) => Object.fromEntries(u.searchParams);

    const otherTenant = await call("GET", keyUrl.pathname, { token: globex.token, query: query(keyUrl) });
    const first = await call("GET", keyUrl.pathname, { token: acme.token, query: query(keyUrl) });
    const second = await call("GET", keyUrl.pathname, { token: acme.token, query: query(keyUrl) });
    const cert = await call("GET", certUrl.pathname, { token: acme.token, query: query(certUrl) });

    expect(otherTenant.status).toBe(404);
    expect(first.status).toBe(200);
    expect(first.text).toBe(gen.body.certificate.private_key);
    expect(second.status).toBe(404);
    expect(cert.text).toBe(gen.body.certificate.certificate);
  });
});

describe("POST /certificates/settings", () => {
  it("saves every field and answers the changes, old and new, and the next renewal check", async () => {
    const body = {
      auto_renew: true,
      renewal_days_before_expiry: 21,
      acme_email: "admin@example.com",
      acme_server: "https://acme-staging-v02.api.letsencrypt.org/directory",
      staging_mode: false,
      webroot_path: "/var/www/html",
      notify_before_expiry: true,
      notify_days_before: [1, 7, 3],
      key_rotation_days: 60,
    };

    const res = await call("POST", `${C}/settings`, { token: globex.token, body });
    const again = await call("POST", `${C}/settings`, { token: globex.token, body });
    const status = await call("GET", `${C}/status`, { token: globex.token });

    expect(res.status).toBe(200);
    const parsed = views.SettingsUpdatedView.parse(res.body);
    expect(parsed.changes).toEqual({
      auto_renew: { old: false, new: true },
      renewal_days_before_expiry: { old: 30, new: 21 },
      acme_email: { old: null, new: "admin@example.com" },
      acme_server: { old: "https://acme-v02.api.letsencrypt.org/directory", new: body.acme_server },
      key_rotation_days: { old: 90, new: 60 },
    });
    expect(again.body.changes).toEqual({});
    expect(status.body.settings).toMatchObject({
      auto_renew: true,
      renewal_days_before_expiry: 21,
      acme_email: "admin@example.com",
    });
  });

  it.each([
    [{ acme_server: "http://acme.example.com/directory" }, /acme_server/],
    [{ webroot_path: "/var/www/../etc" }, /webroot_path/],
    [{ renewal_days_before_expiry: 0 }, /renewal_days_before_expiry/],
    [{ acme_email: "not-an-email" }, /acme_email/],
    [{ notify_days_before: [7, 7] }, /notify_days_before/],
  ])("refuses %j naming the field", async (patch, field) => {
    const res = await call("POST", `${C}/settings`, { token: globex.token, body: patch });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(field);
  });
});

describe("POST /certificates/renew and GET /certificates/renewals/{id}", () => {
  it("refuses to renew outside the renewal window without force, naming force", async () => {
    const cert = await makeCertificate({ cn: "gw.globex.test", notAfter: new Date(Date.now() + 200 * DAY) });
    await reportInventory(globex, globexGw.thing, cert.pem);

    const res = await call("POST", `${C}/renew`, { token: globex.token, body: { certificate_type: "https" } });

    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/^force: .*valid for 199 more days/);
  });

  it("refuses a slot the gateway reports nothing for", async () => {
    const res = await call("POST", `${C}/renew`, {
      token: globex.token,
      body: { certificate_type: "mqtt", force: true },
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/certificate_type: .*no mqtt certificate/);
  });

  it("answers 404 for a renewal id that is not the tenant's", async () => {
    const res = await call("GET", `${C}/renewals/RENEW-20260101-0A0B0C0D`, { token: acme.token });
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/renewal_id/);
  });

  it("refuses to pick a gateway when the tenant has two and none is named", async () => {
    await register(globex, "edge-2");
    const res = await call("POST", `${C}/renew`, { token: globex.token, body: { force: true } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/gateway_id: required/);
  });
});
