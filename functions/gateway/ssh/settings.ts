/** GET /ssh/settings — sshd settings in effect, public keys, and today's connection counters. */
import { GatewayQuery } from "#shared/fleet/schemas.ts";
import { getSshSettings } from "#shared/fleet/ssh.ts";
import { SshSettingsResponse, sshSettingsView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/ssh/settings",
  { query: GatewayQuery, response: SshSettingsResponse },
  async (req) => sshSettingsView(await getSshSettings(req.principal.tenantId, req.query.gateway_id)),
);
