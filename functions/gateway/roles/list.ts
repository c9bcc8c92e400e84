import { listRoles } from "#shared/identity/roles.ts";
import { endpoint } from "#shared/kit/endpoint.ts";

export const handler = endpoint("GET /cloud-integration/security/roles", {}, (req) =>
  listRoles(req.principal.tenantId),
);
