/** POST /firewall/settings — change settings; answers the changes and whether a restart is needed. */
import { updateSettings } from "#shared/fleet/firewall.ts";
import { UpdateFirewallSettingsBody } from "#shared/fleet/schemas.ts";
import { SettingsUpdatedResponse, settingsUpdatedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/settings",
  { body: UpdateFirewallSettingsBody, response: SettingsUpdatedResponse },
  async (req) => {
    const { gateway_id, ...patch } = req.body;
    const out = await updateSettings(
      { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
      patch,
    );
    req.audit({ resource: "firewall/settings", details: { changes: out.changes, gateway_id } });
    return settingsUpdatedView("Firewall", out);
  },
);
