/**
 * A misbehaving gateway's certificate side, played by the test (the real one is edge/certificate-agent.ts,
 * which the e2e and the bench use for the working case): it watches its `certificates` shadow on the
 * local IoT Core and answers as the edge does —
 * a CSR request with a fresh EC key it keeps and a real CSR; ACME challenges by serving
 * `/.well-known/acme-challenge/<token>` over HTTP on the port the CA validates; an installation by
 * checking the certificate against the key it made and reporting the fingerprint it now serves.
 * `offline()` stops it answering. What it reports goes through the real ingest function.
 */
import { createHash, webcrypto, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { x509 } from "#shared/certificates/peculiar.ts";

type Ingest = (event: Record<string, unknown>) => Promise<unknown>;
type Publication = { thing: string; shadowName: string; topic: string; payload: object };
interface Shadows {
  on(event: "publish", fn: (p: Publication) => void): unknown;
  off(event: "publish", fn: (p: Publication) => void): unknown;
}
interface Desired {
  csr_requests?: { request_id: string; slot: string; common_name: string; san_dns: string[] }[];
  acme_challenges?: { request_id: string; token: string; key_authorization: string }[];
  slots?: Record<
    string,
    {
      install_id: string;
      fingerprint: string;
      certificate?: string;
      chain?: string;
      key: { source: string; request_id?: string };
    }
  >;
}

export interface TestGateway {
  /** What the gateway serves per slot (PEM). */
  served: Map<string, string>;
  /** The gateway stops answering (an offline gateway). */
  offline(): void;
  /** The gateway refuses installations (keeps its previous certificate). */
  refuseInstall(error: string): void;
  /** The gateway serves wrong challenge answers (the CA's validation fails). */
  serveWrongChallenges(): void;
  /** The gateway reports a fingerprint other than the one it was sent (a broken or lying installer). */
  misreportFingerprint(): void;
  stop(): Promise<void>;
}

export async function startTestGateway(o: {
  tenant: string;
  thing: string;
  shadows: Shadows;
  ingest: Ingest;
  httpPort: number;
  initial: Record<string, string>;
}): Promise<TestGateway> {
  const keys = new Map<string, webcrypto.CryptoKeyPair>();
  const challenges = new Map<string, string>();
  const done = new Set<string>();
  const served = new Map(Object.entries(o.initial));
  let online = true;
  let refusal: string | undefined;
  let wrongChallenges = false;
  let misreport = false;
  const server: Server = createServer((req, res) => {
    const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? "")?.[1];
    const body = token ? challenges.get(token) : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "text/plain" }).end(body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(o.httpPort, "127.0.0.1", resolve));
  const report = (event: Record<string, unknown>) =>
    o.ingest({ tenant: o.tenant, thing: o.thing, timestamp: new Date().toISOString(), ...event });
  const inventory = () =>
    report({
      type: "certificate_inventory",
      certificates: [...served].map(([slot, certificate]) => ({ slot, certificate })),
      client_certificates: [],
    });

  async function onDesired(d: Desired) {
    if (!online) return;
    for (const r of d.csr_requests ?? []) {
      if (done.has(r.request_id)) continue;
      done.add(r.request_id);
      const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
      const pair = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
      keys.set(r.request_id, pair);
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: `CN=${r.common_name}`,
        keys: pair,
        signingAlgorithm: alg,
        extensions: [
          new x509.SubjectAlternativeNameExtension(r.san_dns.map((value) => ({ type: "dns" as const, value }))),
        ],
      });
      await report({
        type: "certificate_csr",
        request_id: r.request_id,
        slot: r.slot,
        csr: `${csr.toString("pem")}\n`,
      });
    }
    const byRequest = new Map<string, string[]>();
    for (const c of d.acme_challenges ?? []) {
      challenges.set(c.token, wrongChallenges ? `${c.token}.wrong` : c.key_authorization);
      byRequest.set(c.request_id, [...(byRequest.get(c.request_id) ?? []), c.token]);
    }
    for (const [request, tokens] of byRequest) {
      if (done.has(request)) continue;
      done.add(request);
      await report({ type: "acme_challenge_ready", request_id: request, tokens });
    }
    for (const [slot, s] of Object.entries(d.slots ?? {})) {
      if (done.has(s.install_id) || !s.certificate) continue;
      done.add(s.install_id);
      const pair = s.key.request_id ? keys.get(s.key.request_id) : undefined;
      const cert = new X509Certificate(s.certificate);
      const spki = Buffer.from(await webcrypto.subtle.exportKey("spki", pair?.publicKey as webcrypto.CryptoKey));
      const fingerprint = createHash("sha256").update(cert.raw).digest("hex");
      const matches = !!pair && cert.publicKey.export({ type: "spki", format: "der" }).equals(spki);
      if (refusal || !matches || fingerprint !== s.fingerprint) {
        await report({
          type: "certificate_installed",
          install_id: s.install_id,
          slot,
          status: "failed",
          error: refusal ?? "the certificate does not match the key",
          services_reloaded: [],
        });
        continue;
      }
      if (misreport) {
        const other = createHash("sha256").update("another certificate").digest("hex");
        await report({
          type: "certificate_installed",
          install_id: s.install_id,
          slot,
          status: "installed",
          fingerprint: other,
          services_reloaded: [],
        });
        continue;
      }
      served.set(slot, `${s.certificate}${s.chain ?? ""}`);
      await report({
        type: "certificate_installed",
        install_id: s.install_id,
        slot,
        status: "installed",
        fingerprint,
        services_reloaded: ["nginx"],
      });
      await inventory();
    }
  }

  const listener = (p: Publication) => {
    if (p.thing !== o.thing || p.shadowName !== "certificates" || !p.topic.endsWith("/update/documents")) return;
    const desired = (p.payload as { current?: { state?: { desired?: Desired } } }).current?.state?.desired;
    if (desired) {
      onDesired(desired).catch((e: Error) => process.stderr.write(`test gateway: ${e.stack ?? e.message}\n`));
    }
  };
  o.shadows.on("publish", listener);
  await inventory();
  return {
    served,
    offline: () => {
      online = false;
    },
    refuseInstall: (error) => {
      refusal = error;
    },
    serveWrongChallenges: () => {
      wrongChallenges = true;
    },
    misreportFingerprint: () => {
      misreport = true;
    },
    stop: () => {
      online = false;
      o.shadows.off("publish", listener);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The web server in front of a gateway running the real edge, for the CA's HTTP-01 validation:
 * on 127.0.0.1:`port`, `/.well-known/acme-challenge/<token>` answers the file the edge wrote under
 * `webroot`, anything else 404.
 */
export async function serveAcmeWebroot(webroot: string, port: number): Promise<{ close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? "")?.[1];
    const body = token
      ? await readFile(join(webroot, ".well-known/acme-challenge", token), "utf8").catch(() => undefined)
      : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "text/plain" }).end(body ?? "");
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return { close: () => new Promise<void>((done) => server.close(() => done())) };
}
