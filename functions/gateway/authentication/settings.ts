import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { endpoint } from "#shared/kit/endpoint.ts";

export const handler = endpoint("GET /cloud-integration/security/authentication/settings", {}, (req) =>
  getAuthPolicy(req.principal.tenantId),
);
