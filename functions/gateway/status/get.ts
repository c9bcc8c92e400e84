import { firewallSummary } from "#shared/domain/firewall.ts";
import { securityStatus } from "#shared/domain/security-status.ts";
import { sshSummary } from "#shared/domain/ssh.ts";
import { endpoint } from "#shared/http/endpoint.ts";

export const handler = endpoint("GET /cloud-integration/security/status", {}, (req) =>
  securityStatus(req.principal.tenantId, { firewall: firewallSummary, ssh: sshSummary }),
);
