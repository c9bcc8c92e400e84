/** POST /ssh/update — change sshd settings; answers the changes and whether sshd must restart. */
import { UpdateSshSettingsBody } from "#shared/fleet/schemas.ts";
import { updateSshSettings } from "#shared/fleet/ssh.ts";
import { SettingsUpdatedResponse, settingsUpdatedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/ssh/update",
  { body: UpdateSshSettingsBody, response: SettingsUpdatedResponse },
  async (req) => {
    const { gateway_id, ...patch } = req.body;
    const out = await updateSshSettings(
      { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
      patch,
    );
    req.audit({ resource: "ssh/settings", details: { changes: out.changes, gateway_id } });
    return settingsUpdatedView("SSH", out);
  },
);
