import { listRoles } from "#shared/domain/roles.ts";
import { endpoint } from "#shared/http/endpoint.ts";

export const handler = endpoint("GET /cloud-integration/security/roles", {}, (req) =>
  listRoles(req.principal.tenantId),
);
