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
import { getGateway } from "#shared/fleet/db/gateways.ts";
import { NotFound } from "#shared/kit/errors.ts";
import { type AreaSpec, type ChangeOutcome, changeArea, loadSnapshot } from "./shadow-sync.ts";

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
 * Applies `mutate` to one gateway's certificates document and writes its shadow (shadow-sync.ts
 * `changeArea`: a gateway of another tenant is a 404, a document over budget a 413, a concurrent
 * change a 409, and nothing is saved then).
 */
export function changeGatewayCertificates<R>(
  input: { tenantId: string; gatewayId: number; by: string; now?: Date },
  mutate: (doc: CertificatesScopeDoc) => { next: CertificatesScopeDoc; result: R },
): Promise<ChangeOutcome<R>> {
  return changeArea(
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
