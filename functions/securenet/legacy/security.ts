/**
 * GET /api/security (legacy, deprecated) — the organization's security status and latest gateway
 * scan, in the securenet envelope. Successor: GET /cloud-integration/security/scan/results.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { scanOverview } from "#shared/scans/scans.ts";
import { LegacySecurityView, legacySecurityView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint("GET /api/security", { response: LegacySecurityView }, async (req) =>
  legacySecurityView(await scanOverview(req.principal.tenantId)),
);
