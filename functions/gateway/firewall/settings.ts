/** POST /firewall/settings — change settings; answers the changes and whether a restart is needed. */
import { updateSettings } from "#shared/fleet/firewall.ts";
import { UpdateFirewallSettingsBody } from "#shared/fleet/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/settings",
  { body: UpdateFirewallSettingsBody },
  async (req) => {
    const { gateway_id, ...patch } = req.body;
    const out = await updateSettings(
      { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
      patch,
    );
    req.audit({ resource: "firewall/settings", details: { changes: out.changes, gateway_id } });
    return {
      status: "updated",
      message: Object.keys(out.changes).length
        ? "Firewall settings updated successfully"
        : "Firewall settings unchanged",
      restart_required: out.restart_required,
      changes: out.changes,
      requires_reload: out.requires_reload,
      config_version: out.config_version,
      sync: out.sync,
    };
  },
);
