/**
 * The ACME side of renewal, step by step with acme-client (RFC 8555): account, order,
 * authorizations and their HTTP-01 challenges, then — once the gateway serves the tokens —
 * challenge completion, finalize with the gateway's CSR, and download. Each step runs in its own
 * workflow task, so the state between them is plain data (order URL, challenge URLs); the tenant's
 * account key is sealed in the table (envelope encryption) and never leaves the cloud.
 *
 * Local mode trusts the local CA's TLS certificate (`WARDEN_ACME_CA_FILE`, pebble's, generated at
 * start) for this client only; nothing else in the process trusts it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import type * as acme from "acme-client";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";
import { getAcmeAccount, putAcmeAccount } from "../db/certificates.ts";

/**
 * acme-client (with axios, node-forge and mime-db, ~550 KB of the renewal functions' bundles) is
 * imported on first use: a cold start of a route that answers before reaching the CA neither
 * loads nor parses it (the build keeps it in a chunk beside the bundle, infra/build.ts LAZY_HEAVY).
 * A failed import is retried by the next call.
 */
const acmeModule = onFirstUse<typeof acme>(() =>
  import("acme-client").then((mod) => {
    const caFile = process.env.WARDEN_ACME_CA_FILE;
    if (caFile) mod.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(caFile) });
    return mod;
  }),
);

/** An error of one ACME step, named, so the renewal's error says where the CA refused. */
export class AcmeStepError extends Error {
  constructor(step: string, cause: unknown) {
    super(`ACME ${step}: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 600));
    this.name = "AcmeStepError";
  }
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new AcmeStepError(name, e);
  }
}

const directoryHash = (url: string) => createHash("sha256").update(url).digest("hex").slice(0, 32);

/** The tenant's account on `directoryUrl`, created (and its key sealed and stored) on first use. */
export async function acmeClient(tenantId: string, directoryUrl: string, email: string | null): Promise<acme.Client> {
  const acme = await acmeModule();
  const hash = directoryHash(directoryUrl);
  const stored = await getAcmeAccount(tenantId, hash);
  if (stored) {
    return new acme.Client({
      directoryUrl,
      accountKey: await decryptSecret(tenantId, stored.accountKey),
      ...(stored.accountUrl ? { accountUrl: stored.accountUrl } : {}),
      backoffAttempts: 5,
      backoffMin: 500,
      backoffMax: 5000,
    });
  }
  const accountKey = (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
  const client = new acme.Client({ directoryUrl, accountKey, backoffAttempts: 5, backoffMin: 500, backoffMax: 5000 });
  await step("account", () =>
    client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) }),
  );
  await putAcmeAccount(tenantId, hash, {
    directoryUrl,
    accountKey: await encryptSecret(tenantId, accountKey),
    accountUrl: client.getAccountUrl(),
    email,
  });
  return client;
}

export interface PendingChallenge {
  token: string;
  keyAuthorization: string;
  url: string;
}

/** A new order for `names` and the HTTP-01 challenge of each of its pending authorizations. */
export async function placeOrder(
  client: acme.Client,
  names: string[],
): Promise<{ orderUrl: string; challenges: PendingChallenge[] }> {
  const order = await step("order", () =>
    client.createOrder({ identifiers: names.map((value) => ({ type: "dns", value })) }),
  );
  const authorizations = await step("authorizations", () => client.getAuthorizations(order));
  const challenges: PendingChallenge[] = [];
  for (const authz of authorizations) {
    if (authz.status === "valid") continue;
    const http = authz.challenges.find((c) => c.type === "http-01");
    if (!http) throw new AcmeStepError("authorizations", `no http-01 challenge for ${authz.identifier.value}`);
    const keyAuthorization = await client.getChallengeKeyAuthorization(http);
    challenges.push({ token: http.token, keyAuthorization, url: http.url });
  }
  return { orderUrl: order.url, challenges };
}

/**
 * The gateway serves the tokens: tells the CA to validate, waits for it, finalizes the order with
 * the gateway's CSR and downloads the certificate with its chain (PEM, leaf first).
 */
export async function finalizeOrder(
  client: acme.Client,
  orderUrl: string,
  challenges: PendingChallenge[],
  csrPem: string,
): Promise<string> {
  for (const c of challenges) {
    const challenge = { type: "http-01", url: c.url, token: c.token, status: "pending" } as const;
    await step("challenge", () => client.completeChallenge(challenge as never));
    await step("validation", () => client.waitForValidStatus(challenge as never));
  }
  const order = await step("order", () => client.getOrder({ url: orderUrl } as never));
  const finalized = await step("finalize", () => client.finalizeOrder(order, csrPem));
  const valid = await step("finalize", () => client.waitForValidStatus(finalized));
  return step("download", () => client.getCertificate(valid));
}
