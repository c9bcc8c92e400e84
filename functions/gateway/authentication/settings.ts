import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/authentication/settings", {}, (req) =>
  getAuthPolicy(req.principal.tenantId),
);
