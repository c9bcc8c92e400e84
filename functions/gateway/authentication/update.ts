import { updateAuthSettings } from "#shared/identity/auth-policy.ts";
import { AuthPolicyPatch } from "#shared/identity/schemas.ts";
import { AuthSettingsUpdatedResponse, authSettingsUpdatedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/authentication/update",
  { body: AuthPolicyPatch, response: AuthSettingsUpdatedResponse },
  async (req) => {
    if (Object.values(req.body).every((section) => !section || Object.keys(section).length === 0)) {
      throw new Invalid("body: no setting to change", [
        { loc: ["body"], msg: "no setting to change", type: "value_error" },
      ]);
    }
    const r = await updateAuthSettings(req.principal.tenantId, req.body);
    req.audit({ severity: "warning", details: { changes: r.changes, affected_users: r.affectedUsers } });
    return authSettingsUpdatedView(r);
  },
);
