/**
 * What gateways report about certificates (edge/contract.ts certificate events, through the IoT
 * ingest function): the inventory of what they serve, and the answers a renewal waits for — a CSR,
 * challenges served, an installation done or failed — and a gateway's request for a private key
 * waiting for it (sealed to the gateway's one-time key, published on its own keys topic, deleted).
 * An answer completes its workflow wait by the request id it carries; one nobody waits for (late,
 * repeated, another tenant's) changes nothing.
 */
import { type EdgeEvent, KEY_DELIVERY, type KeyDeliveryMessage, keyDeliveryAad, keysTopic } from "#edge/contract.ts";
import { decryptSecret } from "#shared/crypto/envelope.ts";
import { changeGatewayCertificatesRetrying, gatewayOfThing } from "#shared/fleet/certificates-shadow.ts";
import { completeWait } from "#shared/workflows/engine.ts";
import { publishJson, sealToX25519 } from "./adapters/keys-topic.ts";
import { putInventory, takeOneTime } from "./db/certificates.ts";

type CertificateEvent = Extract<
  EdgeEvent,
  {
    type:
      | "certificate_inventory"
      | "certificate_csr"
      | "acme_challenge_ready"
      | "certificate_installed"
      | "key_request";
  }
>;

export type CertificateIngestResult = { stored: true; gatewayId: number } | { stored: false; reason: string };

export async function ingestCertificateEvent(
  tenantId: string,
  thingName: string,
  e: CertificateEvent,
): Promise<CertificateIngestResult> {
  const gateway = await gatewayOfThing(tenantId, thingName);
  if (!gateway) return { stored: false, reason: `thing '${thingName}' is not a gateway of tenant '${tenantId}'` };
  switch (e.type) {
    case "certificate_inventory":
      await putInventory(tenantId, gateway.id, {
        reportedAt: e.timestamp,
        certificates: e.certificates.map((c) => ({
          slot: c.slot,
          certificate: c.certificate,
          ...(c.chain ? { chain: c.chain } : {}),
          ...(c.installed_at ? { installedAt: c.installed_at } : {}),
        })),
        clientCertificates: e.client_certificates,
      });
      return { stored: true, gatewayId: gateway.id };
    case "certificate_csr":
      return answered(gateway.id, await completeWait(tenantId, e.request_id, { output: { csr: e.csr } }), e.request_id);
    case "acme_challenge_ready":
      return answered(
        gateway.id,
        await completeWait(tenantId, e.request_id, { output: { tokens: e.tokens } }),
        e.request_id,
      );
    case "certificate_installed": {
      let expected: string | undefined;
      if (e.status === "installed") {
        // Installed: the PEMs leave the shadow document (the gateway has them), the fingerprint stays.
        expected = (
          await changeGatewayCertificatesRetrying(
            { tenantId, gatewayId: gateway.id, by: `gateway:${gateway.id}` },
            (doc) => {
              const slot = doc.slots[e.slot];
              const ours = slot?.install_id === e.install_id ? slot : undefined;
              const mine = ours && ours.fingerprint === e.fingerprint;
              return {
                next: mine ? { ...doc, slots: { ...doc.slots, [e.slot]: { ...ours, confirmed: true } } } : doc,
                result: ours?.fingerprint,
              };
            },
          )
        ).result;
      }
      const answer =
        e.status !== "installed"
          ? { error: `the gateway kept its previous certificate: ${e.error ?? "installation failed"}` }
          : expected !== undefined && e.fingerprint !== expected
            ? { error: `the gateway serves ${e.fingerprint ?? "no certificate"}, not the issued ${expected}` }
            : { output: { fingerprint: e.fingerprint ?? null, services_reloaded: e.services_reloaded } };
      await completeWait(tenantId, e.install_id, answer);
      // An upload's installation has no wait: its outcome is recorded all the same (the slot above).
      return { stored: true, gatewayId: gateway.id };
    }
    case "key_request": {
      // Taken (deleted) as it is read: a second request, or another gateway's, finds nothing.
      const item = await takeOneTime(tenantId, "CERTKEY", e.delivery_id, `gateway:${gateway.id}`);
      const message: KeyDeliveryMessage = item
        ? {
            status: "sealed",
            delivery_id: e.delivery_id,
            ...sealToX25519(await decryptSecret(tenantId, item.content), e.public_key, {
              salt: e.delivery_id,
              info: KEY_DELIVERY.hkdfInfo,
              aad: keyDeliveryAad(tenantId, thingName, e.delivery_id),
            }),
          }
        : {
            status: "gone" as const,
            delivery_id: e.delivery_id,
            error: "no such key delivery for this gateway: already fetched, expired or never made",
          };
      await publishJson(keysTopic(tenantId, thingName), message);
      return item ? { stored: true, gatewayId: gateway.id } : { stored: false, reason: message.status };
    }
  }
}

function answered(gatewayId: number, done: boolean, requestId: string): CertificateIngestResult {
  return done ? { stored: true, gatewayId } : { stored: false, reason: `nothing waits for '${requestId}'` };
}
