import { firewallSummary } from "#shared/fleet/firewall.ts";
import { sshSummary } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { securityStatus } from "#shared/reports/security-status.ts";
import { SecurityStatusResponse } from "#shared/reports/views.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/status",
  { response: SecurityStatusResponse },
  (req) => securityStatus(req.principal.tenantId, { firewall: firewallSummary, ssh: sshSummary }),
);
