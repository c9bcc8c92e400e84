import { firewallSummary } from "#shared/fleet/firewall.ts";
import { sshSummary } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { securityStatus } from "#shared/reports/security-status.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/status", {}, (req) =>
  securityStatus(req.principal.tenantId, { firewall: firewallSummary, ssh: sshSummary }),
);
