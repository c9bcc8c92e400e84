/** GET /ssh/sessions — sessions the gateways reported: active (default) or also today's ended ones. */
import { SshSessionsQuery } from "#shared/fleet/schemas.ts";
import { sshSessions } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/ssh/sessions",
  { query: SshSessionsQuery },
  async (req) =>
    sshSessions(req.principal.tenantId, { activeOnly: req.query.active_only, gatewayId: req.query.gateway_id }),
);
