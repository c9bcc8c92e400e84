/** POST /certificates/settings — a gateway's renewal and notice settings; answers the changes, old and new. */
import { certificateGateway } from "#shared/certificates/certificates.ts";
import { SettingsBody } from "#shared/certificates/schemas.ts";
import { nextRenewalCheck, updateCertificateSettings } from "#shared/certificates/settings.ts";
import { SettingsUpdatedView, settingsUpdatedView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/certificates/settings",
  { body: SettingsBody, response: SettingsUpdatedView },
  async (req) => {
    const { gateway_id, ...patch } = req.body;
    const gateway = await certificateGateway(req.principal.tenantId, gateway_id, "gateway_id");
    const { changes } = await updateCertificateSettings(req.principal.tenantId, gateway.id, patch);
    req.audit({ resource: `certificates/${gateway.id}/settings`, details: { gateway_id: gateway.id, changes } });
    return settingsUpdatedView(gateway.id, changes, nextRenewalCheck(new Date()));
  },
);
