/**
 * Gateway surface, certificates area (gateway spec "Certificate Management", plus the renewal
 * progress and one-time download routes the spec's answers point to). Stack `Routes-certificates`.
 *
 * Access: reads need the table only (status reads what the gateway reported, stored by the ingest);
 * an upload writes the gateway's `certificates` shadow (iotShadows);
 * upload seals the private key (dataKey encrypt); self-signed seals the downloads; a download
 * opens them (decrypt); renew starts the renewal state machine (workflows: start).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });

export const certificateRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/certificates/status",
    handler: "functions/gateway/certificates/status.ts",
    permission: "certificates:read",
    access: { table: "RO" },
  }),
  row({
    method: "POST",
    path: "/certificates/upload",
    handler: "functions/gateway/certificates/upload.ts",
    permission: "certificates:write",
    access: { table: "RW", iotShadows: true, dataKey: "encrypt" },
    audit: { event: "Certificate Uploaded", eventType: "certificate_uploaded" },
    body: "multipart",
  }),
  row({
    method: "POST",
    path: "/certificates/generate-self-signed",
    handler: "functions/gateway/certificates/generate-self-signed.ts",
    permission: "certificates:write",
    access: { table: "RW", dataKey: "encrypt" },
    audit: { event: "Self-Signed Certificate Generated", eventType: "certificate_generated" },
  }),
  row({
    method: "POST",
    path: "/certificates/settings",
    handler: "functions/gateway/certificates/settings.ts",
    permission: "certificates:write",
    access: { table: "RW" },
    audit: { event: "Certificate Settings Updated", eventType: "certificate_settings_updated" },
  }),
  row({
    method: "POST",
    path: "/certificates/validate",
    handler: "functions/gateway/certificates/validate.ts",
    permission: "certificates:read",
    access: { table: "RO" },
    changesNothing: true,
  }),
  row({
    method: "POST",
    path: "/certificates/renew",
    handler: "functions/gateway/certificates/renew.ts",
    permission: "certificates:write",
    access: { table: "RW", workflows: "start" },
    audit: { event: "Certificate Renewal Started", eventType: "certificate_renewal_started" },
  }),
  row({
    method: "GET",
    path: "/certificates/renewals/{renewal_id}",
    handler: "functions/gateway/certificates/renewal.ts",
    permission: "certificates:read",
    access: { table: "RO" },
  }),
  row({
    method: "GET",
    path: "/certificates/download/{kind}",
    handler: "functions/gateway/certificates/download.ts",
    permission: "certificates:write",
    // Taking a one-time download deletes it.
    access: { table: "RW", dataKey: "decrypt" },
  }),
];
