/**
 * The `certificates` named shadow, the fleet's third settings area. It reaches a gateway by the same
 * flow as firewall and ssh (shadow-sync.ts: versioned scope, contract check, 8 KB budget, ordered
 * shadow write), with one difference: certificates belong to one gateway, so the area has gateway
 * scopes only and a change always names its gateway.
 *
 * The certificates area (shared/certificates/) decides what goes in; this file only stores it and
 * renders the shadow document (edge contract `CertificatesDesiredSchema`). A slot's PEMs are sent
 * until the gateway confirms the installation, its fingerprint and key reference always.
 */
import { type CertificatesDesired, CertificatesDesiredSchema } from "#edge/contract.ts";
import { type CertificatesScopeDoc, parseCertificatesDoc, type SlotRecord } from "#shared/fleet/db/certificates.ts";
import { type Gateway, getGateway, listGateways } from "#shared/fleet/db/gateways.ts";
import { Conflict, Invalid, NotFound } from "#shared/kit/errors.ts";
import { gatewayIdOfThing } from "./ingest.ts";
import { type AreaSpec, type ChangeOutcome, changeAreaInline, loadSnapshot, type PushReport } from "./shadow-sync.ts";

export type { CertificateSource, CertificatesScopeDoc, SlotRecord } from "#shared/fleet/db/certificates.ts";

const slotDesired = (r: SlotRecord) => ({
  install_id: r.install_id,
  fingerprint: r.fingerprint,
  ...(r.confirmed ? {} : { certificate: r.certificate, ...(r.chain ? { chain: r.chain } : {}) }),
  key: r.key,
});

export function renderCertificatesDesired(doc: CertificatesScopeDoc, configVersion: number): CertificatesDesired {
  const slots: CertificatesDesired["slots"] = {};
  if (doc.slots.https) slots.https = slotDesired(doc.slots.https);
  if (doc.slots.mqtt) slots.mqtt = slotDesired(doc.slots.mqtt);
  return {
    config_version: configVersion,
    ...(doc.webroot_path && doc.acme_challenges.length > 0 ? { webroot_path: doc.webroot_path } : {}),
    slots,
    ...(doc.csr_requests.length > 0 ? { csr_requests: doc.csr_requests } : {}),
    ...(doc.acme_challenges.length > 0 ? { acme_challenges: doc.acme_challenges } : {}),
  };
}

export const certificatesSpec: AreaSpec<CertificatesScopeDoc, CertificatesScopeDoc> = {
  area: "certificates",
  parse: parseCertificatesDoc,
  // No tenant-wide certificates: a gateway has its own document or none.
  merge: (_tenant, overlay) => overlay ?? parseCertificatesDoc({}),
  render: (doc, configVersion) => renderCertificatesDesired(doc, configVersion),
  contract: CertificatesDesiredSchema,
};

/**
 * Applies `mutate` to one gateway's certificates document and writes its shadow in the call
 * (shadow-sync.ts `changeAreaInline`: a gateway of another tenant is a 404, a document over budget a 413, a concurrent
 * change a 409, and nothing is saved then).
 */
export function changeGatewayCertificates<R>(
  input: { tenantId: string; gatewayId: number; by: string; now?: Date },
  mutate: (doc: CertificatesScopeDoc) => { next: CertificatesScopeDoc; result: R },
): Promise<ChangeOutcome<R, PushReport>> {
  return changeAreaInline(
    certificatesSpec,
    { tenantId: input.tenantId, scope: input.gatewayId, by: input.by, now: input.now },
    (doc) => {
      const { next, result } = mutate(doc);
      return { next: next as CertificatesScopeDoc & Record<string, unknown>, result };
    },
  );
}

/** One gateway's certificates document and the config version its shadow carries (0: none yet). */
export async function gatewayCertificatesDoc(
  tenantId: string,
  gatewayId: number,
): Promise<{ doc: CertificatesScopeDoc; configVersion: number }> {
  const gateway = await getGateway(tenantId, gatewayId);
  if (!gateway) throw new NotFound(`gateway_id: no gateway ${gatewayId}`);
  const snap = await loadSnapshot(certificatesSpec, tenantId, [gateway]);
  return { doc: snap.docOf(gatewayId), configVersion: snap.versionOf(gatewayId) };
}

/**
 * The gateway a certificate request is about: `gatewayId` when given (another tenant's id is a
 * 404), else the tenant's only gateway; with several and none named, a 400 naming the field.
 */
export async function certificateGateway(
  tenantId: string,
  gatewayId: number | undefined,
  field: string,
): Promise<Pick<Gateway, "id" | "name" | "thingName">> {
  if (gatewayId !== undefined) {
    const g = await getGateway(tenantId, gatewayId);
    if (!g) throw new NotFound(`${field}: no gateway ${gatewayId}`);
    return g;
  }
  const all = await listGateways(tenantId);
  if (all.length === 1 && all[0]) return all[0];
  if (all.length === 0) throw new Invalid(`${field}: the tenant has no gateway yet; register one first`);
  throw new Invalid(`${field}: required when the tenant has more than one gateway (it has ${all.length})`);
}

/** The thing's gateway id in this tenant, or undefined (events name their gateway by thing). */
export async function gatewayOfThing(tenantId: string, thingName: string): Promise<Gateway | undefined> {
  const id = gatewayIdOfThing(tenantId, thingName);
  return id === undefined ? undefined : getGateway(tenantId, id);
}

/**
 * `changeGatewayCertificates`, retried when another certificates change of the tenant won the race
 * (the area's config version is per tenant, so two gateways' renewals may collide).
 */
export async function changeGatewayCertificatesRetrying<R>(
  input: { tenantId: string; gatewayId: number; by: string },
  mutate: (doc: CertificatesScopeDoc) => { next: CertificatesScopeDoc; result: R },
): Promise<ChangeOutcome<R, PushReport>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await changeGatewayCertificates(input, mutate);
    } catch (e) {
      if (!(e instanceof Conflict) || attempt >= 4) throw e;
    }
  }
}
