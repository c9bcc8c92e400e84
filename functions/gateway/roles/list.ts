import { listRoles } from "#shared/identity/roles.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/roles", {}, (req) =>
  listRoles(req.principal.tenantId),
);
