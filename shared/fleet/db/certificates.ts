/**
 * The `certificates` area's stored document, one per gateway scope (fleet-config.ts): what that
 * gateway's `certificates` shadow asks for, plus the cloud's own record of where each slot's
 * certificate came from. Public material only — certificates, fingerprints, CSR requests, ACME
 * challenge tokens; private keys are referenced (a CSR request the gateway answered, or a one-time
 * delivery), never held here. Field names are the shadow contract's (edge/contract.ts).
 *
 * Access patterns: read and written with its scope (fleet-config.ts).
 */
import * as z from "zod/mini";

export const CERTIFICATE_SOURCES = ["acme", "upload", "self_signed"] as const;
export type CertificateSource = (typeof CERTIFICATE_SOURCES)[number];

/**
 * The shapes of edge/contract.ts's `certificates` desired document, as stored (db/ does not import
 * the contract; what is rendered from these is checked against it before any shadow write).
 */
const SlotDesired = z.object({
  install_id: z.string(),
  fingerprint: z.string(),
  certificate: z.optional(z.string()),
  chain: z.optional(z.string()),
  key: z.discriminatedUnion("source", [
    z.object({ source: z.literal("csr"), request_id: z.string() }),
    z.object({ source: z.literal("delivery"), delivery_id: z.string(), key_fingerprint: z.string() }),
  ]),
});
const CsrRequest = z.object({
  request_id: z.string(),
  slot: z.enum(["https", "mqtt"]),
  common_name: z.string(),
  san_dns: z.array(z.string()),
  key_algorithm: z.enum(["EC", "RSA"]),
  key_size: z.number(),
});
const AcmeChallenge = z.object({ request_id: z.string(), token: z.string(), key_authorization: z.string() });

export const SlotRecord = z.extend(SlotDesired, {
  source: z.enum(CERTIFICATE_SOURCES),
  /** The ACME directory it was issued by (source `acme`). */
  acme_server: z.optional(z.string()),
  set_at: z.string(),
  set_by: z._default(z.string(), ""),
  /**
   * The gateway reported this installation done: the PEMs leave the shadow document (the edge
   * already has them), so two slots with long chains still fit IoT Core's 8 KB.
   */
  confirmed: z._default(z.boolean(), false),
});
export type SlotRecord = z.infer<typeof SlotRecord>;

export const CertificatesScopeDoc = z.object({
  webroot_path: z.optional(z.string()),
  slots: z._default(z.object({ https: z.optional(SlotRecord), mqtt: z.optional(SlotRecord) }), {}),
  csr_requests: z._default(z.array(CsrRequest), []),
  acme_challenges: z._default(z.array(AcmeChallenge), []),
});
export type CertificatesScopeDoc = z.infer<typeof CertificatesScopeDoc>;

export function parseCertificatesDoc(doc: unknown): CertificatesScopeDoc {
  return CertificatesScopeDoc.parse(doc ?? {});
}
