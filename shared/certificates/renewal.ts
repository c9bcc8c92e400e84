/**
 * Certificate renewal from an ACME CA, on the workflow engine (shared/workflows, definition
 * `certificate-renewal`). The key is made on the gateway and never leaves it:
 *
 *   RequestCsr        shadow `csr_requests` → the gateway makes a key and publishes a CSR (waits)
 *   PlaceOrder        ACME account, order, authorizations → HTTP-01 challenges
 *   PublishChallenges shadow `acme_challenges` → the gateway serves them from its webroot (waits)
 *   FinalizeOrder     challenges completed and valid, order finalized with the CSR, certificate downloaded
 *   Install           shadow slot (certificate, chain, fingerprint, key = the CSR's) → the gateway
 *                     checks, swaps, reloads and reports the fingerprint it serves (waits)
 *   finish            `last_renewal` on the gateway's settings; a failed renewal leaves no request behind
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import * as z from "zod/mini";
import { certificateGateway, changeGatewayCertificatesRetrying } from "#shared/fleet/certificates-shadow.ts";
import { Conflict } from "#shared/kit/errors.ts";
import {
  certificateRenewal,
  type ExecutionItem,
  newExecutionId,
  startWorkflow,
  type WorkflowState,
  workflowExecution,
} from "#shared/workflows/engine.ts";
import { acmeClient, finalizeOrder, type PendingChallenge, placeOrder } from "./adapters/acme.ts";
import { getInventory } from "./db/certificates.ts";
import { x509 } from "./peculiar.ts";
import { certificateSettings, effectiveAcmeServer, recordLastRenewal } from "./settings.ts";
import { certificateInfo, daysRemaining, fingerprintHex, pemCertificates } from "./x509.ts";

export const RENEWAL_STEPS = certificateRenewal.steps.map((s) => s.label);

export const RenewalParams = z.object({
  gatewayId: z.number(),
  slot: z.enum(["https", "mqtt"]),
  names: z.array(z.string()).check(z.minLength(1)),
  directoryUrl: z.string(),
  email: z.nullable(z.string()),
  webrootPath: z.string(),
  by: z.string(),
});
export type RenewalParams = z.infer<typeof RenewalParams>;

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Starts a renewal of the gateway's `slot` certificate for the names it has now (its CN and DNS
 * SANs). Without `force`, only inside the renewal window. A renewal already running for the slot
 * is answered instead of a second one (`started: false`).
 */
export async function startRenewal(r: {
  tenantId: string;
  gatewayId: number | undefined;
  slot: "https" | "mqtt";
  force: boolean;
  by: string;
  now?: Date;
}): Promise<{ execution: ExecutionItem; started: boolean; gatewayId: number }> {
  const now = r.now ?? new Date();
  const gateway = await certificateGateway(r.tenantId, r.gatewayId, "gateway_id");
  const [inventory, settings] = await Promise.all([
    getInventory(r.tenantId, gateway.id),
    certificateSettings(r.tenantId, gateway.id),
  ]);
  const installed = inventory?.certificates.find((c) => c.slot === r.slot);
  const leaf = installed ? pemCertificates(installed.certificate, "certificate")[0] : undefined;
  if (!leaf) {
    throw new Conflict(
      `certificate_type: gateway ${gateway.id} reports no ${r.slot} certificate, so the names to renew are unknown`,
    );
  }
  const info = certificateInfo(new X509Certificate(leaf));
  const days = daysRemaining(info.validTo, now);
  if (!r.force && days > settings.renewalDaysBeforeExpiry) {
    throw new Conflict(
      `force: the ${r.slot} certificate is valid for ${days} more days (renewal window: ${settings.renewalDaysBeforeExpiry}); send force: true to renew now`,
    );
  }
  const cn = /CN=([^,]+)/.exec(info.subject)?.[1]?.trim();
  const names = [...new Set([...(cn ? [cn] : []), ...info.san])]
    .filter((n) => DNS_NAME.test(n))
    .map((n) => n.toLowerCase());
  if (names.length === 0) {
    throw new Conflict(`certificate_type: the ${r.slot} certificate names no DNS name an ACME CA could validate`);
  }
  const params: RenewalParams = {
    gatewayId: gateway.id,
    slot: r.slot,
    names,
    directoryUrl: effectiveAcmeServer(settings),
    email: settings.acmeEmail,
    webrootPath: settings.webrootPath,
    by: r.by,
  };
  const out = await startWorkflow({
    workflow: certificateRenewal,
    tenantId: r.tenantId,
    subject: `gw${gateway.id}-${r.slot}`,
    executionId: newExecutionId("RENEW", now),
    startedBy: r.by,
    params,
  });
  if (out.started) {
    await recordLastRenewal(r.tenantId, gateway.id, {
      renewalId: out.execution.executionId,
      status: "running",
      at: now.toISOString(),
      error: null,
    });
  }
  return { ...out, gatewayId: gateway.id };
}

/** A renewal's progress; another tenant's id (or another workflow's) is not found. */
export async function renewalProgress(tenantId: string, renewalId: string): Promise<ExecutionItem | undefined> {
  const e = await workflowExecution(tenantId, renewalId);
  return e?.workflow === certificateRenewal.name ? e : undefined;
}

// ── tasks (functions/workflows/certificate-renewal/*.ts) ──────────────────────────────────────

const paramsOf = (state: WorkflowState) => RenewalParams.parse(state.params);
const resultOf = <S extends z.ZodMiniType>(state: WorkflowState, name: string, schema: S): z.output<S> =>
  schema.parse(state.results[name]);

const CsrAnswer = z.object({ csr: z.string() });
const OrderResult = z.object({
  orderUrl: z.string(),
  challenges: z.array(z.object({ token: z.string(), keyAuthorization: z.string(), url: z.string() })),
});
const Issued = z.object({ certificate: z.string(), chain: z.optional(z.string()), fingerprint: z.string() });

const shadowChange = (state: WorkflowState) => {
  const p = paramsOf(state);
  return { tenantId: state.tenantId, gatewayId: p.gatewayId, by: `workflow:${state.executionId}` };
};

/** Asks the gateway for a key pair and CSR for the slot's names; the request id is `waitKey`. */
export async function requestCsr(state: WorkflowState, waitKey: string): Promise<void> {
  const p = paramsOf(state);
  await changeGatewayCertificatesRetrying(shadowChange(state), (doc) => ({
    next: {
      ...doc,
      csr_requests: [
        ...doc.csr_requests.filter((c) => c.slot !== p.slot),
        {
          request_id: waitKey,
          slot: p.slot,
          common_name: p.names[0] as string,
          san_dns: p.names,
          key_algorithm: "EC" as const,
          key_size: 256 as const,
        },
      ],
    },
    result: undefined,
  }));
}

export async function orderCertificate(state: WorkflowState): Promise<z.output<typeof OrderResult>> {
  const p = paramsOf(state);
  const client = await acmeClient(state.tenantId, p.directoryUrl, p.email);
  return placeOrder(client, p.names);
}

/** Hands the challenges to the gateway, which serves them from its webroot and says when. */
export async function publishChallenges(state: WorkflowState, waitKey: string): Promise<void> {
  const order = resultOf(state, "PlaceOrder", OrderResult);
  const p = paramsOf(state);
  await changeGatewayCertificatesRetrying(shadowChange(state), (doc) => ({
    next: {
      ...doc,
      webroot_path: p.webrootPath,
      acme_challenges: order.challenges.map((c) => ({
        request_id: waitKey,
        token: c.token,
        key_authorization: c.keyAuthorization,
      })),
    },
    result: undefined,
  }));
}

/** Finalizes with the gateway's CSR; the issued certificate must be for the gateway's key. */
export async function finalizeCertificate(state: WorkflowState): Promise<z.output<typeof Issued>> {
  const p = paramsOf(state);
  const { csr } = resultOf(state, "RequestCsr", CsrAnswer);
  const order = resultOf(state, "PlaceOrder", OrderResult);
  const client = await acmeClient(state.tenantId, p.directoryUrl, p.email);
  const fullChain = await finalizeOrder(client, order.orderUrl, order.challenges as PendingChallenge[], csr);
  const [leafPem, ...chain] = pemCertificates(fullChain, "certificate");
  if (!leafPem) throw new Error("ACME download: the CA answered no certificate");
  const leaf = new X509Certificate(leafPem);
  const csrKey = createPublicKey(csrPublicKeyPem(csr));
  if (!leaf.publicKey.equals(csrKey)) throw new Error("ACME download: the certificate is not for the gateway's key");
  // The challenges are done: the gateway may remove the files.
  await changeGatewayCertificatesRetrying(shadowChange(state), (doc) => ({
    next: { ...doc, acme_challenges: [] },
    result: undefined,
  }));
  return {
    certificate: leafPem,
    ...(chain.length > 0 ? { chain: chain.join("") } : {}),
    fingerprint: fingerprintHex(leaf),
  };
}

/** The public key of a PEM CSR (node:crypto reads no CSRs; @peculiar/x509 does). */
function csrPublicKeyPem(csr: string): string {
  const spki = Buffer.from(new x509.Pkcs10CertificateRequest(csr).publicKey.rawData);
  return createPublicKey({ key: spki, format: "der", type: "spki" }).export({ type: "spki", format: "pem" }).toString();
}

/** Asks the gateway to install the issued certificate with the key it made for the CSR. */
export async function installCertificate(state: WorkflowState, waitKey: string): Promise<void> {
  const p = paramsOf(state);
  const issued = resultOf(state, "FinalizeOrder", Issued);
  const csrRequest = `${state.executionId}-request-csr`;
  await changeGatewayCertificatesRetrying(shadowChange(state), (doc) => ({
    next: {
      ...doc,
      slots: {
        ...doc.slots,
        [p.slot]: {
          install_id: waitKey,
          fingerprint: issued.fingerprint,
          certificate: issued.certificate,
          ...(issued.chain ? { chain: issued.chain } : {}),
          key: { source: "csr" as const, request_id: csrRequest },
          source: "acme" as const,
          acme_server: p.directoryUrl,
          set_at: new Date().toISOString(),
          set_by: `workflow:${state.executionId}`,
          confirmed: false,
        },
      },
    },
    result: undefined,
  }));
}

/**
 * Ends a renewal: `last_renewal`, and no CSR request or challenge of it is left in the shadow (a
 * failed one leaves the slot as it was: the gateway keeps serving its previous certificate).
 */
export async function endRenewal(state: WorkflowState, execution: ExecutionItem): Promise<void> {
  const p = paramsOf(state);
  const mine = (id: string) => id.startsWith(`${state.executionId}-`);
  await changeGatewayCertificatesRetrying(shadowChange(state), (doc) => {
    // A failed installation is no longer asked for: the gateway keeps what it serves.
    const slot = doc.slots[p.slot];
    const withdraw = execution.status === "failed" && slot !== undefined && mine(slot.install_id);
    return {
      next: {
        ...doc,
        slots: withdraw ? { ...doc.slots, [p.slot]: undefined } : doc.slots,
        csr_requests: doc.csr_requests.filter((c) => !mine(c.request_id)),
        acme_challenges: doc.acme_challenges.filter((c) => !mine(c.request_id)),
      },
      result: undefined,
    };
  });
  await recordLastRenewal(state.tenantId, p.gatewayId, {
    renewalId: state.executionId,
    status: execution.status,
    at: execution.finishedAt ?? new Date().toISOString(),
    error: execution.error,
  });
}

export const renewalResult = (state: WorkflowState): Record<string, unknown> | null => {
  const issued = Issued.safeParse(state.results.FinalizeOrder);
  return issued.success ? { fingerprint: issued.data.fingerprint } : null;
};
