import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { AuthSettingsResponse } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/authentication/settings",
  { response: AuthSettingsResponse },
  (req) => getAuthPolicy(req.principal.tenantId),
);
