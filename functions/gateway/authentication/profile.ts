import { PASSWORD_PROFILES, updateAuthSettings } from "#shared/identity/auth-policy.ts";
import { passwordProfileBody } from "#shared/identity/schemas.ts";
import { PasswordProfileResponse, passwordProfileView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/authentication/profile",
  { body: passwordProfileBody, response: PasswordProfileResponse },
  async (req) => {
    const r = await updateAuthSettings(req.principal.tenantId, {
      password_policy: { ...PASSWORD_PROFILES[req.body.profile] },
    });
    req.audit({
      severity: "warning",
      details: { profile: req.body.profile, changes: r.changes, affected_users: r.affectedUsers },
    });
    return passwordProfileView(r, req.body.profile);
  },
);
