import { getAuthPolicy } from "#shared/domain/auth-policy.ts";
import { endpoint } from "#shared/http/endpoint.ts";

export const handler = endpoint("GET /cloud-integration/security/authentication/settings", {}, (req) =>
  getAuthPolicy(req.principal.tenantId),
);
