/** GET /ssh/sessions — SSH sessions the gateways reported: active (default) or also today's ended ones. */
import { SshSessionsQuery } from "#shared/fleet/schemas.ts";
import { listSshSessions } from "#shared/fleet/ssh-sessions.ts";
import { SshSessionsResponse, sshSessionsView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/ssh/sessions",
  { query: SshSessionsQuery, response: SshSessionsResponse },
  async (req) => {
    const q = req.query;
    const listing = await listSshSessions(req.principal.tenantId, {
      activeOnly: q.active_only,
      gatewayId: q.gateway_id,
    });
    return sshSessionsView(listing);
  },
);
