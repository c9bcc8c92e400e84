import { firewallSummary } from "#shared/fleet/firewall.ts";
import { sshSummary } from "#shared/fleet/ssh.ts";
import { endpoint } from "#shared/kit/endpoint.ts";
import { securityStatus } from "#shared/reports/security-status.ts";

export const handler = endpoint("GET /cloud-integration/security/status", {}, (req) =>
  securityStatus(req.principal.tenantId, { firewall: firewallSummary, ssh: sshSummary }),
);
