/**
 * POST /api/network/scan (legacy, deprecated) — "start network device scan": the gateway security
 * scan's network and firewall components (listening ports each gateway reports against the
 * firewall, rules applied, drift), in the securenet envelope. Successor: POST /cloud-integration/security/scan.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { startScan } from "#shared/scans/scans.ts";
import { NetworkScanBody } from "#shared/scans/schemas.ts";
import { ScanStartedView, scanStartedView } from "#shared/scans/views.ts";

export const endpoint = defineEndpoint(
  "POST /api/network/scan",
  { body: NetworkScanBody, response: ScanStartedView },
  async (req) => {
    const out = await startScan({
      tenantId: req.principal.tenantId,
      by: req.principal.username,
      trigger: "api",
      scanType: "full",
      depth: req.body.depth,
      components: ["firewall", "network"],
      schedule: false,
      clientToken: req.body.client_token,
    });
    req.audit({
      resource: `scans/${out.scan.scanId}`,
      details: { scan_id: out.scan.scanId, started: out.started, legacy_route: "POST /api/network/scan" },
    });
    return scanStartedView(out.scan, out.nextScanScheduled);
  },
);
